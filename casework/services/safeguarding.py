"""Allegations, risk screenings, missing episodes and referrals out: every one has a clock,
an owner and a required outcome, and none can quietly disappear."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import local_today, to_local, to_naive_utc
from casework.config import council_rules, front_door_rules
from casework.db.database import Database
from casework.db.models import (
    Allegation,
    MissingEpisode,
    RiskScreening,
    ServiceReferral,
    User,
    YoungPerson,
)
from casework.domain import front_door as rules
from casework.domain.codes import AllegationOutcome, CodeList, UnknownCode
from casework.errors import NotFound, Problem, ValidationFailed
from casework.services import audit, concurrency
from casework.services.common import Changed, add_audited, check_approver
from casework.services.people import check_on_person, relation_of, require_on_person
from casework.services.permissions import (
    Action,
    Actor,
    Relation,
    Role,
    allowed,
    denial_message,
    may_approve,
)


def _problems(found: list[rules.Problem]) -> list[str | Problem]:
    return [Problem.worded(p.field, p.message) for p in found]


def _code(kind: type[CodeList], value: str, name: str) -> list[str | Problem]:
    try:
        kind.parse(value)
    except UnknownCode as exc:
        return [
            Problem(
                name, str(exc), value=repr(exc.value), expected=", ".join(exc.allowed), choice=True
            )
        ]
    return []


def _names(session: object) -> dict[int, str]:
    return {uid: n for uid, n in session.execute(select(User.id, User.display_name))}  # type: ignore[attr-defined]


# --- allegations ------------------------------------------------------------------------


@dataclass(frozen=True)
class AllegationInput:
    subject_role: str
    received_at: datetime
    details: str
    subject_description: str = ""
    lado_notified_at: datetime | None = None
    strategy_meeting_at: datetime | None = None
    police_involved: bool = False
    actions: str = ""
    strategy_criteria_met: bool | None = None  # the LADO's decision; None: not yet made
    strategy_not_required_reason: str = ""


@dataclass(frozen=True)
class AllegationView:
    id: int
    subject_role: rules.AllegationSubjectRole
    subject_description: str
    received_at: datetime
    details: str
    lado_due: date
    lado_notified_at: datetime | None
    strategy_meeting_due: datetime
    strategy_meeting_at: datetime | None
    police_involved: bool
    actions: str
    outcome: str | None
    outcome_rationale: str
    outcome_by: str | None
    outcome_on: date | None
    strategy_criteria_met: bool | None = None
    strategy_not_required_reason: str = ""
    stage: rules.AllegationStage | None = None  # while open: against KCSIE's expectations
    version: int = 1  # the row's version as read: a change to it passes it back

    @property
    def open(self) -> bool:
        return self.outcome is None

    @property
    def strategy_meeting_owed(self) -> bool:
        """The LADO found the criteria met and the meeting has not been held."""
        return rules.strategy_meeting_open(self.strategy_criteria_met, self.strategy_meeting_at)


def record_allegation(
    db: Database, actor: Actor, person_id: int, data: AllegationInput, *, now: datetime
) -> Changed:
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _code(rules.AllegationSubjectRole, data.subject_role, "subject_role")
        if not data.details.strip():
            problems.append("details: record what is alleged")
        if to_naive_utc(data.received_at) > to_naive_utc(now):
            problems.append("received_at: the time it was received is in the future")
        problems += _problems(
            rules.strategy_decision_problems(
                data.strategy_criteria_met,
                data.strategy_not_required_reason,
                data.strategy_meeting_at,
            )
        )
        if problems:
            raise ValidationFailed(problems)
        row = Allegation(
            young_person_id=person_id,
            subject_role=rules.AllegationSubjectRole.parse(data.subject_role).value,
            subject_description=data.subject_description.strip(),
            received_at=to_naive_utc(data.received_at),
            details=data.details.strip(),
            lado_notified_at=to_naive_utc(data.lado_notified_at) if data.lado_notified_at else None,
            strategy_meeting_at=(
                to_naive_utc(data.strategy_meeting_at) if data.strategy_meeting_at else None
            ),
            police_involved=data.police_involved,
            actions=data.actions.strip(),
            strategy_criteria_met=rules.strategy_criteria_after(
                data.strategy_criteria_met, data.strategy_meeting_at
            ),
            strategy_not_required_reason=data.strategy_not_required_reason.strip(),
            recorded_by=actor.user_id,
        )
        return add_audited(
            session,
            actor,
            row,
            "record_allegation",
            now=now,
            record_type="allegation",
            fields=["subject_role", "received_at", "details"],
        )


def update_allegation(
    db: Database,
    actor: Actor,
    allegation_id: int,
    *,
    lado_notified_at: datetime | None,
    strategy_meeting_at: datetime | None,
    police_involved: bool,
    actions: str,
    strategy_criteria_met: bool | None = None,
    strategy_not_required_reason: str = "",
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Progress while it is open: when the LADO was told, the LADO's decision on a strategy
    meeting (criteria met, or not required with the reason), the meeting, police."""
    row_person = _allegation_person(db, allegation_id)
    with db.unit_of_work() as session:
        check_on_person(session, actor, row_person, Action.EDIT_RECORD, now)
        problems = _problems(
            rules.strategy_decision_problems(
                strategy_criteria_met, strategy_not_required_reason, strategy_meeting_at
            )
        )
        if problems:
            raise ValidationFailed(problems)
        row = session.get(Allegation, allegation_id)
        assert row is not None
        _allegation_as_shown(session, row, expected_version)
        row.lado_notified_at = to_naive_utc(lado_notified_at) if lado_notified_at else None
        row.strategy_meeting_at = to_naive_utc(strategy_meeting_at) if strategy_meeting_at else None
        row.police_involved, row.actions = police_involved, actions.strip()
        row.strategy_criteria_met = rules.strategy_criteria_after(
            strategy_criteria_met, strategy_meeting_at
        )
        row.strategy_not_required_reason = strategy_not_required_reason.strip()
        audit.record(
            session,
            actor,
            "update_allegation",
            now=now,
            record_type="allegation",
            record_id=row.id,
            fields=[
                "lado_notified_at",
                "strategy_criteria_met",
                "strategy_not_required_reason",
                "strategy_meeting_at",
                "police_involved",
                "actions",
            ],
        )
        return Changed("allegation", (row.id,))


