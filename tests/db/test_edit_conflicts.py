"""Two people, one record, on real files: two ``Database`` objects open on the same
SQLCipher file stand for two people's computers. A change made after someone's screen read
a record is refused with EditConflict naming what changed, who changed it and when; the
first writer's change stays exactly as they saved it; nothing is half-written; the audit
trail still verifies. Lists re-read the file, so each person sees the other's change on
refresh. Migration 0016 gives every row its version and vouches for the rows again."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select, text, update

from casework.db import audit_rows
from casework.db.database import Database, open_database, unlock
from casework.db.models import Allegation, AuditEvent, SafeguardingContact, YoungPerson
from casework.errors import EditConflict, PermissionDenied, ValidationFailed
from casework.services import (
    accommodation,
    audit,
    closure,
    due,
    front_door,
    pathway,
    people,
    users,
)
from casework.services import safeguarding as sg
from casework.services.accommodation import AccommodationInput
from casework.services.closure import ClosureInput, Status
from casework.services.front_door import ConcernInput
from casework.services.people import CaseloadQuery, caseload_ids
from casework.services.permissions import Actor, Role
from tests.conftest import NOW, PASSPHRASE, PASSWORD, Opened
from tests.db._rewind import previous, rewind

LATER = NOW + timedelta(minutes=12)  # 10:42 in London (GMT in November)
TODAY = NOW.date()


@dataclass
class Two:
    """The same database file open on two computers."""

    a: Database
    b: Database
    path: Path

    def login(self, db: Database, username: str) -> Actor:
        from casework.services import auth

        return auth.login(db, username, PASSWORD, now=NOW)


def _second(path: Path) -> Database:
    key, info = unlock(path, passphrase=PASSPHRASE)
    return open_database(path, key, info=info, now=NOW)


@pytest.fixture
def two(demo_db: Opened) -> Iterator[Two]:
    other = _second(demo_db.path)
    yield Two(demo_db.db, other, demo_db.path)
    other.close()


def _verified(db: Database) -> None:
    with db.reading() as session:
        assert audit.verify_chain(session).ok
        assert list(audit.verify_records(session)) == []


def _worker_of(db: Database, pid: int) -> str:
    from casework.db.models import User

    with db.reading() as session:
        person = session.get(YoungPerson, pid)
        assert person is not None
        uid = person.personal_adviser_id or person.social_worker_id
        name = session.scalar(select(User.username).where(User.id == uid))
    assert name is not None
    return name


# --- a young person's details --------------------------------------------------------------


def test_details_saved_by_one_refuse_the_others_stale_save_naming_field_person_time(
    two: Two,
) -> None:
    lead = two.login(two.a, "lead.north")
    pid = caseload_ids(two.a, lead, CaseloadQuery(), now=NOW)[0]
    worker = two.login(two.b, _worker_of(two.a, pid))
    mine = people.open_record(two.a, lead, pid, now=NOW)  # the lead opens it on A
    theirs = people.open_record(two.b, worker, pid, now=NOW)  # the worker on B
    people.update_young_person(
        two.b,
        worker,
        pid,
        dataclasses.replace(theirs.details, preferred_name="Jay", disability="yes"),
        expected_version=theirs.version,
        now=LATER,
    )
    with pytest.raises(EditConflict) as caught:
        people.update_young_person(
            two.a,
            lead,
            pid,
            dataclasses.replace(mine.details, preferred_name="Jo"),
            expected_version=mine.version,
            now=LATER + timedelta(minutes=1),
        )
    message = str(caught.value)
    assert worker.display_name in message
    assert "disability and preferred name" in message
    assert "10:42 on 27 November 2026" in message
    assert "nothing of theirs was overwritten" in message and "Reopen the record" in message
    assert caught.value.record_type == "young_person" and caught.value.record_id == str(pid)
    after = people.open_record(two.a, lead, pid, now=NOW)
    assert after.details.preferred_name == "Jay" and after.version == theirs.version + 1
    _verified(two.a)
    # Reopened, the lead's change goes through on the version now shown.
    people.update_young_person(
        two.a,
        lead,
        pid,
        dataclasses.replace(after.details, preferred_name="Jo"),
        expected_version=after.version,
        now=LATER,
    )


def test_a_write_racing_another_commit_is_a_conflict_and_writes_nothing(two: Two) -> None:
    """On a server two transactions can read the same version; the second UPDATE then
    matches no row (version_id_col) and the unit of work raises EditConflict."""
    lead = two.login(two.a, "lead.north")
    pid = caseload_ids(two.a, lead, CaseloadQuery(), now=NOW)[0]
    with two.a.reading() as session:
        events_before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    refused = pytest.raises(EditConflict, match="Someone else saved a change")
    with refused, two.a.unit_of_work() as session:
        person = session.get(YoungPerson, pid)
        assert person is not None
        # Another writer's committed change, as a server would show it to this flush.
        session.execute(
            update(YoungPerson)
            .where(YoungPerson.id == pid)
            .values(version=YoungPerson.version + 1)
            .execution_options(synchronize_session=False)
        )
        person.preferred_name = "Overwritten?"
        session.flush()
    with two.b.reading() as session:
        person = session.get(YoungPerson, pid)
        assert person is not None and person.preferred_name != "Overwritten?"
        last = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    assert last == events_before
    _verified(two.b)


# --- closure requests -----------------------------------------------------------------------

FULL = ClosureInput(
    reason="CLNR",
    why_open="Care leaver supported since leaving care.",
    what_changed="Settled, working, and managing well.",
    agencies_involved="Tenancy support until spring.",
    if_concerns_return="Call the leaving care duty line.",
    young_person_views="They agree the case can close.",
)


def _ready(db: Database, lead: Actor) -> int:
    with db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id).where(YoungPerson.closed_on.is_(None))))
    for pid in ids:
        try:
            ov = closure.overview(db, lead, pid, now=NOW)
        except PermissionDenied:  # not on this lead's teams
            continue
        if ov.request is None and closure.rules.can_approve(
            closure.preview_checks(db, lead, pid, FULL, now=NOW)
        ):
            return pid
    raise AssertionError("the demo has a case ready to close")


def test_an_approval_already_given_is_named_and_the_withdrawal_refused(two: Two) -> None:
    lead_a = two.login(two.a, "lead.north")
    pid = _ready(two.a, lead_a)
    worker = two.login(two.b, _worker_of(two.a, pid))
    (rid,) = closure.request_closure(two.b, worker, pid, FULL, now=NOW).ids
    shown = closure.overview(two.b, worker, pid, now=NOW).request  # the worker's screen
    assert shown is not None and shown.status is Status.PENDING
    lead_screen = closure.overview(two.a, lead_a, pid, now=NOW).request
    assert lead_screen is not None
    closure.approve_closure(
        two.a, lead_a, rid, PASSWORD, now=LATER, expected_version=lead_screen.version
    )
    with pytest.raises(EditConflict) as caught:
        closure.withdraw_closure(two.b, worker, rid, now=LATER, expected_version=shown.version)
    message = str(caught.value)
    assert f"{lead_a.display_name} already approved this closure request at 10:42" in message
    assert "Your change was not saved" in message
    # The same approval asked again from another screen: refused, naming the first.
    with pytest.raises(EditConflict, match="already approved this closure request"):
        closure.approve_closure(
            two.b,
            two.login(two.b, "lead.north"),
            rid,
            PASSWORD,
            now=LATER,
            expected_version=lead_screen.version,
        )
    after = closure.overview(two.a, lead_a, pid, now=NOW).request
    assert after is not None and after.status is Status.APPROVED
    _verified(two.a)


def test_a_request_changed_since_it_was_shown_is_not_decided_blind(two: Two) -> None:
    """The worker withdraws while the lead has the request open: the lead's return is
    refused naming the withdrawal, even without any version (the state says so)."""
    lead = two.login(two.a, "lead.north")
    pid = _ready(two.a, lead)
    worker = two.login(two.b, _worker_of(two.a, pid))
    (rid,) = closure.request_closure(two.b, worker, pid, FULL, now=NOW).ids
    closure.withdraw_closure(two.b, worker, rid, now=LATER)
    with pytest.raises(EditConflict) as caught:
        closure.return_closure(two.a, lead, rid, "Add the tenancy.", now=LATER)
    assert f"{worker.display_name} already withdrew this closure request" in str(caught.value)
    assert "It is now withdrawn." in str(caught.value)


# --- the front door ------------------------------------------------------------------------


def _concern() -> ConcernInput:
    return ConcernInput(
        received_at=NOW - timedelta(hours=1),
        source="6",
        reported="Seen with older men.",
        factors=("11A",),
    )


def _second_lead(two: Two) -> Actor:
    """lead.south also leads the north team, so two team leads decide there."""
    admin = two.login(two.a, "it.admin")
    users.change_access(
        two.a,
        admin,
        "lead.south",
        role=Role.TEAM_LEAD,
        team="Leaving Care South",
        leads=("Leaving Care North", "Leaving Care South"),
        now=NOW,
    )
    return two.login(two.b, "lead.south")


def test_a_front_door_decision_already_made_is_named_not_overwritten(two: Two) -> None:
    lead = two.login(two.a, "lead.north")
    other = _second_lead(two)
    pid = caseload_ids(two.a, lead, CaseloadQuery(), now=NOW)[0]
    (cid,) = front_door.record_concern(two.a, lead, pid, _concern(), now=NOW).ids
    shown = front_door.item_detail(two.b, other, "contact", cid, now=NOW)
    front_door.decide_concern(two.a, lead, cid, "referral", "Risk of CSE.", now=LATER)
    with pytest.raises(EditConflict) as caught:
        front_door.decide_concern(
            two.b, other, cid, "nfa", "Nothing more.", now=LATER, expected_version=shown.version
        )
    message = str(caught.value)
    assert f"{lead.display_name} already recorded a decision on this contact at 10:42" in message
    with two.b.reading() as session:
        row = session.get(SafeguardingContact, cid)
        assert row is not None and row.decision == "referral" and row.version == 2
    _verified(two.b)


# --- allegations and risk -------------------------------------------------------------------


def test_an_allegation_outcome_recorded_first_stands(two: Two) -> None:
    lead = two.login(two.a, "lead.north")
    other = _second_lead(two)
    pid = caseload_ids(two.a, lead, CaseloadQuery(), now=NOW)[0]
    data = sg.AllegationInput("foster_carer", NOW - timedelta(days=2), "Pushed them.")
    (aid,) = sg.record_allegation(two.a, lead, pid, data, now=NOW).ids
    [shown] = sg.list_allegations(two.b, other, pid, now=NOW)
    sg.close_allegation(
        two.a, lead, aid, "unsubstantiated", "No evidence either way.", TODAY, now=LATER
    )
    with pytest.raises(EditConflict) as caught:
        sg.close_allegation(
            two.b,
            other,
            aid,
            "substantiated",
            "Seen on camera.",
            TODAY,
            now=LATER,
            expected_version=shown.version,
        )
    assert f"{lead.display_name} already recorded the outcome of this allegation" in str(
        caught.value
    )
    # Progress typed against the old screen is refused the same way.
    with pytest.raises(EditConflict, match="already recorded the outcome of this allegation"):
        sg.update_allegation(
            two.b,
            other,
            aid,
            lado_notified_at=None,
            strategy_meeting_at=None,
            police_involved=True,
            actions="Police told.",
            now=LATER,
            expected_version=shown.version,
        )
    with two.a.reading() as session:
        row = session.get(Allegation, aid)
        assert row is not None and row.outcome == "unsubstantiated" and not row.police_involved
    _verified(two.a)


def test_a_risk_signed_off_by_one_lead_is_named_to_the_other(two: Two) -> None:
    lead = two.login(two.a, "lead.north")
    other = _second_lead(two)
    pid = caseload_ids(two.a, lead, CaseloadQuery(), now=NOW)[0]
    worker = two.login(two.a, _worker_of(two.a, pid))
    cse = sg.indicators()["cse"]
    risk = sg.RiskInput("cse", "high", "Seen with older men.", TODAY, cse[:2])
    (rid,) = sg.screen_risk(two.a, worker, pid, risk, now=NOW).ids
    shown = next(v for v in sg.list_risks(two.b, other, pid, now=NOW) if v.id == rid)
    sg.sign_off_risk(two.a, lead, rid, now=LATER, expected_version=shown.version)
    with pytest.raises(EditConflict, match=f"{lead.display_name} already signed off this risk"):
        sg.sign_off_risk(two.b, other, rid, now=LATER, expected_version=shown.version)


# --- a contact draft open on two computers ---------------------------------------------------


def test_a_draft_finalised_on_one_computer_is_not_overwritten_by_the_other(two: Two) -> None:
    from casework.services import contacts
    from casework.services.contacts import ContactInput

    lead = two.login(two.a, "lead.north")
    pid = caseload_ids(two.a, lead, CaseloadQuery(), now=NOW)[0]
    again = two.login(two.b, "lead.north")  # the same worker on their other laptop
    draft = ContactInput(occurred_at=NOW - timedelta(hours=1), views="half a sent")
    (cid,) = contacts.save_draft(two.a, lead, pid, draft, now=NOW).ids
    whole = dataclasses.replace(
        draft,
        method="face_to_face_accommodation",
        successful=True,
        made_by="personal_adviser",
        seen=True,
        seen_alone=True,
        views='"I want to stay here."',
        discussed="Tenancy and budget.",
    )
    contacts.finalise(two.a, lead, pid, cid, whole, now=LATER)
    with pytest.raises(EditConflict) as caught:
        contacts.save_draft(
            two.b,
            again,
            pid,
            dataclasses.replace(draft, views="older text"),
            contact_id=cid,
            now=LATER,
            expected_version=1,
        )
    message = str(caught.value)
    assert f"{lead.display_name} already completed this contact note at 10:42" in message
    # An autosave that carries no version is refused the same way, saying what happened.
    with pytest.raises(EditConflict, match="It is finalised and can no longer be changed"):
        contacts.save_draft(two.b, again, pid, draft, contact_id=cid, now=LATER)
    [kept] = [c for c in contacts.list_contacts(two.b, again, pid, now=NOW) if c.id == cid]
    assert kept.details.views == '"I want to stay here."'
    _verified(two.b)


# --- care history and pathway plans ----------------------------------------------------------


def test_care_history_and_a_new_plan_on_a_stale_screen_are_refused(two: Two) -> None:
    lead = two.login(two.a, "lead.north")
    pid = caseload_ids(two.a, lead, CaseloadQuery(), now=NOW)[0]
    worker = two.login(two.b, _worker_of(two.a, pid))
    shown = pathway.legal_overview(two.a, lead, pid, now=NOW)
    theirs = pathway.legal_overview(two.b, worker, pid, now=NOW)
    assert shown.care is not None and shown.care_version is not None
    pathway.save_care_history(
        two.b,
        worker,
        pid,
        dataclasses.replace(theirs.care or pathway.CareHistoryInput(), staying_close=True),
        now=LATER,
        expected_version=theirs.care_version,
    )
    with pytest.raises(EditConflict, match=f"{worker.display_name} changed staying close"):
        pathway.save_care_history(
            two.a,
            lead,
            pid,
            dataclasses.replace(shown.care, weeks_looked_after_since_14=40),
            now=LATER,
            expected_version=shown.care_version,
        )
    after = pathway.legal_overview(two.a, lead, pid, now=NOW).care
    assert after is not None and after.staying_close
    assert after.weeks_looked_after_since_14 == shown.care.weeks_looked_after_since_14

    plan = pathway.current_plan(two.a, lead, pid, now=NOW)
    if plan is None:
        return  # this young person has no plan to replace
    start = {"started_on": TODAY, "participation": "Came to the meeting.", "areas": []}
    shown_plan = {"replacing": plan.id, "expected_version": plan.version}
    pathway.start_plan(two.b, worker, pid, now=LATER, **shown_plan, **start)
    with pytest.raises(
        EditConflict, match=f"{worker.display_name} already started a new pathway plan at 10:42"
    ):
        pathway.start_plan(two.a, lead, pid, now=LATER, **shown_plan, **start)
    assert pathway.current_plan(two.a, lead, pid, now=NOW) is not None
    _verified(two.a)


def _latest_of(periods: list[Any]) -> accommodation.Latest:
    newest = max(periods, key=lambda p: (p.started_on, p.id), default=None)
    if newest is None:
        return accommodation.Latest()
    return accommodation.Latest(newest.id, newest.version)


def test_a_newer_accommodation_or_activity_recorded_meanwhile_is_named_not_ended(
    two: Two,
) -> None:
    """A new period ends the one before it: one added on a screen that did not show the
    other computer's newer period would end theirs. Refused, named; theirs stays open."""
    lead = two.login(two.a, "lead.north")
    pid = caseload_ids(two.a, lead, CaseloadQuery(), now=NOW)[0]
    worker = two.login(two.b, _worker_of(two.a, pid))
    shown = _latest_of(accommodation.list_accommodation(two.a, lead, pid, now=NOW))
    theirs = AccommodationInput("U", TODAY - timedelta(days=1), suitable=True, provider="Flat 2")
    accommodation.add_accommodation(two.b, worker, pid, theirs, now=LATER, latest=shown)
    mine = AccommodationInput("U", TODAY, suitable=True, provider="Flat 9")
    with pytest.raises(
        EditConflict, match=f"{worker.display_name} already recorded a newer accommodation at 10:42"
    ) as caught:
        accommodation.add_accommodation(two.a, lead, pid, mine, now=LATER, latest=shown)
    assert "Yours would have ended theirs." in str(caught.value)
    [newest, *_] = accommodation.list_accommodation(two.a, lead, pid, now=NOW)
    assert (newest.provider, newest.ended_on) == ("Flat 2", None)
    # Seen afresh, it is added and ends theirs.
    again = _latest_of(accommodation.list_accommodation(two.a, lead, pid, now=NOW))
    accommodation.add_accommodation(two.a, lead, pid, mine, now=LATER, latest=again)

    seen = _latest_of(accommodation.list_activity(two.a, lead, pid, now=NOW))
    accommodation.add_activity(
        two.b, worker, pid, "F2", TODAY - timedelta(days=1), now=LATER, latest=seen
    )
    with pytest.raises(EditConflict, match="already recorded a newer activity"):
        accommodation.add_activity(two.a, lead, pid, "G5", TODAY, now=LATER, latest=seen)
    [current, *_] = accommodation.list_activity(two.a, lead, pid, now=NOW)
    assert (current.activity.value, current.ended_on) == ("F2", None)
    _verified(two.a)


