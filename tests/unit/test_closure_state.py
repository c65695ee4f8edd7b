"""Where a case stands on closure, what fixes each check, and the steps offered: decided in
the core (``casework.domain.closure_state``), shown as given by the screens."""

from __future__ import annotations

from casework.domain.closure import CheckId, CheckResult, Evidence, Outcome, Severity
from casework.domain.closure_state import (
    NOT_LEAD,
    OWN_REQUEST,
    CaseState,
    Fix,
    Refused,
    Step,
    Who,
    fix_for,
    offers,
    tally,
    to_fix_on_record,
)


def _check(
    check_id: CheckId,
    outcome: Outcome = Outcome.FAILED,
    severity: Severity = Severity.BLOCKER,
    evidence: tuple[Evidence, ...] = (),
) -> CheckResult:
    return CheckResult(check_id, severity, outcome, "found", evidence)


SUMMARY_UNWRITTEN = _check(CheckId.SUMMARY)
SEEN_ON_RECORD = _check(CheckId.SEEN, evidence=(Evidence("contact", 3, "last seen", ok=False),))
ALLEGATION = _check(CheckId.ALLEGATIONS)
RISK = _check(CheckId.OPEN_RISKS, Outcome.NEEDS_TEAM_LEAD)
REPATTERN = _check(CheckId.RE_REFERRALS, severity=Severity.WARNING)
PASSED = _check(CheckId.FRONT_DOOR, Outcome.PASSED)
CHECKS = (SUMMARY_UNWRITTEN, SEEN_ON_RECORD, ALLEGATION, RISK, REPATTERN, PASSED)


def test_each_failing_check_says_what_fixes_it() -> None:
    assert fix_for(SUMMARY_UNWRITTEN) is Fix.REQUEST
    assert fix_for(SEEN_ON_RECORD) is Fix.RECORD  # the record's own evidence fails
    assert fix_for(ALLEGATION) is Fix.RECORD
    assert fix_for(RISK) is Fix.TEAM_LEAD
    assert fix_for(REPATTERN) is Fix.JUSTIFY
    assert fix_for(PASSED) is Fix.NOTHING
    assert all(fix.words for fix in Fix if fix is not Fix.NOTHING)


def test_the_banner_and_the_list_count_the_same_checks() -> None:
    counted = tally(CHECKS)
    assert counted.on_record == len(to_fix_on_record(CHECKS)) == 3
    assert counted.on_request == 1
    assert counted.to_fix == 4
    assert (counted.passed, counted.waiting_for_lead, counted.total) == (1, 1, 6)


def test_the_steps_follow_the_state_and_say_why_not() -> None:
    worker = Who(edit_refusal=None, review_refusal="Only team leads review.", wrote_request=True)
    pending = {o.step: o for o in offers(CaseState.PENDING, CHECKS, worker)}
    assert set(pending) == {Step.WITHDRAW, Step.DECIDE, Step.RETURN, Step.APPROVE}
    assert pending[Step.WITHDRAW].allowed
    assert not pending[Step.APPROVE].allowed and pending[Step.APPROVE].reason == NOT_LEAD
    assert pending[Step.APPROVE].refused is Refused.PERMISSION

    lead = Who(edit_refusal=None, review_refusal=None, wrote_request=True)
    own = {o.step: o for o in offers(CaseState.PENDING, (PASSED,), lead)}[Step.APPROVE]
    assert (own.allowed, own.refused, own.reason) == (False, Refused.OWN_WORK, OWN_REQUEST)

    other_lead = Who(edit_refusal=None, review_refusal=None, wrote_request=False)
    failing = {o.step: o for o in offers(CaseState.PENDING, CHECKS, other_lead)}[Step.APPROVE]
    assert failing.refused is Refused.CHECKS
    passing = {o.step: o for o in offers(CaseState.PENDING, (PASSED,), other_lead)}
    assert passing[Step.APPROVE].allowed and passing[Step.APPROVE].reason == ""

    # Asking: a team lead of the case's team is told another team lead approves.
    [asks] = offers(CaseState.OPEN, CHECKS, other_lead)
    assert asks.step is Step.REQUEST and asks.allowed and asks.another_lead_approves
    [worker_asks] = offers(CaseState.OPEN, CHECKS, worker)
    assert worker_asks.allowed and not worker_asks.another_lead_approves

    viewer = Who(
        edit_refusal="You may only view this record.", review_refusal="No.", wrote_request=False
    )
    closed = offers(CaseState.CLOSED, (), viewer)
    assert [o.step for o in closed] == [Step.ADD_NOTE, Step.REOPEN]
    assert all(o.reason == "You may only view this record." and not o.allowed for o in closed)
    assert CaseState.OPEN.request_editable and not CaseState.PENDING.request_editable
