"""Closing a case on real database files: requests refused while blockers stand, overrides
audited, separation of duties, password re-entry, the fingerprint voiding an approval,
closed cases read-only except for notes, reopening, the queue and the command line."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from casework import cli
from casework.db.models import (
    AuditEvent,
    CareHistory,
    CarePeriod,
    ClosureOverride,
    EligibilityDecision,
    User,
    YoungPerson,
)
from casework.domain.closure import CheckId, Outcome
from casework.errors import CaseClosed, PermissionDenied, ValidationFailed
from casework.services import closure, contacts, front_door, safeguarding
from casework.services.closure import ClosureInput, Status, TeamLeadDecisions
from casework.services.permissions import Actor
from tests.conftest import NOW, PASSWORD, Opened

TODAY = NOW.date()
FULL = ClosureInput(
    reason="CLNR",
    why_open="Care leaver supported since leaving care.",
    what_changed="Settled, working, and managing well.",
    agencies_involved="Tenancy support until spring.",
    if_concerns_return="Call the leaving care duty line.",
    young_person_views="They agree the case can close.",
)


@dataclass
class Case:
    opened: Opened
    lead: Actor
    worker: Actor
    pid: int


def _ready_ids(opened: Opened, lead: Actor) -> list[int]:
    with opened.db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id).where(YoungPerson.closed_on.is_(None))))
    found = []
    for pid in ids:
        try:
            ov = closure.overview(opened.db, lead, pid, now=NOW)
        except PermissionDenied:
            continue
        if ov.request is None and closure.rules.can_approve(
            closure.preview_checks(opened.db, lead, pid, FULL, now=NOW)
        ):
            found.append(pid)
    return found


@pytest.fixture
def case(demo_db: Opened) -> Case:
    """The demo's young person who is ready to close, and their allocated worker."""
    lead = demo_db.login("lead.north")
    [pid] = _ready_ids(demo_db, lead)[:1]
    with demo_db.db.reading() as session:
        person = session.get(YoungPerson, pid)
        assert person is not None
        worker_id = person.personal_adviser_id or person.social_worker_id
        username = session.scalar(select(User.username).where(User.id == worker_id))
    assert username is not None
    return Case(demo_db, lead, demo_db.login(username), pid)


def _events(opened: Opened, action: str) -> list[AuditEvent]:
    with opened.db.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _request(case: Case, data: ClosureInput = FULL) -> int:
    (rid,) = closure.request_closure(case.opened.db, case.worker, case.pid, data, now=NOW).ids
    return rid


def _approve_and_close(case: Case) -> int:
    rid = _request(case)
    closure.approve_closure(case.opened.db, case.lead, rid, PASSWORD, now=NOW)
    closure.close_case(case.opened.db, case.worker, rid, TODAY, now=NOW)
    return rid


def test_request_refused_while_blockers_stand_naming_each(case: Case) -> None:
    db = case.opened.db
    with pytest.raises(ValidationFailed) as caught:
        closure.request_closure(
            db, case.worker, case.pid, replace(FULL, why_open="", young_person_views=""), now=NOW
        )
    text = " ".join(caught.value.problems)
    assert "10. Closure summary complete" in text and "6. Seen recently" in text
    assert closure.overview(db, case.worker, case.pid, now=NOW).state == "open"


def test_request_approve_close_is_audited_and_closes(case: Case) -> None:
    db = case.opened.db
    rid = _request(case)
    ov = closure.overview(db, case.lead, case.pid, now=NOW)
    assert ov.state == "pending" and ov.can_approve and ov.request and ov.request.id == rid
    closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    assert closure.overview(db, case.lead, case.pid, now=NOW).approval_current is True
    closure.close_case(db, case.worker, rid, TODAY, now=NOW)
    ov = closure.overview(db, case.lead, case.pid, now=NOW)
    assert ov.state == "closed" and ov.closed_on == TODAY and ov.closure_reason == "CLNR"
    for action in ("request_closure", "approve_closure", "close_case"):
        assert _events(case.opened, action), action


def test_requester_can_never_approve_their_own_closure(case: Case) -> None:
    db = case.opened.db
    (rid,) = closure.request_closure(db, case.lead, case.pid, FULL, now=NOW).ids
    with pytest.raises(PermissionDenied, match="another team lead"):
        closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    with pytest.raises(PermissionDenied):  # practitioners cannot approve at all
        closure.approve_closure(db, case.worker, rid, PASSWORD, now=NOW)
    assert closure.overview(db, case.lead, case.pid, now=NOW).state == "pending"


