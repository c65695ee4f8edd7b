"""The order of a worker's list: overdue first by severity then how late, then the items
not yet overdue by severity then due date (casework.domain.due.work_order)."""

from __future__ import annotations

from datetime import date

from casework.domain.due import DueItem, DueKind, Severity, work_order

TODAY = date(2026, 12, 5)


def _item(kind: DueKind, due: date) -> DueItem:
    return DueItem(kind, due, due < TODAY, kind.label, "")


def test_late_safety_work_comes_before_routine_visits_however_late() -> None:
    assert DueKind.VISIT.severity is Severity.STATUTORY
    assert DueKind.RETURN_INTERVIEW.severity is Severity.SAFETY
    assert DueKind.FOLLOW_UP.severity is Severity.PRACTICE
    very_late_visit = _item(DueKind.VISIT, date(2026, 9, 1))
    late_interview = _item(DueKind.RETURN_INTERVIEW, date(2026, 12, 4))
    older_interview = _item(DueKind.RETURN_INTERVIEW, date(2026, 11, 20))
    late_follow_up = _item(DueKind.FOLLOW_UP, date(2026, 6, 1))
    safety_next_week = _item(DueKind.RETURN_INTERVIEW, date(2026, 12, 12))
    visit_today = _item(DueKind.VISIT, TODAY)  # due today is not overdue
    visit_tomorrow = _item(DueKind.VISIT, date(2026, 12, 6))
    follow_up_tomorrow = _item(DueKind.FOLLOW_UP, date(2026, 12, 6))
    shuffled = [
        follow_up_tomorrow,
        visit_tomorrow,
        late_follow_up,
        safety_next_week,
        very_late_visit,
        visit_today,
        late_interview,
        older_interview,
    ]
    assert sorted(shuffled, key=work_order) == [
        older_interview,  # overdue: safety, the longest overdue first
        late_interview,
        very_late_visit,  # overdue: statutory
        late_follow_up,  # overdue: practice, even though it is the oldest
        safety_next_week,  # not yet overdue: safety first
        visit_today,  # then statutory by due date
        visit_tomorrow,
        follow_up_tomorrow,  # then practice
    ]
