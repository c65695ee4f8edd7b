"""Accommodation and education/employment/training histories.

A period's ``ended_on`` is the last night spent there; a new period ends the open one on
the night before it starts, and a period sharing a night with another is refused
(:mod:`casework.domain.accommodation`). Suitability follows the law and the SSDA903
rules there: S and X always unsuitable, R never suitable, bed and breakfast never
suitable under 18 and from 18 only with a reason and a team lead's review by someone
other than whoever recorded it, emergency accommodation with a reason, registered
supported accommodation for under 18s; SSDA903 rules 345, 347 and 3001 are refused at
entry. Bed and breakfast, emergency, residence not known and homeless need a team lead's
review, recorded here. A move, homelessness or custody is also recorded as a change of
circumstances, which makes a pathway plan review due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today
from casework.db.database import Database
from casework.db.models import (
    AccommodationPeriod,
    ActivityPeriod,
    CircumstanceChange,
    User,
    YoungPerson,
)
from casework.domain import accommodation as rules
from casework.domain.codes import AccommodationType, Activity, UnknownCode
from casework.domain.leaving_care import CircumstanceChange as Change
from casework.errors import NotFound, ValidationFailed
from casework.services import audit, concurrency
from casework.services.common import Changed, check_approver
from casework.services.people import check_on_person
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
    ended_on: date | None = None  # the last night spent there
    suitable_reason: str = ""  # why bed and breakfast (18+) or emergency is suitable
    registered: bool | None = None  # supported accommodation, under 18s


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
    suitable_reason: str = ""
    registered: bool | None = None
    recorded_by: str | None = None
    recorded_by_id: int | None = None
    version: int = 1  # as read: the review passes it back

    @property
    def awaiting_suitability_review(self) -> bool:
        """Bed and breakfast recorded as suitable counts as suitable only once reviewed."""
        return (
            self.suitable
            and self.reviewed_on is None
            and rules.suitable_only_after_review(self.type.value)
        )


@dataclass(frozen=True)
class ActivityView:
    id: int
    activity: Activity
    started_on: date
    ended_on: date | None
    detail: str
    version: int = 0


@dataclass(frozen=True)
class Latest:
    """The latest period a screen showed when the worker chose to add one (its id and
    version; no id: none was recorded). A new period ends the one before it, so adding is
    refused, named, when the periods have changed since: someone else recorded a newer one,
    or ended or changed that one."""

    period_id: int | None = None
    version: int | None = None


def _still_latest(
    session: Session,
    model: type[AccommodationPeriod] | type[ActivityPeriod],
    person_id: int,
    shown: Latest | None,
    *,
    record_type: str,
    what: str,
) -> None:
    if shown is None:
        return
    newest: list[AccommodationPeriod | ActivityPeriod] = list(
        session.scalars(
            select(model)
            .where(model.young_person_id == person_id)
            .order_by(model.started_on.desc(), model.id.desc())
            .limit(1)
        )
    )
    if not newest:
        return
    latest = newest[0]
    if latest.id != shown.period_id:
        raise concurrency.conflict(
            session,
            latest,
            record_type=record_type,
            what=what,
            detail="Yours would have ended theirs.",
        )
    concurrency.expect(session, latest, shown.version, record_type=record_type, what=what)


def _entry(data: AccommodationInput, date_of_birth: date) -> rules.AccommodationEntry:
    return rules.AccommodationEntry(
        letter=data.letter,
        started_on=data.started_on,
        suitable=data.suitable,
        date_of_birth=date_of_birth,
        ended_on=data.ended_on,
        provider=data.provider,
        unsuitable_reason=data.unsuitable_reason,
        suitable_reason=data.suitable_reason,
        registered=data.registered,
    )


def accommodation_problems(
    data: AccommodationInput, today: date, date_of_birth: date
) -> list[rules.Problem]:
    """Every reason the entry is refused (structured: field, source, message)."""
    return rules.entry_problems(_entry(data, date_of_birth), today)


def _close_previous(
    session: Session,
    model: type[AccommodationPeriod] | type[ActivityPeriod],
    person_id: int,
    start: date,
    end: date | None = None,
) -> list[int]:
    """End the open period that began before ``start`` on the night before it (its last
    night); refuse a new period that starts on or before the latest start, or that shares
    a night with a period already ended."""
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
            period.ended_on = rules.last_night_before(start)
            closed.append(period.id)
            continue
        clash = rules.overlap_problem(start, end, period.started_on, period.ended_on)
        if clash is not None:
            raise ValidationFailed([str(clash)])
    return closed


def _changes_for(kind: AccommodationType) -> list[Change]:
    changes = [Change.NEW_ACCOMMODATION]
    if kind is AccommodationType.parse("S"):
        changes.append(Change.HOMELESSNESS)
    if kind is AccommodationType.parse("X"):
        changes.append(Change.CUSTODY)
    return changes


def add_accommodation(
    db: Database,
    actor: Actor,
    person_id: int,
    data: AccommodationInput,
    *,
    now: datetime,
    latest: Latest | None = None,
) -> Changed:
    """A new period of accommodation; it ends the open one the night before it starts.
    ``latest``: the latest period the screen showed (see :class:`Latest`)."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        _still_latest(
            session,
            AccommodationPeriod,
            person_id,
            latest,
            record_type="accommodation",
            what="accommodation",
        )
        dob = session.scalar(select(YoungPerson.date_of_birth).where(YoungPerson.id == person_id))
        if dob is None:
            raise NotFound("That young person's record does not exist.")
        problems = accommodation_problems(data, local_today(now), dob)
        if problems:
            raise ValidationFailed([str(p) for p in problems])
        kind = AccommodationType.parse(data.letter)
        registered = (
            data.registered if rules.needs_registration(kind.value, dob, data.started_on) else None
        )
        closed = _close_previous(
            session, AccommodationPeriod, person_id, data.started_on, data.ended_on
        )
        period = AccommodationPeriod(
            young_person_id=person_id,
            letter=kind.value,
            started_on=data.started_on,
            ended_on=data.ended_on,
            provider=data.provider.strip(),
            suitable=data.suitable,
            unsuitable_reason=data.unsuitable_reason.strip(),
            council_provided=data.council_provided,
            suitable_reason=data.suitable_reason.strip(),
            registered=registered,
            recorded_by=actor.user_id,
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
            fields=[
                "letter",
                "started_on",
                "suitable",
                "provider",
                "council_provided",
                "suitable_reason",
                "registered",
            ],
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
    db: Database,
    actor: Actor,
    person_id: int,
    period_id: int,
    note: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """A team lead's review of bed and breakfast, emergency, unknown or homeless
    accommodation. Until one is recorded the period stays highlighted, and bed and
    breakfast recorded as suitable does not count as suitable. Whoever recorded the
    period never reviews it (separation of duties, ``may_approve``: a review is a second
    pair of eyes)."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.REVIEW_AS_TEAM_LEAD, now)
        authors = audit.writers(
            session, "accommodation", period_id, excluding=("review_accommodation",)
        )
        recorder = session.scalar(
            select(AccommodationPeriod.recorded_by).where(AccommodationPeriod.id == period_id)
        )
        if recorder is not None:
            authors = {*authors, recorder}
        check_approver(
            session,
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
        period = session.get(AccommodationPeriod, period_id)
        if period is None or period.young_person_id != person_id:
            raise NotFound("That accommodation period no longer exists.")
        concurrency.expect(
            session, period, expected_version, record_type="accommodation", what="accommodation"
        )
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


def date_of_birth(db: Database, actor: Actor, person_id: int, *, now: datetime) -> date:
    """The young person's date of birth, which the accommodation rules depend on."""
    _check(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        dob = session.scalar(select(YoungPerson.date_of_birth).where(YoungPerson.id == person_id))
    if dob is None:
        raise NotFound("That young person's record does not exist.")
    return dob


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
                    p.suitable_reason,
                    p.registered,
                    names.get(p.recorded_by) if p.recorded_by else None,
                    p.recorded_by,
                    version=p.version,
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
    latest: Latest | None = None,
) -> Changed:
    """A new period of education, employment or training; it ends the open one the day
    before it starts. ``latest``: the latest period the screen showed (see
    :class:`Latest`)."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        _still_latest(
            session, ActivityPeriod, person_id, latest, record_type="activity", what="activity"
        )
        problems = []
        try:
            activity = Activity.parse(code)
        except UnknownCode as exc:
            raise ValidationFailed([f"code: {exc}"]) from None
        if activity.value == "0":
            problems.append(
                "code: '0' (not applicable) is only for a return about a young person who has died "
                "or returned home (SSDA903 rule 344); a young person in touch always has an "
                "activity (SSDA903 rule 345). Choose what they are doing."
            )
        if started_on > local_today(now):
            problems.append("started_on: the start date is in the future")
        if ended_on is not None and ended_on < started_on:
            problems.append("ended_on: the end date is before the start date")
        if problems:
            raise ValidationFailed(problems)
        closed = _close_previous(session, ActivityPeriod, person_id, started_on, ended_on)
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
            ActivityView(
                a.id, Activity.parse(a.code), a.started_on, a.ended_on, a.detail, a.version
            )
            for a in session.scalars(stmt)
        ]