def test_wrong_password_approves_nothing_and_is_audited(case: Case) -> None:
    rid = _request(case)
    with pytest.raises(PermissionDenied, match="password"):
        closure.approve_closure(case.opened.db, case.lead, rid, "not-the-password", now=NOW)
    assert closure.overview(case.opened.db, case.lead, case.pid, now=NOW).state == "pending"
    assert [e.outcome for e in _events(case.opened, "approve_closure")] == ["denied"]


def test_repeated_wrong_passwords_meet_the_login_delay(case: Case) -> None:
    from casework.errors import LoginRefused

    rid = _request(case)
    for _ in range(4):  # the delay starts after the fourth wrong password, as at login
        with pytest.raises(PermissionDenied):
            closure.approve_closure(case.opened.db, case.lead, rid, "guess", now=NOW)
    with pytest.raises(LoginRefused, match="Try again"):
        closure.approve_closure(case.opened.db, case.lead, rid, PASSWORD, now=NOW)
    later = NOW + timedelta(minutes=5)
    closure.approve_closure(case.opened.db, case.lead, rid, PASSWORD, now=later)
    assert closure.overview(case.opened.db, case.lead, case.pid, now=later).state == "approved"


def test_any_change_after_approval_voids_it_and_the_checks_run_again(case: Case) -> None:
    db = case.opened.db
    rid = _request(case)
    closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    later = NOW + timedelta(hours=2)
    data = contacts.ContactInput(occurred_at=later - timedelta(hours=1), method="phone")
    contacts.save_draft(db, case.worker, case.pid, data, now=later)
    ov = closure.overview(db, case.lead, case.pid, now=later)
    assert ov.approval_current is False and "contacts" in ov.changed_since_approval
    with pytest.raises(closure.ApprovalVoided, match="contacts"):
        closure.close_case(db, case.worker, rid, TODAY, now=later)
    ov = closure.overview(db, case.lead, case.pid, now=later)
    assert ov.state == "pending" and ov.request and ov.request.voided_at is not None
    drafts = next(r for r in ov.checks if r.id is CheckId.DRAFTS)
    assert not drafts.passed  # the new draft now blocks approval
    with pytest.raises(ValidationFailed, match="draft"):
        closure.approve_closure(db, case.lead, rid, PASSWORD, now=later)
    assert _events(case.opened, "closure_approval_voided")


def test_closed_case_is_read_only_except_for_notes(case: Case) -> None:
    db = case.opened.db
    _approve_and_close(case)
    with pytest.raises(CaseClosed, match="read-only"):
        contacts.save_draft(
            db, case.worker, case.pid, contacts.ContactInput(occurred_at=NOW), now=NOW
        )
    risk = safeguarding.RiskInput("cse", "none", "Fine.", TODAY)
    with pytest.raises(CaseClosed):
        safeguarding.screen_risk(db, case.worker, case.pid, risk, now=NOW)
    from casework.services.people import open_record, update_young_person

    record = open_record(db, case.worker, case.pid, now=NOW)
    with pytest.raises(CaseClosed):
        update_young_person(
            db, case.worker, case.pid, record.details, expected_version=record.version, now=NOW
        )
    closure.add_note(db, case.worker, case.pid, "Rang to ask about a bursary; signposted.", now=NOW)
    assert [n.text for n in closure.overview(db, case.worker, case.pid, now=NOW).notes] == [
        "Rang to ask about a bursary; signposted."
    ]
    # A new concern can still reach the front door about someone whose case is closed.
    concern = front_door.ConcernInput(
        NOW - timedelta(hours=1), "6", "PC Shaw", "", "Seen with older men."
    )
    front_door.record_concern(db, case.lead, case.pid, concern, now=NOW)


def test_reopening_needs_a_reason_and_is_its_own_audited_action(case: Case) -> None:
    db = case.opened.db
    _approve_and_close(case)
    with pytest.raises(ValidationFailed, match="why"):
        closure.reopen_case(db, case.worker, case.pid, "  ", now=NOW)
    closure.reopen_case(db, case.worker, case.pid, "Lost their tenancy; asked for help.", now=NOW)
    ov = closure.overview(db, case.worker, case.pid, now=NOW)
    assert ov.state == "open" and ov.closed_on is None
    assert ov.reopenings[0].reason == "Lost their tenancy; asked for help."
    assert ov.history[0].status is Status.CLOSED and ov.history[0].closed_on == TODAY
    assert _events(case.opened, "reopen_case")
    contacts.save_draft(db, case.worker, case.pid, contacts.ContactInput(occurred_at=NOW), now=NOW)
    with pytest.raises(ValidationFailed, match="nothing to reopen"):
        closure.reopen_case(db, case.worker, case.pid, "Again", now=NOW)


