"""The record header says when nobody knows where a young person is: for how many days,
since when, and under 18 that a missing-person report to the police is required."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from casework.domain.codes import InTouch
from casework.domain.due import Whereabouts
from casework.domain.in_touch import InTouchState
from casework.services import accommodation
from casework.services.accommodation import AccommodationInput
from casework.services.due import CaseStatus, RecordStatus
from tests.ui._record_fixtures import TIMEOUT, make_view, open_person, team_person
from ui.views.record import status_text

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

pytest_plugins = ["tests.ui._fixtures"]
TODAY = date(2026, 11, 27)


def _found(lost: Whereabouts | None) -> RecordStatus:
    touch = InTouchState(InTouch.YES, date(2026, 11, 1), date(2026, 11, 1), 0, "explained")
    return RecordStatus(CaseStatus(1, touch, (), None, None), (), lost)


def test_the_header_line_names_the_days_and_the_report_under_18() -> None:
    assert "WHEREABOUTS" not in status_text(_found(None), TODAY)[0]
    child = Whereabouts(date(2026, 11, 6), 21, True, "")
    text, level = status_text(_found(child), TODAY)
    assert "WHEREABOUTS UNKNOWN for 21 days</b> (since 06/11/2026)" in text
    assert "MISSING-PERSON REPORT REQUIRED" in text and level == "overdue"
    adult = Whereabouts(date(2026, 11, 26), 1, False, "")
    text, level = status_text(_found(adult), TODAY)
    assert "for 1 day</b>" in text and "MISSING-PERSON" not in text
    assert "Children Act 1989 s23C(2)" in text and level == "warning"


def test_a_child_whose_whereabouts_are_unknown_shows_it_on_the_record(
    qtbot: QtBot, env: Env
) -> None:
    person = team_person(env, age=17, first_name="Kai")
    today = env.now.date()
    since = today - timedelta(days=12)
    data = AccommodationInput("R", since, suitable=False, unsuitable_reason="Not known.")
    accommodation.add_accommodation(env.db, env.lead, person.id, data, now=env.now)
    view = make_view(qtbot, env)
    view.resize(1366, 768)
    open_person(qtbot, view, person.id)
    summary = view.status_summary
    qtbot.waitUntil(lambda: "WHEREABOUTS UNKNOWN" in summary.text(), timeout=TIMEOUT)
    text = summary.text()
    assert f"for 12 days</b> (since {since:%d/%m/%Y})" in text
    assert "MISSING-PERSON REPORT REQUIRED" in text
    assert summary.property("severity") == "overdue"
    if os.environ.get("CASEWORK_SHOTS"):
        from tests.ui.test_record_safeguarding import shoot, with_style

        with_style(lambda: shoot(view, "record_whereabouts.png", (1366, 768)))
