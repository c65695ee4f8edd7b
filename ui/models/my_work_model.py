""" "My work" as a table model, and how due dates are worded and coloured on every list.

The items come from ``casework.services.due.my_work`` (the one engine), already sorted most
urgent first; the model keeps that order and only narrows it (by worker, by kind) in
memory. A PA's list is a few hundred items and a team's a few thousand, so filtering a
Python list is instant and needs no query.

The wording and colours here are shared with the caseload's status columns, so "overdue"
looks and reads the same wherever it appears: colour, bold and the word OVERDUE, never
colour alone.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from casework.clock import local_today
from casework.db.database import Database
from casework.domain.due import DueItem, DueKind, Severity
from casework.services.due import WorkItem, my_work
from casework.services.permissions import Actor
from casework.services.work_counts import SOON_DAYS, Counts, is_soon, waits_for_lead
from ui.models.row_list import AnyIndex, RowListModel

Clock = Callable[[], datetime]

#: Role giving a row's young person id.
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole
#: Role giving a row's ``WorkItem``.
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
#: Days ahead (today included) that count as "due in the next 7 days".
NOT_ALLOCATED = "Not allocated"
#: Stands for "no worker" in worker filters (a real user id is never negative).
UNALLOCATED = -1

# The style sheet's severity colours (resources/style.qss), for cells drawn by a model.
OVERDUE_TEXT = QBrush(QColor("#a4161a"))
OVERDUE_FILL = QBrush(QColor("#fde8e8"))
WARNING_TEXT = QBrush(QColor("#7a4d00"))
WARNING_FILL = QBrush(QColor("#fff4d6"))
QUIET_TEXT = QBrush(QColor("#565e6a"))


@functools.cache
def bold_font() -> QFont:
    font = QFont(QApplication.font())
    font.setBold(True)
    return font


@functools.cache
def italic_font() -> QFont:
    font = QFont(QApplication.font())
    font.setItalic(True)
    return font


# --- wording -------------------------------------------------------------------------------


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def span_words(days: int) -> str:
    """A rough length of time: "1 day", "12 days", "3 weeks", "5 months", "2 years"."""
    days = abs(days)
    if days < 14:
        return _plural(days, "day")
    if days < 63:
        return _plural(days // 7, "week")
    if days < 730:
        return _plural(round(days * 12 / 365.25), "month")
    return _plural(days // 365, "year")


def due_words(due: date, today: date) -> str:
    """When something is due, relative to today: "3 weeks OVERDUE", "due today", "in 5 days"."""
    days = (due - today).days
    if days < 0:
        return f"{span_words(days)} OVERDUE"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"in {span_words(days)}"


def due_text(due: date, today: date) -> str:
    """The Due column: "3 weeks OVERDUE · 21/06/2026" (how late first: it stays in view
    when the column is narrow), or "21/06/2026 · in 5 days"."""
    if due < today:
        return f"{due_words(due, today)} · {due:%d/%m/%Y}"
    return f"{due:%d/%m/%Y} · {due_words(due, today)}"


def due_spoken(due: date, today: date) -> str:
    """The same for a screen reader, overdue first: "Overdue by 3 weeks. Due 21/06/2026"."""
    days = (due - today).days
    if days < 0:
        return f"Overdue by {span_words(days)}. Due {due:%d/%m/%Y}"
    return f"Due {due:%d/%m/%Y}, {due_words(due, today)}"


WAITING_PREFIX = "Waiting for your team lead · "


def summary_text(found: Counts) -> str:
    """ "14 overdue, 6 due in the next 7 days, 40 in all"."""
    if found.total == 0:
        return "Nothing due"
    return (
        f"{found.overdue:,} overdue, {found.soon:,} due in the next {SOON_DAYS} days, "
        f"{found.total:,} in all"
    )


def item_tooltip(item: DueItem, today: date) -> str:
    late = f"{item.kind.severity.words}, overdue.\n" if item.overdue else ""
    return f"{late}{item.title}\n{item.detail}\n{due_spoken(item.due, today)}."


@functools.cache
def severity_icon(severity: Severity) -> QIcon:
    """The symbol beside an overdue item: stop sign, warning sign, information sign."""
    pixmap = {
        Severity.SAFETY: QStyle.StandardPixmap.SP_MessageBoxCritical,
        Severity.STATUTORY: QStyle.StandardPixmap.SP_MessageBoxWarning,
        Severity.PRACTICE: QStyle.StandardPixmap.SP_MessageBoxInformation,
    }[severity]
    style = QApplication.style()
    return style.standardIcon(pixmap) if style is not None else QIcon()


# --- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkLoaded:
    """What a worker hands back: the items, most urgent first, and the day they are for."""

    items: list[WorkItem]
    today: date
    team: bool


def load_my_work(db: Database, actor: Actor, now: datetime, team: bool) -> WorkLoaded:
    """Runs on a worker thread."""
    return WorkLoaded(my_work(db, actor, now=now, team=team), local_today(now), team)


def worker_key(work: WorkItem) -> int:
    return work.worker_id if work.worker_id is not None else UNALLOCATED


@dataclass(frozen=True)
class WorkerCount:
    key: int
    name: str
    overdue: int
    total: int


def worker_counts(items: Sequence[WorkItem]) -> list[WorkerCount]:
    """Each worker holding items, by name ("Not allocated" last), with their counts."""
    totals: Counter[int] = Counter()
    overdue: Counter[int] = Counter()
    names: dict[int, str] = {}
    for work in items:
        key = worker_key(work)
        totals[key] += 1
        overdue[key] += work.item.overdue
        names[key] = work.worker or NOT_ALLOCATED
    order = sorted(totals, key=lambda k: (k == UNALLOCATED, names[k].casefold()))
    return [WorkerCount(k, names[k], overdue[k], totals[k]) for k in order]


def kind_counts(items: Iterable[WorkItem]) -> Counter[DueKind]:
    return Counter(work.item.kind for work in items)


# --- the model -----------------------------------------------------------------------------

COLUMN_TITLES = ("Due", "What", "Young person", "Worker")
DUE, WHAT, PERSON, WORKER = range(len(COLUMN_TITLES))
_TOOLTIPS = (
    "When it is due; most urgent first",
    "What needs doing",
    "Name and Child ID",
    "Who holds the case: the personal adviser, or the social worker if there is none",
)


def _person(work: WorkItem) -> str:
    return f"{work.name} ({work.child_uid})"


class MyWorkModel(RowListModel):
    """Work items in the engine's order, narrowed by worker and kind."""

    titles = COLUMN_TITLES
    tooltips = _TOOLTIPS

    def __init__(self, parent: QObject | None = None, *, lead: bool = True) -> None:
        super().__init__(parent)
        self.lead = lead  # a practitioner's team-lead-only items wait apart, at the end
        self._worker: int | None = None  # None: every worker
        self._kind: DueKind | None = None  # None: every kind

    # --- contents ------------------------------------------------------------------------

    def set_items(self, items: list[WorkItem], today: date) -> None:
        """The engine's order; a practitioner's items waiting for their team lead follow
        what they can act on, as a group of their own."""
        mine = [w for w in items if not waits_for_lead(w, self.lead)]
        waiting = [w for w in items if waits_for_lead(w, self.lead)]
        self._set_all(mine + waiting, today)

    def is_waiting(self, work: WorkItem) -> bool:
        return waits_for_lead(work, self.lead)

    def set_filters(self, worker: int | None, kind: DueKind | None) -> None:
        if (worker, kind) == (self._worker, self._kind):
            return
        self._worker, self._kind = worker, kind
        self._refilter()

    def _keep(self, w: WorkItem) -> bool:
        return (self._worker is None or worker_key(w) == self._worker) and (
            self._kind is None or w.item.kind is self._kind
        )

    def all_items(self) -> list[WorkItem]:
        return list(self._all)

    def shown_items(self) -> list[WorkItem]:
        return list(self._shown)

    def items_for_worker(self) -> list[WorkItem]:
        """Every kind, for the chosen worker: what the kind filter's counts describe."""
        if self._worker is None:
            return list(self._all)
        return [w for w in self._all if worker_key(w) == self._worker]

    def item_at(self, row: int) -> WorkItem | None:
        item: WorkItem | None = self._shown_at(row)
        return item

    def row_of(self, wanted: WorkItem) -> int | None:
        return self._find(lambda work: work == wanted)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        work = self.item_at(index.row()) if index.isValid() else None
        if work is None or self._today is None:
            return None
        if role == PERSON_ID_ROLE:
            return work.person_id
        if role == ITEM_ROLE:
            return work
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(work, index.column())
        waiting = self.is_waiting(work)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if index.column() == DUE:
                spoken = due_spoken(work.item.due, self._today)
                late = work.item.overdue and not waiting
                return f"{work.item.kind.severity.words}. {spoken}" if late else spoken
            return self._text(work, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = item_tooltip(work.item, self._today)
            return f"Only your team lead can do this.\n{tip}" if waiting else tip
        if waiting:
            return _quiet(role)
        if role == Qt.ItemDataRole.DecorationRole:
            late = work.item.overdue and index.column() == DUE
            return severity_icon(work.item.kind.severity) if late else None
        return _style(work.item, index.column(), self._today, role)

    def _text(self, work: WorkItem, column: int) -> str:
        assert self._today is not None
        if column == DUE:
            return due_text(work.item.due, self._today)
        if column == WHAT:
            return (WAITING_PREFIX if self.is_waiting(work) else "") + work.item.title
        if column == PERSON:
            return _person(work)
        return work.worker or NOT_ALLOCATED


def _style(item: DueItem, column: int, today: date, role: int) -> Any:
    """Graded, so the most serious stands out: an overdue safety deadline is dark red and
    bold on pale red across the row; an overdue statutory deadline has a red, bold due
    date; an overdue practice deadline an amber one. Each also has its symbol and words.
    Due within a week: an amber date."""
    if item.overdue:
        severity = item.kind.severity
        if severity is Severity.SAFETY:
            return look(OVERDUE_TEXT, OVERDUE_FILL, role)
        if column != DUE:
            return None
        if severity is Severity.STATUTORY:
            return look(OVERDUE_TEXT, QBrush(), role)
        return WARNING_TEXT if role == Qt.ItemDataRole.ForegroundRole else None
    if column == DUE and is_soon(item.due, today):
        return look(WARNING_TEXT, WARNING_FILL, role)
    return None


def _quiet(role: int) -> Any:
    """A row waiting for the team lead: grey italic, never alarm colours."""
    if role == Qt.ItemDataRole.ForegroundRole:
        return QUIET_TEXT
    return italic_font() if role == Qt.ItemDataRole.FontRole else None


def look(text: QBrush, fill: QBrush, role: int) -> Any:
    """Bold text of one colour on a fill of another (a severity of the style sheet)."""
    if role == Qt.ItemDataRole.ForegroundRole:
        return text
    if role == Qt.ItemDataRole.BackgroundRole:
        return fill if fill.style() != Qt.BrushStyle.NoBrush else None
    return bold_font() if role == Qt.ItemDataRole.FontRole else None