def test_return_needs_comments_then_resubmit(case: Case) -> None:
    db = case.opened.db
    rid = _request(case)
    with pytest.raises(ValidationFailed, match="comments"):
        closure.return_closure(db, case.lead, rid, " ", now=NOW)
    closure.return_closure(db, case.lead, rid, "Name the tenancy worker.", now=NOW)
    ov = closure.overview(db, case.worker, case.pid, now=NOW)
    assert (
        ov.state == "returned"
        and ov.request
        and ov.request.review_comments == "Name the tenancy worker."
    )
    with pytest.raises(ValidationFailed, match="returned"):
        closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    amended = replace(FULL, agencies_involved="Tenancy support: Jo Bloggs, Homes Ltd.")
    closure.resubmit_closure(db, case.worker, rid, amended, now=NOW + timedelta(days=1))
    ov = closure.overview(db, case.lead, case.pid, now=NOW + timedelta(days=1))
    assert (
        ov.state == "pending"
        and ov.request
        and ov.request.data.agencies_involved.startswith("Tenancy")
    )


@pytest.mark.tampers  # turns the care leaver into a child in need straight in the file
def test_a_transfer_cannot_close_before_its_date(case: Case) -> None:
    db = case.opened.db
    planned = replace(
        FULL, reason="RC5", reason_date=TODAY + timedelta(days=7), receiving_body="Northshire"
    )
    # A care leaver's transfer is an arrangement, never a closure (CLR 2010 reg 2(1)).
    with pytest.raises(ValidationFailed, match=r"reg 2\(1\)"):
        _request(case, planned)
    with db.unit_of_work() as session:  # a child in need who is not a care leaver
        person = session.get(YoungPerson, case.pid)
        assert person is not None
        person.eligibility = "no_current"
        person.date_ceased_looked_after = None
        for model in (CarePeriod, CareHistory, EligibilityDecision):
            session.execute(delete(model).where(model.young_person_id == case.pid))
    rid = _request(case, planned)
    closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    with pytest.raises(ValidationFailed, match="cannot close before"):
        closure.close_case(db, case.worker, rid, TODAY, now=NOW)
    later = NOW + timedelta(days=7)
    closure.close_case(db, case.worker, rid, TODAY + timedelta(days=7), now=later)
    assert closure.overview(db, case.lead, case.pid, now=later).state == "closed"


def test_one_active_request_at_a_time_and_withdrawal(case: Case) -> None:
    db = case.opened.db
    rid = _request(case)
    with pytest.raises(ValidationFailed, match="already"):
        _request(case)
    closure.withdraw_closure(db, case.worker, rid, now=NOW)
    assert closure.overview(db, case.worker, case.pid, now=NOW).state == "open"
    _request(case)


def test_override_is_recorded_and_audited_and_open_risk_needs_lead(case: Case) -> None:
    db = case.opened.db
    for days in (200, 40):
        concern = front_door.ConcernInput(
            NOW - timedelta(days=days), "4", "Housing", "", "Rent arrears."
        )
        (cid,) = front_door.record_concern(
            db, case.lead, case.pid, concern, now=NOW - timedelta(days=days)
        ).ids
        rid = front_door.decide_concern(
            db, case.lead, cid, "referral", "Refer.", now=NOW - timedelta(days=days)
        ).ids[1]
        front_door.decide_referral(
            db, case.lead, rid, "nfa", "Budget advice.", now=NOW - timedelta(days=days)
        )
    with pytest.raises(ValidationFailed, match="justification"):
        _request(case)
    safeguarding.screen_risk(
        db,
        case.lead,
        case.pid,
        safeguarding.RiskInput(
            "self_harm",
            "medium",
            "Some self-harm.",
            TODAY,
            safeguarding.indicators()["self_harm"][:1],
        ),
        now=NOW,
    )
    justified = replace(
        FULL, justifications={CheckId.RE_REFERRALS.value: "Both about rent, now cleared."}
    )
    rid = _request(case, justified)
    ov = closure.overview(db, case.lead, case.pid, now=NOW)
    assert [o.check_id for o in ov.request.overrides] == [CheckId.RE_REFERRALS.value]  # type: ignore[union-attr]
    assert _events(case.opened, "closure_override")
    risks = next(r for r in ov.checks if r.id is CheckId.OPEN_RISKS)
    assert risks.outcome is Outcome.NEEDS_TEAM_LEAD and not ov.can_approve
    with pytest.raises(ValidationFailed, match="4b"):
        closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    with pytest.raises(ValidationFailed, match="reviewed"):
        closure.record_decisions(
            db, case.lead, rid, TeamLeadDecisions(risk_holder="Adult CMHT"), now=NOW
        )
    closure.record_decisions(
        db,
        case.lead,
        rid,
        TeamLeadDecisions("Adult CMHT", "Reviewed monthly by their care coordinator"),
        now=NOW,
    )
    closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    assert closure.overview(db, case.lead, case.pid, now=NOW).state == "approved"


