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
