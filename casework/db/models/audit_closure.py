"""Closure audits: a period's sample of approved closures (seed recorded), each sampled
closure's audit with why it was sampled and who audits it, the auditors' judgements (first,
blind second, and the agreed one that resolves a disagreement) graded per domain, the
decision on a recommended reopening, and learning actions for workers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.models.base import Base, Versioned

_USER = "users.id"


class AuditSample(Base):
    """One period's sample. ``seed`` and the shares in force make it reproducible."""

    __tablename__ = "audit_samples"
    __table_args__ = (UniqueConstraint("period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # the last day covered
    seed: Mapped[int] = mapped_column(Integer)
    random_percent: Mapped[int] = mapped_column(Integer)
    moderation_percent: Mapped[int] = mapped_column(Integer)
    lookback_months: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)  # approved closures in the period
    created_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ClosureAudit(Versioned, Base):
    """One sampled closure. ``reasons``: comma-separated sample reason codes.
    ``reopen_declined_*``: a team lead's decision not to act on a recommended reopening
    (a reopening itself is a ``case_reopenings`` row, made through the closure workflow)."""

    __tablename__ = "closure_audits"
    __table_args__ = (UniqueConstraint("closure_request_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.id"), index=True)
    closure_request_id: Mapped[int] = mapped_column(ForeignKey("closure_requests.id"))
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id"), index=True)
    reasons: Mapped[str] = mapped_column(String(80))
    reason_detail: Mapped[str] = mapped_column(Text, default="")
    moderated: Mapped[bool] = mapped_column(Boolean, default=False)
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopen_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    reopen_declined_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    reopen_declined_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopen_declined_note: Mapped[str] = mapped_column(Text, default="")


class AuditJudgement(Versioned, Base):
    """One auditor's judgement on a sampled closure. ``kind``: first, second (the blind
    moderating audit) or agreed (resolving a disagreement). A draft until submitted."""

    __tablename__ = "audit_judgements"
    __table_args__ = (UniqueConstraint("audit_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("closure_audits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    auditor_id: Mapped[int] = mapped_column(ForeignKey(_USER))
    overall: Mapped[str | None] = mapped_column(String(24))
    safe: Mapped[bool | None] = mapped_column(Boolean)
    safety_note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditGrade(Base):
    """A judgement's grade for one domain, with the evidence behind it."""

    __tablename__ = "audit_grades"
    __table_args__ = (UniqueConstraint("judgement_id", "domain"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    judgement_id: Mapped[int] = mapped_column(ForeignKey("audit_judgements.id"), index=True)
    domain: Mapped[str] = mapped_column(String(24))
    grade: Mapped[str | None] = mapped_column(String(24))
    evidence: Mapped[str] = mapped_column(Text, default="")


class LearningAction(Versioned, Base):
    """Something a worker is to do or learn after an audit, owned and due by a date,
    tracked to completion."""

    __tablename__ = "learning_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("closure_audits.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey(_USER), index=True)
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_note: Mapped[str] = mapped_column(Text, default="")
    done_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
