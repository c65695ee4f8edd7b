"""Separation of duties by authorship, for every approval in the product: whoever wrote,
rewrote, resubmitted or justified any version of a piece of work never approves it. One
rule (``permissions.may_approve``) decides; each refusal is plain and audited."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest
from sqlalchemy import delete, select

from casework.db.models import AuditEvent, ClosureRequestVersion, User, YoungPerson
from casework.errors import PermissionDenied
from casework.services import accommodation, audit, closure, safeguarding, users
from casework.services.accommodation import AccommodationInput
from casework.services.permissions import SYSTEM_ACTOR, Actor, Role, may_approve
from tests.conftest import NOW, PASSWORD, Opened
from tests.db.test_closure import FULL, Case, case  # noqa: F401  (the fixture)

TODAY = NOW.date()


def _second_lead(opened: Opened) -> Actor:
    new = users.NewUser(
        "lead.second", "Second Lead", Role.TEAM_LEAD, PASSWORD, team="Leaving Care North"
    )
    users.add_user(opened.db, SYSTEM_ACTOR, new, now=NOW)
    return opened.login("lead.second")


def _practitioner_on(opened: Opened, person_id: int) -> str:
    """The username of a practitioner allocated to the young person, or of their team."""
    with opened.db.reading() as session:
        team = session.scalar(select(YoungPerson.team_id).where(YoungPerson.id == person_id))
        name = session.scalar(
            select(User.username)
            .where(User.role == "practitioner", User.team_id == team, User.active.is_(True))
            .order_by(User.id)
        )
    assert name is not None
    return name


def _refusals(opened: Opened, action: str) -> list[AuditEvent]:
    with opened.db.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == action,
                    AuditEvent.outcome == "denied",
                    AuditEvent.fields == "separation_of_duties",
                )
            )
        )


def test_the_rule() -> None:
    assert may_approve({1, 2}, 3)
    assert not may_approve({1, 2}, 2)
    assert not may_approve([None, 5], 5)
    assert not may_approve({1}, None)  # an approver nobody can name never approves


def test_return_rewrite_resubmit_then_approve_is_refused(case: Case) -> None:  # noqa: F811
    db = case.opened.db
    (rid,) = closure.request_closure(db, case.worker, case.pid, FULL, now=NOW).ids
    closure.return_closure(db, case.lead, rid, "Say more about what changed.", now=NOW)
    rewritten = replace(FULL, what_changed="Settled in a tenancy and working full time.")
    closure.resubmit_closure(db, case.lead, rid, rewritten, now=NOW)  # the lead rewrote it
    with pytest.raises(PermissionDenied, match="You wrote or changed this closure request"):
        closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
    assert len(_refusals(case.opened, "approve_closure")) == 1
    view = closure.overview(db, case.lead, case.pid, now=NOW)
    assert view.state == "pending" and view.request is not None
    assert view.request.author_ids == {case.worker.user_id, case.lead.user_id}
    with db.reading() as session:
        versions = session.execute(
            select(ClosureRequestVersion.version, ClosureRequestVersion.kind)
            .where(ClosureRequestVersion.request_id == rid)
            .order_by(ClosureRequestVersion.version)
        ).all()
    assert [tuple(v) for v in versions] == [(1, "request"), (2, "resubmit")]
    closure.approve_closure(db, _second_lead(case.opened), rid, PASSWORD, now=NOW)
    assert closure.overview(db, case.lead, case.pid, now=NOW).state == "approved"


def test_a_returned_request_resubmitted_by_its_worker_is_approved_by_the_lead(
    case: Case,  # noqa: F811
) -> None:
    db = case.opened.db
    (rid,) = closure.request_closure(db, case.worker, case.pid, FULL, now=NOW).ids
    closure.return_closure(db, case.lead, rid, "Say more about what changed.", now=NOW)
    closure.resubmit_closure(db, case.worker, rid, FULL, now=NOW)
    closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)  # returning is not writing
    assert closure.overview(db, case.lead, case.pid, now=NOW).state == "approved"


@pytest.mark.tampers
def test_versions_are_backfilled_from_the_audit_trail(case: Case) -> None:  # noqa: F811
    db = case.opened.db
    (rid,) = closure.request_closure(db, case.worker, case.pid, FULL, now=NOW).ids
    closure.return_closure(db, case.lead, rid, "Say more.", now=NOW)
    closure.resubmit_closure(db, case.lead, rid, FULL, now=NOW)
    migration = importlib.import_module(
        "casework.db.migrations.versions.0008_duties_and_record_hashes"
    )
    with db.unit_of_work() as session:
        session.execute(delete(ClosureRequestVersion))
        migration._backfill_versions(session.connection())
    with db.reading() as session:
        authors = session.execute(
            select(ClosureRequestVersion.version, ClosureRequestVersion.author_id)
            .where(ClosureRequestVersion.request_id == rid)
            .order_by(ClosureRequestVersion.version)
        ).all()
    assert [tuple(a) for a in authors] == [(1, case.worker.user_id), (2, case.lead.user_id)]


def test_a_team_lead_never_signs_off_their_own_high_risk_screening(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    from casework.services.people import CaseloadQuery, caseload_ids

    pid = caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]
    cse = safeguarding.indicators()["cse"]
    data = safeguarding.RiskInput("cse", "high", "Seen with older men.", TODAY, cse[:2])
    (rid,) = safeguarding.screen_risk(demo_db.db, lead, pid, data, now=NOW).ids
    [view] = [v for v in safeguarding.list_risks(demo_db.db, lead, pid, now=NOW) if v.id == rid]
    assert view.awaiting_sign_off  # no longer signed off as recorded
    # The core says who may sign off, by the same rule that refuses the screener.
    assert not view.may_sign_off
    assert "another team lead must sign it off" in (view.sign_off_refusal or "")
    with pytest.raises(PermissionDenied, match="You wrote or changed this risk screening"):
        safeguarding.sign_off_risk(demo_db.db, lead, rid, now=NOW)
    assert _refusals(demo_db, "sign_off_risk")
    second = _second_lead(demo_db)
    [offered] = [
        v for v in safeguarding.list_risks(demo_db.db, second, pid, now=NOW) if v.id == rid
    ]
    assert offered.may_sign_off and offered.sign_off_refusal is None
    safeguarding.sign_off_risk(demo_db.db, second, rid, now=NOW)
    [view] = [v for v in safeguarding.list_risks(demo_db.db, lead, pid, now=NOW) if v.id == rid]
    assert not view.awaiting_sign_off and not view.may_sign_off and view.sign_off_refusal is None


def test_a_practitioner_is_told_to_ask_a_team_lead(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    from casework.services.people import CaseloadQuery, caseload_ids

    pid = caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]
    cse = safeguarding.indicators()["cse"]
    data = safeguarding.RiskInput("cse", "high", "Seen with older men.", TODAY, cse[:2])
    (rid,) = safeguarding.screen_risk(demo_db.db, lead, pid, data, now=NOW).ids
    worker = demo_db.login(_practitioner_on(demo_db, pid))
    [view] = [v for v in safeguarding.list_risks(demo_db.db, worker, pid, now=NOW) if v.id == rid]
    assert view.sign_off_refusal == (
        "Only a team lead signs off a risk screening: ask your team lead."
    )


def test_whoever_recorded_bed_and_breakfast_never_reviews_it(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    from casework.services.people import CaseloadQuery, caseload_ids

    pid = caseload_ids(demo_db.db, lead, CaseloadQuery(), now=NOW)[0]
    data = AccommodationInput("B", TODAY, suitable=False, unsuitable_reason="Emergency only.")
    (period, *_) = accommodation.add_accommodation(demo_db.db, lead, pid, data, now=NOW).ids
    with pytest.raises(PermissionDenied, match="You wrote or changed this accommodation"):
        accommodation.review_accommodation(demo_db.db, lead, pid, period, "Fine.", now=NOW)
    assert _refusals(demo_db, "review_accommodation")
    second = _second_lead(demo_db)
    accommodation.review_accommodation(demo_db.db, second, pid, period, "Move in 5 days.", now=NOW)
    [current] = [
        v
        for v in accommodation.list_accommodation(demo_db.db, lead, pid, now=NOW)
        if v.id == period
    ]
    assert not current.needs_review


def test_justifying_an_override_bars_approval(case: Case) -> None:  # noqa: F811
    from casework.db.models import ClosureOverride

    db = case.opened.db
    (rid,) = closure.request_closure(db, case.worker, case.pid, FULL, now=NOW).ids
    with db.unit_of_work() as session:  # as if the lead had written a warning's justification
        session.add(
            ClosureOverride(
                request_id=rid,
                check_id="re-referral-pattern",
                justification="Told by phone; letter follows.",
                recorded_by=case.lead.user_id,
                recorded_at=NOW.replace(tzinfo=None),
            )
        )
        audit.record(session, case.lead, "closure_override", now=NOW, record_type="closure_request")
    with pytest.raises(PermissionDenied, match="You wrote or changed this closure request"):
        closure.approve_closure(db, case.lead, rid, PASSWORD, now=NOW)
