"""Helpers for the record section tests (and the record screenshots).

``seed_history`` gives one young person a realistic year: contacts (one attempt, one
with an addendum), the lead's own draft, follow-up actions (one overdue), in-touch
status, care history, a pathway plan with a review, a needs assessment, essentials,
accommodation (including a bed and breakfast no team lead has reviewed) and activity.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from casework.db.models import User, YoungPerson
from casework.services import accommodation, contacts, pathway
from casework.services.accommodation import AccommodationInput
from casework.services.contacts import ContactInput, FollowUpInput
from casework.services.pathway import AreaInput, CareHistoryInput
from casework.services.people import YoungPersonInput, create_young_person
from casework.services.permissions import Actor, Role
from ui.views.record import RecordView
from ui.views.record_common import RecordSection

if TYPE_CHECKING:
    from tests.ui._fixtures import Env

TIMEOUT = 5000


@pytest.fixture(autouse=True)
def quick_autosave(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autosave after 80 ms without typing instead of 1.5 s, so tests stay fast."""
    monkeypatch.setattr("ui.dialogs.contact_editor.AUTOSAVE_DELAY_MS", 80)


def team_person(env: Env, *, age: int = 19, first_name: str = "Jordan") -> YoungPerson:
    """A new young person in the lead's team, ``age`` years old, left care at 18, with
    nothing recorded yet (the demo's own histories would get in the way)."""
    dob = date(env.now.year - age, 3, 14)
    left = date(dob.year + 18, 3, 14) if age >= 18 else None
    changed = create_young_person(
        env.db,
        env.lead,
        YoungPersonInput(
            child_uid=f"T{env.count() + 1:06d}",
            first_name=first_name,
            last_name="Okafor",
            date_of_birth=dob,
            sex="male",
            ethnicity="BAFR",
            disability="no",
            uasc=False,
            eligibility="former_relevant" if age >= 18 else "eligible",
            team_id=env.lead.team_id or -1,
            personal_adviser_id=env.lead.user_id,
            date_ceased_looked_after=left,
        ),
        now=env.now,
    )
    return env.person(id=changed.ids[0])


def practitioner(env: Env) -> Actor:
    """A practitioner in the lead's team (not a team lead)."""
    with env.db.reading() as session:
        user = session.scalars(
            select(User).where(
                User.team_id == env.lead.team_id, User.role == str(Role.PRACTITIONER)
            )
        ).first()
        assert user is not None
        return Actor(user.id, user.username, user.display_name, Role.PRACTITIONER, user.team_id)


def make_view(qtbot: QtBot, env: Env, actor: Actor | None = None) -> RecordView:
    view = RecordView(env.db, actor or env.lead, env.clock)
    qtbot.addWidget(view)
    view.resize(1180, 860)
    view.show()
    return view


def open_person(qtbot: QtBot, view: RecordView, person_id: int) -> None:
    view.show_person(person_id)
    qtbot.waitUntil(lambda: view.record is not None, timeout=TIMEOUT)


def open_section(qtbot: QtBot, view: RecordView, section: RecordSection) -> None:
    view.tabs.setCurrentWidget(section)
    qtbot.waitUntil(lambda: section.is_loaded, timeout=TIMEOUT)


def reload_and_wait(qtbot: QtBot, section: RecordSection) -> None:
    section.reload()
    qtbot.waitUntil(lambda: section.is_loaded, timeout=TIMEOUT)


def at(env: Env, days_ago: int, hour: int = 14, minute: int = 0) -> datetime:
    """A moment ``days_ago`` days before the tests' now, at a given time (UTC)."""
    moment = env.now - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=minute)


def add_final_contact(env: Env, person_id: int, days_ago: int, **details: object) -> int:
    data = ContactInput(occurred_at=at(env, days_ago), **details)  # type: ignore[arg-type]
    when = at(env, days_ago, 17)
    draft = contacts.save_draft(env.db, env.lead, person_id, data, now=when)
    contact_id = draft.ids[0]
    contacts.finalise(env.db, env.lead, person_id, contact_id, data, now=when)
    return contact_id


