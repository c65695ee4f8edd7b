"""The front door: safeguarding contacts (concerns received about a young person) and
referrals, each with its statutory clock and a decision that must be recorded."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.db.models.base import Base, Versioned

_PERSON = "young_people.id"
_USER = "users.id"


class SafeguardingContact(Versioned, Base):
    __tablename__ = "safeguarding_contacts"
    __table_args__ = (Index("ix_safeguarding_contacts_open", "decided_at", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(4))
    referrer_name: Mapped[str] = mapped_column(String(200), default="")
    referrer_contact: Mapped[str] = mapped_column(String(200), default="")
    reported: Mapped[str] = mapped_column(Text)
    factors: Mapped[str] = mapped_column(String(200), default="")  # CIN codes, comma-separated
    already_known: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    decision: Mapped[str | None] = mapped_column(String(24))
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))


class Referral(Versioned, Base):
    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_open", "decided_at", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text)
    factors: Mapped[str] = mapped_column(String(200), default="")  # CIN codes, comma-separated
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    decision: Mapped[str | None] = mapped_column(String(24))
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    assessment_started_on: Mapped[date | None] = mapped_column(Date)
    assessment_child_seen: Mapped[bool] = mapped_column(Boolean, default=False)
    assessment_seen_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    assessment_completed_on: Mapped[date | None] = mapped_column(Date)
    assessment_authorised_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    assessment_authorised_on: Mapped[date | None] = mapped_column(Date)
    strategy_discussion_on: Mapped[date | None] = mapped_column(Date)
    s47_outcome: Mapped[str] = mapped_column(Text, default="")
    icpc_on: Mapped[date | None] = mapped_column(Date)
    icpc_not_required_reason: Mapped[str] = mapped_column(Text, default="")
    # Imported from another system's Annex A workbook: its count of this young person's
    # referrals in the 12 months before this one, which Casework does not hold (Annex A
    # list 3 covers 6 months). None for a referral recorded in Casework.
    legacy_referrals_12_months: Mapped[int | None] = mapped_column(Integer)


class Allegation(Versioned, Base):
    """An allegation against someone who works with the young person. Not finished until
    an outcome is recorded with its rationale, who decided and when."""

    __tablename__ = "allegations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    subject_role: Mapped[str] = mapped_column(String(24))
    subject_description: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime)
    details: Mapped[str] = mapped_column(Text)
    lado_notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    strategy_meeting_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The LADO's decision: None not yet decided, True criteria met, False not required.
    strategy_criteria_met: Mapped[bool | None] = mapped_column(Boolean)
    strategy_not_required_reason: Mapped[str] = mapped_column(Text, default="")
    police_involved: Mapped[bool] = mapped_column(Boolean, default=False)
    actions: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_rationale: Mapped[str] = mapped_column(Text, default="")
    outcome_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))


class RiskScreening(Versioned, Base):
    __tablename__ = "risk_screenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    risk_type: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(8))
    indicators: Mapped[str] = mapped_column(Text, default="")  # newline-separated
    reasoning: Mapped[str] = mapped_column(Text)
    screened_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    screened_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    signed_off_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    signed_off_on: Mapped[date | None] = mapped_column(Date)
    # The previous medium or high level this screening lowered (sign-off needed), or None.
    lowered_from: Mapped[str | None] = mapped_column(String(8))


class MissingEpisode(Versioned, Base):
    __tablename__ = "missing_episodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    reported_to_police: Mapped[bool] = mapped_column(Boolean, default=False)
    interview_offered_at: Mapped[datetime | None] = mapped_column(DateTime)
    interview_accepted: Mapped[bool | None] = mapped_column(Boolean)
    interview_held_at: Mapped[datetime | None] = mapped_column(DateTime)
    learned: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))


class ServiceReferral(Versioned, Base):
    """A referral out to another service, chased until it has an outcome."""

    __tablename__ = "service_referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    service: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    sent_on: Mapped[date] = mapped_column(Date)
    expected_by: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    last_chased_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))


class ChildProtectionPlan(Versioned, Base):
    """A child protection plan: from the initial child protection conference that made it
    to the conference that ended it (Working Together to Safeguard Children 2023)."""

    __tablename__ = "child_protection_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    started_on: Mapped[date] = mapped_column(Date)  # the initial conference
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))


class ChildProtectionMeeting(Base):
    """A review conference or core group meeting held under a child protection plan."""

    __tablename__ = "child_protection_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("child_protection_plans.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))
