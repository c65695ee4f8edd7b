"""Help > Keyboard shortcuts: made from the shortcuts the window really has.

Every ``QShortcut`` under the main window says what it does in its ``whatsThis`` text,
and this list is read from them, so it cannot drift from the keys that work. The keys
every screen shares (Tab, Enter, Escape, Alt with an underlined letter) follow.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.forms import available_height

EVERYWHERE = [
    ("Tab / Shift+Tab", "Move to the next / previous control, in reading order"),
    ("Enter", "Open the selected row; in a form, press its main button"),
    ("Escape", "Close a dialog (it asks first if you typed something)"),
    ("Alt + underlined letter", "Press that button, or go to that field"),
    ("Space", "Tick a box or press the focused button"),
    ("Arrow keys", "Move through a list, or between choices in a group"),
]


def shortcuts_of(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every shortcut under ``window``, sorted, no repeats."""
    found: dict[tuple[str, str], None] = {}
    for shortcut in window.findChildren(QShortcut):
        keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and shortcut.isEnabled():
            found[(keys, shortcut.whatsThis())] = None
    return sorted(found, key=lambda pair: (pair[1].split(":")[0], pair[0]))


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._rows = rows = [*shortcuts_of(window), *EVERYWHERE]
        self.table = QTableWidget(len(rows), 2)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for row, (keys, what) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Shortcuts that work where you are now, then everywhere:"))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(640, min(560, available_height(window)))

    def rows(self) -> list[tuple[str, str]]:
        return list(self._rows)
