"""Accommodation and education/employment/training histories.

A new period closes the one before it (the day before it starts). Homeless (S) and
custody (X) are always unsuitable; unsuitable needs a reason; bed and breakfast,
emergency, residence not known and homeless need a team lead's review, recorded here.
A move, homelessness or custody is also recorded as a change of circumstances, which
makes a pathway plan review due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today
from casework.db.database import Database
from casework.db.models import AccommodationPeriod, ActivityPeriod, CircumstanceChange, User
from casework.domain.codes import AccommodationType, Activity, UnknownCode
from casework.domain.leaving_care import CircumstanceChange as Change
from casework.errors import NotFound, ValidationFailed
from casework.services import audit
from casework.services.common import Changed, require_approver
from casework.services.people import require_on_person as _check
from casework.services.permissions import Action, Actor


@dataclass(frozen=True)
class AccommodationInput:
    letter: str
    started_on: date
    suitable: bool
    provider: str = ""
    unsuitable_reason: str = ""
    council_provided: bool = False
    ended_on: date | None = None


@dataclass(frozen=True)
class AccommodationView:
    id: int
    type: AccommodationType
    started_on: date
    ended_on: date | None
    provider: str
    suitable: bool
    unsuitable_reason: str
    council_provided: bool
    needs_review: bool
    reviewed_on: date | None
    reviewed_by: str | None
    review_note: str


@dataclass(frozen=True)
class ActivityView:
    id: int
    activity: Activity
    started_on: date
    ended_on: date | None
    detail: str


def accommodation_problems(data: AccommodationInput, today: date) -> list[str]:
    try:
        kind = AccommodationType.parse(data.letter)
    except UnknownCode as exc:
        return [f"letter: {exc}"]
    problems = []
    if kind.always_unsuitable and data.suitable:
        problems.append(f"suitable: {kind.label} is always unsuitable: expected 'unsuitable'")
    if not data.suitable and not data.unsuitable_reason.strip():
        problems.append("unsuitable_reason: say why the accommodation is unsuitable")
    if data.started_on > today:
        problems.append("started_on: the move-in date is in the future: record it when it happens")
    if data.ended_on is not None and data.ended_on < data.started_on:
        problems.append("ended_on: the end date is before the start date")
    if len(data.provider) > 200:
        problems.append("provider: expected at most 200 characters")
    return problems


def _close_previous(
    session: Session,
    model: type[AccommodationPeriod] | type[ActivityPeriod],
    person_id: int,
    start: date,
) -> list[int]:
    """End the open period that began before ``start``; refuse overlaps with closed ones."""
    closed = []
    periods: list[AccommodationPeriod | ActivityPeriod] = list(
        session.scalars(select(model).where(model.young_person_id == person_id))
    )
    for period in periods:
        if period.started_on >= start:
            raise ValidationFailed(
                [
                    f"started_on: a period already starts on {period.started_on:%d/%m/%Y}; a new "
                    "one must start after the latest one"
                ]
            )
        if period.ended_on is None:
            period.ended_on = start - timedelta(days=1)
            closed.append(period.id)
        elif period.ended_on >= start:
            raise ValidationFailed(
                [f"started_on: overlaps a period that ended on {period.ended_on:%d/%m/%Y}"]
            )
    return closed


def _changes_for(kind: AccommodationType) -> list[Change]:
    changes = [Change.NEW_ACCOMMODATION]
    if kind is AccommodationType.parse("S"):
        changes.append(Change.HOMELESSNESS)
    if kind is AccommodationType.parse("X"):
        changes.append(Change.CUSTODY)
    return changes


def add_accommodation(
    db: Database, actor: Actor, person_id: int, data: AccommodationInput, *, now: datetime
) -> Changed:
    _check(db, actor, person_id, Action.EDIT_RECORD, now)
    problems = accommodation_problems(data, local_today(now))
    if problems:
        raise ValidationFailed(problems)
    kind = AccommodationType.parse(data.letter)
    with db.unit_of_work() as session:
        closed = _close_previous(session, AccommodationPeriod, person_id, data.started_on)
        period = AccommodationPeriod(
            young_person_id=person_id,
            letter=kind.value,
            started_on=data.started_on,
            ended_on=data.ended_on,
            provider=data.provider.strip(),
            suitable=data.suitable,
            unsuitable_reason=data.unsuitable_reason.strip(),
            council_provided=data.council_provided,
        )
        session.add(period)
        session.flush()
        for change in _changes_for(kind):
            session.add(
                CircumstanceChange(
                    young_person_id=person_id,
                    kind=change.value,
                    occurred_on=data.started_on,
                    recorded_by=actor.user_id,
                )
            )
        audit.record(
            session,
            actor,
            "add_accommodation",
            now=now,
            record_type="accommodation",
            record_id=period.id,
            fields=["letter", "started_on", "suitable", "provider", "council_provided"],
        )
        for other in closed:
            audit.record(
                session,
                actor,
                "end_accommodation",
                now=now,
                record_type="accommodation",
                record_id=other,
                fields=["ended_on"],
            )
        return Changed("accommodation", (period.id, *closed))


def review_accommodation(
    db: Database, actor: Actor, person_id: int, period_id: int, note: str, *, now: datetime
) -> Changed:
    """A team lead's review of bed and breakfast, emergency, unknown or homeless
    accommodation. Until one is recorded the period stays highlighted. Whoever recorded
    the period never reviews it (separation of duties, ``may_approve``)."""
    _check(db, actor, person_id, Action.REVIEW_AS_TEAM_LEAD, now)
    with db.reading() as session:
        authors = audit.writers(
            session, "accommodation", period_id, excluding=("review_accommodation",)
        )
    require_approver(
        db,
        actor,
        authors,
        what="this accommodation",
        action="review_accommodation",
        now=now,
        record_type="accommodation",
        record_id=period_id,
    )
    if not note.strip():
        raise ValidationFailed(["review_note: record the decision and what happens next"])
    with db.unit_of_work() as session:
        period = session.get(AccommodationPeriod, period_id)
        if period is None or period.young_person_id != person_id:
            raise NotFound("That accommodation period no longer exists.")
        period.team_lead_reviewed_on = local_today(now)
        period.team_lead_reviewed_by = actor.user_id
        period.review_note = note.strip()
        audit.record(
            session,
            actor,
            "review_accommodation",
            now=now,
            record_type="accommodation",
            record_id=period.id,
            fields=["team_lead_reviewed_on", "team_lead_reviewed_by", "review_note"],
        )
        return Changed("accommodation", (period.id,), ("team_lead_reviewed_on",))


def list_accommodation(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[AccommodationView]:
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        names = {uid: n for uid, n in session.execute(select(User.id, User.display_name))}
        stmt = (
            select(AccommodationPeriod)
            .where(AccommodationPeriod.young_person_id == person_id)
            .order_by(AccommodationPeriod.started_on.desc())
        )
        out = []
        for p in session.scalars(stmt):
            kind = AccommodationType.parse(p.letter)
            out.append(
                AccommodationView(
                    p.id,
                    kind,
                    p.started_on,
                    p.ended_on,
                    p.provider,
                    p.suitable,
                    p.unsuitable_reason,
                    p.council_provided,
                    kind.needs_team_lead_review and p.team_lead_reviewed_on is None,
                    p.team_lead_reviewed_on,
                    names.get(p.team_lead_reviewed_by) if p.team_lead_reviewed_by else None,
                    p.review_note,
                )
            )
        return out


def add_activity(
    db: Database,
    actor: Actor,
    person_id: int,
    code: str,
    started_on: date,
    detail: str = "",
    *,
    ended_on: date | None = None,
    now: datetime,
) -> Changed:
    _check(db, actor, person_id, Action.EDIT_RECORD, now)
    problems = []
    try:
        activity = Activity.parse(code)
    except UnknownCode as exc:
        raise ValidationFailed([f"code: {exc}"]) from None
    if activity.value == "0":
        problems.append("code: 'not applicable' is for returns only: choose what they are doing")
    if started_on > local_today(now):
        problems.append("started_on: the start date is in the future")
    if ended_on is not None and ended_on < started_on:
        problems.append("ended_on: the end date is before the start date")
    if problems:
        raise ValidationFailed(problems)
    with db.unit_of_work() as session:
        closed = _close_previous(session, ActivityPeriod, person_id, started_on)
        period = ActivityPeriod(
            young_person_id=person_id,
            code=activity.value,
            started_on=started_on,
            ended_on=ended_on,
            detail=detail.strip(),
        )
        session.add(period)
        session.flush()
        audit.record(
            session,
            actor,
            "add_activity",
            now=now,
            record_type="activity",
            record_id=period.id,
            fields=["code", "started_on", "detail"],
        )
        return Changed("activity", (period.id, *closed))


def list_activity(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[ActivityView]:
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        stmt = (
            select(ActivityPeriod)
            .where(ActivityPeriod.young_person_id == person_id)
            .order_by(ActivityPeriod.started_on.desc())
        )
        return [
            ActivityView(a.id, Activity.parse(a.code), a.started_on, a.ended_on, a.detail)
            for a in session.scalars(stmt)
        ]
