"""The front-door queue as a table model, and how its deadlines are worded.

The items come from ``casework.services.front_door.queue`` (soonest deadline first); the
model keeps that order. The core words the time left ("due today by end of day",
"overdue by 2 working days"); the model only puts OVERDUE in capitals so that a late item
reads as late in words, not in colour alone, and colours overdue rows as every other list
does (``ui.models.my_work_model``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt

from casework.clock import local_today, to_local
from casework.db.database import Database
from casework.services.front_door import QueueItem, queue
from casework.services.permissions import Actor
from casework.services.work_counts import FrontDoorCounts as Counts
from casework.services.work_counts import is_due_today
from ui.models.my_work_model import (
    OVERDUE_FILL,
    OVERDUE_TEXT,
    WARNING_FILL,
    WARNING_TEXT,
    look,
)
from ui.models.row_list import AnyIndex, RowListModel

#: Role giving a row's young person id.
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole
#: Role giving a row's ``QueueItem``.
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1

# "Concern", never "contact": a contact is a keeping-in-touch visit or call (glossary).
KIND_LABELS = {"contact": "Concern", "referral": "Referral"}
KIND_DETAIL = {
    "contact": "A concern received about the young person: decide what happens next.",
    "referral": "A referral to children's social care: decide the next step.",
}


# --- wording -------------------------------------------------------------------------------


def kind_label(item: QueueItem) -> str:
    label = KIND_LABELS.get(item.kind, item.kind.title())
    return f"{label} · ⚠ repeated concerns" if item.repeat_alert else label


def time_left_text(item: QueueItem) -> str:
    """The core's words as a queue shows them: "OVERDUE by 2 working days"."""
    return item.time_left_shown


def due_text(item: QueueItem) -> str:
    """The Due column: "30/11/2026 · OVERDUE by 2 working days"."""
    return f"{item.due:%d/%m/%Y} · {time_left_text(item)}"


def due_spoken(item: QueueItem) -> str:
    """For a screen reader, overdue first."""
    if item.overdue:
        return f"{time_left_text(item)}. Decision was due {item.due:%d/%m/%Y}"
    return f"Decision due {item.due:%d/%m/%Y}, {item.time_left}"


def received_text(item: QueueItem) -> str:
    """UK time: "27/11/2026 10:42"."""
    return to_local(item.received_at).strftime("%d/%m/%Y %H:%M")


def person_text(item: QueueItem) -> str:
    return f"{item.name} ({item.child_uid})"


def summary_text(found: Counts) -> str:
    """ "3 OVERDUE, 5 due today, 12 awaiting a decision"; "none overdue, …" when nothing
    is late: the word in capitals only when something is."""
    if found.total == 0:
        return "Nothing is awaiting a decision"
    late = f"{found.overdue:,} OVERDUE" if found.overdue else "none overdue"
    return f"{late}, {found.today:,} due today, {found.total:,} awaiting a decision"


def item_tooltip(item: QueueItem) -> str:
    return (
        f"{kind_label(item)} about {person_text(item)}\n"
        f"Received {received_text(item)} from {item.source}\n"
        f"{due_spoken(item)}."
    )


# --- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueLoaded:
    """What a worker hands back: the queue, soonest deadline first, and the day it is for."""

    items: list[QueueItem]
    today: date


def load_queue(db: Database, actor: Actor, now: datetime) -> QueueLoaded:
    """Runs on a worker thread."""
    return QueueLoaded(queue(db, actor, now=now), local_today(now))


# --- the model -----------------------------------------------------------------------------

COLUMN_TITLES = (
    "Decision due",
    "Kind",
    "Young person",
    "What was reported",
    "Received (UK time)",
    "Source",
)
DUE, KIND, PERSON, REPORTED, RECEIVED, SOURCE = range(len(COLUMN_TITLES))
_TOOLTIPS = (
    "When the decision is due (1 working day from receipt) and the time left; soonest first",
    "A concern received about a young person, or a referral to children's social care",
    "Name and Child ID",
    "What the concern or referral says (its first line; the whole text is in the decision)",
    "When it was received, UK time",
    "Who the concern came from (CIN referral source)",
)


class FrontDoorModel(RowListModel):
    """Contacts and referrals awaiting a decision, in the core's order."""

    titles = COLUMN_TITLES
    tooltips = _TOOLTIPS

    def set_items(self, items: list[QueueItem], today: date) -> None:
        self._set_all(items, today)

    def items(self) -> list[QueueItem]:
        return list(self._all)

    def item_at(self, row: int) -> QueueItem | None:
        item: QueueItem | None = self._shown_at(row)
        return item

    def row_of(self, kind: str, item_id: int) -> int | None:
        return self._find(lambda item: (item.kind, item.id) == (kind, item_id))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None or self._today is None:
            return None
        if role == PERSON_ID_ROLE:
            return item.young_person_id
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(item, index.column())
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return due_spoken(item) if index.column() == DUE else cell_text(item, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return item_tooltip(item)
        return _style(item, index.column(), self._today, role)


def cell_text(item: QueueItem, column: int) -> str:
    texts = {
        DUE: due_text,
        KIND: kind_label,
        PERSON: person_text,
        REPORTED: lambda i: i.reported,
        RECEIVED: received_text,
    }
    return texts[column](item) if column in texts else item.source


def _style(item: QueueItem, column: int, today: date, role: int) -> Any:
    """Overdue rows: dark red, bold, on pale red, every cell. Due today: amber deadline."""
    if item.overdue:
        return look(OVERDUE_TEXT, OVERDUE_FILL, role)
    if column == DUE and is_due_today(item, today):
        return look(WARNING_TEXT, WARNING_FILL, role)
    return None
