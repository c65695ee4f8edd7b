"""Closure histories for the Closure tab tests (and its screenshots).

``ready_person`` gives a young person whose record passes every closure check the record
itself decides: a former relevant 22-year-old who declined further support (so "reached 21
and declined further support" is a lawful ground, Children Act 1989 s23CZB), exploitation
and missing screened last week at level none, seen alone face to face five days ago, told
in writing they can come back until 25, living somewhere suitable, no drafts and no open
follow-ups. What is left is the request itself (reason,
summary, views), which the worker writes on the tab.

``request_for`` sends a complete request for such a person through the service, so a test
can start from a pending, returned, approved or closed case.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from casework.services import accommodation, closure, pathway, safeguarding
from casework.services.accommodation import AccommodationInput
from casework.services.closure import ClosureInput
from casework.services.permissions import Actor
from casework.services.safeguarding import RiskInput
from tests.ui._record_fixtures import add_final_contact, team_person

if TYPE_CHECKING:
    from casework.db.models import YoungPerson
    from tests.ui._fixtures import Env

PASSWORD = "correct-staple-2026"
RECEIVING = "Northshire County Council leaving care team"


def ready_person(env: Env, worker: Actor, *, first_name: str = "Casey") -> YoungPerson:
    person = team_person(env, age=22, first_name=first_name)
    today = env.now.date()
    for kind in ("cse", "cce", "missing"):
        safeguarding.screen_risk(
            env.db,
            worker,
            person.id,
            RiskInput(
                kind, "none", "No concerns at the pre-closure screening.", today - timedelta(6)
            ),
            now=env.now,
        )
    add_final_contact(
        env,
        person.id,
        5,
        method="face_to_face_accommodation",
        successful=True,
        location="Their new flat",
        seen=True,
        seen_alone=True,
        views="Happy to move to Northshire's team; has their PA's number if things change.",
        discussed="The transfer, who their new PA will be, and the letter about support to 25.",
    )
    pathway.record_support(
        env.db,
        worker,
        person.id,
        "declined_support",
        today - timedelta(5),
        "Does not want a PA any more; knows how to come back.",
        now=env.now,
    )
    pathway.record_support(
        env.db,
        worker,
        person.id,
        "told_can_return",
        today - timedelta(5),
        "Letter handed over at the visit.",
        now=env.now,
    )
    accommodation.add_accommodation(
        env.db,
        worker,
        person.id,
        AccommodationInput("D", today - timedelta(90), True, "Elm Court supported flats"),
        now=env.now,
    )
    return person


def complete_request(env: Env) -> ClosureInput:
    """Reached 21 and declined further support, with every part of the summary written."""
    return ClosureInput(
        reason="CL21",
        why_open="Care leaver (former relevant) after leaving foster care at 18.",
        what_changed="Settled in a tenancy and moving to Northshire to be near family.",
        agencies_involved="Northshire leaving care team; GP; City College.",
        if_concerns_return="Contact Northshire's duty team; our front door on 01234 567890.",
        young_person_views="Wants the move and is glad the new team will keep in touch.",
    )


def request_for(env: Env, worker: Actor, person_id: int) -> int:
    """Submit the complete request as ``worker``; returns the request's id."""
    changed = closure.request_closure(env.db, worker, person_id, complete_request(env), now=env.now)
    return changed.ids[0]


def returned_case(env: Env, worker: Actor, person_id: int, comments: str) -> int:
    request_id = request_for(env, worker, person_id)
    closure.return_closure(env.db, env.lead, request_id, comments, now=env.now)
    return request_id


def approved_case(env: Env, worker: Actor, person_id: int) -> int:
    request_id = request_for(env, worker, person_id)
    closure.approve_closure(env.db, env.lead, request_id, PASSWORD, now=env.now)
    return request_id


def closed_case(env: Env, worker: Actor, person_id: int) -> int:
    request_id = approved_case(env, worker, person_id)
    closure.close_case(env.db, worker, request_id, env.now.date(), now=env.now)
    return request_id


__all__ = [
    "PASSWORD",
    "RECEIVING",
    "approved_case",
    "closed_case",
    "complete_request",
    "ready_person",
    "request_for",
    "returned_case",
]