def test_queue_orders_by_waiting_and_flags_past_five_working_days(full_demo: Opened) -> None:
    demo_db = full_demo
    lead = demo_db.login("lead.north")
    rows = closure.queue(demo_db.db, lead, now=NOW)
    assert rows and all(r.status is Status.PENDING for r in rows)
    assert [r.submitted_at for r in rows] == sorted(r.submitted_at for r in rows)
    assert [r.waiting_working_days > 5 for r in rows] == [r.flagged for r in rows]
    assert any(r.flagged for r in rows) and not all(r.flagged for r in rows)
    worker = rows[0].worker_id
    assert {r.worker_id for r in closure.queue(demo_db.db, lead, now=NOW, worker_id=worker)} == {
        worker
    }
    states = {r.status for r in closure.queue(demo_db.db, lead, now=NOW, statuses=list(Status))}
    assert {Status.PENDING, Status.RETURNED, Status.APPROVED, Status.CLOSED} <= states


def test_demo_has_cases_in_every_state(full_demo: Opened) -> None:
    demo_db = full_demo
    lead = demo_db.login("lead.north")
    with demo_db.db.reading() as session:
        ids = list(
            session.scalars(select(YoungPerson.id).where(YoungPerson.team_id == lead.team_id))
        )
    states = {closure.overview(demo_db.db, lead, pid, now=NOW).state for pid in ids}
    assert {"open", "pending", "returned", "approved", "closed"} <= states
    assert any(closure.overview(demo_db.db, lead, pid, now=NOW).reopenings for pid in ids)
    assert _ready_ids(demo_db, lead)
    # The override example really overrides: its repeated referrals fail the warning.
    with demo_db.db.reading() as session:
        overridden = set(session.scalars(select(ClosureOverride.check_id)))
    assert CheckId.RE_REFERRALS.value in overridden


def test_check_open_cases_skips_closed_ones(full_demo: Opened) -> None:
    from casework.services.permissions import SYSTEM_ACTOR

    demo_db = full_demo

    results = closure.check_open_cases(demo_db.db, SYSTEM_ACTOR, now=NOW)
    with demo_db.db.reading() as session:
        closed = set(
            session.scalars(select(YoungPerson.id).where(YoungPerson.closed_on.is_not(None)))
        )
    assert closed and not closed & set(results)
    assert all(len(checks) == len(CheckId) for checks in results.values())


def test_closed_case_has_nothing_due(case: Case) -> None:
    from casework.services import due

    _approve_and_close(case)
    with case.opened.db.reading() as session:
        status = due.statuses_in(session, [case.pid], TODAY)[case.pid]
    assert status.items == ()
    later = TODAY + timedelta(days=400)  # long after every care-leaver clock would have run
    with case.opened.db.reading() as session:
        assert due.statuses_in(session, [case.pid], later)[case.pid].items == ()


def test_cli_closure_check_json(
    case: Case, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import PASSPHRASE

    with case.opened.db.reading() as session:
        uid = session.scalar(select(YoungPerson.child_uid).where(YoungPerson.id == case.pid))
    case.opened.db.close()
    monkeypatch.setenv("CASEWORK_PASSPHRASE", PASSPHRASE)
    code = cli.main(
        ["closure-check", "--path", str(case.opened.path), "--child-id", str(uid), "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["child_id"] == uid and out["can_close"] is False
    assert {c["id"] for c in out["checks"]} == {c.value for c in CheckId}
    summary = next(c for c in out["checks"] if c["id"] == CheckId.SUMMARY.value)
    assert summary["severity"] == "blocker" and summary["passed"] is False and summary["evidence"]
    code = cli.main(["closure-check", "--path", str(case.opened.path), "--child-id", "NOPE"])
    assert code == 1 and "NOPE" in capsys.readouterr().err
