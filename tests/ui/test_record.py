"""The record screen and the edit form: showing, refusing plainly, editing and saving."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from casework.errors import Problem
from casework.services.people import open_record, update_young_person
from ui.dialogs.young_person_form import DateField, friendly_problem
from ui.models.caseload_model import NAME
from ui.views.caseload import CaseloadView
from ui.views.record import RecordView

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TIMEOUT = 5000


def make_record_view(qtbot: QtBot, env: Env) -> RecordView:
    view = RecordView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    return view


def show(qtbot: QtBot, view: RecordView, person_id: int) -> None:
    view.show_person(person_id)
    qtbot.waitUntil(lambda: view.record is not None or view.message.text() != "", timeout=TIMEOUT)


def start_editing(qtbot: QtBot, view: RecordView) -> None:
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.form.is_ready, timeout=TIMEOUT)
    assert view.is_editing


def test_opening_from_the_caseload_shows_the_person(qtbot: QtBot, env: Env) -> None:
    caseload = CaseloadView(env.db, env.lead, env.clock)
    qtbot.addWidget(caseload)
    with qtbot.waitSignal(caseload.model.loaded, timeout=TIMEOUT):
        caseload.show()
    record = make_record_view(qtbot, env)
    caseload.open_record.connect(record.show_person)
    caseload.select_person(caseload.model.id_at(0) or 0)
    with qtbot.waitSignal(caseload.open_record, timeout=TIMEOUT):
        qtbot.keyClick(caseload.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: record.record is not None, timeout=TIMEOUT)

    person = env.person(id=caseload.model.id_at(0))
    assert record.person_id == person.id
    assert record.name.text().startswith(f"{person.last_name}, {person.first_name}")
    assert person.child_uid in record.summary.text()
    assert f"Age {record.record.age}" in record.summary.text()
    assert "Team: Leaving Care North" in record.summary.text()
    assert record.edit_button.isVisible()
    details = record.details
    values = {
        details.itemAt(row, details.ItemRole.LabelRole).widget().text(): details.itemAt(
            row, details.ItemRole.FieldRole
        )
        .widget()
        .text()
        for row in range(details.rowCount())
    }
    assert values["<b>Date of birth</b>"].startswith(f"{person.date_of_birth:%d/%m/%Y}")


def test_another_teams_record_is_refused_plainly(qtbot: QtBot, env: Env) -> None:
    view = make_record_view(qtbot, env)
    show(qtbot, view, env.other_team_person_id())
    assert view.record is None
    assert "belongs to a team you are not part of" in view.message.text()
    assert "Back to caseload" in view.message.text()
    assert not view.edit_button.isVisible()
    with qtbot.waitSignal(view.back_requested, timeout=TIMEOUT):
        qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)


def test_a_missing_record_is_reported_plainly(qtbot: QtBot, env: Env) -> None:
    view = make_record_view(qtbot, env)
    show(qtbot, view, 987654)
    assert "does not exist" in view.message.text()
    assert "Traceback" not in view.message.text()


def test_editing_and_saving_changes_the_caseload_row(qtbot: QtBot, env: Env) -> None:
    caseload = CaseloadView(env.db, env.lead, env.clock)
    qtbot.addWidget(caseload)
    with qtbot.waitSignal(caseload.model.loaded, timeout=TIMEOUT):
        caseload.show()
    person_id = caseload.model.id_at(0) or 0
    view = make_record_view(qtbot, env)
    view.changed.connect(lambda _changed: caseload.refresh())
    show(qtbot, view, person_id)
    version = view.record.version
    start_editing(qtbot, view)

    view.form._last.clear()
    qtbot.keyClicks(view.form._last, "Zuckerman")
    assert view.form.is_modified()
    with (
        qtbot.waitSignal(caseload.model.loaded, timeout=TIMEOUT),
        qtbot.waitSignal(view.changed, timeout=TIMEOUT) as saved,
    ):
        qtbot.mouseClick(view.form.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].ids == (person_id,)
    assert "last_name" in saved.args[0].fields

    row = caseload.model.row_of(person_id)
    assert row is not None
    assert caseload.model.data(caseload.model.index(row, NAME)).startswith("Zuckerman, ")
    assert row == caseload.model.rowCount() - 1 or caseload.model.rowCount() == 1  # re-sorted
    qtbot.waitUntil(lambda: not view.is_editing, timeout=TIMEOUT)
    assert view.record is not None
    assert view.record.version == version + 1
    assert view.name.text().startswith("Zuckerman, ")


def test_refused_edit_keeps_what_was_typed_and_changes_nothing(qtbot: QtBot, env: Env) -> None:
    view = make_record_view(qtbot, env)
    person = env.person(team_id=env.lead.team_id)
    show(qtbot, view, person.id)
    start_editing(qtbot, view)
    view.form._first.setText("  ")
    view.form._dob.set_value(date(2027, 3, 3))
    qtbot.mouseClick(view.form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(view.form.problems()), timeout=TIMEOUT)

    problems = view.form.problems()
    assert problems[:2] == [
        "First name: enter a name of 1 to 100 characters.",
        "Date of birth: 03/03/2027 is not accepted: it must be a date not in the future.",
    ]
    assert all("_" not in p for p in problems)  # no storage names like date_of_birth
    assert view.is_editing
    assert view.form._dob.value() == date(2027, 3, 3)
    assert env.person(id=person.id).version == person.version


def test_someone_elses_change_meanwhile_is_explained(qtbot: QtBot, env: Env) -> None:
    view = make_record_view(qtbot, env)
    person = env.person(team_id=env.lead.team_id)
    show(qtbot, view, person.id)
    start_editing(qtbot, view)
    current = open_record(env.db, env.lead, person.id, now=env.now)
    update_young_person(
        env.db,
        env.lead,
        person.id,
        replace(current.details, preferred_name="Sunny"),
        expected_version=current.version,
        now=env.now,
    )
    view.form._preferred.setText("Bee")
    qtbot.mouseClick(view.form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(view.form.problems()), timeout=TIMEOUT)
    assert f"{env.lead.display_name} changed preferred name on this" in view.form.problems()[0]
    assert env.person(id=person.id).preferred_name == "Sunny"


def test_clear_forgets_the_record_and_the_form(qtbot: QtBot, env: Env) -> None:
    view = make_record_view(qtbot, env)
    person = env.person(team_id=env.lead.team_id)
    show(qtbot, view, person.id)
    start_editing(qtbot, view)
    view.clear()
    assert view.record is None and view.person_id is None
    assert view.name.text() == "" and view.summary.text() == ""
    assert view.details.rowCount() == 0
    assert view.form._uid.text() == "" and view.form._last.text() == ""
    assert view.form.title.text() == ""  # it named the young person
    assert not view.is_editing


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15/08/2006", date(2006, 8, 15)),
        ("15082006", date(2006, 8, 15)),
        ("1/8/2006", date(2006, 8, 1)),
    ],
)
def test_a_date_of_birth_can_be_typed_as_written(qtbot: QtBot, typed: str, expected: date) -> None:
    today = QDate(2026, 11, 27)
    field = DateField(today.addYears(-30), today.addYears(1), optional=True)
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    assert field.value() is None and field.text() == "Not entered"
    qtbot.keyClicks(field, typed)
    assert field.value() == expected


def test_tab_leaves_an_empty_date_of_birth(qtbot: QtBot) -> None:
    today = QDate(2026, 11, 27)
    form = QWidget()
    qtbot.addWidget(form)
    field = DateField(today.addYears(-30), today.addYears(1), optional=True)
    after = QLineEdit()
    layout = QVBoxLayout(form)
    layout.addWidget(field)
    layout.addWidget(after)
    form.show()
    form.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert after.hasFocus()


def test_problems_name_the_field_in_plain_words() -> None:
    duplicate = friendly_problem(
        Problem.of(
            "child_uid: 'C1' is already used by another young person: expected a Child Unique "
            "ID not yet in this database"
        )
    )
    assert duplicate.field == "child_uid"
    assert duplicate.text == (
        "Child Unique ID: 'C1' is already used by another young person. "
        "Enter a Child Unique ID not yet in this database."
    )
    blank = friendly_problem(
        Problem.of("sex: '' is not valid: expected a sex code, one of male, female")
    )
    assert blank.text == "Sex: choose one from the list."
    missing = friendly_problem(
        Problem.of("date_of_birth: a blank value is not valid: expected a date of birth")
    )
    assert missing.text == "Date of birth: enter a date of birth."
    other = friendly_problem(
        Problem.of("This record was changed by someone else after you opened it.")
    )
    assert other.field is None


def test_re_establish_steps_show_on_details_and_fold_elsewhere(qtbot: QtBot, env: Env) -> None:
    from casework.domain.codes import InTouch
    from casework.domain.due import DueItem, DueKind
    from casework.domain.in_touch import InTouchState
    from casework.services.due import CaseStatus, RecordStatus

    view = make_record_view(qtbot, env)
    show(qtbot, view, env.person(team_id=env.lead.team_id).id)
    qtbot.waitUntil(lambda: view.status_summary.text() != "", timeout=TIMEOUT)
    touch = InTouchState(InTouch.NO, None, date(2026, 8, 7), 2, "explained")
    item = DueItem(DueKind.KEEP_IN_TOUCH, date(2026, 10, 7), True, "Not in touch", "")
    steps = ("Ask family", "Ask the landlord")
    view._on_status(
        view._generation, RecordStatus(CaseStatus(1, touch, (item,), None, None), steps)
    )
    assert view.tabs.currentIndex() == 0 and "<li>Ask family</li>" in view.status_summary.text()
    view.tabs.setCurrentWidget(view.contacts)  # writing a contact: the form gets the room
    assert "<li>" not in view.status_summary.text()
    assert "show the 2 steps" in view.status_summary.text()
    view.status_summary.linkActivated.emit("#steps")
    assert "<li>Ask family</li>" in view.status_summary.text()
    assert "hide the steps" in view.status_summary.text()
    view.status_summary.linkActivated.emit("#steps")
    assert "<li>" not in view.status_summary.text()
