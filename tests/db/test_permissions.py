"""One policy table decides; denials are explained and audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.db.models import AuditEvent, YoungPerson
from casework.errors import PermissionDenied
from casework.services import due, people, users
from casework.services.permissions import (
    POLICY,
    Action,
    Relation,
    Role,
    allowed,
)
from tests.conftest import NOW, Opened


def test_administrators_never_read_case_records() -> None:
    for action in (
        Action.LIST_CASELOAD,
        Action.VIEW_RECORD,
        Action.EDIT_RECORD,
        Action.CREATE_RECORD,
        Action.EXPORT_BUNDLE,
    ):
        for relation in Relation:
            assert not allowed(Role.ADMIN, action, relation)


def test_nobody_reaches_another_teams_records() -> None:
    for role, action in POLICY:
        assert not allowed(role, action, Relation.OTHER_TEAM)


def test_case_roles_cannot_manage_accounts() -> None:
    for role in (Role.PRACTITIONER, Role.TEAM_LEAD):
        assert not allowed(role, Action.MANAGE_USERS, Relation.NOT_A_RECORD)


def _other_team_person(opened: Opened, team_ids: frozenset[int]) -> int:
    with opened.db.reading() as session:
        found = session.scalar(select(YoungPerson.id).where(YoungPerson.team_id.not_in(team_ids)))
    assert found is not None
    return found


def _denials(opened: Opened) -> list[AuditEvent]:
    with opened.db.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")))


def test_admin_denied_caseload_and_audited(demo_db: Opened) -> None:
    admin = demo_db.login("it.admin")
    with pytest.raises(PermissionDenied, match="do not read case records"):
        people.caseload_ids(demo_db.db, admin, people.CaseloadQuery(), now=NOW)
    denial = _denials(demo_db)[-1]
    assert (denial.action, denial.actor_id) == ("list_caseload", admin.user_id)
    with pytest.raises(PermissionDenied, match="do not read case records"):
        due.my_work(demo_db.db, admin, now=NOW)
    assert len(_denials(demo_db)) == 2


def test_lead_cannot_open_other_team_record(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    other = _other_team_person(demo_db, lead.team_ids)
    with pytest.raises(PermissionDenied, match="team you are not part of"):
        people.open_record(demo_db.db, lead, other, now=NOW)
    denial = _denials(demo_db)[-1]
    assert (denial.action, denial.record_id) == ("view_record", str(other))


def test_lead_sees_only_led_teams(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    ids = people.caseload_ids(demo_db.db, lead, people.CaseloadQuery(), now=NOW)
    with demo_db.db.reading() as session:
        teams = set(session.scalars(select(YoungPerson.team_id).where(YoungPerson.id.in_(ids))))
    assert ids and teams <= lead.team_ids


def test_practitioner_cannot_manage_users(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    with pytest.raises(PermissionDenied):
        users.list_users(demo_db.db, lead, now=NOW)
