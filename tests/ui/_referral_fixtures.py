"""Concerns and referrals for the "Concerns and referrals" section tests (and its
screenshot).

``add_referral`` takes a concern through the front door: received, decided "referral to
children's social care" (which opens the referral), and optionally the referral decided.
``seed_referrals`` gives one young person a realistic year: an authorised assessment,
a re-referral whose assessment is overdue, a strategy discussion whose conference is
overdue, a referral awaiting its decision, and a concern awaiting one (five concerns in
the year, so the repeated-concerns alert is raised).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from casework.services import front_door
from casework.services.front_door import ConcernInput, ReferralProgress
from tests.ui._record_fixtures import at, practitioner

if TYPE_CHECKING:
    from tests.ui._fixtures import Env


def add_concern(env: Env, person_id: int, days_ago: int, source: str, reported: str) -> int:
    changed = front_door.record_concern(
        env.db,
        env.lead,
        person_id,
        ConcernInput(at(env, days_ago, 9, 15), source, reported, referrer_name="Duty officer"),
        now=at(env, days_ago, 9, 30),
    )
    return changed.ids[0]


def add_referral(
    env: Env,
    person_id: int,
    days_ago: int,
    *,
    decision: str | None = "assessment",
    source: str = "6",
    reported: str = "Found by police at 2am with two older men; would not give their address.",
) -> int:
    """A concern received ``days_ago`` days ago and referred that afternoon; the referral
    decided the same day as ``decision`` (None: still awaiting a decision)."""
    contact = add_concern(env, person_id, days_ago, source, reported)
    changed = front_door.decide_concern(
        env.db,
        env.lead,
        contact,
        "referral",
        "Risk of exploitation; needs a social work assessment.",
        now=at(env, days_ago, 11),
    )
    referral = changed.ids[1]
    if decision is not None:
        front_door.decide_referral(
            env.db,
            env.lead,
            referral,
            decision,
            "Several agencies worried; the young person wants help with housing.",
            now=at(env, days_ago, 15, 40),
        )
    return referral


def seed_referrals(env: Env, person_id: int) -> None:
    today = env.now.date()
    first = add_referral(
        env,
        person_id,
        250,
        source="2A",
        reported="College says they have stopped attending and seem frightened of an older "
        "student.\nTutor saw bruising on their arm.",
    )
    front_door.record_progress(
        env.db,
        practitioner(env),  # the team lead authorises what a practitioner recorded
        first,
        ReferralProgress(today - timedelta(248), True, True, today - timedelta(215)),
        now=env.now,
    )
    front_door.authorise_assessment(env.db, env.lead, first, now=env.now)
    overdue = add_referral(env, person_id, 100)
    front_door.record_progress(
        env.db,
        env.lead,
        overdue,
        ReferralProgress(today - timedelta(97), child_seen=True),
        now=env.now,
    )
    strategy = add_referral(
        env,
        person_id,
        40,
        decision="strategy_s47",
        source="3E",
        reported="Came to A&E with a cut hand; said a man they owe money to did it.",
    )
    front_door.record_progress(
        env.db,
        env.lead,
        strategy,
        ReferralProgress(
            strategy_discussion_on=today - timedelta(38),
            s47_outcome="Concerns substantiated; judged to be at continuing risk of "
            "significant harm",
        ),
        now=env.now,
    )
    add_referral(
        env,
        person_id,
        1,
        decision=None,
        source="4",
        reported="Housing officer: not at their flat for a week; neighbours heard shouting.",
    )
    add_concern(env, person_id, 0, "1A", "Aunt rang: they phoned her crying late last night.")


__all__ = ["add_concern", "add_referral", "seed_referrals"]
