"""Safeguarding and risk history for the record section tests (and its screenshots).

``seed_safeguarding`` gives one young person: a high CSE risk a practitioner screened (not
signed off), a medium missing risk, an older low CCE screening; an open allegation whose
LADO clock has run out and a finished one; a missing episode whose return interview was
offered late, one not offered yet and past its 72 hours, and one in time; referrals out
(one to chase, one declined with its reason); and a concern received last week.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from casework.services import front_door, safeguarding
from casework.services.front_door import ConcernInput
from casework.services.permissions import Actor
from casework.services.safeguarding import AllegationInput, MissingInput, RiskInput
from tests.ui._record_fixtures import at

if TYPE_CHECKING:
    from tests.ui._fixtures import Env


def seed_risks(env: Env, person_id: int, worker: Actor) -> None:
    today = env.now.date()
    safeguarding.screen_risk(
        env.db,
        worker,
        person_id,
        RiskInput(
            "cce", "low", "No current concerns; keep an eye on new friends.", today - timedelta(90)
        ),
        now=env.now,
    )
    offered = safeguarding.indicators()
    safeguarding.screen_risk(
        env.db,
        worker,
        person_id,
        RiskInput(
            "missing",
            "medium",
            "Two nights away in October; came back on their own and talked to the PA.",
            today - timedelta(20),
            offered["missing"][:1],
        ),
        now=env.now,
    )
    safeguarding.screen_risk(
        env.db,
        worker,
        person_id,
        RiskInput(
            "cse",
            "high",
            "Seen getting into cars with older men near the station; new phone and clothes "
            "they will not explain.",
            today - timedelta(2),
            offered["cse"][:3],
        ),
        now=env.now,
    )


def seed_allegations(env: Env, person_id: int) -> None:
    safeguarding.record_allegation(
        env.db,
        env.lead,
        person_id,
        AllegationInput(
            "residential_worker",
            at(env, 200, 11),
            "Said a night worker pushed them against a wall during an argument.",
            "Night worker at Hawthorn House",
            lado_notified_at=at(env, 200, 15),
            strategy_meeting_at=at(env, 198, 10),
        ),
        now=env.now,
    )
    [finished] = safeguarding.list_allegations(env.db, env.lead, person_id, now=env.now)
    safeguarding.close_allegation(
        env.db,
        env.lead,
        finished.id,
        "unsubstantiated",
        "CCTV inconclusive; two accounts differ. Worker given refresher training.",
        env.now.date() - timedelta(150),
        now=env.now,
    )
    safeguarding.record_allegation(
        env.db,
        env.lead,
        person_id,
        AllegationInput(
            "foster_carer",
            at(env, 4, 16, 40),
            "Told their PA the former foster carer has been sending them messages asking "
            "them to visit and offering money.",
            "Mr B. Hughes",
            police_involved=True,
            actions="Screenshots of the messages saved to the record.",
        ),
        now=env.now,
    )


def seed_missing(env: Env, person_id: int) -> None:
    episodes = (
        MissingInput(
            at(env, 150, 22),
            at(env, 149, 9),
            True,
            at(env, 149, 14),
            True,
            "Stayed with a friend's family; agreed to text the PA next time.",
            at(env, 149, 16),  # held within 72 hours of the return
        ),
        MissingInput(at(env, 40, 21), at(env, 38, 13), True, at(env, 32, 10), False, ""),
        MissingInput(at(env, 6, 23), at(env, 5, 8), True),
    )
    for episode in episodes:
        safeguarding.save_missing(env.db, env.lead, person_id, episode, now=env.now)


def seed_referrals(env: Env, person_id: int) -> None:
    today = env.now.date()
    safeguarding.send_referral_out(
        env.db,
        env.lead,
        person_id,
        "housing",
        "Northgate Housing Options",
        today - timedelta(20),
        None,
        now=env.now,
    )
    safeguarding.send_referral_out(
        env.db,
        env.lead,
        person_id,
        "mental_health",
        "CAMHS transition team",
        today - timedelta(5),
        today + timedelta(10),
        now=env.now,
    )
    safeguarding.send_referral_out(
        env.db,
        env.lead,
        person_id,
        "substance_misuse",
        "Turning Point",
        today - timedelta(60),
        today - timedelta(40),
        now=env.now,
    )
    referrals = safeguarding.list_referrals_out(env.db, env.lead, person_id, now=env.now)
    declined = next(r for r in referrals if r.service.value == "substance_misuse")
    safeguarding.update_referral_out(
        env.db,
        env.lead,
        declined.id,
        "declined",
        reason="Says they do not use drugs now; service will take a self-referral.",
        now=env.now,
    )


def seed_concern(env: Env, person_id: int) -> None:
    front_door.record_concern(
        env.db,
        env.lead,
        person_id,
        ConcernInput(at(env, 6, 9), "6", "Police saw them at 2am in a car with two adults."),
        now=env.now,
    )


def seed_safeguarding(env: Env, person_id: int, worker: Actor) -> None:
    seed_risks(env, person_id, worker)
    seed_allegations(env, person_id)
    seed_missing(env, person_id)
    seed_referrals(env, person_id)
    seed_concern(env, person_id)


__all__ = ["seed_safeguarding"]
