"""The front door: concerns received about a young person and referrals, each with a
decision due within one working day, made by a team lead with a rationale, and a queue
ordered by deadline. At the point of decision the worker sees the history: earlier
contacts and referrals in the last 12 months and whether the concerns are repeating.

A contact that becomes a referral keeps its receipt time and factors: the referral's
clocks run from when the concern first reached the council (Working Together to Safeguard
Children 2023, chapter 2). A referral that proceeds to assessment (including a strategy
discussion and section 47 enquiry) has 45 working days from that receipt until a team
lead authorises the assessment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from casework.clock import local_today, to_local, to_naive_utc
from casework.config import council_rules, front_door_rules
from casework.db.database import Database
from casework.db.models import Allegation, Referral, SafeguardingContact, YoungPerson
from casework.domain import front_door as rules
from casework.domain.calendar import age_on
from casework.domain.codes import AssessmentFactor, ReferralSource, UnknownCode
from casework.errors import NotFound, Problem, ValidationFailed
from casework.services import audit, concurrency
from casework.services.common import (
    Changed,
    add_audited,
    check_approver,
    checked_reading,
    require_current,
)
from casework.services.due_front_door import OpenRisk, open_risks
from casework.services.people import check_on_person, require_on_person
from casework.services.permissions import CASE_ROLES, Action, Actor

MAX_TEXT = 20_000


@dataclass(frozen=True)
class ConcernInput:
    received_at: datetime  # aware, or naive UTC
    source: str  # CIN referral source code
    reported: str
    referrer_name: str = ""
    referrer_contact: str = ""
    factors: tuple[str, ...] = ()  # CIN assessment factor codes
    already_known: bool = True


@dataclass(frozen=True)
class QueueItem:
    kind: str  # "contact" or "referral"
    id: int
    young_person_id: int
    name: str
    child_uid: str
    received_at: datetime
    due: date
    overdue: bool
    time_left: str
    source: str
    repeat_alert: bool = False
    time_left_shown: str = ""  # the core's words as a queue shows them ("OVERDUE by 2 days")
    reported: str = ""  # what the concern or referral says, as recorded (its first line)


@dataclass(frozen=True)
class DecisionHistory:
    """What the decision-maker must see first."""

    contacts_12_months: int
    referrals_12_months: int
    re_referral: bool
    repeat_alert: str | None
    open_risks: tuple[OpenRisk, ...] = ()
    open_allegations: int = 0


@dataclass(frozen=True)
class ItemDetail:
    """What was received: shown in full before anyone decides."""

    kind: str
    id: int
    young_person_id: int
    received_at: datetime
    source: str
    text: str
    referrer_name: str
    referrer_contact: str
    factors: tuple[str, ...]
    version: int = 1  # as read: the decision passes it back, so one made meanwhile is named


def _concern_problems(data: ConcernInput, now: datetime) -> list[str]:
    problems = []
    try:
        ReferralSource.parse(data.source)
    except UnknownCode as exc:
        problems.append(f"source: {exc}")
    for code in data.factors:
        try:
            AssessmentFactor.parse(code)
        except UnknownCode as exc:
            problems.append(f"factors: {exc}")
    if not data.reported.strip():
        problems.append("reported: record what was reported, in the referrer's words")
    if len(data.reported) > MAX_TEXT:
        problems.append(f"reported: the text is longer than {MAX_TEXT} characters")
    if to_naive_utc(data.received_at) > to_naive_utc(now) + timedelta(minutes=10):
        problems.append("received_at: the time it was received is in the future")
    return problems


def record_concern(
    db: Database, actor: Actor, person_id: int, data: ConcernInput, *, now: datetime
) -> Changed:
    """Record a safeguarding contact received about a young person; its clock starts."""
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.EDIT_RECORD, now, closed_ok=True)
        problems = _concern_problems(data, now)
        if problems:
            raise ValidationFailed(problems)
        row = SafeguardingContact(
            young_person_id=person_id,
            received_at=to_naive_utc(data.received_at),
            source=ReferralSource.parse(data.source).value,
            referrer_name=data.referrer_name,
            referrer_contact=data.referrer_contact,
            reported=data.reported.strip(),
            factors=",".join(AssessmentFactor.parse(c).value for c in data.factors),
            already_known=data.already_known,
            recorded_by=actor.user_id,
        )
        return add_audited(
            session,
            actor,
            row,
            "record_concern",
            now=now,
            record_type="safeguarding_contact",
            fields=["received_at", "source", "reported", "factors"],
        )


def decide_concern(
    db: Database,
    actor: Actor,
    contact_id: int,
    decision: str,
    rationale: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Record the decision (team leads). A decision to refer opens a referral."""
    with db.reading() as session:
        row = session.get(SafeguardingContact, contact_id)
        if row is None:
            raise NotFound("That contact no longer exists.")
        person_id, received = row.young_person_id, row.received_at
        person = session.get(YoungPerson, person_id)
        if person is None:
            raise NotFound("That young person's record does not exist.")
        dob = person.date_of_birth
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.DECIDE_FRONT_DOOR, now, closed_ok=True)
        on_receipt = age_on(dob, to_local(received).date())
        problems = rules.contact_decision_problems(decision, rationale, on_receipt)
        if problems:
            raise ValidationFailed([Problem.worded(p.field, p.message) for p in problems])
        chosen = rules.ContactDecision.parse(decision)
        moment = to_naive_utc(now)
        row = session.get(SafeguardingContact, contact_id)
        assert row is not None
        what = "contact"
        concurrency.expect(
            session, row, expected_version, record_type="safeguarding_contact", what=what
        )
        if row.decided_at is not None:  # decided by someone else meanwhile: theirs stands
            raise concurrency.conflict(session, row, record_type="safeguarding_contact", what=what)
        ids = [row.id]
        referral: Referral | None = None
        if chosen.creates_referral:
            referral = Referral(
                young_person_id=row.young_person_id,
                received_at=row.received_at,  # the clocks run from the contact's receipt
                source=row.source,
                reason=row.reported,
                factors=row.factors,
                recorded_by=actor.user_id,
            )
            session.add(referral)
            session.flush()
            row.referral_id = referral.id
        # The decision and its referral are one change of the contact (one version).
        row.decision, row.rationale = chosen.value, rationale.strip()
        row.decided_by, row.decided_at = actor.user_id, moment
        if referral is not None:
            audit.record(
                session,
                actor,
                "create_referral",
                now=now,
                record_type="referral",
                record_id=referral.id,
                fields=["received_at", "source", "reason", "factors"],
            )
            ids.append(referral.id)
        audit.record(
            session,
            actor,
            "decide_concern",
            now=now,
            record_type="safeguarding_contact",
            record_id=row.id,
            fields=["decision", "rationale", "decided_by", "decided_at"],
        )
        return Changed("safeguarding_contact", tuple(ids), ("decision",))


