"""Lawful closure grounds and accommodation suitability on screen: the Closure tab offers
only the reasons the core's matrix allows for this person today (the rest greyed out with
the law that rules them out), records an arrangement alongside the case, and the
accommodation form follows the suitability rules (bed and breakfast under 18, registered
supported accommodation, SSDA903 rule 347).

``CASEWORK_SHOTS=1`` also saves ``shots/closure_grounds_*.png`` at 1366x768.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casework.services import arrangements
from tests.ui._record_fixtures import (
    TIMEOUT,
    make_view,
    open_person,
    open_section,
    practitioner,
    quick_autosave,  # noqa: F401 (autouse)
    team_person,
)
from ui.dialogs.accommodation_dialogs import AccommodationDialog
from ui.dialogs.closure_dialogs import ArrangementDialog
from ui.views.record import RecordView

if TYPE_CHECKING:
    from casework.services.permissions import Actor
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
SHOTS = Path(__file__).resolve().parents[2] / "shots"


@pytest.fixture(autouse=True)
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ui.views.record_closure.PREVIEW_DELAY_MS", 20)


def opened(qtbot: QtBot, env: Env, person_id: int, actor: Actor, section: str) -> RecordView:
    view = make_view(qtbot, env, actor)
    open_person(qtbot, view, person_id)
    open_section(qtbot, view, getattr(view, section))
    return view


def shoot(widget: object, name: str, *, resize: bool = True) -> None:
    if not os.environ.get("CASEWORK_SHOTS"):
        return
    from importlib.resources import files

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(files("casework_resources").joinpath("style.qss").read_text("utf-8"))
    SHOTS.mkdir(exist_ok=True)
    if resize:
        widget.resize(1366, 768)  # type: ignore[attr-defined]
    for _ in range(3):
        QApplication.processEvents()
    widget.grab().save(str(SHOTS / name))  # type: ignore[attr-defined]


def _reasons(view: RecordView) -> dict[str, tuple[bool, str]]:
    """Each reason in the list: (offered, tooltip)."""
    combo = view.closure.reason
    model = combo.model()
    assert isinstance(model, QStandardItemModel)
    out = {}
    for i in range(combo.count()):
        code = combo.itemData(i)
        if code:
            item = model.item(i)
            tip = combo.itemData(i, Qt.ItemDataRole.ToolTipRole) or ""
            out[code] = (item.isEnabled(), tip)
    return out


def test_reason_list_comes_from_the_matrix(qtbot: QtBot, env: Env) -> None:
    """A 19-year-old former relevant: only death ends the duties (s23C(2)); transfer and
    adult services are arrangements (CLR 2010 reg 2(1))."""
    person = team_person(env, age=19)
    view = opened(qtbot, env, person.id, practitioner(env), "closure")
    section = view.closure
    qtbot.waitUntil(lambda: section.reason.count() > 0, timeout=TIMEOUT)
    reasons = _reasons(view)
    assert [code for code, (offered, _) in reasons.items() if offered] == ["CLDI"]
    offered, tip = reasons["CLTR"]
    assert not offered and "reg 2(1)" in tip
    offered, tip = reasons["CLRF"]
    assert not offered and "s23C(2)" in tip and "status, not a closure" in tip
    assert "Arrangements" in section.reason_note.text()
    shoot(view, "closure_grounds_reasons.png")
    shoot(section.form_box, "closure_grounds_reason_form.png", resize=False)
    shoot(section.arrangements_box, "closure_grounds_arrangements_box.png", resize=False)


def test_older_care_leaver_is_offered_the_reasons_that_end_support(qtbot: QtBot, env: Env) -> None:
    person = team_person(env, age=22)
    view = opened(qtbot, env, person.id, practitioner(env), "closure")
    qtbot.waitUntil(lambda: view.closure.reason.count() > 0, timeout=TIMEOUT)
    offered = [code for code, (ok, _) in _reasons(view).items() if ok]
    assert offered == ["CL21", "CLNR", "CLRF", "CLDI"]


def test_arrangement_is_recorded_and_shown_on_the_closure_tab(qtbot: QtBot, env: Env) -> None:
    person = team_person(env, age=20)
    worker = practitioner(env)
    view = opened(qtbot, env, person.id, worker, "closure")
    section = view.closure
    qtbot.waitUntil(lambda: section.arrangement_button.isVisibleTo(section), timeout=TIMEOUT)
    assert "None recorded." in section.arrangements.text()
    qtbot.mouseClick(section.arrangement_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, ArrangementDialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Who: name the other council or the adult social care team." in (
        dialog.problems.problems()
    )
    dialog.kind.setCurrentIndex(dialog.kind.findData("transfer"))
    qtbot.keyClicks(dialog.with_whom, "Northshire leaving care team")
    dialog.note.setPlainText("Moved for college; we keep in touch monthly.")
    with qtbot.waitSignal(view.changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Northshire leaving care team" in section.arrangements.text(), timeout=TIMEOUT
    )
    assert section.state == "open"
    [saved] = arrangements.list_arrangements(env.db, worker, person.id, now=env.now)
    assert saved.kind.value == "transfer"
    shoot(view, "closure_grounds_arrangement.png")


def _accommodation_dialog(qtbot: QtBot, env: Env, age: int) -> AccommodationDialog:
    person = team_person(env, age=age)
    view = opened(qtbot, env, person.id, practitioner(env), "accommodation")
    section = view.accommodation
    qtbot.waitUntil(lambda: section.data is not None, timeout=TIMEOUT)
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, AccommodationDialog)
    return dialog


def test_bed_and_breakfast_is_never_suitable_under_18(qtbot: QtBot, env: Env) -> None:
    dialog = _accommodation_dialog(qtbot, env, 17)
    dialog.suitable.click()
    dialog.kind.setCurrentIndex(dialog.kind.findData("W"))
    assert dialog.unsuitable.isChecked() and not dialog.suitable.isEnabled()
    assert "never suitable for 16 and 17" in dialog.kind_note.text()
    assert "2018" in dialog.kind_note.text()


def test_supported_accommodation_under_18_asks_if_registered(qtbot: QtBot, env: Env) -> None:
    dialog = _accommodation_dialog(qtbot, env, 17)
    dialog.kind.setCurrentIndex(dialog.kind.findData("D"))
    assert dialog.registration_row.isVisibleTo(dialog)
    dialog.suitable.click()
    dialog.not_registered.click()
    assert "unregistered supported accommodation" in dialog.rule_note.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert any("Supported Accommodation (England)" in p for p in dialog.problems.problems())
    dialog.kind.setCurrentIndex(dialog.kind.findData("T"))
    assert "rule 347" in dialog.rule_note.text()
    shoot(dialog, "closure_grounds_accommodation_form.png")


def test_bed_and_breakfast_18_plus_needs_a_reason(qtbot: QtBot, env: Env) -> None:
    dialog = _accommodation_dialog(qtbot, env, 19)
    dialog.kind.setCurrentIndex(dialog.kind.findData("W"))
    assert dialog.suitable.isEnabled() and not dialog.registration_row.isVisibleTo(dialog)
    dialog.suitable.click()
    assert dialog.suitable_reason.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert any("Why it is suitable" in p for p in dialog.problems.problems())
