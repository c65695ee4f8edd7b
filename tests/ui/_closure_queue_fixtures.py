"""Helpers for the team lead's Closures section: young people made ready to close through
the core, and closure requests submitted at chosen times.

Build on ``tests.ui._fixtures`` (a copy of the 60-person demo database signed in as the
lead of Leaving Care North). Each helper makes a *new* young person in the lead's team,
so the demo's own history (drafts, open referrals) never gets in the way. The tests'
clock is Friday 27 November 2026 10:30 UTC.

A "ready" case has, within 28 days before the request: child sexual exploitation, child
criminal exploitation and missing screened at level none, and a successful face-to-face
contact where the young person was seen; they were told in writing they can come back
for support until 25; and they live somewhere suitable.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from casework.clock import local_today
from casework.config import council_rules
from casework.db.database import Database
from casework.db.models import User
from casework.services import (
    accommodation,
    auth,
    closure,
    contacts,
    front_door,
    pathway,
    people,
    safeguarding,
)
from casework.services.accommodation import AccommodationInput
from casework.services.closure import ClosureInput
from casework.services.contacts import ContactInput
from casework.services.front_door import ConcernInput
from casework.services.people import YoungPersonInput
from casework.services.permissions import Actor
from casework.services.safeguarding import RiskInput

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
PASSWORD = "correct-staple-2026"  # every demo account's (tests/ui/_fixtures.py)
_numbers = itertools.count(1)

SUMMARY = {
    "why_open": "Open as a former relevant child after leaving foster care at 18.",
    "what_changed": "Settled in her own tenancy, working full time, rent paid for a year.",
    "agencies_involved": "GP and the housing association stay involved.",
    "if_concerns_return": "Refer back to the front door; she knows she can come back.",
    "young_person_views": "She says she is ready and will ring if she needs us.",
}


def team_practitioner(db: Database, lead: Actor, *, skip: Actor | None = None) -> Actor:
    """A practitioner in a team the lead leads (not ``skip``), signed in."""
    with db.reading() as session:
        stmt = (
            select(User.username)
            .where(User.role == "practitioner", User.active.is_(True))
            .where(User.team_id.in_(lead.led_team_ids))
            .order_by(User.id)
        )
        if skip is not None:
            stmt = stmt.where(User.id != skip.user_id)
        username = session.scalar(stmt)
    assert username is not None
    return auth.login(db, username, PASSWORD, now=NOW)


def other_lead(db: Database, lead: Actor) -> Actor:
    """Another active team lead, signed in (for a request the first lead made)."""
    with db.reading() as session:
        username = session.scalar(
            select(User.username)
            .where(User.role == "team_lead", User.active.is_(True), User.id != lead.user_id)
            .order_by(User.id)
        )
    assert username is not None
    return auth.login(db, username, PASSWORD, now=NOW)


def working_days_before(days: int, *, now: datetime = NOW) -> datetime:
    """The moment ``days`` working days before ``now``, at the same time of day."""
    calendar = council_rules().calendar
    today = local_today(now)
    moment = now
    while calendar.working_days_between(local_today(moment), today) < days:
        moment -= timedelta(days=1)
    return moment


def new_person(
    db: Database,
    lead: Actor,
    worker: Actor,
    *,
    first: str = "Jade",
    last: str = "Okafor",
    born: date = date(2005, 3, 14),
    eligibility: str = "former_relevant",
) -> int:
    """A new young person in the lead's (first led) team, allocated to ``worker``."""
    number = next(_numbers)
    data = YoungPersonInput(
        child_uid=f"CLQ{number:05d}",
        first_name=first,
        last_name=last,
        date_of_birth=born,
        sex="female",
        ethnicity="WBRI",
        disability="no",
        uasc=False,
        eligibility=eligibility,
        team_id=min(lead.led_team_ids),
        personal_adviser_id=worker.user_id,
        date_ceased_looked_after=date(born.year + 18, born.month, born.day),
    )
    return people.create_young_person(db, lead, data, now=NOW - timedelta(days=200)).ids[0]


