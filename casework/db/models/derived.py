"""Derived data kept only to answer lists quickly: never a record, never audited, never
exported. Each row can be thrown away at any moment and recomputed from the records."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.models.base import Base


class DueSnapshot(Base):
    """Per young person, what the due engine found on ``day`` (``items``: the due items as
    JSON, most urgent first), under the rules and code named by ``fingerprint``. Read only
    when both match today's and the running installation's; any change to that young
    person's facts deletes the row in the same transaction (``casework.db.due_snapshots``),
    so a row that exists is always the answer the engine would give now."""

    __tablename__ = "due_snapshots"

    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date)
    fingerprint: Mapped[str] = mapped_column(String(64))
    items: Mapped[str] = mapped_column(Text)


class DueSnapshotGeneration(Base):
    """One row: a number raised in every transaction that invalidates a snapshot, so a
    snapshot computed from an older read is never stored over a newer change."""

    __tablename__ = "due_snapshot_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
