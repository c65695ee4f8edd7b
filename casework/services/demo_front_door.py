"""Synthetic front-door and risk activity for the demo: concerns (most decided within a day,
some late, some still waiting), referrals and assessments, allegations (some still open),
risk screenings (some medium or high, some awaiting sign-off), missing episodes with return
interviews, and referrals out (some needing a chase). Same seed, same activity."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from casework.db.models import (
    Allegation,
    MissingEpisode,
    Referral,
    RiskScreening,
    SafeguardingContact,
    ServiceReferral,
)
from casework.domain import front_door as fd

_SOURCES = ("6", "2A", "3A", "1A", "5C", "8", "4", "3E")
_REPORTS = (
    "Seen getting into cars with older men near the station late at night.",
    "Arrived at college with bruising and would not say how it happened.",
    "Landlord reports the flat is being used by people who do not live there.",
    "Sister worried they are being asked to carry packages to other towns.",
    "A&E attendance after taking an overdose of paracetamol.",
)
_FACTORS = ("11A", "24A", "10A", "15A", "2A", "3A", "4A")


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 18), rng.choice((0, 10, 25, 40, 55))))


class _Rows:
    def __init__(self) -> None:
        self.tables: dict[Any, list[dict[str, Any]]] = {}

    def add(self, model: Any, **values: Any) -> None:
        self.tables.setdefault(model, []).append(values)


def _concerns(
    rows: _Rows, rng: random.Random, pid: int, lead: int, worker: int, today: date, referral_id: int
) -> int:
    for _ in range(rng.choice((1, 1, 2, 3))):
        received = _at(today - timedelta(days=rng.randint(0, 330)), rng)
        waiting = (today - received.date()).days < 6 and rng.random() < 0.5
        late = rng.random() < 0.12
        decided = (
            None
            if waiting
            else received + timedelta(hours=rng.randint(1, 20) + (72 if late else 0))
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
            referral_id += 1
            assessed = rng.random() < 0.7
            rows.add(
                Referral,
                id=referral_id,
                young_person_id=pid,
                received_at=decided,
                source=values["source"],
                reason=values["reported"],
                recorded_by=lead,
                decision="assessment" if assessed else "nfa",
                rationale="Assessment needed." if assessed else "Support already in place.",
                decided_by=lead,
                decided_at=decided + timedelta(hours=3),
                assessment_started_on=decided.date() if assessed else None,
                assessment_child_seen=assessed,
                assessment_seen_alone=assessed,
                assessment_completed_on=(
                    decided.date() + timedelta(days=rng.randint(20, 60))
                    if assessed and (today - decided.date()).days > 70
                    else None
                ),
                assessment_authorised_by=lead if assessed else None,
                strategy_discussion_on=None,
                s47_outcome="",
                icpc_on=None,
                icpc_not_required_reason="",
            )
            values["referral_id"] = referral_id
        rows.add(SafeguardingContact, **values)
    return referral_id


def _risks(rows: _Rows, rng: random.Random, pid: int, lead: int, worker: int, today: date) -> None:
    for kind in rng.sample(
        ("cse", "cce", "missing", "self_harm", "homelessness"), rng.randint(1, 2)
    ):
        screened = today - timedelta(days=rng.randint(5, 120))
        level = fd.RiskLevel.parse(rng.choice(("none", "low", "low", "medium", "high")))
        signed = level.needs_sign_off and rng.random() < 0.6
        rows.add(
            RiskScreening,
            young_person_id=pid,
            risk_type=kind,
            level=level.value,
            indicators="",
            reasoning="Screened with the young person and their PA.",
            screened_on=screened,
            review_on=fd.risk_review_due(screened, level),
            screened_by=worker,
            signed_off_by=lead if signed else None,
            signed_off_on=screened + timedelta(days=2) if signed else None,
        )


def _missing(rows: _Rows, rng: random.Random, pid: int, worker: int, today: date) -> None:
    for _ in range(rng.randint(1, 3)):
        start = _at(today - timedelta(days=rng.randint(3, 300)), rng)
        back = start + timedelta(hours=rng.randint(6, 60))
        offered = back + timedelta(hours=rng.randint(4, 90)) if rng.random() < 0.85 else None
        rows.add(
            MissingEpisode,
            young_person_id=pid,
            started_at=start,
            ended_at=back,
            reported_to_police=rng.random() < 0.8,
            interview_offered_at=offered,
            interview_accepted=(rng.random() < 0.6) if offered else None,
            learned="Staying with a friend; says they felt unsafe at home." if offered else "",
            recorded_by=worker,
        )


def _allegations(
    rows: _Rows, rng: random.Random, pid: int, lead: int, worker: int, today: date
) -> None:
    received = _at(today - timedelta(days=rng.randint(2, 200)), rng)
    closed = (today - received.date()).days > 40 and rng.random() < 0.8
    rows.add(
        Allegation,
        young_person_id=pid,
        subject_role=rng.choice(("foster_carer", "residential_worker", "teacher")),
        subject_description="",
        received_at=received,
        details="Young person says they were grabbed by the arm during an argument.",
        lado_notified_at=received + timedelta(hours=rng.choice((3, 20, 40))),
        strategy_meeting_at=received + timedelta(hours=rng.randint(24, 90)),
        police_involved=rng.random() < 0.3,
        actions="Strategy meeting held; plan agreed.",
        outcome=rng.choice(("unsubstantiated", "substantiated", "unfounded")) if closed else None,
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


def populate_front_door(
    session: Session, people: Sequence[tuple[int, int, int]], *, seed: int, today: date
) -> dict[str, int]:
    """Activity for some of ``people`` ((person id, team lead id, worker id) each) inside
    the caller's transaction; returns row counts."""
    rng = random.Random(seed * 104729 + 5)
    rows = _Rows()
    referral_id = 0
    for pid, lead, worker in people:
        if rng.random() < 0.2:
            referral_id = _concerns(rows, rng, pid, lead, worker, today, referral_id)
        if rng.random() < 0.25:
            _risks(rows, rng, pid, lead, worker, today)
        if rng.random() < 0.08:
            _missing(rows, rng, pid, worker, today)
        if rng.random() < 0.03:
            _allegations(rows, rng, pid, lead, worker, today)
        if rng.random() < 0.2:
            _referrals_out(rows, rng, pid, worker, today)
    for model in (
        Referral,
        SafeguardingContact,
        RiskScreening,
        MissingEpisode,
        Allegation,
        ServiceReferral,
    ):
        batch = rows.tables.get(model, [])
        for start in range(0, len(batch), 5000):
            session.execute(insert(model), batch[start : start + 5000])
    return {model.__tablename__: len(batch) for model, batch in rows.tables.items()}
