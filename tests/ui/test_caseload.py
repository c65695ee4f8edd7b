"""The caseload screen: counts, search, SQL sorting, lazy pages, clearing, opening, adding."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date

from PySide6.QtCore import QCoreApplication, QPoint, Qt
from pytestqt.qtbot import QtBot

from casework.db.models import YoungPerson
from casework.services.people import SortKey
from ui import tasks
from ui.dialogs.young_person_form import YoungPersonDialog
from ui.models.caseload_model import AGE, NAME, CaseloadModel
from ui.views.caseload import CaseloadView, count_text

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TIMEOUT = 5000


def make_view(qtbot: QtBot, env: Env) -> CaseloadView:
    view = CaseloadView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        view.show()
    return view


def search(qtbot: QtBot, view: CaseloadView, text: str) -> None:
    view.search.clear()
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        qtbot.keyClicks(view.search, text)


def names(view: CaseloadView) -> list[str]:
    model = view.model
    return [model.data(model.index(row, NAME)) for row in range(model.rowCount())]


def test_team_lead_sees_their_teams_caseload_with_a_count(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    expected = env.lead_caseload_count()
    assert 0 < expected < 60
    assert view.model.rowCount() == expected
    assert view.count.text() == count_text(expected, searching=False, mine_only=False)
    assert view.count.text().endswith("young people")
    assert view.table.model() is view.model  # no proxy: sorting and filtering are SQL


def test_search_narrows_by_name_and_by_child_id(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    total = view.model.rowCount()
    first_id = view.model.id_at(0)
    person = env.person(id=first_id)

    search(qtbot, view, person.last_name[:3].lower())
    assert 1 <= view.model.rowCount() < total
    assert first_id in [view.model.id_at(r) for r in range(view.model.rowCount())]
    assert view.count.text().endswith(("matches", "match"))

    search(qtbot, view, person.child_uid[:5])
    found = [view.model.id_at(r) for r in range(view.model.rowCount())]
    assert first_id in found
    search(qtbot, view, person.child_uid)
    assert found and view.model.rowCount() == 1
    assert view.count.text() == "1 match"


def test_no_match_says_what_to_do_and_clears(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    total = view.model.rowCount()
    search(qtbot, view, "zzqx")
    assert view.count.text() == "0 matches"
    assert view.pages.currentIndex() == 1
    assert "zzqx" in view.empty.text() and "clear the search" in view.empty.text()
    assert view.empty_action.text() == "Clear search"
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(view.empty_action, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() == total
    assert view.pages.currentIndex() == 0


def test_only_my_cases_lists_the_actors_allocations(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    mine = env.count(
        (YoungPerson.social_worker_id == env.lead.user_id)
        | (YoungPerson.personal_adviser_id == env.lead.user_id)
    )
    view.select_person(view.model.id_at(0) or 0)
    assert view.open_button.isEnabled()
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        view.mine_only.setChecked(True)
    assert view.model.rowCount() == mine
    assert view.open_button.isEnabled() == (view.selected_id() is not None)
    if mine:
        assert view.count.text().endswith("allocated to you")
    else:
        assert "Untick" in view.empty.text()


def test_clicking_a_header_sorts_in_sql(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    before = view.model.id_at(0)
    header = view.table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(AGE) + 5, header.height() // 2)
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert view.model.query.sort is SortKey.AGE
    ages = [int(view.model.data(view.model.index(r, AGE))) for r in range(view.model.rowCount())]
    assert ages == sorted(ages)
    assert view.model.id_at(0) != before

    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert view.model.query.descending
    ages = [int(view.model.data(view.model.index(r, AGE))) for r in range(view.model.rowCount())]
    assert ages == sorted(ages, reverse=True)


def test_rows_are_read_a_page_at_a_time(qtbot: QtBot, env: Env) -> None:
    model = CaseloadModel(env.db, env.lead, env.clock, page_size=4)
    with qtbot.waitSignal(model.loaded, timeout=TIMEOUT) as loaded:
        model.refresh()
    count = loaded.args[0]
    assert count > 8
    assert model.rowCount() == count == env.lead_caseload_count()
    assert model.cached_row_count() == 4  # only the first page came with the ids

    assert model.data(model.index(1, NAME))
    assert model.cached_row_count() == 4
    last = count - 1
    assert model.data(model.index(last, NAME))
    assert model.cached_row_count() == 4 + (count - (last // 4) * 4)
    assert model.data(model.index(last, 0), Qt.ItemDataRole.UserRole) == model.id_at(last)


def test_clear_forgets_every_row_and_ignores_a_query_in_flight(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    qtbot.keyClicks(view.search, "a")
    view.model.refresh()
    view.clear()
    assert view.model.rowCount() == 0
    assert view.model.cached_row_count() == 0
    assert view.search.text() == ""
    assert view.count.text() == ""
    assert not view.model.is_loading
    assert tasks.wait_for_all(TIMEOUT)  # the superseded queries finish...
    QCoreApplication.processEvents()  # ...and their results are delivered, then dropped
    assert view.model.rowCount() == 0
    assert view.model.cached_row_count() == 0

    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        view.refresh()
    assert view.model.rowCount() == env.lead_caseload_count()


def test_clear_closes_an_open_add_form_and_forgets_what_was_typed(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    dialog = open_add_dialog(qtbot, view)
    qtbot.keyClicks(dialog.form._last, "Typed-Before-Lock")
    view.clear()
    assert view.dialog is None
    assert not dialog.isVisible()
    assert dialog.form._last.text() == ""


def test_enter_and_double_click_open_the_record(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    assert view.select_person(view.model.id_at(2) or 0)
    view.table.setFocus()
    with qtbot.waitSignal(view.open_record, timeout=TIMEOUT) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [view.model.id_at(2)]

    where = view.table.visualRect(view.model.index(0, NAME)).center()
    viewport = view.table.viewport()
    with qtbot.waitSignal(view.open_record, timeout=TIMEOUT) as opened:
        # QTest's double-click needs the press of the first click to have happened.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [view.model.id_at(0)]

    with qtbot.waitSignal(view.open_record, timeout=TIMEOUT) as opened:
        qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [view.model.id_at(0)]


def test_enter_in_search_moves_to_the_results(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    view.activateWindow()
    view.search.setFocus()
    qtbot.keyClicks(view.search, env.person(id=view.model.id_at(0)).child_uid)
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.model.rowCount() == 1
    assert view.selected_id() == view.model.id_at(0)


def open_add_dialog(qtbot: QtBot, view: CaseloadView) -> YoungPersonDialog:
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.form.is_ready, timeout=TIMEOUT)
    return dialog


def fill(dialog: YoungPersonDialog, child_uid: str, born: date) -> None:
    form = dialog.form
    form._uid.setText(child_uid)
    form._first.setText("Ruby")
    form._last.setText("Aardvark")
    form._dob.set_value(born)
    for combo, code in (
        (form._sex, "female"),
        (form._ethnicity, "WBRI"),
        (form._disability, "no"),
        (form._eligibility, "eligible"),
    ):
        combo.setCurrentIndex(combo.findData(code))


def test_adding_with_bad_input_shows_each_problem_and_saves_nothing(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    taken = env.person(id=view.model.id_at(0)).child_uid
    before = env.count()
    dialog = open_add_dialog(qtbot, view)
    fill(dialog, taken, date(2027, 2, 1))
    qtbot.mouseClick(dialog.form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.form.problems()), timeout=TIMEOUT)

    problems = dialog.form.problems()
    assert any(p.startswith("Child Unique ID:") and "already used" in p for p in problems)
    assert any(p.startswith("Date of birth: 01/02/2027") and "future" in p for p in problems)
    assert len(problems) == 2
    assert dialog.isVisible()
    assert dialog.form._uid.text() == taken  # what was typed is kept
    assert dialog.form._first.text() == "Ruby"
    assert env.count() == before


def test_adding_with_good_input_lists_and_selects_the_new_person(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    before = view.model.rowCount()
    dialog = open_add_dialog(qtbot, view)
    fill(dialog, "LA-NEW-77", date(2008, 5, 17))
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.form.save_button, Qt.MouseButton.LeftButton)
    assert view.dialog is None or not view.dialog.isVisible()
    assert view.model.rowCount() == before + 1
    added = env.person(child_uid="LA-NEW-77")
    assert view.selected_id() == added.id
    assert "Aardvark, Ruby" in names(view)
