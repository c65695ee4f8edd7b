"""The closure queue as a table model, and how its waiting times are worded.

The rows come from ``casework.services.closure.queue`` (longest waiting first) for every
active status at once; the model keeps that order and narrows it in memory by status and
by worker, so switching a filter is instant even for hundreds of requests.

A request waiting for a team lead past the configured working days (5 by default) is
*flagged*: every cell is dark red and bold on pale red, and the Waiting column says
"OVERDUE" in words, never colour alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt

from casework.clock import local_today, to_local
from casework.config import closure_rules
from casework.db.database import Database
from casework.domain.closure import reason_label
from casework.domain.codes import UnknownCode
from casework.services.closure import QueueRow, Status, queue
from casework.services.permissions import Actor
from casework.services.work_counts import QueueCounts as Counts
from casework.services.work_counts import queue_counts as counts
from ui.models.my_work_model import (
    OVERDUE_FILL,
    OVERDUE_TEXT,
    QUIET_TEXT,
    WARNING_FILL,
    WARNING_TEXT,
    look,
)
from ui.models.row_list import AnyIndex, RowListModel

#: Role giving a row's young person id.
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole
#: Role giving a row's ``QueueRow``.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

#: The statuses the queue offers, in the filter's order.
STATUSES = (Status.PENDING, Status.RETURNED, Status.APPROVED)
STATUS_FILTER_LABELS = {
    Status.PENDING: "Waiting for a team lead",
    Status.RETURNED: "Returned to the worker",
    Status.APPROVED: "Approved, not yet closed",
}


# --- wording -------------------------------------------------------------------------------


def flag_limit() -> int:
    """Working days a request may wait for a team lead before it is flagged."""
    return closure_rules().review_flag_working_days


def days_words(days: int) -> str:
    return f"{days:,} working day" if days == 1 else f"{days:,} working days"


def waiting_text(row: QueueRow) -> str:
    """The Waiting column: "3 working days", "8 working days · OVERDUE". Only a request
    waiting for a team lead is waiting; a returned or approved one is with the worker."""
    if row.status is not Status.PENDING:
        return "With the worker"
    if row.waiting_working_days <= 0:
        return "Sent today"
    text = days_words(row.waiting_working_days)
    return f"{text} · OVERDUE" if row.flagged else text


def waiting_spoken(row: QueueRow) -> str:
    if row.flagged:
        return (
            f"Overdue: waiting {days_words(row.waiting_working_days)}, more than "
            f"{days_words(flag_limit())}"
        )
    return waiting_text(row)


def person_text(row: QueueRow) -> str:
    return f"{row.name} ({row.child_uid})"


def reason_text(code: str) -> str:
    try:
        return reason_label(code)
    except UnknownCode:
        return code


def submitted_text(row: QueueRow) -> str:
    """UK time: "27/11/2026 10:42"."""
    return to_local(row.submitted_at).strftime("%d/%m/%Y %H:%M")


def overrides_text(row: QueueRow) -> str:
    if row.overrides == 0:
        return "None"
    return f"⚠ {row.overrides} override" + ("" if row.overrides == 1 else "s")


STATUS_WORDS = {
    Status.PENDING: "Waiting for a team lead",
    Status.RETURNED: "Returned",
    Status.APPROVED: "Approved, not closed",
}


def status_text(row: QueueRow) -> str:
    """Short, for the column; who returned or approved it is in the tooltip."""
    if row.status is Status.PENDING and row.voided:
        return "Waiting · approval void"
    return STATUS_WORDS.get(row.status, row.status.label)


def row_tooltip(row: QueueRow) -> str:
    lines = [
        f"{person_text(row)}: closure requested by {row.worker}",
        f"Reason: {reason_text(row.reason)}",
        f"Sent to a team lead {submitted_text(row)} (UK time)",
        f"{waiting_spoken(row)}.",
    ]
    if row.overrides:
        lines.append(f"{overrides_text(row)[2:]}: a warning went ahead with a justification.")
    if row.reviewed_by and row.status is not Status.PENDING:
        lines.append(f"{row.status.label} by {row.reviewed_by}")
    if row.voided:
        lines.append("An earlier approval was void: the record changed after it.")
    if row.review_comments:
        lines.append(f"Team lead's comments: {row.review_comments}")
    return "\n".join(lines)


def summary_text(found: Counts) -> str:
    """ "2 WAITING TOO LONG, 6 waiting for a team lead, 1 returned, 2 approved"."""
    if found.pending + found.returned + found.approved == 0:
        return "No closure requests"
    parts = [f"{found.pending:,} waiting for a team lead"]
    if found.flagged:
        parts.insert(0, f"{found.flagged:,} WAITING TOO LONG")
    parts.append(f"{found.returned:,} returned")
    parts.append(f"{found.approved:,} approved, not yet closed")
    return ", ".join(parts)


@dataclass(frozen=True)
class WorkerChoice:
    worker_id: int
    name: str
    count: int


def worker_choices(rows: Sequence[QueueRow]) -> list[WorkerChoice]:
    """Each worker with a request in ``rows``, by name."""
    names: dict[int, str] = {}
    found: Counter[int] = Counter()
    for row in rows:
        names[row.worker_id] = row.worker
        found[row.worker_id] += 1
    return sorted(
        (WorkerChoice(uid, names[uid], found[uid]) for uid in found),
        key=lambda w: (w.name.casefold(), w.worker_id),
    )


# --- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueLoaded:
    """What a worker hands back: every active request, longest waiting first."""

    rows: list[QueueRow]
    today: date


def load_queue(db: Database, actor: Actor, now: datetime) -> QueueLoaded:
    """Runs on a worker thread."""
    return QueueLoaded(queue(db, actor, now=now, statuses=STATUSES), local_today(now))


# --- the model -----------------------------------------------------------------------------

COLUMN_TITLES = (
    "Young person",
    "Worker",
    "Reason",
    "Submitted",
    "Waiting",
    "Overrides",
    "Status",
)
PERSON, WORKER, REASON, SUBMITTED, WAITING, OVERRIDES, STATUS = range(len(COLUMN_TITLES))
_TOOLTIPS = (
    "Name and Child ID",
    "Who asked for the closure",
    "The closure reason",
    "When the request reached a team lead (or was last sent back to one), UK time",
    "Working days waiting for a team lead; more than the limit is OVERDUE",
    "Warnings the worker went ahead with, each with a written justification",
    "Where the request is",
)


class ClosuresModel(RowListModel):
    """Closure requests in the core's order (longest waiting first), narrowed by status
    and worker."""

    titles = COLUMN_TITLES
    tooltips = _TOOLTIPS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status: Status | None = Status.PENDING
        self._worker: int | None = None

    def set_rows(self, rows: list[QueueRow], today: date) -> None:
        self._set_all(rows, today)

    def set_filters(self, status: Status | None, worker: int | None) -> None:
        """``None`` for either: every status, or every worker."""
        if (status, worker) == (self._status, self._worker):
            return
        self._status, self._worker = status, worker
        self._refilter()

    def _keep(self, row: QueueRow) -> bool:
        return (self._status is None or row.status is self._status) and (
            self._worker is None or row.worker_id == self._worker
        )

    @property
    def status_filter(self) -> Status | None:
        return self._status

    @property
    def worker_filter(self) -> int | None:
        return self._worker

    def all_rows(self) -> list[QueueRow]:
        return list(self._all)

    def shown_rows(self) -> list[QueueRow]:
        return list(self._shown)

    def rows_for_status(self) -> list[QueueRow]:
        """Every worker's rows with the status filter applied (for the worker filter)."""
        return [r for r in self._all if self._status is None or r.status is self._status]

    def row_at(self, row: int) -> QueueRow | None:
        found: QueueRow | None = self._shown_at(row)
        return found

    def row_of(self, request_id: int) -> int | None:
        return self._find(lambda row: row.request_id == request_id)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == PERSON_ID_ROLE:
            return row.person_id
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, index.column())
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if index.column() == WAITING:
                return waiting_spoken(row)
            return cell_text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return row_tooltip(row)
        return _style(row, index.column(), role)