def decide_referral(
    db: Database,
    actor: Actor,
    referral_id: int,
    decision: str,
    rationale: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    with db.reading() as session:
        row = session.get(Referral, referral_id)
        if row is None:
            raise NotFound("That referral no longer exists.")
        person_id = row.young_person_id
    with db.unit_of_work() as session:
        check_on_person(session, actor, person_id, Action.DECIDE_FRONT_DOOR, now)
        problems = []
        try:
            chosen = rules.ReferralDecision.parse(decision)
        except UnknownCode as exc:
            problems.append(f"decision: {exc}")
        if not rationale.strip():
            problems.append("rationale: say why, so the decision can be audited")
        if problems:
            raise ValidationFailed(problems)
        row = session.get(Referral, referral_id)
        assert row is not None
        concurrency.expect(session, row, expected_version, record_type="referral", what="referral")
        if row.decided_at is not None:  # decided by someone else meanwhile: theirs stands
            raise concurrency.conflict(session, row, record_type="referral", what="referral")
        row.decision, row.rationale = chosen.value, rationale.strip()
        row.decided_by, row.decided_at = actor.user_id, to_naive_utc(now)
        audit.record(
            session,
            actor,
            "decide_referral",
            now=now,
            record_type="referral",
            record_id=row.id,
            fields=["decision", "rationale"],
        )
        return Changed("referral", (row.id,), ("decision",))


def decision_history(
    db: Database,
    actor: Actor,
    person_id: int,
    *,
    now: datetime,
    referral_id: int | None = None,
) -> DecisionHistory:
    """Earlier contacts and referrals in the last 12 months, any repeat alert, open risks
    and allegations without an outcome. ``re_referral`` follows the DfE Children in Need
    definition: a referral within 12 months of a previous *referral*; contacts that did not
    become referrals never count. When deciding a referral, pass its ``referral_id`` so it
    is not counted as its own previous referral."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    today = local_today(now)
    with db.reading() as session:
        contacts = list(
            session.scalars(
                select(SafeguardingContact.received_at).where(
                    SafeguardingContact.young_person_id == person_id
                )
            )
        )
        referral_rows = list(
            session.execute(
                select(Referral.id, Referral.received_at).where(
                    Referral.young_person_id == person_id
                )
            )
        )
        risks = open_risks(session, [person_id]).get(person_id, ())
        allegations = (
            session.scalar(
                select(func.count())
                .select_from(Allegation)
                .where(Allegation.young_person_id == person_id, Allegation.outcome.is_(None))
            )
            or 0
        )
    alert = _repeat_alert(contacts, to_naive_utc(now))
    referrals = [at for _, at in referral_rows]
    others = [to_local(at) for rid, at in referral_rows if rid != referral_id]
    this = next((to_local(at) for rid, at in referral_rows if rid == referral_id), None)
    return DecisionHistory(
        contacts_12_months=rules.referrals_in_last_12_months(contacts, today),
        referrals_12_months=rules.referrals_in_last_12_months(referrals, today),
        re_referral=rules.is_re_referral(others, this or today),
        repeat_alert=alert.message if alert else None,
        open_risks=risks,
        open_allegations=int(allegations),
    )


def item_detail(
    db: Database, actor: Actor, kind: str, item_id: int, *, now: datetime
) -> ItemDetail:
    """A contact's or referral's full details (checks the actor may see the record)."""
    model: Any = SafeguardingContact if kind == "contact" else Referral
    with db.reading() as session:
        row = session.get(model, item_id)
        if row is None:
            raise NotFound(f"That {kind} no longer exists.")
        person = row.young_person_id
    require_on_person(db, actor, person, Action.VIEW_RECORD, now)
    source = ReferralSource.parse(row.source).label
    factors = tuple(AssessmentFactor.parse(c).label for c in row.factors.split(",") if c)
    if kind == "contact":
        return ItemDetail(
            kind,
            row.id,
            person,
            row.received_at,
            source,
            row.reported,
            row.referrer_name,
            row.referrer_contact,
            factors,
            version=row.version,
        )
    return ItemDetail(
        kind,
        row.id,
        person,
        row.received_at,
        source,
        row.reason,
        "",
        "",
        factors,
        version=row.version,
    )


def _queue_rows(session: Any, model: Any, actor: Actor) -> list[Any]:
    said = model.reported if model is SafeguardingContact else model.reason
    return list(
        session.execute(
            select(
                model.id,
                model.young_person_id,
                model.received_at,
                model.source,
                said,
                YoungPerson.first_name,
                YoungPerson.last_name,
                YoungPerson.child_uid,
            )
            .join(YoungPerson, YoungPerson.id == model.young_person_id)
            .where(model.decided_at.is_(None), YoungPerson.team_id.in_(actor.team_ids))
        )
    )


def first_line(text: str | None, limit: int = 120) -> str:
    """The first non-empty line of what was reported, at most ``limit`` characters."""
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def queue(db: Database, actor: Actor, *, now: datetime) -> list[QueueItem]:
    """Contacts and referrals awaiting a decision in the actor's teams, soonest deadline
    first, with the time left in plain words."""
    if actor.role not in CASE_ROLES:
        require_current(db, actor, now=now)
        return []
    calendar = council_rules().calendar
    local_now = to_local(now)
    items = []
    with checked_reading(db, actor, None, now=now) as session:
        for kind, model, due_fn in (
            ("contact", SafeguardingContact, rules.contact_decision_due),
            ("referral", Referral, rules.referral_decision_due),
        ):
            for rid, pid, received, source, said, first, last, uid in _queue_rows(
                session, model, actor
            ):
                due = due_fn(to_local(received), calendar)  # the clock runs on UK days
                left = rules.time_left(due, local_now, calendar)
                items.append(
                    QueueItem(
                        kind,
                        rid,
                        pid,
                        f"{first} {last}",
                        uid,
                        received,
                        due,
                        left.overdue,
                        left.text,
                        ReferralSource.parse(source).label,
                        time_left_shown=left.shown,
                        reported=first_line(said),
                    )
                )
        alerts = _repeating(session, {i.young_person_id for i in items}, to_naive_utc(now))
    items = [replace(i, repeat_alert=i.young_person_id in alerts) for i in items]
    return sorted(items, key=lambda i: (i.due, i.received_at))


def _repeating(session: Any, person_ids: set[int], now: datetime) -> set[int]:
    """Young people whose concerns are repeating (the configured thresholds)."""
    times: dict[int, list[datetime]] = {}
    ids = sorted(person_ids)
    for start in range(0, len(ids), 900):
        stmt = select(SafeguardingContact.young_person_id, SafeguardingContact.received_at).where(
            SafeguardingContact.young_person_id.in_(ids[start : start + 900])
        )
        for pid, received in session.execute(stmt):
            times.setdefault(pid, []).append(received)
    return {pid for pid, seen in times.items() if _repeat_alert(seen, now)}


# --- after the decision: assessment, strategy discussion, section 47, ICPC ----------------


@dataclass(frozen=True)
class ReferralProgress:
    assessment_started_on: date | None = None
    child_seen: bool = False
    seen_alone: bool = False
    assessment_completed_on: date | None = None
    strategy_discussion_on: date | None = None
    s47_outcome: str = ""
    icpc_on: date | None = None
    icpc_not_required_reason: str = ""


@dataclass(frozen=True)
class ReferralView:
    id: int
    received_at: datetime
    source: str
    reason: str
    decision: str | None
    rationale: str
    decided_at: datetime | None
    progress: ReferralProgress
    authorised: bool
    assessment_due: date | None
    icpc_due: date | None
    authorised_on: date | None = None
    factors: tuple[str, ...] = ()
    version: int = 1  # as read: a change to it passes it back


def _progress_problems(p: ReferralProgress, today: date) -> list[str]:
    problems = []
    for name in (
        "assessment_started_on",
        "assessment_completed_on",
        "strategy_discussion_on",
        "icpc_on",
    ):
        value = getattr(p, name)
        if value is not None and value > today:
            problems.append(f"{name}: {value:%d/%m/%Y} is in the future")
    if p.assessment_completed_on and not p.assessment_started_on:
        problems.append("assessment_started_on: record when the assessment started")
    if (
        p.assessment_completed_on
        and p.assessment_started_on
        and p.assessment_completed_on < p.assessment_started_on
    ):
        problems.append("assessment_completed_on: before the assessment started")
    if p.seen_alone and not p.child_seen:
        problems.append("seen_alone: a young person seen alone was seen: tick 'seen' too")
    if p.assessment_completed_on and not p.child_seen:
        problems.append(
            "child_seen: an assessment is not complete without seeing the young "
            "person, or a recorded reason in the assessment"
        )
    if p.icpc_on and p.icpc_not_required_reason.strip():
        problems.append("icpc_not_required_reason: a conference was held; remove the reason")
    if (p.icpc_on or p.icpc_not_required_reason.strip()) and not p.strategy_discussion_on:
        problems.append("strategy_discussion_on: record the strategy discussion first")
    return problems


def record_progress(
    db: Database,
    actor: Actor,
    referral_id: int,
    progress: ReferralProgress,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    with db.reading() as session:
        row = session.get(Referral, referral_id)
        if row is None:
            raise NotFound("That referral no longer exists.")
        person = row.young_person_id
    with db.unit_of_work() as session:
        check_on_person(session, actor, person, Action.EDIT_RECORD, now)
        problems = _progress_problems(progress, local_today(now))
        if problems:
            raise ValidationFailed(problems)
        row = session.get(Referral, referral_id)
        assert row is not None
        concurrency.expect(session, row, expected_version, record_type="referral", what="referral")
        if row.decided_at is None:
            raise ValidationFailed(["Decide on the referral before recording what followed."])
        row.assessment_started_on = progress.assessment_started_on
        row.assessment_child_seen = progress.child_seen
        row.assessment_seen_alone = progress.seen_alone
        if row.assessment_completed_on != progress.assessment_completed_on:
            # a changed completion needs authorising again, and the clock runs until then
            row.assessment_authorised_by = None
            row.assessment_authorised_on = None
        row.assessment_completed_on = progress.assessment_completed_on
        row.strategy_discussion_on = progress.strategy_discussion_on
        row.s47_outcome = progress.s47_outcome.strip()
        row.icpc_on = progress.icpc_on
        row.icpc_not_required_reason = progress.icpc_not_required_reason.strip()
        audit.record(
            session,
            actor,
            "record_referral_progress",
            now=now,
            record_type="referral",
            record_id=row.id,
            fields=["assessment", "strategy_discussion_on", "s47_outcome", "icpc"],
        )
        return Changed("referral", (row.id,))


# Steps on a referral that do not author its assessment: deciding it and authorising it.
_NOT_AUTHORING = ("create_referral", "decide_referral", "authorise_assessment")


def authorise_assessment(
    db: Database,
    actor: Actor,
    referral_id: int,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """A team lead authorises a completed child and family assessment: the day of
    authorisation stops its 45-working-day clock (Working Together to Safeguard Children
    2023, chapter 2). Nobody who recorded any of it authorises it (separation of duties,
    ``may_approve``)."""
    with db.unit_of_work() as session:
        row = session.get(Referral, referral_id)
        if row is None:
            raise NotFound("That referral no longer exists.")
        check_on_person(session, actor, row.young_person_id, Action.REVIEW_AS_TEAM_LEAD, now)
        authors = audit.writers(session, "referral", referral_id, excluding=_NOT_AUTHORING)
        check_approver(
            session,
            actor,
            authors,
            what="this assessment",
            action="authorise_assessment",
            now=now,
            record_type="referral",
            record_id=referral_id,
        )
        concurrency.expect(session, row, expected_version, record_type="referral", what="referral")
        if row.assessment_completed_on is None:
            raise ValidationFailed(["The assessment is not recorded as completed yet."])
        if row.assessment_authorised_on is not None:  # someone else authorised it first
            raise concurrency.conflict(session, row, record_type="referral", what="referral")
        row.assessment_authorised_by = actor.user_id
        row.assessment_authorised_on = local_today(now)
        audit.record(
            session,
            actor,
            "authorise_assessment",
            now=now,
            record_type="referral",
            record_id=row.id,
            fields=["assessment_authorised_by", "assessment_authorised_on"],
        )
        return Changed("referral", (row.id,), ("assessment_authorised_by",))


def list_referrals(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[ReferralView]:
    """A young person's referrals, newest first, with their clocks."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    calendar = council_rules().calendar
    with db.reading() as session:
        rows = list(
            session.scalars(
                select(Referral)
                .where(Referral.young_person_id == person_id)
                .order_by(Referral.received_at.desc())
            )
        )
    out = []
    for r in rows:
        progress = ReferralProgress(
            r.assessment_started_on,
            r.assessment_child_seen,
            r.assessment_seen_alone,
            r.assessment_completed_on,
            r.strategy_discussion_on,
            r.s47_outcome,
            r.icpc_on,
            r.icpc_not_required_reason,
        )
        assessing = r.decision is not None and (
            rules.ReferralDecision.parse(r.decision).proceeds_to_assessment
        )
        icpc_open = (
            r.strategy_discussion_on is not None
            and r.icpc_on is None
            and not r.icpc_not_required_reason
        )
        out.append(
            ReferralView(
                r.id,
                r.received_at,
                ReferralSource.parse(r.source).label,
                r.reason,
                r.decision,
                r.rationale,
                r.decided_at,
                progress,
                r.assessment_authorised_by is not None,
                rules.assessment_due(to_local(r.received_at), calendar) if assessing else None,
                rules.icpc_due(r.strategy_discussion_on, calendar)
                if icpc_open and r.strategy_discussion_on
                else None,
                r.assessment_authorised_on,
                tuple(AssessmentFactor.parse(c).value for c in r.factors.split(",") if c),
                version=r.version,
            )
        )
    return out


@dataclass(frozen=True)
class ConcernView:
    id: int
    received_at: datetime
    source: str
    reported: str
    decision: str | None
    rationale: str
    decided_at: datetime | None
    referral_id: int | None


def list_concerns(
    db: Database, actor: Actor, person_id: int, *, now: datetime
) -> list[ConcernView]:
    """A young person's safeguarding contacts, newest first."""
    require_on_person(db, actor, person_id, Action.VIEW_RECORD, now)
    with db.reading() as session:
        rows = session.scalars(
            select(SafeguardingContact)
            .where(SafeguardingContact.young_person_id == person_id)
            .order_by(SafeguardingContact.received_at.desc())
        )
        return [
            ConcernView(
                c.id,
                c.received_at,
                ReferralSource.parse(c.source).label,
                c.reported,
                rules.ContactDecision.parse(c.decision).label if c.decision else None,
                c.rationale,
                c.decided_at,
                c.referral_id,
            )
            for c in rows
        ]


def _repeat_alert(received: list[datetime], now: datetime) -> rules.RepeatAlert | None:
    local = front_door_rules()
    return rules.repeated_concerns(
        received,
        now,
        local.repeat_short_count,
        local.repeat_short_days,
        local.repeat_long_count,
        local.repeat_long_months,
    )
