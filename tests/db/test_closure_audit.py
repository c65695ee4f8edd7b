"""Closure audits on real database files: a sample drawn and recorded with its seed, the
auditor exclusions, the record as it stood on the closure date, submitting with a
recommended reopening and learning actions that reach "My work", blind moderation and its
resolution, and the command line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from casework import cli
from casework.db import keys
from casework.db.models import AuditEvent, ClosureRequest, User, YoungPerson
from casework.domain import audit_sampling as rules
from casework.domain.audit_sampling import AuditDomain, AuditState, Grade
from casework.domain.due import DueKind
from casework.errors import PermissionDenied, ValidationFailed
from casework.services import closure, closure_audit, due
from casework.services.closure_audit import ActionInput, JudgementInput
from casework.services.permissions import SYSTEM_ACTOR, Actor
from tests.conftest import NOW, Opened

LATER = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)  # November has ended
NOVEMBER = date(2026, 11, 1)


@dataclass
class Audited:
    opened: Opened
    audit_id: int
    sample_id: int
    request_id: int
    person_id: int
    worker: Actor  # asked for the closure
    approver: Actor
    auditor: Actor
    moderator: Actor


def _actor(opened: Opened, user_id: int) -> Actor:
    with opened.db.reading() as session:
        username = session.scalar(select(User.username).where(User.id == user_id))
    assert username is not None
    return opened.login(username)


def _leads(opened: Opened) -> list[Actor]:
    return [opened.login(u) for u in ("lead.north", "lead.south", "lead.sixteenplus")]


def _full(safe: bool = True, overall: str = "good", **grades: str) -> JudgementInput:
    return JudgementInput(
        grades={
            d.value: (grades.get(d.value, "good"), f"Evidence for {d.label.lower()}.")
            for d in AuditDomain
        },
        overall=overall,
        safe=safe,
        safety_note="" if safe else "Risk of exploitation was open and not handed on.",
    )


@pytest.fixture
def demo_db(full_demo: Opened) -> Opened:
    """The larger demo: the demo closes only cases its closure reason lawfully ends, and the
    small one has too few closures in a month to sample."""
    return full_demo


@pytest.fixture
def audited(demo_db: Opened) -> Audited:
    """November's sample from the demo, with one audit assigned to a team lead who did
    not ask for or approve it and a moderating auditor likewise."""
    with demo_db.db.reading() as session:
        closed = set(
            session.scalars(select(YoungPerson.id).where(YoungPerson.closed_on.is_not(None)))
        )
        cases = closure_audit.closed_cases(session, NOVEMBER, date(2026, 11, 30))
    # A seed whose sample holds a case that is still closed (the demo reopened another).
    seed = next(
        n
        for n in range(100)
        if any(
            c.person_id in closed
            for c in rules.draw_sample(cases, NOVEMBER, date(2026, 11, 30), n).cases
        )
    )
    closure_audit.draw_sample(demo_db.db, SYSTEM_ACTOR, NOVEMBER, now=LATER, seed=seed)
    rows = closure_audit.list_audits(demo_db.db, SYSTEM_ACTOR, now=LATER)
    row = next(r for r in rows if r.person_id in closed)
    with demo_db.db.reading() as session:
        req = session.get(ClosureRequest, row.request_id)
        assert req is not None and req.reviewed_by is not None
        requested_by, approved_by = req.requested_by, req.reviewed_by
    free = [a for a in _leads(demo_db) if a.user_id not in (requested_by, approved_by)]
    assert len(free) >= 2
    closure_audit.assign(demo_db.db, free[0], row.id, free[0].user_id or 0, now=LATER)
    with demo_db.db.unit_of_work() as session:  # choose it for moderation, whatever the draw
        from casework.db.models import ClosureAudit

        found = session.get(ClosureAudit, row.id)
        assert found is not None
        found.moderated = True
    closure_audit.assign(demo_db.db, free[0], row.id, free[1].user_id or 0, now=LATER, second=True)
    return Audited(
        demo_db,
        row.id,
        row.sample_id,
        row.request_id,
        row.person_id,
        _actor(demo_db, requested_by),
        _actor(demo_db, approved_by),
        free[0],
        free[1],
    )


def test_sample_is_recorded_with_its_seed_and_reproducible(demo_db: Opened) -> None:
    db = demo_db.db
    summary = closure_audit.draw_sample(db, SYSTEM_ACTOR, NOVEMBER, now=LATER, seed=2026)
    assert summary.seed == 2026 and summary.population >= summary.sampled >= 1
    assert summary.by_reason["random"] == rules.share(summary.population, 10)
    rows = closure_audit.list_audits(db, SYSTEM_ACTOR, now=LATER, sample_id=summary.id)
    with db.reading() as session:
        cases = closure_audit.closed_cases(session, NOVEMBER, date(2026, 11, 30))
    again = rules.draw_sample(cases, NOVEMBER, date(2026, 11, 30), 2026)
    assert [(c.request_id, c.reasons, c.moderated) for c in again.cases] == [
        (r.request_id, r.reasons, r.moderated) for r in sorted(rows, key=lambda r: r.request_id)
    ]
    assert all(r.state is AuditState.UNASSIGNED and r.reason_detail for r in rows)
    with pytest.raises(ValidationFailed, match="already covers"):
        closure_audit.draw_sample(db, SYSTEM_ACTOR, NOVEMBER, now=LATER, seed=1)
    with db.reading() as session:
        assert session.scalars(
            select(AuditEvent).where(AuditEvent.action == "draw_audit_sample")
        ).all()


def test_a_period_not_yet_ended_is_refused(demo_db: Opened) -> None:
    with pytest.raises(ValidationFailed, match="has not ended yet"):
        closure_audit.draw_sample(demo_db.db, SYSTEM_ACTOR, NOVEMBER, now=NOW)
    with pytest.raises(ValidationFailed, match="YYYY-MM"):
        closure_audit.parse_month("Nov 2026")


def test_practitioners_cannot_sample_or_audit(demo_db: Opened, audited: Audited) -> None:
    with pytest.raises(PermissionDenied):
        closure_audit.draw_sample(demo_db.db, audited.worker, date(2026, 10, 1), now=LATER)
    with pytest.raises(PermissionDenied):
        closure_audit.list_audits(demo_db.db, audited.worker, now=LATER)


def test_whoever_asked_for_or_approved_a_closure_cannot_audit_it(audited: Audited) -> None:
    db = audited.opened.db
    with pytest.raises(ValidationFailed, match="approved this closure"):
        closure_audit.assign(
            db, audited.auditor, audited.audit_id, audited.approver.user_id or 0, now=LATER
        )
    with pytest.raises(ValidationFailed, match="Choose an active team lead"):
        closure_audit.assign(
            db, audited.auditor, audited.audit_id, audited.worker.user_id or 0, now=LATER
        )
    with pytest.raises(ValidationFailed, match="made the first audit"):
        closure_audit.assign(
            db,
            audited.auditor,
            audited.audit_id,
            audited.auditor.user_id or 0,
            now=LATER,
            second=True,
        )
    with pytest.raises(PermissionDenied, match="not this closure's auditor"):
        closure_audit.save_judgement(db, audited.approver, audited.audit_id, _full(), now=LATER)


def test_the_record_is_shown_as_it_stood_on_the_closure_date(audited: Audited) -> None:
    detail = closure_audit.audit_detail(
        audited.opened.db, audited.auditor, audited.audit_id, now=LATER
    )
    rec = detail.record
    assert rec.chronology and all(e.on <= rec.closed_on for e in rec.chronology)
    assert any("Case closed" in e.title for e in rec.chronology)
    assert rec.approved_by == audited.approver.display_name
    assert rec.checks and all(c.passed for c in rec.checks)  # as the team lead approved them
    with audited.opened.db.reading() as session:
        req = session.get(ClosureRequest, audited.request_id)
        assert req is not None
        snapshot = json.loads(req.approved_snapshot or "{}")
    assert {c.id.value for c in rec.checks} == {
        c.id.value
        for c in closure.rules.run_checks(
            closure_audit._from_json(
                closure.rules.ClosureFacts, {k: v for k, v in snapshot.items() if k != "request"}
            ),
            closure_audit._from_json(closure.rules.RequestFacts, snapshot["request"]),
            req.anchor_on,
        )
    }


def test_submitting_needs_every_domain_with_evidence(audited: Audited) -> None:
    db = audited.opened.db
    closure_audit.save_judgement(
        db, audited.auditor, audited.audit_id, JudgementInput(overall="good"), now=LATER
    )
    [row] = [
        r
        for r in closure_audit.list_audits(db, audited.auditor, now=LATER)
        if r.id == audited.audit_id
    ]
    assert row.state is AuditState.IN_PROGRESS
    with pytest.raises(ValidationFailed) as caught:
        closure_audit.save_judgement(
            db,
            audited.auditor,
            audited.audit_id,
            JudgementInput(overall="good"),
            now=LATER,
            submit=True,
        )
    text = " ".join(caught.value.problems)
    assert "Management oversight" in text and "safe:" in text
    unsafe_without_action = _full(safe=False)
    with pytest.raises(ValidationFailed, match="at least one action for the worker"):
        closure_audit.save_judgement(
            db, audited.auditor, audited.audit_id, unsafe_without_action, now=LATER, submit=True
        )


def _unsafe_with_action(audited: Audited) -> JudgementInput:
    data = _full(safe=False, overall="inadequate", risk="inadequate")
    action = ActionInput(
        "Read the exploitation handover guidance and discuss it in supervision.",
        audited.worker.user_id,
        date(2026, 12, 19),
    )
    return JudgementInput(
        grades=data.grades,
        overall=data.overall,
        safe=False,
        safety_note=data.safety_note,
        actions=(action,),
    )


def test_unsafe_closure_recommends_reopening_and_gives_the_worker_an_action(
    audited: Audited,
) -> None:
    db = audited.opened.db
    closure_audit.save_judgement(
        db,
        audited.auditor,
        audited.audit_id,
        _unsafe_with_action(audited),
        now=LATER,
        submit=True,
    )
    detail = closure_audit.audit_detail(db, audited.auditor, audited.audit_id, now=LATER)
    assert detail.reopen == "recommended" and "exploitation" in detail.reopen_reason
    assert detail.state is AuditState.AWAITING_MODERATION
    [action] = detail.actions
    assert action.owner_id == audited.worker.user_id and action.done_on is None
    # The worker sees the action in My work; a team lead of the young person's team sees
    # the reopening to decide.
    mine = due.my_work(db, audited.worker, now=LATER)
    assert [
        w.item.source_id
        for w in mine
        if w.item.kind is DueKind.LEARNING_ACTION and w.item.source_id == action.id
    ] == [action.id]
    with db.reading() as session:
        team = session.scalar(
            select(YoungPerson.team_id).where(YoungPerson.id == audited.person_id)
        )
    lead = next(a for a in _leads(audited.opened) if team in a.led_team_ids)
    lead_items = due.my_work(db, lead, now=LATER, team=True)
    assert any(
        w.item.kind is DueKind.REOPEN_DECISION and w.item.source_id == audited.audit_id
        for w in lead_items
    )
    # Reopening through the closure workflow settles the recommendation.
    closure.reopen_case(db, lead, audited.person_id, "Audit found it unsafe.", now=LATER)
    assert (
        closure_audit.audit_detail(db, audited.auditor, audited.audit_id, now=LATER).reopen
        == "reopened"
    )
    assert not any(
        w.item.kind is DueKind.REOPEN_DECISION and w.item.source_id == audited.audit_id
        for w in due.my_work(db, lead, now=LATER, team=True)
    )
    # The worker completes the action; it leaves My work.
    with pytest.raises(ValidationFailed, match="Say what was done"):
        closure_audit.complete_action(db, audited.worker, action.id, " ", now=LATER)
    closure_audit.complete_action(db, audited.worker, action.id, "Discussed on 10 Dec.", now=LATER)
    assert not any(
        w.item.kind is DueKind.LEARNING_ACTION and w.item.source_id == action.id
        for w in due.my_work(db, audited.worker, now=LATER)
    )


def test_second_audit_is_blind_then_disagreement_is_resolved(audited: Audited) -> None:
    db = audited.opened.db
    closure_audit.save_judgement(
        db, audited.auditor, audited.audit_id, _full(), now=LATER, submit=True
    )
    blind = closure_audit.audit_detail(db, audited.moderator, audited.audit_id, now=LATER)
    assert blind.judgements == () and blind.hidden == ("first",)
    assert blind.disagreements == ()
    closure_audit.save_judgement(
        db,
        audited.moderator,
        audited.audit_id,
        _full(overall="requires_improvement", voice="requires_improvement"),
        now=LATER,
        submit=True,
    )
    seen = closure_audit.audit_detail(db, audited.moderator, audited.audit_id, now=LATER)
    assert [j.kind for j in seen.judgements] == ["first", "second"]
    assert seen.disagreements == ("voice", "overall")
    assert seen.state is AuditState.DISAGREEMENT
    report = closure_audit.agreement_report(
        db, audited.auditor, now=LATER, sample_id=audited.sample_id
    )
    assert report.agreement.pairs == 1
    assert report.agreement.by_domain["voice"].percent == 0.0
    assert report.agreement.by_domain["risk"].percent == 100.0
    assert report.agreement.by_auditor[audited.auditor.user_id or 0].agreed == 7
    with pytest.raises(PermissionDenied, match="You approved this closure, so you cannot"):
        closure_audit.resolve(db, audited.approver, audited.audit_id, _full(), "x", now=LATER)
    with pytest.raises(ValidationFailed, match="how the disagreement was resolved"):
        closure_audit.resolve(db, audited.auditor, audited.audit_id, _full(), " ", now=LATER)
    closure_audit.resolve(
        db,
        audited.auditor,
        audited.audit_id,
        _full(overall="good", voice="requires_improvement"),
        "Agreed in moderation: the views were second-hand.",
        now=LATER,
    )
    done = closure_audit.audit_detail(db, audited.auditor, audited.audit_id, now=LATER)
    assert done.state is AuditState.COMPLETE and done.resolution_note
    [row] = [
        r
        for r in closure_audit.list_audits(db, audited.auditor, now=LATER)
        if r.id == audited.audit_id
    ]
    assert row.overall is Grade.GOOD and row.safe is True


def test_cli_audit_sample_and_list(
    demo_db: Opened, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_PASSPHRASE", "test passphrase for casework")
    monkeypatch.setattr(cli, "utc_now", lambda: LATER)
    monkeypatch.setattr(keys.OSKeyStore, "is_available", lambda self: False)
    demo_db.db.close()
    path = str(demo_db.path)
    assert (
        cli.main(["audit", "sample", "--path", path, "--month", "2026-11", "--seed", "9", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["seed"] == 9 and out["period_start"] == "2026-11-01"
    assert cli.main(["audit", "list", "--path", path, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and {"child_id", "reasons", "state", "seed"} <= set(listed[0])
    assert cli.main(["audit", "sample", "--path", path, "--month", "2026-13"]) != 0
    assert "YYYY-MM" in capsys.readouterr().err


def test_cli_report_performance(
    demo_db: Opened, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_PASSPHRASE", "test passphrase for casework")
    monkeypatch.setattr(cli, "utc_now", lambda: LATER)
    monkeypatch.setattr(keys.OSKeyStore, "is_available", lambda self: False)
    demo_db.db.close()
    path = str(demo_db.path)
    argv = ["report", "performance", "--path", path, "--from", "2026-06-01", "--to", "2026-11-30"]
    assert cli.main([*argv, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    figures = {f["key"]: f for f in report["figures"]}
    assert {
        "contacts_decided_within_1_working_day",
        "referrals_decided_within_1_working_day",
        "assessments_within_45_working_days",
        "lado_told_within_1_working_day",
        "allegations_with_outcome",
        "closures_with_override",
        "closures_by_reason",
        "audit_grades",
        "in_touch",
        "visits_on_time",
        "pathway_plans_reviewed_in_time",
        "accommodation_suitable",
        "in_education_employment_or_training",
        "open_high_risks_without_review",
    } <= set(figures)
    homes = figures["accommodation_suitable"]
    rest = homes["people"]["rest"]
    assert (
        len(rest)
        == homes["denominator"] - homes["numerator"]
        == sum(homes["rest_by_group"].values())
    )
    for f in figures.values():
        if "numerator" in f:
            assert 0 <= f["numerator"] <= f["denominator"]
            assert sum(t["denominator"] for t in f["per_team"].values()) == f["denominator"]
            assert sum(w["numerator"] for w in f["per_worker"].values()) == f["numerator"]
    closures = sum(figures["closures_by_reason"]["counts"].values())
    assert closures == figures["closures_with_override"]["denominator"] > 0
    assert sum(figures["audit_grades"]["counts"].values()) >= 1  # the demo's audited month
    assert cli.main([*argv[:-2], "--to", "2026-05-01"]) != 0
    assert "before" in capsys.readouterr().err


def test_whoever_asked_for_or_approved_a_closure_does_not_decide_its_reopening(
    audited: Audited,
) -> None:
    db = audited.opened.db
    closure_audit.save_judgement(
        db,
        audited.auditor,
        audited.audit_id,
        _unsafe_with_action(audited),
        now=LATER,
        submit=True,
    )
    approver_view = closure_audit.audit_detail(db, audited.approver, audited.audit_id, now=LATER)
    assert "approved this closure" in approver_view.reopen_excluded
    with db.reading() as session:
        team = session.scalar(
            select(YoungPerson.team_id).where(YoungPerson.id == audited.person_id)
        )
    assert team is not None and team in audited.approver.led_team_ids
    for attempt in (
        lambda: closure_audit.decline_reopening(
            db, audited.approver, audited.audit_id, "I approved it; it was fine.", now=LATER
        ),
        lambda: closure_audit.reopen_from_audit(
            db, audited.approver, audited.audit_id, "Reopening my own closure.", now=LATER
        ),
    ):
        with pytest.raises(PermissionDenied, match="approved this closure, so you cannot decide"):
            attempt()
    with db.reading() as session:
        denied = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.outcome == "denied")
            .where(AuditEvent.actor_id == audited.approver.user_id)
        ).all()
    assert {"decline_reopening", "reopen_case"} <= set(denied)
    assert (
        closure_audit.audit_detail(db, audited.auditor, audited.audit_id, now=LATER).reopen
        == "recommended"
    )
    # Another team lead of the young person's team decides.
    other = audited.moderator
    with db.unit_of_work() as session:
        from casework.db.models import TeamLeadership

        session.add(TeamLeadership(user_id=other.user_id, team_id=team))
    with db.reading() as session:
        username = session.scalar(select(User.username).where(User.id == other.user_id))
    assert username is not None
    other = audited.opened.login(username)
    assert closure_audit.audit_detail(db, other, audited.audit_id, now=LATER).reopen_excluded == ""
    closure_audit.reopen_from_audit(
        db, other, audited.audit_id, "Audit found it unsafe.", now=LATER
    )
    assert (
        closure_audit.audit_detail(db, audited.auditor, audited.audit_id, now=LATER).reopen
        == "reopened"
    )
