"""Notes kept on this laptop, not yet on the team server.

Each kept note is shown whole, as typed, with when it was kept and, when the team server
refused it (no longer allowed, the case closed, someone else changed the draft), the
server's own message. The person can copy a note's text, discard it, or send the kept
notes again now.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.views.record_common import clear_layout, scrolling, set_severity, when
from ui.widgets.sizing import fit_to_screen

if TYPE_CHECKING:
    from ui.offline import OfflineKeeper


class KeptNotesDialog(QDialog):
    def __init__(self, keeper: OfflineKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keptNotesDialog")
        self.setWindowTitle("Notes kept on this laptop")
        self.keeper = keeper
        intro = QLabel(
            "These notes are on this laptop only (encrypted), not yet on the team server. "
            "Notes waiting are sent automatically when the server answers. A note the "
            "server refused stays here with its reason: copy what you need into the record, "
            "then discard it."
        )
        intro.setWordWrap(True)
        body = QWidget()
        self.list = QVBoxLayout(body)
        self.send_button = QPushButton("Send waiting notes now")
        self.send_button.clicked.connect(self.keeper.try_again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scrolling(body), 1)
        layout.addWidget(buttons)
        keeper.kept_changed.connect(self._refill)
        self._refill()
        fit_to_screen(self, 720, 560)

    def _refill(self, _count: object = None) -> None:
        clear_layout(self.list)
        notes = self.keeper.kept()
        if not notes:
            self.list.addWidget(QLabel("No notes are kept on this laptop."))
        for note in notes:
            self.list.addWidget(self._card(note))
        self.list.addStretch(1)

    def _card(self, note: Any) -> QFrame:
        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(card)
        head = QLabel(f"<b>{escape(note.title)}</b> · kept {when(note.kept_at)}")
        head.setWordWrap(True)
        column.addWidget(head)
        if note.refused:
            reason = QLabel(f"Refused by the team server: {note.refused}")
            reason.setWordWrap(True)
            set_severity(reason, "overdue")
            column.addWidget(reason)
        else:
            waiting = QLabel("Waiting to be sent.")
            set_severity(waiting, "warning")
            column.addWidget(waiting)
        text = QPlainTextEdit(note.text())
        text.setReadOnly(True)
        text.setAccessibleName(f"Text of {note.title}")
        text.setMaximumHeight(140)
        column.addWidget(text)
        copy = QPushButton("Copy text")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(note.text()))
        discard = QPushButton("Discard…")
        discard.setAccessibleName(f"Discard {note.title}")
        discard.clicked.connect(lambda: self._discard(note))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(copy)
        row.addWidget(discard)
        column.addLayout(row)
        return card

    def _discard(self, note: Any) -> None:
        answer = QMessageBox.question(
            self,
            "Discard this kept note?",
            f"Discard the kept note “{note.title}”? It is on this laptop only, so what it "
            "says will be gone. Copy the text first if you need it.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Discard:
            self.keeper.discard(note.slot)
