"""My work: most urgent first, overdue flagged, team leads by worker, opening, clearing."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from casework.domain.due import DueKind, Severity, work_order
from casework.services.due import WorkItem, my_work
from casework.services.permissions import Actor
from casework.services.work_counts import counts
from ui import tasks
from ui.main_window import MainWindow
from ui.models.my_work_model import (
    DUE,
    OVERDUE_FILL,
    OVERDUE_TEXT,
    PERSON,
    WARNING_TEXT,
    WHAT,
    WORKER,
    due_words,
    summary_text,
    worker_key,
)
from ui.views.chronology import ChronologyDialog
from ui.views.my_work import MyWorkView
from ui.workspace import MY_WORK, MyWorkSection, Workspace, badge_text

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures", "tests.ui._work_fixtures"]
TIMEOUT = 10_000


def make_view(qtbot: QtBot, env: Env, actor: Actor) -> MyWorkView:
    view = MyWorkView(env.db, actor, env.clock)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.show()
    return view


def shown(view: MyWorkView) -> list[WorkItem]:
    return view.model.shown_items()


def test_due_words() -> None:
    from datetime import date

    today = date(2026, 11, 27)
    assert due_words(date(2026, 11, 6), today) == "3 weeks OVERDUE"
    assert due_words(date(2026, 11, 26), today) == "1 day OVERDUE"
    assert due_words(today, today) == "due today"
    assert due_words(date(2026, 11, 28), today) == "due tomorrow"
    assert due_words(date(2026, 12, 2), today) == "in 5 days"
    assert due_words(date(2027, 5, 27), today) == "in 6 months"
    assert due_words(date(2024, 11, 1), today) == "2 years OVERDUE"


def test_a_practitioners_items_are_most_urgent_first(
    qtbot: QtBot, env: Env, practitioner: Actor
) -> None:
    view = make_view(qtbot, env, practitioner)
    engine = my_work(env.db, practitioner, now=env.now)
    assert engine, "the busiest practitioner has work due"
    # The engine's order, with what only a team lead can do moved to its own group last.
    theirs = [w for w in engine if not w.item.kind.team_lead_only]
    expected = theirs + [w for w in engine if w.item.kind.team_lead_only]
    assert shown(view) == expected
    # Overdue first by severity then how late, then the rest by severity then due date.
    order = [work_order(w.item) for w in theirs]
    assert order == sorted(order)
    late = [w.item.kind.severity for w in theirs if w.item.overdue]
    assert late == sorted(late)
    assert view.mine.isHidden() and view.worker.isHidden()  # no team choice for a PA
    assert view.table.isColumnHidden(WORKER)
    today = view.model.today
    assert today is not None
    assert (
        view.summary.text()
        .replace("OVERDUE", "overdue")
        .split(" · ")[0]
        .endswith(summary_text(counts(theirs, today)).split(" overdue", 1)[-1])
    )
    first = view.model.index(0, PERSON).data()
    assert first == f"{expected[0].name} ({expected[0].child_uid})"
    assert view.model.index(0, WHAT).data() == expected[0].item.title


def test_overdue_rows_are_graded_by_severity_with_symbol_and_words(
    qtbot: QtBot, env: Env, practitioner: Actor
) -> None:
    view = make_view(qtbot, env, practitioner)
    items = shown(view)
    model = view.model
    late = [r for r, w in enumerate(items) if w.item.overdue and not model.is_waiting(w)]
    on_time = next(r for r, w in enumerate(items) if not w.item.overdue)
    assert late
    seen = set()
    for row in late:
        severity = items[row].item.kind.severity
        seen.add(severity)
        due = model.index(row, DUE)
        assert "OVERDUE" in due.data()  # a word, not colour alone
        assert due.data(Qt.ItemDataRole.DecorationRole) is not None  # and a symbol
        spoken = due.data(Qt.ItemDataRole.AccessibleTextRole)
        assert spoken.startswith(f"{severity.words}. Overdue by")
        what = model.index(row, WHAT)
        if severity is Severity.SAFETY:  # the whole row stands out
            assert what.data(Qt.ItemDataRole.BackgroundRole) == OVERDUE_FILL
            assert what.data(Qt.ItemDataRole.FontRole).bold()
        else:  # only the date: a practice item never looks like a safety one
            assert what.data(Qt.ItemDataRole.BackgroundRole) is None
            assert due.data(Qt.ItemDataRole.BackgroundRole) is None
            colour = OVERDUE_TEXT if severity is Severity.STATUTORY else WARNING_TEXT
            assert due.data(Qt.ItemDataRole.ForegroundRole) == colour
    assert len(seen) >= 2, seen  # the demo has late work of more than one severity
    assert "OVERDUE" not in model.index(on_time, DUE).data()
    assert model.index(on_time, WHAT).data(Qt.ItemDataRole.BackgroundRole) is None
    overdue = counts(items, view.model.today, lead=False).overdue
    assert f"{overdue} OVERDUE" in view.summary.text()


def test_a_practitioners_team_lead_items_wait_apart_at_the_end(
    qtbot: QtBot, env: Env, practitioner: Actor
) -> None:
    from tests.ui._front_door_fixtures import concern, days_ago

    theirs = my_work(env.db, practitioner, now=env.now)[0].person_id
    concern(env.db, practitioner, theirs, days_ago(3))  # a decision only a team lead makes
    view = make_view(qtbot, env, practitioner)
    model = view.model
    items = shown(view)
    waiting = [model.is_waiting(w) for w in items]
    assert any(waiting) and not all(waiting)
    assert waiting == sorted(waiting)  # what they can act on first, then the waiting group
    for row, work in enumerate(items):
        text = model.index(row, WHAT).data()
        assert text.startswith("Waiting for your team lead") == work.item.kind.team_lead_only
        if work.item.kind.team_lead_only:
            assert model.index(row, DUE).data(Qt.ItemDataRole.BackgroundRole) is None
    lead_view = make_view(qtbot, env, env.lead)
    assert not any(lead_view.model.is_waiting(w) for w in shown(lead_view))


def test_team_lead_sees_the_team_by_worker_with_counts(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env, env.lead)
    team = my_work(env.db, env.lead, now=env.now, team=True)
    assert view.team.isChecked() and view.team_scope  # My team's is the default
    assert shown(view) == team
    assert not view.table.isColumnHidden(WORKER)
    assert view.worker.isVisibleTo(view)
    labels = [view.worker.itemText(i) for i in range(view.worker.count())]
    overdue = sum(w.item.overdue for w in team)
    assert labels[0] == f"Everyone ({overdue} overdue of {len(team)})"

    workers = {worker_key(w): w.worker for w in team}
    key = max(workers, key=lambda k: sum(worker_key(w) == k for w in team))
    theirs = [w for w in team if worker_key(w) == key]
    late = sum(w.item.overdue for w in theirs)
    assert f"{workers[key]} ({late} overdue of {len(theirs)})" in labels
    assert view.set_worker(key)
    assert shown(view) == theirs
    assert {view.model.index(r, WORKER).data() for r in range(view.model.rowCount())} == {
        workers[key]
    }

    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.mine.click()
    assert shown(view) == my_work(env.db, env.lead, now=env.now, team=False)
    assert view.table.isColumnHidden(WORKER)
    assert not view.worker.isEnabled()


def test_kind_filter_narrows_and_says_how_many(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env, env.lead)
    everything = shown(view)
    kind = max(DueKind, key=lambda k: sum(w.item.kind is k for w in everything))
    wanted = [w for w in everything if w.item.kind is kind]
    assert 0 < len(wanted) < len(everything)
    assert view.kind.findText(f"{kind.label} ({len(wanted)})") >= 0
    assert view.set_kind(kind)
    assert shown(view) == wanted
    assert view.summary.text().endswith(f"{len(wanted)} in all")
    view.show_everything()
    assert shown(view) == everything


def test_enter_double_click_and_the_button_open_the_record(
    qtbot: QtBot, env: Env, practitioner: Actor
) -> None:
    view = make_view(qtbot, env, practitioner)
    assert view.selected_item() == shown(view)[0]  # the first row, selected on arrival
    assert view.open_button.isEnabled()
    view.select_row(1)
    person_id = shown(view)[1].person_id
    assert view.open_button.isEnabled() and view.chronology_button.isEnabled()
    assert "why it is due" not in view.detail.text()
    view.table.setFocus()
    with qtbot.waitSignal(view.open_record, timeout=TIMEOUT) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [person_id]
    with qtbot.waitSignal(view.open_record, timeout=TIMEOUT) as opened:
        view.open_button.click()
    assert opened.args == [person_id]
    where = view.table.visualRect(view.model.index(0, WHAT)).center()
    viewport = view.table.viewport()
    with qtbot.waitSignal(view.open_record, timeout=TIMEOUT) as opened:
        # QTest's double-click needs the press of the first click to have happened.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [shown(view)[0].person_id]


def test_chronology_opens_for_the_selected_young_person(
    qtbot: QtBot, env: Env, practitioner: Actor
) -> None:
    view = make_view(qtbot, env, practitioner)
    view.select_row(0)
    work = shown(view)[0]
    view.chronology_button.click()
    dialog = view.chronology
    assert isinstance(dialog, ChronologyDialog)
    assert dialog.view.person_id == work.person_id
    assert work.child_uid in dialog.windowTitle()
    qtbot.waitUntil(lambda: bool(dialog.view.events()), timeout=TIMEOUT)
    view.clear()
    assert view.chronology is None


def test_clear_empties_everything_and_drops_a_late_result(
    qtbot: QtBot, env: Env, practitioner: Actor
) -> None:
    view = make_view(qtbot, env, practitioner)
    badges: list[int] = []
    view.overdue_changed.connect(badges.append)
    view.refresh()  # a load in flight...
    view.clear()  # ...then the lock
    assert view.model.rowCount() == 0 and view.model.all_items() == []
    assert view.summary.text() == "" and view.detail.text() == ""
    assert view.worker.count() == 1 and view.kind.count() == 1
    assert badges == [-1]
    assert tasks.wait_for_all(TIMEOUT)
    QCoreApplication.processEvents()  # the superseded result arrives and is dropped
    assert view.model.rowCount() == 0 and badges == [-1]


def test_nothing_due_says_so(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env, env.lead)
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT):
        view.mine.click()
    assert my_work(env.db, env.lead, now=env.now) == []  # the demo lead holds no cases
    assert view.model.rowCount() == 0
    assert view.pages.currentIndex() == 1
    assert "Nothing is due for the young people allocated to you" in view.empty.text()
    assert view.summary.text() == "Nothing due"
    assert view.show_all_button.isHidden()


def test_workspace_lands_on_my_work_with_an_overdue_badge(
    qtbot: QtBot, env: Env, practitioner: Actor
) -> None:
    workspace = Workspace(env.db, practitioner, env.clock)
    qtbot.addWidget(workspace)
    workspace.show()
    assert workspace.section_titles() == [MY_WORK, "Front door", "Closures", "Caseload"]
    assert workspace.current_section() == MY_WORK
    section = workspace.sections[MY_WORK]
    assert isinstance(section, MyWorkSection)
    view = section.my_work
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT)
    today = view.model.today
    assert today is not None
    overdue = counts(view.model.all_items(), today).overdue
    assert overdue > 0
    assert (
        workspace.nav_texts()[0] == badge_text(MY_WORK, overdue) == f"My work ({overdue} overdue)"
    )
    assert workspace.show_section("Caseload") is workspace.sections["Caseload"]
    assert workspace.current_section() == "Caseload"

    view.select_row(0)
    person_id = shown(view)[0].person_id
    view.open_button.click()
    record = section.record
    assert record is not None and section.currentWidget() is record
    qtbot.waitUntil(lambda: record.record is not None, timeout=TIMEOUT)
    assert record.person_id == person_id
    assert "My work" in record.back_button.text()
    section.back_to_list()
    assert section.currentWidget() is view

    workspace.clear()
    assert view.model.rowCount() == 0 and record.record is None
    assert workspace.nav_texts()[0] == MY_WORK


def test_the_lock_clears_and_destroys_my_work(qtbot: QtBot, env: Env) -> None:
    window = MainWindow(env.db, env.lead, env.clock)
    qtbot.addWidget(window)
    window.show()
    assert window.workspace is not None
    section = window.workspace.sections[MY_WORK]
    assert isinstance(section, MyWorkSection)
    view = section.my_work
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=TIMEOUT)
    seen: dict[str, int] = {}
    original = view.clear

    def spy() -> None:
        original()
        seen["rows"] = view.model.rowCount()

    view.clear = spy  # type: ignore[method-assign]
    with qtbot.waitSignal(window.locked, timeout=TIMEOUT):
        window.lock()
    assert seen == {"rows": 0}
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    QApplication.processEvents()
    assert not shiboken6.isValid(view)
    assert window.findChildren(MyWorkView) == []
    window.idle.stop()
    window._may_close = True
    tasks.wait_for_all(TIMEOUT)


def test_tab_from_the_navigation_follows_the_screen_and_the_first_row_is_selected(
    qtbot: QtBot, env: Env
) -> None:
    workspace = Workspace(env.db, env.lead, env.clock)
    qtbot.addWidget(workspace)
    workspace.resize(1366, 768)
    workspace.show()
    workspace.activateWindow()
    section = workspace.sections[MY_WORK]
    assert isinstance(section, MyWorkSection)
    view = section.my_work
    qtbot.waitUntil(lambda: view.model.rowCount() > 0 and not view.is_loading, timeout=TIMEOUT)
    # On arrival the first row is selected: what Enter opens is what the detail describes.
    assert view.selected_item() == view.model.item_at(0)
    assert view.detail.text() and view.open_button.isEnabled()
    workspace.nav.setFocus(Qt.FocusReason.OtherFocusReason)
    expected = [
        view.worker,
        view.kind,
        view.table,
        view.done_button,
        view.chronology_button,
        view.open_button,
    ]
    expected = [w for w in expected if w.isVisibleTo(view) and w.isEnabled()]
    seen = []
    for _ in range(len(expected) + 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    # Mine / My team's is one stop (arrow keys move between them), then the rest in order.
    assert seen[0] in (view.mine, view.team)
    assert seen[1:] == expected
