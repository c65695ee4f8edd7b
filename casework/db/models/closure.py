"""Case closure: requests with their summary and the worker's overrides, the team lead's
decisions and approval bound to an evidence fingerprint, reopenings and the notes that may
still be appended to a closed case."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.models.base import Base, Versioned

_PERSON = "young_people.id"
_USER = "users.id"


class ClosureRequest(Versioned, Base):
    """One request to close a case. ``status``: pending (with a team lead), returned (to
    the worker, with comments), approved, closed, or withdrawn. ``anchor_on``: the day of
    the latest submission, which the checks' windows count back from."""

    __tablename__ = "closure_requests"
    __table_args__ = (Index("ix_closure_requests_status", "status", "submitted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(8))
    reason_date: Mapped[date | None] = mapped_column(Date)
    receiving_body: Mapped[str] = mapped_column(String(200), default="")
    why_open: Mapped[str] = mapped_column(Text, default="")
    what_changed: Mapped[str] = mapped_column(Text, default="")
    agencies_involved: Mapped[str] = mapped_column(Text, default="")
    if_concerns_return: Mapped[str] = mapped_column(Text, default="")
    young_person_views: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    anchor_on: Mapped[date] = mapped_column(Date)
    risk_holder: Mapped[str] = mapped_column(Text, default="")
    risk_review: Mapped[str] = mapped_column(Text, default="")
    accommodation_decision: Mapped[str] = mapped_column(Text, default="")
    decisions_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_comments: Mapped[str] = mapped_column(Text, default="")
    approved_fingerprint: Mapped[str | None] = mapped_column(String(64))
    approved_snapshot: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime)
    void_note: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class ClosureOverride(Base):
    """A warning the worker overrode with a written justification (flagged for audit)."""

    __tablename__ = "closure_overrides"
    __table_args__ = (UniqueConstraint("request_id", "check_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("closure_requests.id"), index=True)
    check_id: Mapped[str] = mapped_column(String(60))
    justification: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class CaseReopening(Base):
    __tablename__ = "case_reopenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    closure_request_id: Mapped[int | None] = mapped_column(ForeignKey("closure_requests.id"))
    reason: Mapped[str] = mapped_column(Text)
    reopened_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    reopened_at: Mapped[datetime] = mapped_column(DateTime)


class ClosedCaseNote(Base):
    """A note appended to a closed case: the only thing that can be added to one."""

    __tablename__ = "closed_case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey(_USER))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CareArrangement(Base):
    """An arrangement recorded alongside a care leaver's case: another council or adult
    social care involved from a date. It never closes the case: the responsible council
    stays responsible wherever the young person lives (Care Leavers (England) Regulations
    2010 reg 2(1)). ``kind``: ``transfer`` or ``adult_services``."""

    __tablename__ = "care_arrangements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    with_whom: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class ClosureRequestVersion(Base):
    """Who wrote each version of a closure request: the first request and every
    resubmission. Nobody who wrote any version may approve the request."""

    __tablename__ = "closure_request_versions"
    __table_args__ = (UniqueConstraint("request_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("closure_requests.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))  # request or resubmit
    author_id: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    written_at: Mapped[datetime] = mapped_column(DateTime)
