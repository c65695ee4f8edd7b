"""Demo closures: young people in the demo teams' caseloads in every closure state (ready
to request, blocked, waiting for a team lead, waiting too long, needing a team lead's
decision, returned, approved, closed with a note, reopened), written inside the demo's
transaction. Each "ready" record is made so by recording what the checks look for
(recent screenings, a visit where they were seen alone, the letter saying they can come
back) and the engine is asked to confirm it before a request is written."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.clock import local_today, to_naive_utc
from casework.config import council_rules
from casework.db.models import (
    AccommodationPeriod,
    Allegation,
    CareArrangement,
    CaseReopening,
    ClosedCaseNote,
    ClosureOverride,
    ClosureRequest,
    Contact,
    FollowUpAction,
    MissingEpisode,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
    SupportEvent,
    YoungPerson,
)
from casework.domain import closure as rules
from casework.domain import closure_grounds as grounds
from casework.domain.accommodation import last_night_before
from casework.domain.calendar import age_on
from casework.services import audit, contact_summary
from casework.services.closure import (
    ClosureInput,
    Status,
    TeamLeadDecisions,
    load_facts,
    run_checks_in,
    run_request,
)
from casework.services.permissions import SYSTEM_ACTOR


@dataclass(frozen=True)
class _Case:
    pid: int
    worker: int
    lead: int


def _moment(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour, 0))


def _tidy(session: Session, c: _Case, today: date) -> None:
    """Finish what an open case might still have hanging: decisions, enquiries, outcomes,
    return interviews, referrals out, follow-ups and drafts."""
    pid = c.pid
    undecided = (
        *session.scalars(
            select(SafeguardingContact).where(
                SafeguardingContact.young_person_id == pid, SafeguardingContact.decided_at.is_(None)
            )
        ),
        *session.scalars(
            select(Referral).where(Referral.young_person_id == pid, Referral.decided_at.is_(None))
        ),
    )
    for row in undecided:  # decided within hours of arriving
        row.decision = "nfa"
        row.rationale = (
            "Already known; no new risk."
            if isinstance(row, SafeguardingContact)
            else "Needs met by the leaving care team."
        )
        row.decided_by = c.lead
        row.decided_at = row.received_at + timedelta(hours=3)
    session.execute(
        update(Referral)
        .where(Referral.young_person_id == pid, Referral.assessment_started_on.is_not(None))
        .where(Referral.assessment_completed_on.is_(None))
        .values(assessment_completed_on=today - timedelta(days=20))
    )
    session.execute(
        update(Referral)
        .where(Referral.young_person_id == pid, Referral.strategy_discussion_on.is_not(None))
        .where(Referral.icpc_on.is_(None))
        .values(icpc_not_required_reason="Enquiry found no continuing risk of significant harm.")
    )
    session.execute(
        update(Allegation)
        .where(Allegation.young_person_id == pid, Allegation.outcome.is_(None))
        .values(
            outcome="unfounded",
            outcome_rationale="No evidence the events took place.",
            outcome_by=c.lead,
            outcome_on=today - timedelta(days=20),
        )
    )
    episodes = session.scalars(select(MissingEpisode).where(MissingEpisode.young_person_id == pid))
    for m in episodes:
        if m.ended_at is None:  # back well before the request, not missing now
            m.started_at -= timedelta(days=4)
            m.ended_at = m.started_at + timedelta(hours=20)
        m.interview_offered_at = m.interview_offered_at or m.ended_at + timedelta(hours=24)
        m.interview_accepted = True
        m.interview_held_at = m.interview_held_at or m.interview_offered_at + timedelta(hours=2)
    session.execute(
        update(ServiceReferral)
        .where(ServiceReferral.young_person_id == pid)
        .where(ServiceReferral.status.in_(("sent", "acknowledged", "accepted")))
        .values(status="completed", outcome="Support given; the service has closed its case.")
    )
    session.execute(
        update(FollowUpAction)
        .where(FollowUpAction.young_person_id == pid, FollowUpAction.done_on.is_(None))
        .values(done_on=today - timedelta(days=_READY_DAYS_AGO + 2))
    )
    session.execute(
        update(Contact)
        .where(Contact.young_person_id == pid, Contact.status == "draft")
        .values(status="discarded")
    )


# The demo's requests were made up to 10 working days ago: what makes a case ready is
# dated before the earliest of them, and still within the checks' 28 days of today.
_READY_DAYS_AGO = 16


def _make_ready(session: Session, c: _Case, today: date, now: datetime) -> None:
    _tidy(session, c, today)
    base = today - timedelta(days=_READY_DAYS_AGO)
    screened = base - timedelta(days=1)
    for kind in ("cse", "cce", "missing"):
        session.add(
            RiskScreening(
                young_person_id=c.pid,
                risk_type=kind,
                level="none",
                indicators="",
                reasoning="Screened before closing: no indicators now; they say they feel safe.",
                screened_on=screened,
                screened_by=c.worker,
            )
        )
    visit = _moment(base, 14)
    session.add(
        Contact(
            young_person_id=c.pid,
            occurred_at=visit,
            method="face_to_face_accommodation",
            successful=True,
            made_by="personal_adviser",
            location="Their flat",
            seen=True,
            seen_alone=True,
            views="Happy with how things are going and agrees the case can close.",
            discussed="Closure, what to do if things change, how to get back in touch.",
            draft_follow_ups="[]",
            status="final",
            author_id=c.worker,
            created_at=visit,
            updated_at=visit,
            finalised_at=visit,
        )
    )
    session.add(
        SupportEvent(
            young_person_id=c.pid,
            kind="told_can_return",
            occurred_on=base,
            note="Letter given at the visit.",
            recorded_by=c.worker,
        )
    )
    current = session.scalars(
        select(AccommodationPeriod).where(
            AccommodationPeriod.young_person_id == c.pid, AccommodationPeriod.ended_on.is_(None)
        )
    ).all()
    if not any(a.suitable and a.letter not in ("R", "S", "X", "W") for a in current):
        latest = max((a.started_on for a in current), default=today - timedelta(days=61))
        start = max(today - timedelta(days=60), latest + timedelta(days=1))
        for a in current:
            a.ended_on = last_night_before(start)
        session.add(
            AccommodationPeriod(
                young_person_id=c.pid,
                letter="U",
                started_on=start,
                suitable=True,
                provider="Housing association flat",
                recorded_by=c.worker,
            )
        )
    session.flush()
    contact_summary.refresh(session, [c.pid])


def _data(reason: str = "CLNR", views: str = "") -> ClosureInput:
    return ClosureInput(
        reason=reason,
        why_open="Care leaver supported under the leaving care duties since leaving care.",
        what_changed="Settled in their own tenancy, working, and managing money well; "
        "pathway plan goals met.",
        agencies_involved="Housing association (tenancy support) until next spring.",
        if_concerns_return="Contact the leaving care duty line; they know they can come back "
        "for support until 25.",
        young_person_views=views or "They agree: 'I know where you are if I need you.'",
    )


def _plan_review(session: Session, c: _Case, today: date) -> None:
    from casework.db.models import PathwayPlan, PlanReview

    plan = session.scalars(
        select(PathwayPlan)
        .where(PathwayPlan.young_person_id == c.pid)
        .order_by(PathwayPlan.id.desc())
    ).first()
    if plan is None:
        plan = PathwayPlan(
            young_person_id=c.pid,
            started_on=today - timedelta(days=200),
            participation="Wrote their own goals.",
            created_by=c.worker,
            created_at=_moment(today - timedelta(days=200)),
        )
        session.add(plan)
        session.flush()
    session.add(
        PlanReview(
            plan_id=plan.id,
            reviewed_on=today - timedelta(days=_READY_DAYS_AGO + 2),
            young_person_participated=True,
            notes="Agreed they no longer need leaving care services.",
            reviewed_by=c.worker,
        )
    )
    session.flush()


def _request(
    session: Session,
    c: _Case,
    data: ClosureInput,
    submitted: datetime,
    now: datetime,
    decisions: TeamLeadDecisions | None = None,
) -> ClosureRequest | None:
    """A pending request, written only if the engine would accept it."""
    anchor = local_today(submitted)
    decisions = decisions or TeamLeadDecisions()
    results, _ = run_checks_in(session, c.pid, data, decisions, anchor)
    if not rules.can_request(results):
        return None
    row = ClosureRequest(
        young_person_id=c.pid,
        status=Status.PENDING.value,
        reason=data.reason,
        reason_date=data.reason_date,
        receiving_body=data.receiving_body,
        why_open=data.why_open,
        what_changed=data.what_changed,
        agencies_involved=data.agencies_involved,
        if_concerns_return=data.if_concerns_return,
        young_person_views=data.young_person_views,
        requested_by=c.worker,
        requested_at=to_naive_utc(submitted),
        submitted_at=to_naive_utc(submitted),
        anchor_on=anchor,
        risk_holder=decisions.risk_holder,
        risk_review=decisions.risk_review,
        accommodation_decision=decisions.accommodation_decision,
    )
    session.add(row)
    session.flush()
    for check_id, text in data.justifications.items():
        session.add(
            ClosureOverride(
                request_id=row.id,
                check_id=check_id,
                justification=text,
                recorded_by=c.worker,
                recorded_at=to_naive_utc(submitted),
            )
        )
    audit.record(
        session,
        SYSTEM_ACTOR,
        "generate_demo_closure",
        now=now,
        record_type="closure_request",
        record_id=row.id,
    )
    return row


def _approve(session: Session, c: _Case, row: ClosureRequest, at: datetime) -> None:
    _results, snapshot = run_request(session, row)
    row.status = Status.APPROVED.value
    row.reviewed_by, row.reviewed_at = c.lead, to_naive_utc(at)
    row.approved_fingerprint = rules.fingerprint(snapshot)
    row.approved_snapshot = json.dumps(snapshot, sort_keys=True)


def _close(session: Session, c: _Case, row: ClosureRequest, on: date) -> None:
    row.status = Status.CLOSED.value
    row.closed_on, row.closed_by, row.closed_at = on, c.worker, _moment(on, 16)
    person = session.get(YoungPerson, c.pid)
    assert person is not None
    person.closed_on, person.closure_reason = on, row.reason


def _ready_case(session: Session, c: _Case, today: date, now: datetime) -> bool:
    _make_ready(session, c, today, now)
    results, _ = run_checks_in(session, c.pid, _data(), TeamLeadDecisions(), today)
    return rules.can_approve(results)


def lawfully_closable(facts: dict[int, rules.ClosureFacts], on: date) -> set[int]:
    """The young people whose duties the demo's closure reason lawfully ends on ``on``
    (the closure grounds matrix): only they are closed in the demo."""
    reason = _data().reason
    return {
        pid
        for pid, f in facts.items()
        if grounds.is_allowed(
            reason, f.eligibility, age_on(f.date_of_birth, on), f.activity
        ).allowed
    }


def populate_closures(
    session: Session, candidates: Sequence[tuple[int, int, int]], *, now: datetime
) -> dict[str, int]:
    """Closure states for some of ``candidates`` ((person id, worker id, team lead id),
    people allocated to a worker in the demo team lead's team). Returns how many cases were
    put in each state."""
    today = local_today(now)
    calendar = council_rules().calendar
    facts = load_facts(session, [pid for pid, _, _ in candidates], today)
    lawful = lawfully_closable(facts, today)
    others = [_Case(pid, w, lead) for pid, w, lead in candidates if pid not in lawful]
    cases = iter(_Case(pid, w, lead) for pid, w, lead in candidates if pid in lawful)
    made: dict[str, int] = {}

    def next_ready() -> _Case | None:
        for c in cases:
            _plan_review(session, c, today)
            if _ready_case(session, c, today, now):
                return c
        return None

    def submitted(working_days_ago: int) -> datetime:
        day = today
        while calendar.working_days_between(day, today) < working_days_ago:
            day -= timedelta(days=1)
        return datetime.combine(day, time(9, 30)).astimezone()

    steps: list[tuple[str, Callable[[_Case], bool]]] = [
        ("ready", lambda c: True),
        ("pending", lambda c: _request(session, c, _data(), submitted(1), now) is not None),
        ("pending_flagged", lambda c: _request(session, c, _data(), submitted(8), now) is not None),
        ("returned", lambda c: _returned(session, c, now, submitted(4))),
        ("approved", lambda c: _approved(session, c, now, submitted(3))),
        ("closed", lambda c: _closed(session, c, now, submitted(6), today, note=True)),
        ("reopened", lambda c: _reopened(session, c, now, submitted(10), today)),
        ("pending_needs_decision", lambda c: _needs_decision(session, c, today, now, submitted(2))),
        ("pending_override", lambda c: _with_override(session, c, today, now, submitted(3))),
    ]
    for state, make in steps:
        c = next_ready()
        if c is None:
            break
        if make(c):
            made[state] = made.get(state, 0) + 1
    made.update(_examples(session, others, facts, today, now))
    session.flush()
    return made


def _examples(
    session: Session,
    cases: Sequence[_Case],
    facts: dict[int, rules.ClosureFacts],
    today: date,
    now: datetime,
) -> dict[str, int]:
    """Care leavers whose duties no closure reason ends yet: one with another council
    involved, one with adult social care involved (arrangements alongside the case, CLR
    2010 reg 2(1)), and one 18+ in bed and breakfast recorded as suitable, waiting for a
    team lead's review."""
    made: dict[str, int] = {}
    adults = [c for c in cases if age_on(facts[c.pid].date_of_birth, today) >= 18]
    arrangements = (
        (
            "transfer",
            "Northshire County Council leaving care team",
            "Moved to Northshire for "
            "college; their PA there visits, we stay responsible and keep in touch monthly.",
        ),
        (
            "adult_services",
            "Adult community mental health team",
            "Care coordinator allocated; joint reviews with the PA every three months.",
        ),
    )
    for c, (kind, who, note) in zip(adults, arrangements, strict=False):
        session.add(
            CareArrangement(
                young_person_id=c.pid,
                kind=kind,
                with_whom=who,
                started_on=today - timedelta(days=45),
                note=note,
                recorded_by=c.worker,
                recorded_at=to_naive_utc(now - timedelta(days=45)),
            )
        )
        session.flush()
        audit.record(
            session,
            SYSTEM_ACTOR,
            "generate_demo_arrangement",
            now=now,
            record_type="care_arrangement",
            record_id=c.pid,
        )
        made[f"arrangement_{kind}"] = 1
    for c in adults[len(arrangements) : len(arrangements) + 1]:
        start = today - timedelta(days=4)  # after every generated move (5+ days ago)
        for a in session.scalars(
            select(AccommodationPeriod).where(
                AccommodationPeriod.young_person_id == c.pid,
                AccommodationPeriod.ended_on.is_(None),
            )
        ):
            if a.started_on < start:
                a.ended_on = last_night_before(start)
        session.add(
            AccommodationPeriod(
                young_person_id=c.pid,
                letter="W",
                started_on=start,
                provider="Station Road Guest House",
                suitable=True,
                suitable_reason="Two weeks while their supported flat is repaired after a "
                "leak; they chose it over a hostel and it is close to their college.",
                council_provided=True,
                recorded_by=c.worker,
            )
        )
        made["bed_and_breakfast_awaiting_review"] = 1
    return made


def _needs_decision(session: Session, c: _Case, today: date, now: datetime, at: datetime) -> bool:
    session.add(
        RiskScreening(
            young_person_id=c.pid,
            risk_type="self_harm",
            level="medium",
            indicators="",
            reasoning="Occasional self-harm when stressed; CAMHS adult transition under way.",
            screened_on=today - timedelta(days=8),
            review_on=today + timedelta(days=30),
            screened_by=c.worker,
        )
    )
    session.flush()
    return _request(session, c, _data(), at, now) is not None


def add_repeat_referrals(session: Session, c: _Case, before: date) -> None:
    """Two referrals in the year before ``before`` (each from a housing officer's concern,
    closed with no further action): the re-referral pattern a closure must explain."""
    for days in (300, 120):
        received = _moment(before - timedelta(days=days), 11)
        reported = "Rent arrears; worried about eviction."
        referral = Referral(
            young_person_id=c.pid,
            received_at=received,  # a referral keeps its concern's receipt
            source="4",
            reason=reported,
            recorded_by=c.lead,
            decision="nfa",
            rationale="Advice on budgeting; PA to follow up.",
            decided_by=c.lead,
            decided_at=received + timedelta(hours=3),
        )
        session.add(referral)
        session.flush()
        session.add(
            SafeguardingContact(
                young_person_id=c.pid,
                received_at=received,
                source="4",
                referrer_name="Housing officer",
                reported=reported,
                recorded_by=c.lead,
                decision="referral",
                rationale="Eviction risk: refer for a decision.",
                decided_by=c.lead,
                decided_at=received + timedelta(hours=2),
                referral_id=referral.id,
            )
        )


def _with_override(session: Session, c: _Case, today: date, now: datetime, at: datetime) -> bool:
    add_repeat_referrals(session, c, today)
    session.flush()
    why = (
        "Both referrals were about rent arrears, now cleared with a repayment plan; no "
        "safeguarding concern in either."
    )
    data = replace(_data(), justifications={rules.CheckId.RE_REFERRALS.value: why})
    return _request(session, c, data, at, now) is not None


def _returned(session: Session, c: _Case, now: datetime, at: datetime) -> bool:
    row = _request(session, c, _data(views="Not asked yet."), at, now)
    if row is None:
        return False
    row.status = Status.RETURNED.value
    row.reviewed_by, row.reviewed_at = c.lead, to_naive_utc(at + timedelta(days=1))
    row.review_comments = (
        "Please record their views in their own words after you have talked the closure "
        "through with them, and name the tenancy support worker."
    )
    return True


def _approved(session: Session, c: _Case, now: datetime, at: datetime) -> bool:
    row = _request(session, c, _data(), at, now)
    if row is None:
        return False
    _approve(session, c, row, at + timedelta(days=1))
    return True


def _closed(
    session: Session, c: _Case, now: datetime, at: datetime, today: date, *, note: bool
) -> bool:
    row = _request(session, c, _data(), at, now)
    if row is None:
        return False
    _approve(session, c, row, at + timedelta(days=1))
    _close(session, c, row, local_today(at) + timedelta(days=2))
    if note:
        session.add(
            ClosedCaseNote(
                young_person_id=c.pid,
                text="Phoned the duty line to ask about a college bursary; signposted. No "
                "concerns.",
                author_id=c.worker,
                created_at=to_naive_utc(now - timedelta(days=1)),
            )
        )
    return True


def _reopened(session: Session, c: _Case, now: datetime, at: datetime, today: date) -> bool:
    if not _closed(session, c, now, at, today, note=False):
        return False
    person = session.get(YoungPerson, c.pid)
    assert person is not None
    last = session.scalars(
        select(ClosureRequest.id)
        .where(ClosureRequest.young_person_id == c.pid)
        .order_by(ClosureRequest.id.desc())
    ).first()
    person.closed_on, person.closure_reason = None, None
    session.add(
        CaseReopening(
            young_person_id=c.pid,
            closure_request_id=last,
            reason="Lost their tenancy and asked for support again (they may return until 25).",
            reopened_by=c.lead,
            reopened_at=to_naive_utc(now - timedelta(days=2)),
        )
    )
    return True