def _allegation_as_shown(session: Session, row: Allegation, expected_version: int | None) -> None:
    """The allegation is as the screen showed it and still open; an outcome someone else
    recorded meanwhile is named, never overwritten."""
    concurrency.expect(session, row, expected_version, record_type="allegation", what=_ALLEGATION)
    if row.outcome is not None:
        if row.version <= 1:
            raise ValidationFailed(["This allegation has an outcome and is finished."])
        raise concurrency.conflict(
            session,
            row,
            record_type="allegation",
            what=_ALLEGATION,
            detail="It has an outcome and is finished.",
        )


_ALLEGATION = "allegation"


def _allegation_person(db: Database, allegation_id: int) -> int:
    with db.reading() as session:
        row = session.get(Allegation, allegation_id)
        if row is None:
            raise NotFound("That allegation no longer exists.")
        return row.young_person_id


def close_allegation(
    db: Database,
    actor: Actor,
    allegation_id: int,
    outcome: str,
    rationale: str,
    decided_on: date,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Record the outcome (one of the five), its rationale, who decided and when."""
    person = _allegation_person(db, allegation_id)
    with db.unit_of_work() as session:
        check_on_person(session, actor, person, Action.DECIDE_FRONT_DOOR, now)
        row = session.get(Allegation, allegation_id)
        assert row is not None
        _allegation_as_shown(session, row, expected_version)
        problems = _problems(
            rules.allegation_close_problems(
                outcome,
                rationale,
                actor.user_id,
                decided_on,
                local_today(now),
                received_on=to_local(row.received_at).date(),
            )
        )
        if problems:
            raise ValidationFailed(problems)
        row.outcome = AllegationOutcome.parse(outcome).value
        row.outcome_rationale, row.outcome_by, row.outcome_on = (
            rationale.strip(),
            actor.user_id,
            decided_on,
        )
        audit.record(
            session,
            actor,
            "close_allegation",
            now=now,
            record_type="allegation",
            record_id=row.id,
            fields=["outcome", "outcome_rationale", "outcome_by", "outcome_on"],
        )
        return Changed("allegation", (row.id,), ("outcome",))


def list_allegations(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[AllegationView]:
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    calendar = council_rules().calendar
    today = local_today(now)
    with db.reading() as session:
        names = _names(session)
        rows = session.scalars(
            select(Allegation)
            .where(Allegation.young_person_id == person_id)
            .order_by(Allegation.received_at.desc())
        )
        return [
            AllegationView(
                a.id,
                rules.AllegationSubjectRole.parse(a.subject_role),
                a.subject_description,
                a.received_at,
                a.details,
                rules.lado_notification_due(to_local(a.received_at), calendar),
                a.lado_notified_at,
                rules.strategy_meeting_due(
                    to_local(a.received_at), front_door_rules().strategy_meeting_hours
                ),
                a.strategy_meeting_at,
                a.police_involved,
                a.actions,
                a.outcome,
                a.outcome_rationale,
                names.get(a.outcome_by) if a.outcome_by else None,
                a.outcome_on,
                a.strategy_criteria_met,
                a.strategy_not_required_reason,
                rules.allegation_stage(to_local(a.received_at), today)
                if a.outcome is None
                else None,
                version=a.version,
            )
            for a in rows
        ]


# --- risk screenings --------------------------------------------------------------------


@lru_cache(maxsize=1)
def indicators() -> dict[str, tuple[str, ...]]:
    """The indicators offered for each risk type (``resources/risk_indicators.toml``)."""
    text = files("casework_resources").joinpath("risk_indicators.toml").read_text("utf-8")
    data = tomllib.loads(text)["indicators"]
    return {kind.value: tuple(data.get(kind.value, ())) for kind in rules.RiskType}


@dataclass(frozen=True)
class RiskInput:
    risk_type: str
    level: str
    reasoning: str
    screened_on: date
    indicators: tuple[str, ...] = ()
    review_on: date | None = None


@dataclass(frozen=True)
class RiskView:
    id: int
    risk_type: rules.RiskType
    level: rules.RiskLevel
    indicators: tuple[str, ...]
    reasoning: str
    screened_on: date
    review_on: date | None
    screened_by: str
    signed_off_by: str | None
    signed_off_on: date | None
    lowered_from: rules.RiskLevel | None = None
    # Why the person viewing may not sign it off (not a team lead, the case is closed, or
    # they screened or changed it: separation of duties, ``may_approve``); None when they
    # may, or when nothing awaits sign-off.
    sign_off_refusal: str | None = None
    version: int = 1  # the row's version as read: a change to it passes it back

    @property
    def awaiting_sign_off(self) -> bool:
        """High, or lowered from medium or high, and not yet signed off by a team lead."""
        needs = self.level.needs_sign_off or self.lowered_from is not None
        return needs and self.signed_off_on is None

    @property
    def may_sign_off(self) -> bool:
        """Awaiting sign-off, and the person viewing may give it."""
        return self.awaiting_sign_off and self.sign_off_refusal is None

    @property
    def open(self) -> bool:
        return self.level.needs_review_within_weeks


def screen_risk(
    db: Database, actor: Actor, person_id: int, data: RiskInput, *, now: datetime
) -> Changed:
    """Record a screening. A high one waits for a team lead's sign-off and shows as such;
    whoever screened it (a team lead included) never signs it off themselves. A screening
    that lowers the latest medium or high level of its type also waits for a team lead's
    sign-off, by someone other than whoever lowered it (exploitation oversight; local
    practice on managers' oversight under Working Together 2023)."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _code(rules.RiskType, data.risk_type, "risk_type")
        if not problems:
            allowed = indicators()[rules.RiskType.parse(data.risk_type).value]
            review_on = data.review_on
            if review_on is None and not _code(rules.RiskLevel, data.level, "level"):
                review_on = rules.risk_review_due(
                    data.screened_on, rules.RiskLevel.parse(data.level)
                )
            found = rules.risk_screening_problems(
                data.level,
                data.reasoning,
                data.indicators,
                review_on,
                True,
                screened_on=data.screened_on,
                allowed_indicators=allowed,
            )
            problems += _problems(found)
        if data.screened_on > local_today(now):
            problems.append("screened_on: the date is in the future")
        if problems:
            raise ValidationFailed(problems)
        level = rules.RiskLevel.parse(data.level)
        kind = rules.RiskType.parse(data.risk_type).value
        previous = session.scalar(
            select(RiskScreening.level)
            .where(
                RiskScreening.young_person_id == person_id,
                RiskScreening.risk_type == kind,
                RiskScreening.screened_on <= data.screened_on,
            )
            .order_by(RiskScreening.screened_on.desc(), RiskScreening.id.desc())
            .limit(1)
        )
        lowered = rules.lowering_needs_sign_off(previous, level)
        row = RiskScreening(
            young_person_id=person_id,
            risk_type=rules.RiskType.parse(data.risk_type).value,
            level=level.value,
            indicators="\n".join(data.indicators),
            reasoning=data.reasoning.strip(),
            screened_on=data.screened_on,
            review_on=data.review_on or rules.risk_review_due(data.screened_on, level),
            screened_by=actor.user_id,
            signed_off_by=None,  # another team lead signs it off (separation of duties)
            signed_off_on=None,
            lowered_from=previous if lowered else None,
        )
        return add_audited(
            session,
            actor,
            row,
            "screen_risk",
            now=now,
            record_type="risk_screening",
            fields=["risk_type", "level", "indicators", "reasoning", "review_on", "lowered_from"],
        )


def _screening_authors(session: Session, row: RiskScreening) -> set[int | None]:
    """Everyone who screened or changed a screening: none of them may sign it off."""
    return {row.screened_by} | audit.writers(
        session, "risk_screening", row.id, excluding=("sign_off_risk",)
    )


def sign_off_refusal(
    actor: Actor, relation: Relation, closed: bool, authors: set[int | None]
) -> str | None:
    """Why ``actor`` may not sign off a screening written by ``authors`` (the same rules
    :func:`sign_off_risk` enforces), or None when they may."""
    if actor.role is not Role.TEAM_LEAD:
        return "Only a team lead signs off a risk screening: ask your team lead."
    if not allowed(actor.role, Action.REVIEW_AS_TEAM_LEAD, relation):
        return denial_message(actor.role, Action.REVIEW_AS_TEAM_LEAD, relation)
    if closed:
        return "The case is closed: reopen it to sign off a risk screening."
    if not may_approve(authors, actor.user_id):
        return (
            "You screened or changed this risk, so another team lead must sign it off "
            "(separation of duties)."
        )
    return None


def sign_off_risk(
    db: Database,
    actor: Actor,
    screening_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """A team lead signs off a high risk screening; never the one who screened it
    (separation of duties, ``may_approve``)."""
    with db.unit_of_work() as session:
        row = session.get(RiskScreening, screening_id)
        if row is None:
            raise NotFound("That risk screening no longer exists.")
        check_on_person(session, actor, row.young_person_id, Action.REVIEW_AS_TEAM_LEAD, now)
        check_approver(
            session,
            actor,
            _screening_authors(session, row),
            what="this risk screening",
            action="sign_off_risk",
            now=now,
            record_type="risk_screening",
            record_id=screening_id,
        )
        concurrency.expect(
            session, row, expected_version, record_type="risk_screening", what="risk screening"
        )
        if row.signed_off_on is not None:  # another team lead signed it off first
            raise concurrency.conflict(
                session, row, record_type="risk_screening", what="risk screening"
            )
        row.signed_off_by, row.signed_off_on = actor.user_id, local_today(now)
        audit.record(
            session,
            actor,
            "sign_off_risk",
            now=now,
            record_type="risk_screening",
            record_id=row.id,
            fields=["signed_off_by", "signed_off_on"],
        )
        return Changed("risk_screening", (row.id,), ("signed_off_on",))


def list_risks(db: Database, actor: Actor, person_id: int, *, now: datetime) -> list[RiskView]:
    """Every screening, newest first; each awaiting sign-off says whether ``actor`` may
    give it, and if not, why."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    relation = relation_of(db, actor, person_id)
    with db.reading() as session:
        names = _names(session)
        closed = session.scalar(select(YoungPerson.closed_on).where(YoungPerson.id == person_id))
        rows = list(
            session.scalars(
                select(RiskScreening)
                .where(RiskScreening.young_person_id == person_id)
                .order_by(RiskScreening.screened_on.desc(), RiskScreening.id.desc())
            )
        )

        def refusal(r: RiskScreening) -> str | None:
            needs = rules.RiskLevel.parse(r.level).needs_sign_off or r.lowered_from is not None
            if not needs or r.signed_off_on is not None:
                return None
            authors = _screening_authors(session, r)
            return sign_off_refusal(actor, relation, closed is not None, authors)

        return [
            RiskView(
                r.id,
                rules.RiskType.parse(r.risk_type),
                rules.RiskLevel.parse(r.level),
                tuple(i for i in r.indicators.split("\n") if i),
                r.reasoning,
                r.screened_on,
                r.review_on,
                names.get(r.screened_by, "?"),
                names.get(r.signed_off_by) if r.signed_off_by else None,
                r.signed_off_on,
                rules.RiskLevel.parse(r.lowered_from) if r.lowered_from else None,
                refusal(r),
                version=r.version,
            )
            for r in rows
        ]


def current_risks(views: list[RiskView]) -> list[RiskView]:
    """The latest screening of each type that is medium or high: the open risks."""
    latest: dict[rules.RiskType, RiskView] = {}
    for view in views:  # newest first
        latest.setdefault(view.risk_type, view)
    return [v for v in latest.values() if v.open]


# --- missing episodes -------------------------------------------------------------------


@dataclass(frozen=True)
class MissingInput:
    started_at: datetime
    ended_at: datetime | None = None
    reported_to_police: bool = False
    interview_offered_at: datetime | None = None
    interview_accepted: bool | None = None
    learned: str = ""
    interview_held_at: datetime | None = None


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else to_local(value)


def save_missing(
    db: Database,
    actor: Actor,
    person_id: int,
    data: MissingInput,
    *,
    episode_id: int | None = None,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Record a missing episode, or update it (return, return interview offered and held).
    The interview is held within 72 hours of the return (statutory guidance on children who
    run away or go missing from home or care, 2014); a late one is recorded as it
    happened, and shown late."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        found = rules.missing_episode_problems(
            _aware(data.started_at),
            _aware(data.ended_at),
            data.reported_to_police,
            _aware(data.interview_offered_at),
            now=to_local(now),
        )
        # An episode is saved while it is open and before the interview is offered; only the
        # finished-episode checks (closure) insist on the return and the offer.
        pending = ("end", "interview_offered_at")
        problems: list[str | Problem] = [
            Problem.worded(p.field, p.message)
            for p in found
            if not (p.field in pending and "record when" in p.message)
        ]
        held = _aware(data.interview_held_at)
        if held is not None:
            returned = _aware(data.ended_at)
            if returned is None:
                problems.append("interview_held_at: record the return before the return interview")
            elif held < returned:
                problems.append("interview_held_at: the interview is before the return")
            if held > to_local(now):
                problems.append("interview_held_at: the time given is in the future")
            if data.interview_accepted is False:
                problems.append(
                    "interview_accepted: an interview that was held was not declined; "
                    "untick 'declined' or clear the time held"
                )
        if problems:
            raise ValidationFailed(problems)
        row = session.get(MissingEpisode, episode_id) if episode_id else None
        if episode_id and (row is None or row.young_person_id != person_id):
            raise NotFound("That missing episode no longer exists.")
        if row is not None:
            concurrency.expect(
                session,
                row,
                expected_version,
                record_type="missing_episode",
                what="missing episode",
            )
        if row is None:
            row = MissingEpisode(young_person_id=person_id, recorded_by=actor.user_id)
            session.add(row)
        row.started_at = to_naive_utc(data.started_at)
        row.ended_at = to_naive_utc(data.ended_at) if data.ended_at else None
        row.reported_to_police = data.reported_to_police
        row.interview_offered_at = (
            to_naive_utc(data.interview_offered_at) if data.interview_offered_at else None
        )
        row.interview_accepted, row.learned = data.interview_accepted, data.learned.strip()
        row.interview_held_at = (
            to_naive_utc(data.interview_held_at) if data.interview_held_at else None
        )
        session.flush()
        audit.record(
            session,
            actor,
            "save_missing",
            now=now,
            record_type="missing_episode",
            record_id=row.id,
            fields=[
                "started_at",
                "ended_at",
                "reported_to_police",
                "interview_offered_at",
                "interview_held_at",
                "learned",
            ],
        )
        return Changed("missing_episode", (row.id,))


@dataclass(frozen=True)
class MissingView:
    id: int
    started_at: datetime
    ended_at: datetime | None
    reported_to_police: bool
    interview_due: datetime | None
    interview_offered_at: datetime | None
    interview_in_time: bool | None
    interview_accepted: bool | None
    learned: str
    interview_held_at: datetime | None = None
    interview_held_in_time: bool | None = None
    version: int = 1  # the row's version as read: a change to it passes it back

    @property
    def still_missing(self) -> bool:
        return self.ended_at is None

    @property
    def interview_owed(self) -> bool:
        """Returned, and no interview held or declined."""
        return rules.return_interview_open(
            self.ended_at, self.interview_held_at, self.interview_accepted is False
        )


def list_missing(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> tuple[list[MissingView], int]:
    """Every episode, newest first, and how many started in the last 12 months."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        rows = list(
            session.scalars(
                select(MissingEpisode)
                .where(MissingEpisode.young_person_id == person_id)
                .order_by(MissingEpisode.started_at.desc())
            )
        )
    views = []
    for r in rows:
        returned = to_local(r.ended_at) if r.ended_at else None
        offered = to_local(r.interview_offered_at) if r.interview_offered_at else None
        held = to_local(r.interview_held_at) if r.interview_held_at else None
        views.append(
            MissingView(
                r.id,
                r.started_at,
                r.ended_at,
                r.reported_to_police,
                rules.return_interview_due(returned) if returned else None,
                r.interview_offered_at,
                rules.return_interview_in_time(returned, offered) if returned and offered else None,
                r.interview_accepted,
                r.learned,
                r.interview_held_at,
                rules.return_interview_held_in_time(returned, held) if returned and held else None,
                version=r.version,
            )
        )
    count = rules.missing_episodes_in_last_12_months([r.started_at for r in rows], local_today(now))
    return views, count


# --- referrals out ----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceReferralView:
    id: int
    service: rules.ServiceType
    organisation: str
    sent_on: date
    expected_by: date | None
    status: rules.ServiceReferralStatus
    reason: str
    outcome: str
    chase_due: date | None
    version: int = 1  # the row's version as read: a change to it passes it back

    @property
    def open(self) -> bool:
        return not self.status.final


def send_referral_out(
    db: Database,
    actor: Actor,
    person_id: int,
    service: str,
    organisation: str,
    sent_on: date,
    expected_by: date | None,
    *,
    now: datetime,
) -> Changed:
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now)
        problems = _code(rules.ServiceType, service, "service")
        if sent_on > local_today(now):
            problems.append("sent_on: the date is in the future")
        if expected_by is not None and expected_by < sent_on:
            problems.append("expected_by: before the referral was sent")
        if problems:
            raise ValidationFailed(problems)
        row = ServiceReferral(
            young_person_id=person_id,
            service=rules.ServiceType.parse(service).value,
            organisation=organisation.strip(),
            sent_on=sent_on,
            expected_by=expected_by,
            recorded_by=actor.user_id,
        )
        return add_audited(
            session,
            actor,
            row,
            "send_referral_out",
            now=now,
            record_type="service_referral",
            fields=["service", "organisation", "sent_on", "expected_by"],
        )


def update_referral_out(
    db: Database,
    actor: Actor,
    referral_id: int,
    status: str,
    *,
    reason: str = "",
    outcome: str = "",
    chased_on: date | None = None,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Move a referral out along (acknowledged, accepted ...), record a chase, or finish it:
    declined needs the reason, completed or withdrawn the outcome."""
    with db.reading() as session:
        row = session.get(ServiceReferral, referral_id)
        if row is None:
            raise NotFound("That referral out no longer exists.")
        person = row.young_person_id
    with db.unit_of_work() as session:
        check_on_person(session, actor, person, Action.EDIT_RECORD, now)
        problems = _code(rules.ServiceReferralStatus, status, "status")
        if not problems and rules.ServiceReferralStatus.parse(status).final:
            # Moving along (acknowledged, accepted) needs nothing; finishing needs its outcome.
            problems = _problems(rules.service_referral_close_problems(status, outcome, reason))
        if chased_on is not None and chased_on > local_today(now):
            problems.append("chased_on: the date is in the future")
        if problems:
            raise ValidationFailed(problems)
        row = session.get(ServiceReferral, referral_id)
        assert row is not None
        what = "referral out"
        concurrency.expect(
            session, row, expected_version, record_type="service_referral", what=what
        )
        if rules.ServiceReferralStatus.parse(row.status).final:
            if row.version <= 1:
                raise ValidationFailed(["This referral out is finished and can no longer change."])
            raise concurrency.conflict(
                session,
                row,
                record_type="service_referral",
                what=what,
                detail="It is finished and can no longer change.",
            )
        row.status = rules.ServiceReferralStatus.parse(status).value
        row.reason, row.outcome = reason.strip(), outcome.strip()
        if chased_on is not None:
            row.last_chased_on = chased_on
        audit.record(
            session,
            actor,
            "update_referral_out",
            now=now,
            record_type="service_referral",
            record_id=row.id,
            fields=["status", "reason", "outcome", "last_chased_on"],
        )
        return Changed("service_referral", (row.id,), ("status",))


def list_referrals_out(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[ServiceReferralView]:
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        rows = session.scalars(
            select(ServiceReferral)
            .where(ServiceReferral.young_person_id == person_id)
            .order_by(ServiceReferral.sent_on.desc())
        )
        out = []
        for r in rows:
            status = rules.ServiceReferralStatus.parse(r.status)
            chase = (
                None
                if status.final
                else rules.service_referral_chase_due(
                    r.sent_on, r.expected_by, last_chased_on=r.last_chased_on
                )
            )
            out.append(
                ServiceReferralView(
                    r.id,
                    rules.ServiceType.parse(r.service),
                    r.organisation,
                    r.sent_on,
                    r.expected_by,
                    status,
                    r.reason,
                    r.outcome,
                    chase,
                    version=r.version,
                )
            )
        return out
