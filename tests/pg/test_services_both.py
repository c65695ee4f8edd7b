"""The same services, the same answers, on a local file and on the team server.

Each test runs twice (``both_backends`` / ``both_demos``): once on an encrypted file, once
on the throwaway PostgreSQL server with each person signed in as their own role, so the
server's own rules (row-level security, the closed-case guard, the server-written audit
trail, approval grants) apply as they do in use. After each server test the server's
audit chain and every record are checked (``ServerBackend.check_trail``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from casework.db.models import AuditEvent, User, YoungPerson
from casework.errors import CaseClosed, PermissionDenied, ValidationFailed
from casework.services import audit, closure, contacts, due, front_door, people
from casework.services.contacts import ContactInput
from casework.services.front_door import ConcernInput
from casework.services.people import CaseloadQuery
from casework.services.permissions import Actor
from tests.conftest import NOW, PASSWORD
from tests.db.test_closure import FULL, TODAY
from tests.db.test_contacts import _good as _good_contact
from tests.db.test_people import _input as _person
from tests.pg.team import Backend


def _chain_ok(backend: Backend, lead: Actor) -> None:
    """Team leads may check the trail (on the server: its own chain check)."""
    with backend.db_for(lead).reading() as session:
        assert audit.verify_chain(session).ok


def test_people_created_found_and_refused(both_backends: Backend) -> None:
    lead = both_backends.login("lead")
    db = both_backends.db_for(lead)
    team = next(iter(lead.team_ids))
    changed = people.create_young_person(db, lead, _person(team), now=NOW)
    for search in ("okaf", "amara ok", "new-0"):
        assert people.caseload_ids(db, lead, CaseloadQuery(search=search), now=NOW) == list(
            changed.ids
        )
    with pytest.raises(ValidationFailed, match="child_uid"):
        people.create_young_person(db, lead, _person(team, child_uid="bad uid!"), now=NOW)
    with pytest.raises(ValidationFailed):  # the same Child Unique ID again
        people.create_young_person(db, lead, _person(team), now=NOW)
    admin = both_backends.login("admin")
    with pytest.raises(PermissionDenied, match="do not read case records"):
        people.caseload_ids(both_backends.db_for(admin), admin, CaseloadQuery(), now=NOW)
    _chain_ok(both_backends, lead)


def test_contact_draft_then_final(both_demos: Backend) -> None:
    lead = both_demos.login("lead.north")
    db = both_demos.db_for(lead)
    pid = people.caseload_ids(db, lead, CaseloadQuery(), now=NOW)[0]
    partial = ContactInput(occurred_at=NOW - timedelta(hours=1), views="half a sent")
    (cid,) = contacts.save_draft(db, lead, pid, partial, now=NOW).ids
    contacts.finalise(db, lead, pid, cid, _good_contact(), now=NOW)
    with pytest.raises(ValidationFailed, match="finalised"):
        contacts.save_draft(db, lead, pid, _good_contact(), contact_id=cid, now=NOW)
    [mine] = [c for c in contacts.list_contacts(db, lead, pid, now=NOW) if c.id == cid]
    assert not mine.is_draft and mine.details.views == '"I want to stay here."'
    _chain_ok(both_demos, lead)


def test_a_practitioner_sees_only_their_teams_people(both_demos: Backend) -> None:
    lead = both_demos.login("lead.north")
    with both_demos.db_for(lead).reading() as session:
        username = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    assert username is not None
    worker = both_demos.login(username)
    db = both_demos.db_for(worker)
    theirs = set(people.caseload_ids(db, worker, CaseloadQuery(), now=NOW))
    with db.reading() as session:
        teams = set(session.scalars(select(YoungPerson.team_id).where(YoungPerson.id.in_(theirs))))
    assert theirs and teams <= {worker.team_id}
    items = due.my_work(db, worker, now=NOW)
    assert {i.person_id for i in items} <= theirs


def test_my_work_for_a_team_lead(both_demos: Backend) -> None:
    lead = both_demos.login("lead.north")
    items = due.my_work(both_demos.db_for(lead), lead, now=NOW, team=True)
    assert len(items) > 5


def _concern(**changes: object) -> ConcernInput:
    base = {
        "received_at": NOW,
        "source": "6",
        "reported": "Seen with older men.",
        "factors": ("11A",),
    }
    return ConcernInput(**(base | changes))  # type: ignore[arg-type]


def test_front_door_decisions_by_team_leads_only(both_demos: Backend) -> None:
    lead = both_demos.login("lead.north")
    db = both_demos.db_for(lead)
    pid = people.caseload_ids(db, lead, CaseloadQuery(), now=NOW)[0]
    (cid,) = front_door.record_concern(db, lead, pid, _concern(), now=NOW).ids
    with db.reading() as session:
        pa = session.scalar(
            select(User.username).where(User.role == "practitioner", User.team_id == lead.team_id)
        )
    assert pa is not None
    worker = both_demos.login(pa)
    with pytest.raises(PermissionDenied):
        front_door.decide_concern(both_demos.db_for(worker), worker, cid, "nfa", "x", now=NOW)
    changed = front_door.decide_concern(db, lead, cid, "referral", "Risk of CSE.", now=NOW)
    assert len(changed.ids) == 2
    front_door.decide_referral(db, lead, changed.ids[1], "assessment", "Needs it.", now=NOW)
    with pytest.raises(ValidationFailed, match="already"):
        front_door.decide_referral(db, lead, changed.ids[1], "nfa", "Changed mind.", now=NOW)
    _chain_ok(both_demos, lead)


def _ready(backend: Backend, lead: Actor) -> tuple[int, str]:
    db = backend.db_for(lead)
    with db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id).where(YoungPerson.closed_on.is_(None))))
    for pid in ids:
        try:
            ov = closure.overview(db, lead, pid, now=NOW)
        except PermissionDenied:
            continue
        if ov.request is None and closure.rules.can_approve(
            closure.preview_checks(db, lead, pid, FULL, now=NOW)
        ):
            with db.reading() as session:
                person = session.get(YoungPerson, pid)
                assert person is not None
                wid = person.personal_adviser_id or person.social_worker_id
                name = session.scalar(select(User.username).where(User.id == wid))
            assert name is not None
            return pid, name
    raise AssertionError("the demo has nobody ready to close")


def test_closure_request_approve_close(both_demos: Backend) -> None:
    lead = both_demos.login("lead.north")
    pid, username = _ready(both_demos, lead)
    worker = both_demos.login(username)
    wdb, ldb = both_demos.db_for(worker), both_demos.db_for(lead)
    (rid,) = closure.request_closure(wdb, worker, pid, FULL, now=NOW).ids
    with pytest.raises(PermissionDenied, match="password"):
        closure.approve_closure(ldb, lead, rid, "not-the-password", now=NOW)
    with pytest.raises(PermissionDenied):  # practitioners never approve
        closure.approve_closure(wdb, worker, rid, PASSWORD, now=NOW)
    closure.approve_closure(ldb, lead, rid, PASSWORD, now=NOW)
    closure.close_case(wdb, worker, rid, TODAY, now=NOW)
    ov = closure.overview(ldb, lead, pid, now=NOW)
    assert ov.state == "closed" and ov.closed_on == TODAY
    with pytest.raises(CaseClosed):
        contacts.save_draft(wdb, worker, pid, _good_contact(), now=NOW)
    if both_demos.kind == "server":
        # Past the app's own check, the server refuses too, in words.
        with pytest.raises(CaseClosed, match="team server refused"), wdb.unit_of_work() as s:
            s.execute(update(YoungPerson).where(YoungPerson.id == pid).values(first_name="Changed"))
    with ldb.reading() as session:
        actions = set(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.record_type == "closure_request")
            )
        )
    assert {"request_closure", "approve_closure"} <= actions
    _chain_ok(both_demos, lead)
