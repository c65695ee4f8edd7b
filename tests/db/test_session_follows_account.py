"""A session follows its account: disabling it, or changing its role or teams, refuses
that session's next action (audited) with a plain reason; signing in again gives the new
access."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.db.models import AuditEvent, User
from casework.errors import LoginRefused, SessionRevoked
from casework.services import auth, closure_queue, due, front_door, people, users
from casework.services.people import CaseloadQuery, caseload_ids
from casework.services.permissions import SYSTEM_ACTOR, Actor, Role
from tests.conftest import NOW, PASSWORD, Opened


def _practitioner(opened: Opened, lead: Actor) -> Actor:
    with opened.db.reading() as session:
        name = session.scalar(
            select(User.username)
            .where(User.role == "practitioner", User.team_id == lead.team_id)
            .order_by(User.id)
        )
    assert name is not None
    return opened.login(name)


def _revocations(opened: Opened, user_id: int | None) -> list[AuditEvent]:
    with opened.db.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "session_revoked",
                    AuditEvent.actor_id == user_id,
                    AuditEvent.outcome == "denied",
                )
            )
        )


def test_a_disabled_account_is_refused_at_its_next_action(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    worker = _practitioner(demo_db, lead)
    pid = caseload_ids(demo_db.db, worker, CaseloadQuery(), now=NOW)[0]
    people.open_record(demo_db.db, worker, pid, now=NOW)  # works while the account is active
    users.set_active(demo_db.db, SYSTEM_ACTOR, worker.username, False, now=NOW)
    with pytest.raises(SessionRevoked, match="disabled"):
        people.open_record(demo_db.db, worker, pid, now=NOW)
    with pytest.raises(SessionRevoked):
        caseload_ids(demo_db.db, worker, CaseloadQuery(), now=NOW)
    with pytest.raises(SessionRevoked):
        front_door.queue(demo_db.db, worker, now=NOW)
    with pytest.raises(SessionRevoked):
        due.my_work(demo_db.db, worker, now=NOW)
    with pytest.raises(SessionRevoked):
        closure_queue.queue(demo_db.db, worker, now=NOW)
    with pytest.raises(SessionRevoked):
        due.case_statuses(demo_db.db, worker, [pid], now=NOW)
    assert len(_revocations(demo_db, worker.user_id)) == 6
    with pytest.raises(LoginRefused):
        auth.login(demo_db.db, worker.username, PASSWORD, now=NOW)
    # Other sessions carry on.
    assert caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)


def test_a_changed_role_ends_the_session_and_a_new_sign_in_has_the_new_access(
    demo_db: Opened,
) -> None:
    lead = demo_db.login("lead.north")
    users.change_access(
        demo_db.db,
        SYSTEM_ACTOR,
        "lead.north",
        role=Role.PRACTITIONER,
        team="Leaving Care North",
        now=NOW,
    )
    with pytest.raises(SessionRevoked, match="role or teams"):
        front_door.queue(demo_db.db, lead, now=NOW)
    assert _revocations(demo_db, lead.user_id)
    again = demo_db.login("lead.north")
    assert again.role is Role.PRACTITIONER and not again.led_team_ids
    assert again.team_id is not None
    front_door.queue(demo_db.db, again, now=NOW)


def test_a_changed_team_ends_the_session(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    worker = _practitioner(demo_db, lead)
    pid = caseload_ids(demo_db.db, worker, CaseloadQuery(), now=NOW)[0]
    users.change_access(
        demo_db.db,
        SYSTEM_ACTOR,
        worker.username,
        role=Role.PRACTITIONER,
        team="Leaving Care South",
        now=NOW,
    )
    with pytest.raises(SessionRevoked, match="role or teams"):
        people.open_record(demo_db.db, worker, pid, now=NOW)
    moved = demo_db.login(worker.username)
    assert moved.team_id != worker.team_id


def test_a_team_lead_losing_a_team_ends_the_session(demo_db: Opened) -> None:
    lead = demo_db.login("lead.south")
    users.change_access(
        demo_db.db,
        SYSTEM_ACTOR,
        "lead.south",
        role=Role.TEAM_LEAD,
        team="Leaving Care South",
        leads=("16+ Team",),
        now=NOW,
    )
    with pytest.raises(SessionRevoked):
        caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)
    assert len(demo_db.login("lead.south").led_team_ids) == 2


def test_an_unchanged_account_keeps_working(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    users.set_password(demo_db.db, SYSTEM_ACTOR, "lead.south", PASSWORD + "x", now=NOW)
    assert caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)
    assert not _revocations(demo_db, lead.user_id)