# --- accounts --------------------------------------------------------------------------------


def test_an_account_changed_meanwhile_is_named_to_the_other_administrator(two: Two) -> None:
    admin = two.login(two.a, "it.admin")
    admin_b = two.login(two.b, "it.admin")
    [shown] = [u for u in users.list_users(two.b, admin_b, now=NOW) if u.username == "lead.south"]
    users.change_access(
        two.a,
        admin,
        "lead.south",
        role=Role.TEAM_LEAD,
        team="Leaving Care South",
        leads=("Leaving Care North", "Leaving Care South"),
        now=LATER,
    )
    with pytest.raises(
        EditConflict, match="IT Administrator changed leads, role and team on this account"
    ):
        users.set_active(
            two.b, admin_b, "lead.south", False, now=LATER, expected_version=shown.version
        )
    [after] = [u for u in users.list_users(two.b, admin_b, now=NOW) if u.username == "lead.south"]
    assert after.active and after.leads == ("Leaving Care North", "Leaving Care South")


# --- lists show the other person's change on refresh --------------------------------------


def test_my_work_and_the_caseload_show_the_other_computers_change_on_refresh(two: Two) -> None:
    lead_b = two.login(two.b, "lead.north")
    pid = caseload_ids(two.b, lead_b, CaseloadQuery(), now=NOW)[0]
    worker = two.login(two.a, _worker_of(two.a, pid))
    before = [w for w in due.my_work(two.b, lead_b, now=NOW, team=True) if w.person_id == pid]
    [row] = people.caseload_rows(two.b, lead_b, [pid], today=TODAY)
    shown = people.open_record(two.a, worker, pid, now=NOW)
    people.update_young_person(
        two.a,
        worker,
        pid,
        dataclasses.replace(shown.details, first_name="Renamed"),
        expected_version=shown.version,
        now=LATER,
    )
    # A follow-up due today joins the worker's (and their lead's) work.
    from casework.services import contacts

    contacts.add_follow_up(
        two.a, worker, pid, contacts.FollowUpInput("Ring about the deposit", TODAY), now=LATER
    )
    [again] = people.caseload_rows(two.b, lead_b, [pid], today=TODAY)
    assert "Renamed" in again.name and again.name != row.name
    after = [w for w in due.my_work(two.b, lead_b, now=LATER, team=True) if w.person_id == pid]
    assert after and all("Renamed" in w.name for w in after)
    assert len(after) == len(before) + 1


