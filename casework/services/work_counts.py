"""What the work lists count: overdue, due soon or today, waiting, flagged. Counted here,
once, so the badge beside a section, a list's summary line and the reports agree.

"Soon" is local practice: due today or within the next 7 days. What is overdue is the
due engine's decision (``DueItem.overdue``, ``QueueItem.overdue``), never recomputed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from casework.domain.closure import RequestStatus
from casework.services.closure import QueueRow
from casework.services.due import WorkItem
from casework.services.front_door import QueueItem

SOON_DAYS = 7


def is_soon(due: date, today: date) -> bool:
    """Due today or within the next week (not overdue)."""
    return 0 <= (due - today).days < SOON_DAYS


def waits_for_lead(work: WorkItem, lead: bool) -> bool:
    """On a practitioner's list, work only a team lead can do (they cannot act on it)."""
    return not lead and work.item.kind.team_lead_only


@dataclass(frozen=True)
class Counts:
    """My work: overdue, due soon, and all items the person can act on."""

    overdue: int
    soon: int
    total: int


def counts(items: Iterable[WorkItem], today: date, lead: bool = True) -> Counts:
    """Overdue, soon and all items the person can act on (a practitioner's items waiting
    for their team lead are not theirs to count)."""
    overdue = soon = total = 0
    for work in items:
        if waits_for_lead(work, lead):
            continue
        total += 1
        if work.item.overdue:
            overdue += 1
        elif is_soon(work.item.due, today):
            soon += 1
    return Counts(overdue, soon, total)


def is_due_today(item: QueueItem, today: date) -> bool:
    return not item.overdue and item.due == today


@dataclass(frozen=True)
class FrontDoorCounts:
    overdue: int
    today: int
    total: int


def front_door_counts(items: Iterable[QueueItem], today: date) -> FrontDoorCounts:
    """The front door: overdue decisions, those due today, and all awaiting one."""
    overdue = due_today = total = 0
    for item in items:
        total += 1
        overdue += item.overdue
        due_today += is_due_today(item, today)
    return FrontDoorCounts(overdue, due_today, total)


@dataclass(frozen=True)
class QueueCounts:
    flagged: int
    pending: int
    returned: int
    approved: int


def queue_counts(rows: Iterable[QueueRow]) -> QueueCounts:
    """The closures queue: requests waiting too long (flagged), and by status."""
    found: Counter[RequestStatus] = Counter()
    flagged = 0
    for row in rows:
        found[row.status] += 1
        flagged += row.flagged
    return QueueCounts(
        flagged,
        found[RequestStatus.PENDING],
        found[RequestStatus.RETURNED],
        found[RequestStatus.APPROVED],
    )
