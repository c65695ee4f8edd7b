"""Helpers for the front-door screen tests and screenshots.

Build on ``tests.ui._fixtures`` and ``tests.ui._work_fixtures``; load all three with
``pytest_plugins``. Concerns are recorded through the core, at fixed times: the tests' clock
is Friday 27 November 2026 10:30 UTC (10:30 in England).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from casework.db.database import Database
from casework.db.models import SafeguardingContact, YoungPerson
from casework.services import front_door
from casework.services.front_door import ConcernInput
from casework.services.permissions import Actor

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


def concern(
    db: Database,
    actor: Actor,
    person_id: int,
    received_at: datetime,
    *,
    source: str = "6",
    reported: str = "Seen late at night with older men; said she was scared to go home.",
    factors: tuple[str, ...] = ("11A",),
    now: datetime = NOW,
) -> int:
    """Record a concern through the core; the new contact's id."""
    data = ConcernInput(
        received_at=received_at,
        source=source,
        reported=reported,
        referrer_name="PC Amy Khan",
        referrer_contact="07700 900123",
        factors=factors,
    )
    return front_door.record_concern(db, actor, person_id, data, now=now).ids[0]


def team_person_ids(db: Database, actor: Actor) -> list[int]:
    """Young people in the actor's teams (whose concerns reach their queue), oldest first:
    the adults come first, so the first is 18 or over and the last is younger."""
    with db.reading() as session:
        return list(
            session.scalars(
                select(YoungPerson.id)
                .where(YoungPerson.team_id.in_(actor.team_ids))
                .order_by(YoungPerson.date_of_birth, YoungPerson.id)
            )
        )


def quiet_person_ids(db: Database, actor: Actor) -> list[int]:
    """Like :func:`team_person_ids`, but only open cases with nothing yet at the front door
    (so a new concern is not a repeat of an earlier one)."""
    with db.reading() as session:
        known = set(session.scalars(select(SafeguardingContact.young_person_id)))
        closed = set(
            session.scalars(select(YoungPerson.id).where(YoungPerson.closed_on.is_not(None)))
        )
    return [pid for pid in team_person_ids(db, actor) if pid not in known | closed]


def days_ago(days: float, *, now: datetime = NOW) -> datetime:
    return now - timedelta(days=days)


__all__ = ["NOW", "concern", "days_ago", "team_person_ids"]
