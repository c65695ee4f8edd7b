"""The caseload's status columns: in touch, next due and accommodation, from the due engine."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from casework.clock import local_today
from casework.domain.codes import InTouch
from casework.services.accommodation import AccommodationInput, add_accommodation
from casework.services.due import CaseStatus, case_statuses
from casework.services.people import SortKey
from ui.models.caseload_model import (
    ACCOMMODATION,
    CHECKING,
    IN_TOUCH,
    NAME,
    NEXT_DUE,
    OPEN_RISKS,
    CaseloadModel,
    in_touch_text,
    short_title,
)
from ui.models.my_work_model import OVERDUE_FILL, OVERDUE_TEXT, WARNING_FILL
from ui.views.caseload import CaseloadView
from ui.views.chronology import ChronologyDialog

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures", "tests.ui._work_fixtures"]
TIMEOUT = 10_000


def make_view(qtbot: QtBot, env: Env) -> CaseloadView:
    view = CaseloadView(env.db, env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(1400, 700)
    with qtbot.waitSignal(view.model.loaded, timeout=TIMEOUT):
        view.show()
    return view


def text(model: CaseloadModel, row: int, column: int, role: int = 0) -> object:
    return model.index(row, column).data(role or Qt.ItemDataRole.DisplayRole)


def expected_next_due(status: CaseStatus) -> str:
    item = status.next_due
    if item is None:
        return "Nothing due"
    shown = f"{item.due:%d/%m/%Y} · {short_title(item)}"
    return f"OVERDUE · {shown}" if item.overdue else shown


def test_status_columns_match_the_due_engine(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    model = view.model
    ids = [model.id_at(r) for r in range(model.rowCount())]
    statuses = case_statuses(env.db, env.lead, [i for i in ids if i is not None], now=env.now)
    assert len(statuses) == len(ids) and model.cached_status_count() == len(ids)
    for row, person_id in enumerate(ids):
        assert person_id is not None
        status = statuses[person_id]
        assert text(model, row, IN_TOUCH) == in_touch_text(status.in_touch.code)
        assert status.in_touch.explanation in str(text(model, row, IN_TOUCH, 3))  # tooltip
        assert text(model, row, NEXT_DUE) == expected_next_due(status)
        assert text(model, row, ACCOMMODATION) == (status.accommodation_warning or "")
    codes = {s.in_touch.code for s in statuses.values()}
    assert InTouch.NO in codes, "the demo has someone not in touch"
    assert any(s.accommodation_warning for s in statuses.values())
    assert any(s.next_due and s.next_due.overdue for s in statuses.values())


def test_not_in_touch_overdue_and_warnings_stand_out(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    model = view.model
    rows = range(model.rowCount())
    lost = next(r for r in rows if text(model, r, IN_TOUCH) == "Not in touch")
    index = model.index(lost, IN_TOUCH)
    assert index.data(Qt.ItemDataRole.ForegroundRole) == OVERDUE_TEXT
    assert index.data(Qt.ItemDataRole.BackgroundRole) == OVERDUE_FILL
    assert index.data(Qt.ItemDataRole.FontRole).bold()
    ok = next(r for r in rows if text(model, r, IN_TOUCH) == "In touch")
    assert model.index(ok, IN_TOUCH).data(Qt.ItemDataRole.BackgroundRole) is None

    late = next(r for r in rows if str(text(model, r, NEXT_DUE)).startswith("OVERDUE"))
    index = model.index(late, NEXT_DUE)
    assert index.data(Qt.ItemDataRole.BackgroundRole) == OVERDUE_FILL
    assert index.data(Qt.ItemDataRole.FontRole).bold()
    assert str(index.data(Qt.ItemDataRole.AccessibleTextRole)).startswith("Overdue by")
    assert "overdue" in str(index.data(Qt.ItemDataRole.ToolTipRole))

    warned = next(r for r in rows if text(model, r, ACCOMMODATION))
    assert model.index(warned, ACCOMMODATION).data(Qt.ItemDataRole.BackgroundRole) == (WARNING_FILL)
    fine = next(r for r in rows if not text(model, r, ACCOMMODATION))
    assert model.index(fine, ACCOMMODATION).data(Qt.ItemDataRole.BackgroundRole) is None


def test_homelessness_shows_until_a_team_lead_reviews_it(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    model = view.model
    person_id = model.id_at(0)
    assert person_id is not None
    started = local_today(env.now) - timedelta(days=2)
    add_accommodation(
        env.db,
        env.lead,
        person_id,
        AccommodationInput(letter="S", started_on=started, suitable=False, unsuitable_reason="x"),
        now=env.now,
    )
    with qtbot.waitSignal(model.loaded, timeout=TIMEOUT):
        view.refresh()
    row = model.row_of(person_id)
    assert row is not None
    warning = case_statuses(env.db, env.lead, [person_id], now=env.now)[person_id]
    assert warning.accommodation_warning is not None
    assert "homeless" in warning.accommodation_warning.lower()
    assert text(model, row, ACCOMMODATION) == warning.accommodation_warning
    assert "since" in str(text(model, row, ACCOMMODATION, 3))


def test_later_pages_get_their_statuses_from_a_worker(qtbot: QtBot, env: Env) -> None:
    model = CaseloadModel(env.db, env.lead, env.clock, page_size=4)
    with qtbot.waitSignal(model.loaded, timeout=TIMEOUT):
        model.refresh()
    assert model.cached_status_count() == 4  # the first page's came with the ids
    last = model.rowCount() - 1
    assert model.data(model.index(last, NAME))  # rows are read, statuses are not
    assert not model.statuses_pending()
    with qtbot.waitSignal(model.dataChanged, timeout=TIMEOUT) as changed:
        assert model.data(model.index(last, IN_TOUCH)) == CHECKING
        assert model.statuses_pending()
    first, bottom = changed.args[0], changed.args[1]
    assert first.row() <= last <= bottom.row()
    assert (first.column(), bottom.column()) == (OPEN_RISKS, ACCOMMODATION)
    person_id = model.id_at(last)
    assert person_id is not None
    status = case_statuses(env.db, env.lead, [person_id], now=env.now)[person_id]
    assert model.data(model.index(last, IN_TOUCH)) == in_touch_text(status.in_touch.code)
    assert model.data(model.index(last, NEXT_DUE)) == expected_next_due(status)
    assert model.cached_status_count() == 4 + (model.rowCount() - (last // 4) * 4)

    model.clear()
    assert model.cached_status_count() == 0


def test_clicking_a_status_header_keeps_the_sort(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    header = view.table.horizontalHeader()
    first = view.model.id_at(0)
    loads: list[int] = []
    view.model.loaded.connect(loads.append)
    where = QPoint(header.sectionViewportPosition(IN_TOUCH) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert header.sortIndicatorSection() == NAME
    assert view.model.query.sort is SortKey.NAME
    assert not view.model.is_loading and loads == []
    assert view.model.id_at(0) == first
    assert "not sortable" in str(view.model.headerData(IN_TOUCH, Qt.Orientation.Horizontal, 3))


def test_chronology_button_opens_the_selected_young_persons(qtbot: QtBot, env: Env) -> None:
    view = make_view(qtbot, env)
    assert not view.chronology_button.isEnabled()
    person_id = view.model.id_at(1)
    assert person_id is not None and view.select_person(person_id)
    view.chronology_button.click()
    dialog = view.chronology
    assert isinstance(dialog, ChronologyDialog)
    assert dialog.view.person_id == person_id
    row = view.model.row_at(1)
    assert row is not None and row.child_uid in dialog.windowTitle()
    view.clear()
    assert view.chronology is None
