"""A field wrapped with its hint or a second control still gets its label as its name.

A form row's label names its field for a screen reader through Qt's "buddy" link. When
the row holds a small container (a date and a hint, a tick box and a date) the buddy is
the container, and the field inside is announced with no name at all. One application-
wide filter fixes that: when such a label is shown, each interactive control inside its
buddy that has no name of its own is named after the label. Qt also finds a buddy's
label only among the field's siblings, so a field moved into such a container with the
label outside is named after it too.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QPlainTextEdit,
    QTextEdit,
)


def label_words(label: QLabel) -> str:
    """A label's text as read aloud: no mnemonic ampersand, no trailing colon."""
    text = label.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.strip().rstrip(":").strip()


def name_buddy_contents(label: QLabel) -> None:
    buddy = label.buddy()
    words = label_words(label)
    if buddy is None or not words:
        return
    if isinstance(buddy, INTERACTIVE):
        # Qt finds a buddy's label only among its siblings: one placed elsewhere (the
        # field wrapped with its hint) is not read, so it is given as the name.
        if buddy.parentWidget() is not label.parentWidget() and not buddy.accessibleName():
            buddy.setAccessibleName(words)
        return
    for widget in buddy.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or widget.accessibleName():
            continue
        if isinstance(widget, QLineEdit) and isinstance(
            widget.parentWidget(), QComboBox | QAbstractSpinBox
        ):
            continue
        face = QAccessible.queryAccessibleInterface(widget)
        own = face.text(QAccessible.Text.Name) if face is not None else ""
        if not (own or "").strip():
            widget.setAccessibleName(words)


class AccessibleNames(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        shown = event.type() == QEvent.Type.Show
        if shown and isinstance(watched, QLabel) and watched.buddy() is not None:
            name_buddy_contents(watched)
        return False


_filter: AccessibleNames | None = None


def install(app: QApplication) -> AccessibleNames:
    global _filter
    if _filter is None:
        _filter = AccessibleNames(app)
        app.installEventFilter(_filter)
    return _filter
