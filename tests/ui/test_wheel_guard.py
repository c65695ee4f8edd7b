"""The mouse wheel scrolls the page and never changes a value the worker is not editing."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QScrollArea,
    QSlider,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ui.dialogs.young_person_form import YoungPersonDialog

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]


def wheel(widget: QWidget, notches: int = -3) -> None:
    """Turn the wheel ``notches`` (negative: towards the user) over ``widget``'s middle."""
    local = QPointF(widget.rect().center())
    event = QWheelEvent(
        local,
        QPointF(widget.mapToGlobal(local.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def values(form: QWidget) -> dict[str, object]:
    found: dict[str, object] = {}
    for i, combo in enumerate(form.findChildren(QComboBox)):
        found[f"combo{i}"] = combo.currentIndex()
    for i, spin in enumerate(form.findChildren(QSpinBox)):
        found[f"spin{i}"] = spin.value()
    for i, spin in enumerate(form.findChildren(QDoubleSpinBox)):
        found[f"double{i}"] = spin.value()
    for i, edit in enumerate(form.findChildren(QDateEdit)):
        found[f"date{i}"] = edit.date()
    for i, slider in enumerate(form.findChildren(QSlider)):
        found[f"slider{i}"] = slider.value()
    return found


def test_wheel_over_the_add_young_person_form_scrolls_and_changes_nothing(
    qtbot: QtBot, env: Env
) -> None:
    dialog = YoungPersonDialog(env.db, env.lead, env.clock)
    qtbot.addWidget(dialog)
    dialog.resize(700, 400)  # short enough to scroll
    dialog.show()
    qtbot.waitUntil(lambda: dialog.form.is_ready, timeout=5000)
    dialog.form._sex.setCurrentIndex(1)
    dialog.form._dob.setDate(dialog.form._dob.maximumDate().addYears(-19))
    dialog.form.save_button.setFocus()
    before = values(dialog.form)
    controls = [
        *dialog.form.findChildren(QComboBox),
        *dialog.form.findChildren(QDateEdit),
    ]
    assert len(controls) >= 7
    scroll = dialog.findChild(QScrollArea)
    assert scroll is not None
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    for control in controls:
        if control.isVisible():
            wheel(control, -1)
            wheel(control, +1)  # both ways: a value at an end could hide a change
            if control.lineEdit() is not None:
                wheel(control.lineEdit(), -1)
    assert values(dialog.form) == before
    bar.setValue(0)
    wheel(dialog.form._ethnicity, -3)
    assert bar.value() > 0  # the page scrolled instead


def test_every_kind_of_value_control_keeps_its_value_until_focused(qtbot: QtBot) -> None:
    page = QWidget()
    form = QFormLayout(page)
    combo = QComboBox()
    combo.addItems(["S20", "Police protection", "S31"])
    spin = QSpinBox()
    spin.setValue(5)
    double = QDoubleSpinBox()
    double.setValue(2.5)
    when = QDateEdit()
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setValue(40)
    for widget in (combo, spin, double, when, slider):
        form.addRow(type(widget).__name__, widget)
    for i in range(30):
        form.addRow(f"Spacer {i}", QWidget())
    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.resize(400, 200)
    qtbot.addWidget(scroll)
    scroll.show()
    before = values(page)
    for widget in (combo, spin, double, when, slider):
        assert widget.focusPolicy() != Qt.FocusPolicy.WheelFocus
        wheel(widget, -2)
        wheel(widget, +2)
    assert values(page) == before
    wheel(combo, -2)
    assert scroll.verticalScrollBar().value() > 0  # the page scrolled instead
    # Clicked into (focused), the wheel changes it as usual.
    scroll.activateWindow()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    wheel(spin, +1)
    assert spin.value() != 5
