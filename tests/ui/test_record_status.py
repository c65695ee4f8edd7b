"""The record header's status line: in touch or not, what is due next, where they live."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date

from casework.domain.codes import InTouch
from casework.domain.due import DueItem, DueKind
from casework.domain.in_touch import InTouchState
from casework.services.due import CaseStatus, RecordStatus
from ui.views.record import status_text

TODAY = date(2026, 11, 27)


def _status(
    code: InTouch, items: tuple[DueItem, ...], warning: str | None, steps: tuple[str, ...] = ()
) -> RecordStatus:
    touch = InTouchState(code, None, date(2026, 8, 7), 2, "explained")
    return RecordStatus(CaseStatus(1, touch, items, None, warning), steps)


def test_lost_contact_is_overdue_with_the_steps_escaped() -> None:
    item = DueItem(DueKind.KEEP_IN_TOUCH, date(2026, 10, 7), True, "Not in touch <now>", "")
    text, level = status_text(_status(InTouch.NO, (item,), None, ("Ask <family>",)), TODAY)
    assert level == "overdue"
    assert "2 failed attempts since" in text and "7 weeks overdue" in text
    assert "&lt;now&gt;" in text and "<li>Ask &lt;family&gt;</li>" in text


def test_warning_for_accommodation_and_ok_otherwise() -> None:
    later = DueItem(DueKind.VISIT, date(2027, 1, 8), False, "Visit due", "")
    text, level = status_text(_status(InTouch.YES, (later,), "Unsuitable: In custody"), TODAY)
    assert level == "warning" and "Unsuitable: In custody" in text
    assert status_text(_status(InTouch.YES, (later,), None), TODAY)[1] == "ok"
    soon = DueItem(DueKind.VISIT, date(2026, 11, 30), False, "Visit due", "")
    text, level = status_text(_status(InTouch.YES, (soon,), None), TODAY)
    assert level == "warning" and "due in 3 days" in text


def test_overdue_is_worded_as_my_work_words_it_with_the_date() -> None:
    long_ago = DueItem(DueKind.VISIT, date(2024, 7, 3), True, "Visit due", "")
    text, _ = status_text(_status(InTouch.YES, (long_ago,), None), TODAY)
    assert "2 years overdue, due 03/07/2024" in text and "weeks" not in text
    yesterday = DueItem(DueKind.VISIT, date(2026, 11, 26), True, "Visit due", "")
    assert (
        "1 day overdue, due 26/11/2026"
        in status_text(_status(InTouch.YES, (yesterday,), None), TODAY)[0]
    )
    tomorrow = DueItem(DueKind.VISIT, date(2026, 11, 28), False, "Visit due", "")
    assert "due tomorrow" in status_text(_status(InTouch.YES, (tomorrow,), None), TODAY)[0]


def test_steps_fold_into_a_link_when_asked() -> None:
    item = DueItem(DueKind.KEEP_IN_TOUCH, date(2026, 10, 7), True, "Not in touch", "")
    found = _status(InTouch.NO, (item,), None, ("Ask family", "Ask the landlord"))
    text, level = status_text(found, TODAY, steps=False)
    assert level == "overdue"
    assert "<li>" not in text and "href='#steps'" in text and "show the 2 steps" in text
    assert "<li>Ask family</li>" in status_text(found, TODAY)[0]


def test_open_risks_are_impossible_to_miss() -> None:
    from dataclasses import replace

    from casework.domain.front_door import RiskLevel
    from casework.services.due_front_door import OpenRisk

    cse = OpenRisk("Child sexual exploitation", RiskLevel.HIGH)

    later = DueItem(DueKind.VISIT, date(2027, 1, 8), False, "Visit due", "")
    found = _status(InTouch.YES, (later,), None)
    risky = RecordStatus(replace(found.status, open_risks=(cse,)), ())
    text, level = status_text(risky, TODAY)
    assert level == "overdue" and "OPEN RISKS: Child sexual exploitation: high" in text
    medium = RecordStatus(
        replace(found.status, open_risks=(OpenRisk("Missing", RiskLevel.MEDIUM),)), ()
    )
    assert status_text(medium, TODAY)[1] == "warning"
