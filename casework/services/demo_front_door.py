"""Synthetic front-door and risk activity for the demo, with an example of every clock:
concerns (most decided within a day, some late, some still waiting, some due today on the
demo's date), referrals that keep their contact's receipt time and factors, assessments
(by a child and family assessment or a section 47 enquiry; some completed and awaiting a
team lead's authorisation), child protection plans (core group and review conferences,
some late), allegations (the LADO's strategy decision pending, criteria met, or not
required with a reason; some open past KCSIE's 1- and 3-month marks), risk screenings
(after exploitation factors, some still due; some high awaiting sign-off; some lowered
awaiting another team lead), missing episodes (one still missing, return interviews
held, offered only, or late) and referrals out (some needing a chase). Same seed, same
activity."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from casework.db import sequences
from casework.db.models import (
    Allegation,
    ChildProtectionMeeting,
    ChildProtectionPlan,
    MissingEpisode,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
)
from casework.domain import front_door as fd
from casework.domain.calendar import WorkingCalendar, add_months

_SOURCES = ("6", "2A", "3A", "1A", "5C", "8", "4", "3E")
_REPORTS = (
    "Seen getting into cars with older men near the station late at night.",
    "Arrived at college with bruising and would not say how it happened.",
    "Landlord reports the flat is being used by people who do not live there.",
    "Sister worried they are being asked to carry packages to other towns.",
    "A&E attendance after taking an overdose of paracetamol.",
)
_FACTORS = ("11A", "24A", "10A", "15A", "2A", "3A", "4A")
_CAL = WorkingCalendar()


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 18), rng.choice((0, 10, 25, 40, 55))))


def _previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not _CAL.is_working_day(day):
        day -= timedelta(days=1)
    return day


class _Rows:
    def __init__(self) -> None:
        self.tables: dict[Any, list[dict[str, Any]]] = {}
        self.ids: dict[Any, int] = {}

    def add(self, model: Any, **values: Any) -> int:
        """Add a row with the next id for its table; returns the id."""
        new = self.ids.get(model, 0) + 1
        self.ids[model] = new
        self.tables.setdefault(model, []).append({"id": new, **values})
        return new


def _screen_after(
    rows: _Rows, extra: random.Random, pid: int, worker: int, factors: str, on: date, today: date
) -> None:
    """Most concerns coded with an exploitation factor are screened within days; a few
    are left due so the clock has examples."""
    for risk in fd.exploitation_factors(factors.split(",")):
        if extra.random() < 0.2:
            continue
        screened = min(on + timedelta(days=extra.randint(1, 6)), today)
        level = fd.RiskLevel.parse(extra.choice(("none", "low", "low")))
        rows.add(
            RiskScreening,
            young_person_id=pid,
            risk_type=risk.value,
            level=level.value,
            indicators="",
            reasoning="Screened with the young person after the concern.",
            screened_on=screened,
            review_on=fd.risk_review_due(screened, level),
            screened_by=worker,
            signed_off_by=None,
            signed_off_on=None,
            lowered_from=None,
        )


def _first_indicator(risk: fd.RiskType) -> str:
    from casework.services.safeguarding import indicators

    return next(iter(indicators()[risk.value]), "")


def _cp_plan(
    rows: _Rows,
    extra: random.Random,
    pid: int,
    worker: int,
    referral: int,
    icpc: date,
    today: date,
) -> None:
    plan = rows.add(
        ChildProtectionPlan,
        young_person_id=pid,
        referral_id=referral,
        started_on=icpc,
        ended_on=None,
        end_reason="",
        recorded_by=worker,
    )
    core = _CAL.add_working_days(icpc, extra.randint(5, 12))
    if core <= today:
        rows.add(
            ChildProtectionMeeting,
            plan_id=plan,
            kind=fd.CpMeetingKind.CORE_GROUP.value,
            held_on=core,
            note="Core group agreed the plan's actions.",
            recorded_by=worker,
        )
    review = add_months(icpc, 3) - timedelta(days=extra.randint(-10, 20))
    while review <= today:
        rows.add(
            ChildProtectionMeeting,
            plan_id=plan,
            kind=fd.CpMeetingKind.REVIEW_CONFERENCE.value,
            held_on=review,
            note="Plan continues.",
            recorded_by=worker,
        )
        review = add_months(review, 6) - timedelta(days=extra.randint(-15, 20))


def _referral(
    rows: _Rows,
    rng: random.Random,
    extra: random.Random,
    who: tuple[int, int, int],
    contact: dict[str, Any],
    decided: datetime,
    today: date,
) -> int:
    pid, lead, worker = who
    assessed = rng.random() < 0.7
    decision = ("strategy_s47" if extra.random() < 0.3 else "assessment") if assessed else "nfa"
    completed = (
        decided.date() + timedelta(days=rng.randint(20, 60))
        if assessed and (today - decided.date()).days > 70
        else None
    )
    authorised = (
        completed + timedelta(days=extra.randint(1, 8))
        if completed is not None and extra.random() < 0.85
        else None
    )
    strategy = icpc = None
    if decision == "strategy_s47":
        strategy = decided.date() + timedelta(days=1)
        icpc = _CAL.add_working_days(strategy, extra.randint(8, 15))
        if icpc > today:
            icpc = None
    rid = rows.add(
        Referral,
        young_person_id=pid,
        received_at=contact["received_at"],  # the clocks run from the contact's receipt
        source=contact["source"],
        reason=contact["reported"],
        factors=contact["factors"],
        recorded_by=lead,
        decision=decision,
        rationale="Assessment needed." if assessed else "Support already in place.",
        decided_by=lead,
        decided_at=decided + timedelta(hours=3),
        assessment_started_on=decided.date() if assessed else None,
        assessment_child_seen=assessed,
        assessment_seen_alone=assessed,
        assessment_completed_on=completed,
        assessment_authorised_by=lead if authorised else None,
        assessment_authorised_on=authorised,
        strategy_discussion_on=strategy,
        s47_outcome="Concerns substantiated; conference needed." if strategy else "",
        icpc_on=icpc,
        icpc_not_required_reason="",
    )
    if icpc is not None:
        _cp_plan(rows, extra, pid, worker, rid, icpc, today)
    return rid


def _concerns(
    rows: _Rows,
    rng: random.Random,
    extra: random.Random,
    who: tuple[int, int, int],
    today: date,
) -> None:
    for _ in range(rng.choice((1, 1, 2, 3))):
        received = _at(today - timedelta(days=rng.randint(0, 330)), rng)
        waiting = (today - received.date()).days < 6 and rng.random() < 0.5
        _concern(rows, rng, extra, who, today, received, waiting)


def _concern(
    rows: _Rows,
    rng: random.Random,
    extra: random.Random,
    who: tuple[int, int, int],
    today: date,
    received: datetime,
    waiting: bool,
) -> None:
    pid, lead, worker = who
    late = rng.random() < 0.12
    decided = (
        None if waiting else received + timedelta(hours=rng.randint(1, 20) + (72 if late else 0))
    )
    decision = (
        None
        if waiting
        else rng.choice(("nfa", "information_advice", "early_help", "referral", "referral"))
    )
    values: dict[str, Any] = {
        "young_person_id": pid,
        "received_at": received,
        "source": rng.choice(_SOURCES),
        "referrer_name": "",
        "referrer_contact": "",
        "reported": rng.choice(_REPORTS),
        "factors": rng.choice(_FACTORS),
        "already_known": True,
        "recorded_by": worker,
        "decision": decision,
        "rationale": "" if waiting else "Considered with the history.",
        "decided_by": None if waiting else lead,
        "decided_at": decided,
        "referral_id": None,
    }
    if decision == "referral" and decided is not None:
        values["referral_id"] = _referral(rows, rng, extra, who, values, decided, today)
    rows.add(SafeguardingContact, **values)
    _screen_after(rows, extra, pid, worker, values["factors"], received.date(), today)


def _due_today(
    extra_rows: _Rows, extra: random.Random, who: tuple[int, int, int], today: date
) -> None:
    """A concern received on the last working day before the demo's date: its decision is
    due today (not overdue)."""
    received = _at(_previous_working_day(today), extra)
    _concern(extra_rows, extra, extra, who, today, received, waiting=True)


def _risks(
    rows: _Rows,
    rng: random.Random,
    extra: random.Random,
    who: tuple[int, int, int],
    today: date,
) -> None:
    pid, lead, worker = who
    for kind in rng.sample(
        ("cse", "cce", "missing", "self_harm", "homelessness"), rng.randint(1, 2)
    ):
        risk = fd.RiskType.parse(kind)
        screened = today - timedelta(days=rng.randint(5, 120))
        level = fd.RiskLevel.parse(rng.choice(("none", "low", "low", "medium", "high")))
        signed = level.needs_sign_off and rng.random() < 0.6
        rows.add(
            RiskScreening,
            young_person_id=pid,
            risk_type=kind,
            level=level.value,
            indicators=_first_indicator(risk) if level.needs_review_within_weeks else "",
            reasoning="Screened with the young person and their PA.",
            screened_on=screened,
            review_on=fd.risk_review_due(screened, level),
            screened_by=worker,
            signed_off_by=lead if signed else None,
            signed_off_on=screened + timedelta(days=2) if signed else None,
            lowered_from=None,
        )
        if level.needs_review_within_weeks and extra.random() < 0.3:
            lower = today - timedelta(days=extra.randint(0, 4))
            if lower <= screened:
                continue
            rows.add(
                RiskScreening,
                young_person_id=pid,
                risk_type=kind,
                level=fd.RiskLevel.LOW.value,
                indicators="",
                reasoning="Indicators have eased since the last screening.",
                screened_on=lower,
                review_on=fd.risk_review_due(lower, fd.RiskLevel.LOW),
                screened_by=lead,  # lowered by a team lead: another must sign it off
                signed_off_by=None,
                signed_off_on=None,
                lowered_from=level.value,
            )


def _missing(
    rows: _Rows, rng: random.Random, extra: random.Random, pid: int, worker: int, today: date
) -> None:
    for n in range(rng.randint(1, 3)):
        start = _at(today - timedelta(days=rng.randint(3, 300)), rng)
        returned = start + timedelta(hours=rng.randint(6, 60))
        offered = returned + timedelta(hours=rng.randint(4, 90)) if rng.random() < 0.85 else None
        police = rng.random() < 0.8
        accepted = (rng.random() < 0.6) if offered else None
        held = (
            offered + timedelta(hours=extra.randint(1, 30))
            if offered is not None and accepted and extra.random() < 0.9
            else None
        )
        back: datetime | None = returned
        if n == 0 and extra.random() < 0.15:  # still missing since yesterday
            start = _at(today - timedelta(days=1), extra)
            back = offered = held = accepted = None
        rows.add(
            MissingEpisode,
            young_person_id=pid,
            started_at=start,
            ended_at=back,
            reported_to_police=police,
            interview_offered_at=offered,
            interview_accepted=accepted,
            interview_held_at=held,
            learned="Staying with a friend; says they felt unsafe at home." if held else "",
            recorded_by=worker,
        )


def _allegations(
    rows: _Rows,
    rng: random.Random,
    extra: random.Random,
    who: tuple[int, int, int],
    today: date,
) -> None:
    pid, lead, worker = who
    received = _at(today - timedelta(days=rng.randint(2, 200)), rng)
    closed = (today - received.date()).days > 40 and rng.random() < 0.8
    role = rng.choice(("foster_carer", "residential_worker", "teacher"))
    told = received + timedelta(hours=rng.choice((3, 20, 40)))
    meeting_at = received + timedelta(hours=rng.randint(24, 90))
    police = rng.random() < 0.3
    outcome = rng.choice(("unsubstantiated", "substantiated", "unfounded")) if closed else None
    met = extra.choice((True, True, False, None))
    held = met is True and (meeting_at.date() < today or extra.random() < 0.5)
    rows.add(
        Allegation,
        young_person_id=pid,
        subject_role=role,
        subject_description="",
        received_at=received,
        details="Young person says they were grabbed by the arm during an argument.",
        lado_notified_at=told,
        strategy_meeting_at=meeting_at if held else None,
        strategy_criteria_met=met,
        strategy_not_required_reason=(
            "Below the harm threshold; the employer will manage it." if met is False else ""
        ),
        police_involved=police,
        actions="Plan agreed with the LADO." if met is not None else "",
        outcome=outcome,
        outcome_rationale="Evidence considered at the outcome meeting." if closed else "",
        outcome_by=lead if closed else None,
        outcome_on=received.date() + timedelta(days=30) if closed else None,
        recorded_by=worker,
    )


def _referrals_out(rows: _Rows, rng: random.Random, pid: int, worker: int, today: date) -> None:
    sent = today - timedelta(days=rng.randint(3, 150))
    status = rng.choice(("sent", "acknowledged", "accepted", "completed", "declined"))
    rows.add(
        ServiceReferral,
        young_person_id=pid,
        service=rng.choice(("housing", "eet", "mental_health", "benefits", "health")),
        organisation="",
        sent_on=sent,
        expected_by=sent + timedelta(days=14),
        status=status,
        reason="Outside their criteria." if status == "declined" else "",
        outcome="Support in place." if status == "completed" else "",
        last_chased_on=None,
        recorded_by=worker,
    )


def _example_allegation(
    rows: _Rows, who: tuple[int, int, int], today: date, days_ago: int, stage: str
) -> None:
    """An open allegation at a given stage: "told" (LADO told, strategy decision pending),
    "new" (LADO not yet told), "met" (criteria met, meeting not yet held) or "long" (open
    past KCSIE's 3-month mark, meeting held)."""
    pid, _, worker = who
    received = datetime.combine(today - timedelta(days=days_ago), time(11, 40))
    told = None if stage == "new" else received + timedelta(hours=4)
    rows.add(
        Allegation,
        young_person_id=pid,
        subject_role="residential_worker",
        subject_description="Night worker at the supported lodgings",
        received_at=received,
        details="Young person says a worker shouted at them and pushed them into a wall.",
        lado_notified_at=told,
        strategy_meeting_at=received + timedelta(hours=50) if stage == "long" else None,
        strategy_criteria_met=True if stage in ("met", "long") else None,
        strategy_not_required_reason="",
        police_involved=stage == "long",
        actions="",
        outcome=None,
        outcome_rationale="",
        outcome_by=None,
        outcome_on=None,
        recorded_by=worker,
    )


def _example_protection(
    rows: _Rows, extra: random.Random, who: tuple[int, int, int], today: date
) -> None:
    """A section 47 referral whose plan was made 3 weeks ago without a core group yet, and
    one whose strategy discussion was last week (the conference is due)."""
    pid, lead, worker = who
    for days_ago, with_plan in ((45, True), (9, False)):
        received = datetime.combine(today - timedelta(days=days_ago), time(10, 5))
        strategy = received.date() + timedelta(days=2)
        icpc = today - timedelta(days=21) if with_plan else None
        rid = rows.add(
            Referral,
            young_person_id=pid,
            received_at=received,
            source="6",
            reason="Police report the young person was found in a flat used for drug dealing.",
            factors="24A",
            recorded_by=lead,
            decision="strategy_s47",
            rationale="Risk of significant harm: strategy discussion today.",
            decided_by=lead,
            decided_at=received + timedelta(hours=5),
            assessment_started_on=received.date(),
            assessment_child_seen=True,
            assessment_seen_alone=True,
            assessment_completed_on=None,
            assessment_authorised_by=None,
            assessment_authorised_on=None,
            strategy_discussion_on=strategy,
            s47_outcome="Concerns substantiated; conference needed." if with_plan else "",
            icpc_on=icpc,
            icpc_not_required_reason="",
        )
        if icpc is not None:
            rows.add(
                ChildProtectionPlan,
                young_person_id=pid,
                referral_id=rid,
                started_on=icpc,
                ended_on=None,
                end_reason="",
                recorded_by=worker,
            )
    _screen_after(rows, extra, pid, worker, "24A", today - timedelta(days=45), today)


def _example_late_review(
    rows: _Rows, extra: random.Random, who: tuple[int, int, int], today: date
) -> None:
    """A plan made 100 days ago with its core group held but no review conference (now
    late), and a referral from a contact received on the last working day, undecided."""
    pid, lead, worker = who
    icpc = today - timedelta(days=100)
    plan = rows.add(
        ChildProtectionPlan,
        young_person_id=pid,
        referral_id=None,
        started_on=icpc,
        ended_on=None,
        end_reason="",
        recorded_by=worker,
    )
    rows.add(
        ChildProtectionMeeting,
        plan_id=plan,
        kind=fd.CpMeetingKind.CORE_GROUP.value,
        held_on=_CAL.add_working_days(icpc, 8),
        note="Core group met; actions agreed.",
        recorded_by=worker,
    )
    received = _at(_previous_working_day(today), extra)
    contact = {
        "young_person_id": pid,
        "received_at": received,
        "source": "2A",
        "referrer_name": "College safeguarding lead",
        "referrer_contact": "",
        "reported": "Has not been to college for two weeks; friends say they are staying "
        "with older men.",
        "factors": "11A",
        "already_known": True,
        "recorded_by": worker,
        "decision": "referral",
        "rationale": "Possible sexual exploitation: refer for a decision.",
        "decided_by": lead,
        "decided_at": received + timedelta(hours=2),
    }
    rid = rows.add(
        Referral,
        young_person_id=pid,
        received_at=received,
        source="2A",
        reason=contact["reported"],
        factors="11A",
        recorded_by=lead,
        decision=None,
        rationale="",
        decided_by=None,
        decided_at=None,
        assessment_started_on=None,
        assessment_child_seen=False,
        assessment_seen_alone=False,
        assessment_completed_on=None,
        assessment_authorised_by=None,
        assessment_authorised_on=None,
        strategy_discussion_on=None,
        s47_outcome="",
        icpc_on=None,
        icpc_not_required_reason="",
    )
    rows.add(SafeguardingContact, **contact, referral_id=rid)


def _examples(
    rows: _Rows, extra: random.Random, n: int, who: tuple[int, int, int], today: date
) -> None:
    """Every front-door clock has at least one example in a demo of 100 or more."""
    if n % 25 == 3:
        _due_today(rows, extra, who, today)
    stages = {7: (2, "new"), 19: (12, "told"), 31: (1, "met"), 43: (100, "long")}
    if n % 50 in stages:
        days_ago, stage = stages[n % 50]
        _example_allegation(rows, who, today, days_ago, stage)
    if n % 60 == 23:
        _example_protection(rows, extra, who, today)
    if n % 60 == 53:
        _example_late_review(rows, extra, who, today)


def populate_front_door(
    session: Session, people: Sequence[tuple[int, int, int]], *, seed: int, today: date
) -> dict[str, int]:
    """Activity for some of ``people`` ((person id, team lead id, worker id) each) inside
    the caller's transaction; returns row counts. Ids are given here, so the tables must
    be empty (a new demo database)."""
    rng = random.Random(seed * 104729 + 5)
    extra = random.Random(seed * 15485863 + 11)  # what the newer clocks add
    rows = _Rows()
    for n, (pid, lead, worker) in enumerate(people):
        who = (pid, lead, worker)
        _examples(rows, extra, n, who, today)
        if rng.random() < 0.2:
            _concerns(rows, rng, extra, who, today)
        if rng.random() < 0.25:
            _risks(rows, rng, extra, who, today)
        if rng.random() < 0.08:
            _missing(rows, rng, extra, pid, worker, today)
        if rng.random() < 0.03:
            _allegations(rows, rng, extra, who, today)
        if rng.random() < 0.2:
            _referrals_out(rows, rng, pid, worker, today)
    for model in (
        Referral,
        SafeguardingContact,
        ChildProtectionPlan,
        ChildProtectionMeeting,
        RiskScreening,
        MissingEpisode,
        Allegation,
        ServiceReferral,
    ):
        batch = rows.tables.get(model, [])
        for start in range(0, len(batch), 5000):
            session.execute(insert(model), batch[start : start + 5000])
    sequences.catch_up(session, rows.tables)  # the rows came with their ids
    return {model.__tablename__: len(batch) for model, batch in rows.tables.items()}