def cell_text(row: QueueRow, column: int) -> str:
    texts: dict[int, Callable[[QueueRow], str]] = {
        PERSON: person_text,
        WORKER: lambda r: r.worker,
        REASON: lambda r: reason_text(r.reason),
        SUBMITTED: submitted_text,
        WAITING: waiting_text,
        OVERRIDES: overrides_text,
        STATUS: status_text,
    }
    return texts[column](row)


def _style(row: QueueRow, column: int, role: int) -> Any:
    """Flagged rows: dark red, bold, on pale red, every cell. Overrides: amber. A request
    not waiting for a team lead: its Waiting cell is quiet."""
    if row.flagged:
        return look(OVERDUE_TEXT, OVERDUE_FILL, role)
    if column == OVERRIDES and row.overrides:
        return look(WARNING_TEXT, WARNING_FILL, role)
    if column == WAITING and row.status is not Status.PENDING:
        return QUIET_TEXT if role == Qt.ItemDataRole.ForegroundRole else None
    return None


__all__ = [
    "COLUMN_TITLES",
    "OVERRIDES",
    "PERSON",
    "PERSON_ID_ROLE",
    "REASON",
    "ROW_ROLE",
    "STATUS",
    "STATUSES",
    "STATUS_FILTER_LABELS",
    "SUBMITTED",
    "WAITING",
    "WORKER",
    "ClosuresModel",
    "Counts",
    "QueueLoaded",
    "WorkerChoice",
    "cell_text",
    "counts",
    "flag_limit",
    "load_queue",
    "summary_text",
    "waiting_text",
    "worker_choices",
]
