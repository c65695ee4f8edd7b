"""Care-leaver casework: contacts and their drafts, addenda and follow-ups; in-touch
status events; care history and eligibility decisions; needs assessments and pathway
plans; accommodation and activity histories; support offers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db.models.base import Base, Versioned

_PERSON = "young_people.id"
_USER = "users.id"


class Contact(Versioned, Base):
    """A keeping-in-touch contact. A draft is saved as the worker types; a final contact is
    read-only and corrected only by addenda."""

    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_person_time", "young_person_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(32))
    successful: Mapped[bool | None] = mapped_column(Boolean)  # None: a draft not yet decided
    made_by: Mapped[str] = mapped_column(String(24))
    location: Mapped[str | None] = mapped_column(String(200))
    seen: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    views: Mapped[str] = mapped_column(Text, default="")
    discussed: Mapped[str] = mapped_column(Text, default="")
    draft_follow_ups: Mapped[str] = mapped_column(Text, default="[]")  # JSON, drafts only
    status: Mapped[str] = mapped_column(String(10), default="draft")
    author_id: Mapped[int] = mapped_column(ForeignKey(_USER))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime)

    addenda: Mapped[list[ContactAddendum]] = relationship(order_by="ContactAddendum.id")


class ContactSummary(Base):
    """Per young person, the few finalised contacts that decide in-touch status and visit
    timers (the latest successful one, the latest by a PA, the latest visit by each kind of
    worker) and how many attempts failed since the latest success. Derived data: rewritten
    from the full history whenever a contact is finalised (``refresh_summary``), so lists
    of thousands of young people never read every contact."""

    __tablename__ = "contact_summaries"

    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), primary_key=True)
    last_success_id: Mapped[int | None] = mapped_column(Integer)
    last_pa_success_id: Mapped[int | None] = mapped_column(Integer)
    last_visit_pa_id: Mapped[int | None] = mapped_column(Integer)
    last_visit_sw_id: Mapped[int | None] = mapped_column(Integer)
    last_visit_other_id: Mapped[int | None] = mapped_column(Integer)
    attempts_since: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_id: Mapped[int | None] = mapped_column(Integer)


class SummarisedContact(Base):
    """A copy of the columns the rules read from each contact that ``contact_summaries``
    names, so that a list reads a few small rows per young person and never the contacts
    table itself (whose rows, notes included, grow with every contact). Derived data:
    rewritten with the summary, from the final contacts, which are read-only."""

    __tablename__ = "summarised_contacts"

    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), primary_key=True)
    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    successful: Mapped[bool | None] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(32))
    seen: Mapped[bool] = mapped_column(Boolean)
    seen_alone: Mapped[bool] = mapped_column(Boolean)
    made_by: Mapped[str] = mapped_column(String(24))


class ContactAddendum(Base):
    __tablename__ = "contact_addenda"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey(_USER))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FollowUpAction(Versioned, Base):
    __tablename__ = "follow_up_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StatusEvent(Versioned, Base):
    """An explicit in-touch status (refuses contact, no longer requires services, returned
    home 6+ months, died), dated, with who recorded it."""

    __tablename__ = "in_touch_status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    status: Mapped[str] = mapped_column(String(8))
    effective_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class CareHistory(Versioned, Base):
    __tablename__ = "care_histories"

    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), primary_key=True)
    date_entered_care: Mapped[date | None] = mapped_column(Date)
    weeks_looked_after_since_14: Mapped[int | None] = mapped_column(Integer)
    legal_status: Mapped[str | None] = mapped_column(String(60))
    detained_or_in_hospital_at_16: Mapped[bool] = mapped_column(Boolean, default=False)
    sgo_after_looked_after: Mapped[bool] = mapped_column(Boolean, default=False)
    staying_put_until: Mapped[date | None] = mapped_column(Date)
    staying_close: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CarePeriod(Versioned, Base):
    """One spell of being looked after: the day it began, the day it ended (counted as looked
    after; ``None`` while it continues) and the legal status, so eligibility ("13 weeks since
    14, ending after 16", CPPCR 2010 reg 40) is counted exactly."""

    __tablename__ = "care_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    legal_status: Mapped[str] = mapped_column(String(60), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class EligibilityDecision(Base):
    """The worker's confirmation or override of the suggested category, with a reason."""

    __tablename__ = "eligibility_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    suggested: Mapped[str] = mapped_column(String(24))
    decided: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    decided_at: Mapped[datetime] = mapped_column(DateTime)


class NeedsAssessment(Versioned, Base):
    __tablename__ = "needs_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    eligible_from: Mapped[date] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")


class PathwayPlan(Versioned, Base):
    __tablename__ = "pathway_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    participation: Mapped[str] = mapped_column(Text, default="")
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey(_USER))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    areas: Mapped[list[PlanArea]] = relationship(order_by="PlanArea.id")
    reviews: Mapped[list[PlanReview]] = relationship(order_by="PlanReview.reviewed_on")


class PlanArea(Versioned, Base):
    __tablename__ = "plan_areas"
    __table_args__ = (UniqueConstraint("plan_id", "area"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("pathway_plans.id"), index=True)
    area: Mapped[str] = mapped_column(String(32))
    needs: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(100), default="")
    target_on: Mapped[date | None] = mapped_column(Date)


class PlanReview(Base):
    __tablename__ = "plan_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("pathway_plans.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    young_person_participated: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[int] = mapped_column(ForeignKey(_USER))


class CircumstanceChange(Base):
    """A change that makes a pathway plan review due (new accommodation, custody, ...)."""

    __tablename__ = "circumstance_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))


class EssentialItem(Versioned, Base):
    """The leaving-care essentials checklist (ID, NI number, bank account ...)."""

    __tablename__ = "essential_items"
    __table_args__ = (UniqueConstraint("young_person_id", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    item: Mapped[str] = mapped_column(String(24))
    done_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class AccommodationPeriod(Versioned, Base):
    __tablename__ = "accommodation_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    letter: Mapped[str] = mapped_column(String(1))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(200), default="")
    suitable: Mapped[bool] = mapped_column(Boolean)
    unsuitable_reason: Mapped[str] = mapped_column(Text, default="")
    council_provided: Mapped[bool] = mapped_column(Boolean, default=False)
    team_lead_reviewed_on: Mapped[date | None] = mapped_column(Date)
    team_lead_reviewed_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))
    review_note: Mapped[str] = mapped_column(Text, default="")
    # Why bed and breakfast (18+) or emergency accommodation is suitable.
    suitable_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Supported accommodation for under 18s: registered with Ofsted (Supported
    # Accommodation (England) Regulations 2023); None where the question does not apply.
    registered: Mapped[bool | None] = mapped_column(Boolean)
    # Who recorded the period: a team lead's review must be by someone else.
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey(_USER))


class ActivityPeriod(Versioned, Base):
    __tablename__ = "activity_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    code: Mapped[str] = mapped_column(String(2))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(String(200), default="")


class SupportEvent(Base):
    """Dated support milestones: the PA offer at 21, declining support, the yearly
    reminder to 21-25s who declined, being told in writing they can return until 25."""

    __tablename__ = "support_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey(_PERSON), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey(_USER))