def make_ready(db: Database, worker: Actor, person_id: int, *, at: datetime = NOW) -> None:
    """Everything the closure checks read, recorded at ``at`` (a few days before it)."""
    on = local_today(at) - timedelta(days=3)
    for kind in ("cse", "cce", "missing"):
        safeguarding.screen_risk(
            db,
            worker,
            person_id,
            RiskInput(kind, "none", "No indicators seen at the last visit.", on),
            now=at,
        )
    visit = ContactInput(
        occurred_at=at - timedelta(days=2),
        method="face_to_face_accommodation",
        successful=True,
        seen=True,
        seen_alone=True,
        views="Happy in her flat; wants the case closed.",
        discussed="Closure, and that she can come back until 25.",
    )
    draft = contacts.save_draft(db, worker, person_id, visit, now=at).ids[0]
    contacts.finalise(db, worker, person_id, draft, visit, now=at)
    pathway.record_support(db, worker, person_id, "told_can_return", on, "Letter", now=at)
    # 21 or over and declined further support: a lawful ground (Children Act 1989 s23CZB).
    pathway.record_support(db, worker, person_id, "declined_support", on, "No PA", now=at)
    accommodation.add_accommodation(
        db,
        worker,
        person_id,
        AccommodationInput("U", date(2025, 9, 1), True, provider="Riverside Housing"),
        now=at,
    )


def open_medium_risk(db: Database, worker: Actor, person_id: int, *, at: datetime) -> None:
    """A current medium self-harm risk: check 4b then needs the team lead's decision."""
    indicator = safeguarding.indicators()["self_harm"][0]
    on = local_today(at) - timedelta(days=1)
    safeguarding.screen_risk(
        db,
        worker,
        person_id,
        RiskInput(
            "self_harm",
            "medium",
            "Cut her arm last month; now seeing the GP.",
            on,
            (indicator,),
            on + timedelta(weeks=4),
        ),
        now=at,
    )


def two_concerns(db: Database, lead: Actor, person_id: int, *, at: datetime) -> None:
    """Two concerns in the last year that became referrals, each then closed with no
    further action: the re-referral warning, to be overridden."""
    for days in (90, 40):
        received = at - timedelta(days=days)
        data = ConcernInput(
            received_at=received,
            source="6",
            reported="Neighbour heard shouting late at night.",
            referrer_name="PC Amy Khan",
            referrer_contact="07700 900123",
            factors=("11A",),
        )
        cid = front_door.record_concern(db, lead, person_id, data, now=received).ids[0]
        decided = received + timedelta(hours=2)
        rid = front_door.decide_concern(db, lead, cid, "referral", "Refer.", now=decided).ids[1]
        front_door.decide_referral(
            db, lead, rid, "nfa", "Checked: no role for us.", now=decided + timedelta(hours=1)
        )


def request(
    db: Database,
    worker: Actor,
    person_id: int,
    *,
    at: datetime = NOW,
    reason: str = "CL21",
    justifications: dict[str, str] | None = None,
    **summary: str,
) -> int:
    """Submit a closure request at ``at``; its id."""
    data = ClosureInput(
        reason=reason, **{**SUMMARY, **summary}, justifications=justifications or {}
    )
    return closure.request_closure(db, worker, person_id, data, now=at).ids[0]


@dataclass(frozen=True)
class Made:
    person_id: int
    request_id: int


def ready_request(
    db: Database,
    lead: Actor,
    worker: Actor,
    *,
    at: datetime = NOW,
    first: str = "Jade",
    last: str = "Okafor",
    **options: str,
) -> Made:
    """A new young person made ready and a closure request submitted by ``worker`` at ``at``."""
    pid = new_person(db, lead, worker, first=first, last=last)
    make_ready(db, worker, pid, at=at)
    return Made(pid, request(db, worker, pid, at=at, **options))


__all__ = [
    "NOW",
    "PASSWORD",
    "SUMMARY",
    "Made",
    "make_ready",
    "new_person",
    "open_medium_risk",
    "other_lead",
    "ready_request",
    "request",
    "team_practitioner",
    "two_concerns",
    "working_days_before",
]