def seed_contacts(env: Env, person_id: int) -> None:
    add_final_contact(
        env,
        person_id,
        75,
        method="phone",
        successful=False,
        discussed="Rang twice, no answer. Left a voicemail and sent a text.",
    )
    first = add_final_contact(
        env,
        person_id,
        60,
        method="face_to_face_accommodation",
        successful=True,
        location="Their flat, Hawthorn Road",
        seen=True,
        seen_alone=True,
        views="“I like the flat but the heating keeps breaking and I'm cold at night.”",
        discussed="Heating repairs, budgeting for winter bills, college timetable.",
    )
    contacts.add_addendum(
        env.db,
        env.lead,
        person_id,
        first,
        "Correction: the landlord, not the council, is responsible for the heating repair.",
        now=at(env, 59, 9),
    )
    add_final_contact(
        env,
        person_id,
        20,
        method="face_to_face_community",
        successful=True,
        location="Café on the High Street",
        seen=True,
        views="Wants help finding a course for next September; worried about money.",
        discussed="Moved to a B&B after the flat flooded. Talked about a supported lodgings "
        "referral and a college open day.",
    )
    contacts.save_draft(
        env.db,
        env.lead,
        person_id,
        ContactInput(
            occurred_at=at(env, 1, 11),
            method="phone",
            successful=True,
            discussed="Called about the open day; they said they will",
        ),
        now=at(env, 1, 11, 20),
    )


def seed_follow_ups(env: Env, person_id: int) -> None:
    contacts.add_follow_up(
        env.db,
        env.lead,
        person_id,
        FollowUpInput("Chase the landlord about the heating repair", env.now.date() - timedelta(6)),
        now=at(env, 25),
    )
    contacts.add_follow_up(
        env.db,
        env.lead,
        person_id,
        FollowUpInput("Send the supported lodgings referral", env.now.date() + timedelta(4)),
        now=at(env, 2),
    )


def seed_pathway(env: Env, person: YoungPerson) -> None:
    pathway.save_care_history(
        env.db,
        env.lead,
        person.id,
        CareHistoryInput(
            date_entered_care=date(person.date_of_birth.year + 13, 5, 2),
            weeks_looked_after_since_14=180,
            legal_status="Full care order (s31)",
        ),
        now=env.now,
    )
    pathway.start_plan(
        env.db,
        env.lead,
        person.id,
        started_on=env.now.date() - timedelta(days=200),
        participation="Came to the meeting and wrote the education section themselves.",
        areas=[
            AreaInput(
                "accommodation",
                "Needs a stable tenancy",
                "Supported lodgings referral",
                "PA",
                env.now.date() - timedelta(10),
            ),
            AreaInput(
                "education_training",
                "Wants a plumbing course",
                "Book college open day",
                "Young person",
                env.now.date() + timedelta(40),
            ),
            AreaInput(
                "finance",
                "Struggles with bills",
                "Budgeting sessions",
                "PA",
                env.now.date() + timedelta(20),
            ),
            AreaInput("health", "Registered with GP", "", "", None),
        ],
        now=env.now,
    )
    pathway.review_plan(
        env.db,
        env.lead,
        person.id,
        reviewed_on=env.now.date() - timedelta(days=100),
        participated=True,
        notes="Plan still right; college application to start in spring.",
        now=env.now,
    )
    pathway.set_essential(
        env.db, env.lead, person.id, "id", env.now.date() - timedelta(300), now=env.now
    )
    pathway.set_essential(
        env.db, env.lead, person.id, "gp_registration", env.now.date() - timedelta(250), now=env.now
    )


def seed_accommodation(env: Env, person_id: int) -> None:
    accommodation.add_accommodation(
        env.db,
        env.lead,
        person_id,
        AccommodationInput("D", env.now.date() - timedelta(400), True, "Hawthorn House"),
        now=env.now,
    )
    accommodation.add_accommodation(
        env.db,
        env.lead,
        person_id,
        AccommodationInput(
            "W",
            env.now.date() - timedelta(21),
            False,
            "Station Road B&B",
            "Shared bathroom with adults; no cooking facilities.",
            council_provided=True,
        ),
        now=env.now,
    )
    accommodation.add_activity(
        env.db,
        env.lead,
        person_id,
        "F2",
        env.now.date() - timedelta(420),
        "Level 1 Construction, City College",
        now=env.now,
    )
    accommodation.add_activity(
        env.db, env.lead, person_id, "G5", env.now.date() - timedelta(60), now=env.now
    )


def seed_history(env: Env, person: YoungPerson) -> None:
    seed_contacts(env, person.id)
    seed_follow_ups(env, person.id)
    seed_pathway(env, person)
    seed_accommodation(env, person.id)


__all__ = [
    "TIMEOUT",
    "add_final_contact",
    "at",
    "make_view",
    "open_person",
    "open_section",
    "practitioner",
    "quick_autosave",
    "reload_and_wait",
    "seed_history",
    "team_person",
]
