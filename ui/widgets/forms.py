"""What every form and dialog shares: knowing when a field is edited, guarding unsaved
changes on leaving, and a scrolling body that never outgrows a 1366x768 laptop screen.

- ``edited_signals`` / ``on_edit``: one way to hear "the worker changed this field",
  whatever kind of control it is.
- ``UnsavedChanges``: remembers what a form held when it opened (or was last saved) and,
  on leaving with something different, asks before throwing the edits away.
- ``scrolling_layout``: puts a dialog's body in a scroll area above fixed buttons, and
  caps the dialog's height at the screen it opens on, so buttons are always on screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDate, QDateTime, QSize, Qt, QTime, SignalInstance
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

# The smallest screen Casework is built for: 1366x768 less a 40 px taskbar.
LAPTOP = QSize(1366, 768 - 40)
SCREEN_SHARE = 0.9  # a dialog leaves a little of the screen around it


def edited_signals(widget: QWidget) -> list[SignalInstance]:
    """The signals ``widget`` emits when the worker changes its value ([] if none)."""
    if isinstance(widget, QLineEdit):
        return [widget.textChanged]
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return [widget.textChanged]
    if isinstance(widget, QComboBox):
        found = [widget.currentIndexChanged]
        if widget.isEditable():
            found.append(widget.editTextChanged)
        return found
    if isinstance(widget, QDateTimeEdit):
        return [widget.dateTimeChanged]
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return [widget.valueChanged]
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return [widget.toggled]
    if isinstance(widget, QListWidget):
        return [widget.itemChanged, widget.itemSelectionChanged]
    return []


def on_edit(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the worker changes ``widget``'s value."""
    for signal in edited_signals(widget):
        signal.connect(lambda *_args: callback())


def inputs(root: QWidget) -> list[QWidget]:
    """Every value control under ``root`` (the line edits inside spin boxes and editable
    combo boxes are part of those, not controls of their own)."""
    found = []
    for widget in root.findChildren(QWidget):
        parent = widget.parentWidget()
        inner = isinstance(widget, QLineEdit) and isinstance(parent, QAbstractSpinBox | QComboBox)
        if not inner and edited_signals(widget):
            found.append(widget)
    return found


def value_of(widget: QWidget) -> object:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QTextEdit):
        return widget.toHtml()
    if isinstance(widget, QComboBox):
        return (widget.currentIndex(), widget.currentText())
    if isinstance(widget, QDateTimeEdit):
        moment: QDateTime | QDate | QTime = widget.dateTime()
        return moment
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    if isinstance(widget, QListWidget):
        rows = range(widget.count())
        return tuple((widget.item(i).checkState().value, widget.item(i).isSelected()) for i in rows)
    return None


def snapshot(root: QWidget) -> list[object]:
    return [value_of(w) for w in inputs(root)]


def confirm_discard(parent: QWidget) -> bool:
    """Ask before throwing away typed changes; True when the worker agrees to."""
    answer = QMessageBox.question(
        parent,
        "Discard changes?",
        "You have changes that are not saved. Discard them?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def confirm_irreversible(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before a step that cannot be undone; True when the worker goes ahead. The
    question says so in words, and Cancel (not the step) is what Enter presses."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText("This cannot be undone.")
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is go


class UnsavedChanges:
    """Whether the controls under ``root`` differ from when it was marked saved.

    ``mark_saved()`` once the form is filled (and after each save); ``may_leave(parent)``
    when the worker closes it: True at once when nothing changed, otherwise it asks.
    """

    def __init__(self, root: QWidget) -> None:
        self.root = root
        self._saved: list[object] | None = None

    def mark_saved(self) -> None:
        self._saved = snapshot(self.root)

    def is_modified(self) -> bool:
        return self._saved is not None and snapshot(self.root) != self._saved

    def may_leave(self, parent: QWidget) -> bool:
        return not self.is_modified() or confirm_discard(parent)


def make_default(button: QPushButton) -> None:
    """Make ``button`` its dialog's default (Enter presses it) for good: call it once the
    button is inside the dialog. A button already marked default before it joined the
    dialog is not registered with it, and loses the role the first time focus passes
    through another button (after a failed click, Enter then did nothing)."""
    button.setDefault(False)
    button.setAutoDefault(True)
    button.setDefault(True)


def available_height(widget: QWidget) -> int:
    """The most height a window may take on ``widget``'s screen (never above the laptop)."""
    screen = widget.screen()
    room = screen.availableGeometry().height() if screen is not None else LAPTOP.height()
    return int(min(room, LAPTOP.height()) * SCREEN_SHARE)


class ScrollBody(QScrollArea):
    """A dialog's body: as tall as its contents, up to what the screen allows."""

    def __init__(self, body: QWidget, fixed_height: Callable[[], int]) -> None:
        super().__init__()
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fixed_height = fixed_height

    def sizeHint(self) -> QSize:
        body = self.widget()
        inner = body.sizeHint() if body is not None else QSize(0, 0)
        room = available_height(self) - self._fixed_height()
        width = inner.width() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, max(120, min(inner.height() + 2, room)))


def scrolling_layout(
    dialog: QDialog, body: QWidget, footer: QWidget, top: QWidget | None = None
) -> ScrollBody:
    """Lay ``dialog`` out as ``top`` (fixed), ``body`` (scrolls) and ``footer`` (fixed:
    the buttons never scroll away). The dialog is never taller than its screen allows."""
    layout = QVBoxLayout(dialog)

    def fixed_height() -> int:
        margins = layout.contentsMargins()
        spacing = layout.spacing() * (2 if top is not None else 1)
        extra = footer.sizeHint().height() + margins.top() + margins.bottom() + spacing
        return extra + (top.sizeHint().height() if top is not None else 0)

    scroll = ScrollBody(body, fixed_height)
    if top is not None:
        layout.addWidget(top)
    layout.addWidget(scroll, 1)
    layout.addWidget(footer)
    dialog.setMaximumHeight(available_height(dialog))
    return scroll