# --- the migration ----------------------------------------------------------------------------


def test_0016_gives_every_row_version_1_and_vouches_for_them_again(
    demo_db: Opened, tmp_path: Path
) -> None:
    """A database whose trail vouched for its rows as 0015 stored them (no version): after
    the upgrade every row holds version 1 and the trail vouches for it as it now is."""
    with demo_db.db.reading() as session:
        contacts = session.execute(text("SELECT count(*) FROM contacts")).scalar_one()

    def vouched_as_0015(conn: Connection) -> None:
        rows = audit_rows.unvouched_rows(conn)
        assert any(r.table == "contacts" for r in rows)  # the hashes without the version
        audit_rows.append_row_events(
            conn,
            rows,
            occurred_at=NOW.replace(tzinfo=None),
            actor_id=None,
            actor_role="system",
            action="vouched_at_0015",
        )

    rewind(demo_db, previous("0016"), tmp_path, then=vouched_as_0015)
    key, info = unlock(demo_db.path, passphrase=PASSPHRASE)
    db = open_database(demo_db.path, key, info=info, now=NOW)
    assert db.upgraded_from == previous("0016")
    with db.reading() as session:
        versions = session.execute(text("SELECT version, count(*) FROM contacts GROUP BY 1")).all()
        assert [tuple(v) for v in versions] == [(1, contacts)]
        assert audit.verify_chain(session).ok
        assert list(audit.verify_records(session)) == []
        baseline = session.scalar(
            select(AuditEvent.id)
            .where(AuditEvent.action == "baseline_records")
            .where(AuditEvent.record_type == "contacts")
        )
        assert baseline is not None
    db.close()


def test_a_plain_refusal_is_still_a_validation_failure(two: Two) -> None:
    """EditConflict is a refusal of the input like any other, so every form shows it."""
    assert issubclass(EditConflict, ValidationFailed)
    error = EditConflict("Someone else changed it.", record_type="contact", record_id=3)
    assert error.problems == ["Someone else changed it."] and error.details[0].field is None
