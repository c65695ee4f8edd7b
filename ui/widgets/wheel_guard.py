"""The mouse wheel scrolls the page; it never changes a value the worker is not editing.

Qt lets the wheel change any combo box, spin box, date or slider under the pointer, even
one the worker never clicked, so scrolling down a record could silently change a legal
status or a date of birth. One application-wide event filter stops that: over such a
control that does not have keyboard focus, the wheel goes to the page around it (the
nearest scroll area) instead. Once the worker has clicked into the control or tabbed to
it, the wheel changes it as usual. Controls that took focus from the wheel alone would
defeat this, so every guarded control is given "strong" focus (click or Tab) instead of
"wheel" focus when it is first shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def guarded_control(widget: QObject) -> QWidget | None:
    """The value control ``widget`` belongs to (itself, or the combo/spin box it is part
    of), or None when the wheel may act on it freely."""
    current: QObject | None = widget
    for _ in range(3):  # a spin box's or editable combo's line edit sits one level down
        if not isinstance(current, QWidget):
            return None
        if isinstance(current, GUARDED) and not isinstance(current, QScrollBar):
            return current
        current = current.parent()
    return None


def _scroll_target(control: QWidget) -> QWidget | None:
    """The nearest scrolling page around ``control``: its viewport takes the wheel."""
    parent = control.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent.viewport()
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """Install once on the application: ``QApplication.instance().installEventFilter``."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, GUARDED):
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if kind != QEvent.Type.Wheel or not isinstance(event, QWheelEvent):
            return False
        control = guarded_control(watched)
        if control is None or control.hasFocus() or _has_focus_within(control):
            return False
        target = _scroll_target(control)
        if target is not None:
            moved = QWheelEvent(
                target.mapFromGlobal(event.globalPosition()),
                event.globalPosition(),
                event.pixelDelta(),
                event.angleDelta(),
                event.buttons(),
                event.modifiers(),
                event.phase(),
                event.inverted(),
            )
            QApplication.sendEvent(target, moved)
        event.accept()
        return True  # the control never sees it


def _has_focus_within(control: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and control.isAncestorOf(focused)


_guard: WheelGuard | None = None


def install(app: QApplication) -> WheelGuard:
    """Install the guard on ``app`` (once; later calls return the same guard)."""
    global _guard
    if _guard is None:
        _guard = WheelGuard(app)
        app.installEventFilter(_guard)
    return _guard
