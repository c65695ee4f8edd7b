"""The closure checks as pure rules: each check passes on a ready record, fails on the
matching gap and names its evidence; every closure reason's own evidence; statutory checks
cannot be weakened; the evidence fingerprint."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.config import ConfigError, closure_from
from casework.domain import closure as c
from casework.domain.closure import CheckId, Outcome, Severity

ON = date(2026, 11, 27)
DOB = date(2005, 3, 14)  # 21 on the anchor day

READY = c.ClosureFacts(
    person_id=1,
    date_of_birth=DOB,
    eligibility="former_relevant",
    screenings=(
        c.ScreeningFact(1, "cse", "none", ON - timedelta(days=3), True),
        c.ScreeningFact(2, "cce", "low", ON - timedelta(days=3), True),
        c.ScreeningFact(3, "missing", "none", ON - timedelta(days=3), True),
    ),
    contacts=(c.ContactFact(10, ON - timedelta(days=4), True, True, True, True, True, "Pat"),),
    accommodation=c.AccommodationNow(20, "U", True, date(2026, 1, 5)),
    told_can_return_on=ON - timedelta(days=4),
    last_plan_review_on=ON - timedelta(days=30),
)
REQUEST = c.RequestFacts(
    reason="CLNR",
    why_open="Care leaver.",
    what_changed="Settled.",
    agencies_involved="None.",
    if_concerns_return="Call the duty line.",
    young_person_views="Agrees.",
)


def run(facts: c.ClosureFacts = READY, request: c.RequestFacts = REQUEST, **rules: object):
    return {r.id: r for r in c.run_checks(facts, request, ON, c.ClosureRules(**rules))}  # type: ignore[arg-type]


def test_a_ready_record_passes_every_check() -> None:
    results = run()
    assert len(results) == len(CheckId)
    assert all(r.passed for r in results.values()), [
        (r.id, r.summary) for r in results.values() if not r.passed
    ]
    assert c.can_request(results.values()) and c.can_approve(results.values())


def failing(check: CheckId, facts: c.ClosureFacts = READY, request: c.RequestFacts = REQUEST):
    result = run(facts, request)[check]
    assert not result.passed, result.summary
    return result


def test_1_undecided_concern_and_referral_block() -> None:
    facts = replace(
        READY,
        concerns=(c.ConcernFact(5, ON - timedelta(days=2), False),),
        referrals=(c.ReferralFact(6, ON - timedelta(days=1), False),),
    )
    result = failing(CheckId.FRONT_DOOR, facts)
    assert result.blocks and {(e.kind, e.id) for e in result.evidence} == {
        ("safeguarding_contact", 5),
        ("referral", 6),
    }
    decided = replace(facts, concerns=(c.ConcernFact(5, ON, True),), referrals=())
    assert run(decided)[CheckId.FRONT_DOOR].passed


def test_2_open_assessment_and_s47_without_icpc_block() -> None:
    open_assessment = c.ReferralFact(7, ON - timedelta(days=40), True, ON - timedelta(days=30))
    s47 = c.ReferralFact(
        8, ON - timedelta(days=200), True, strategy_discussion_on=ON - timedelta(days=190)
    )
    result = failing(CheckId.ENQUIRIES, replace(READY, referrals=(open_assessment, s47)))
    assert [e.id for e in result.evidence] == [7, 8]
    assert "initial conference" in result.evidence[1].text
    done = replace(s47, icpc_not_required=True)
    completed = replace(open_assessment, assessment_completed_on=ON - timedelta(days=2))
    unauthorised = failing(CheckId.ENQUIRIES, replace(READY, referrals=(completed, done)))
    assert "not yet authorised" in unauthorised.evidence[0].text
    finished = replace(completed, assessment_authorised_on=ON - timedelta(days=1))
    assert run(replace(READY, referrals=(finished, done)))[CheckId.ENQUIRIES].passed


def test_2_a_child_protection_plan_in_force_blocks() -> None:
    plan = c.ProtectionPlanFact(21, ON - timedelta(days=90), None)
    result = failing(CheckId.ENQUIRIES, replace(READY, protection_plans=(plan,)))
    assert (
        result.evidence[0].kind == "child_protection_plan" and "in force" in result.evidence[0].text
    )
    ended = replace(plan, ended_on=ON - timedelta(days=3))
    assert run(replace(READY, protection_plans=(ended,)))[CheckId.ENQUIRIES].passed


def test_3_allegation_without_outcome_blocks() -> None:
    facts = replace(READY, allegations=(c.AllegationFact(9, ON - timedelta(days=60), None),))
    assert failing(CheckId.ALLEGATIONS, facts).evidence[0].id == 9
    settled = replace(READY, allegations=(c.AllegationFact(9, ON, "unfounded"),))
    assert run(settled)[CheckId.ALLEGATIONS].passed


def test_4a_cse_cce_and_missing_screened_within_the_window() -> None:
    old = tuple(replace(s, screened_on=ON - timedelta(days=29)) for s in READY.screenings)
    result = failing(CheckId.EXPLOITATION, replace(READY, screenings=old))
    assert "child sexual exploitation" in result.summary and len(result.evidence) == 3
    assert not any(e.ok for e in result.evidence)
    edge = tuple(replace(s, screened_on=ON - timedelta(days=28)) for s in READY.screenings)
    assert run(replace(READY, screenings=edge))[CheckId.EXPLOITATION].passed
    no_cce = tuple(s for s in READY.screenings if s.risk_type != "cce")
    assert (
        "child criminal exploitation"
        in failing(CheckId.EXPLOITATION, replace(READY, screenings=no_cce)).summary
    )


@given(days_before=st.integers(min_value=-5, max_value=60), window=st.integers(1, 40))
def test_4a_window_property(days_before: int, window: int) -> None:
    screened = tuple(
        replace(s, screened_on=ON - timedelta(days=days_before)) for s in READY.screenings
    )
    result = run(replace(READY, screenings=screened), screening_days=window)[CheckId.EXPLOITATION]
    assert result.passed == (0 <= days_before <= window)


def test_4b_open_medium_or_high_risk_needs_a_team_lead_holder() -> None:
    risky = (
        *READY.screenings,
        c.ScreeningFact(4, "self_harm", "high", ON - timedelta(days=9), True),
    )
    facts = replace(READY, screenings=risky)
    result = run(facts)[CheckId.OPEN_RISKS]
    assert result.outcome is Outcome.NEEDS_TEAM_LEAD and result.evidence[0].id == 4
    assert c.can_request(run(facts).values()) and not c.can_approve(run(facts).values())
    held = replace(REQUEST, risk_holder="Adult safeguarding", risk_review="Monthly by the CMHT")
    assert run(facts, held)[CheckId.OPEN_RISKS].passed
    older_low = replace(risky[-1], level="low")
    assert run(replace(READY, screenings=(*READY.screenings, older_low)))[CheckId.OPEN_RISKS].passed


def test_5_missing_episodes_need_a_return_interview_held() -> None:
    episode = c.MissingFact(11, ON - timedelta(days=100), ON - timedelta(days=99), None)
    result = failing(CheckId.RETURN_INTERVIEWS, replace(READY, missing=(episode,)))
    assert result.evidence[0].id == 11
    offered = replace(episode, interview_offered_on=ON - timedelta(days=98))
    assert (
        "not held"
        in failing(CheckId.RETURN_INTERVIEWS, replace(READY, missing=(offered,))).evidence[0].text
    )
    held = replace(offered, interview_held_on=ON - timedelta(days=97))
    assert run(replace(READY, missing=(held,)))[CheckId.RETURN_INTERVIEWS].passed
    declined = replace(offered, interview_declined=True)
    assert run(replace(READY, missing=(declined,)))[CheckId.RETURN_INTERVIEWS].passed
    still_missing = c.MissingFact(12, ON - timedelta(days=2), None, None)
    assert (
        "still missing"
        in failing(CheckId.RETURN_INTERVIEWS, replace(READY, missing=(still_missing,))).summary
    )
    over_a_year = c.MissingFact(13, ON - timedelta(days=400), ON - timedelta(days=399), None)
    assert run(replace(READY, missing=(over_a_year,)))[CheckId.RETURN_INTERVIEWS].passed
    missing_for_over_a_year = c.MissingFact(14, ON - timedelta(days=400), None, None)
    result = failing(CheckId.RETURN_INTERVIEWS, replace(READY, missing=(missing_for_over_a_year,)))
    assert "not yet returned" in result.evidence[0].text
    returned_this_year = c.MissingFact(15, ON - timedelta(days=400), ON - timedelta(days=30), None)
    assert failing(CheckId.RETURN_INTERVIEWS, replace(READY, missing=(returned_this_year,)))


def test_6_seen_recently_alone_after_risk_and_views_recorded() -> None:
    phone = (c.ContactFact(10, ON - timedelta(days=4), True, True, False, False, False),)
    assert "Not seen face to face" in failing(CheckId.SEEN, replace(READY, contacts=phone)).summary
    not_alone = (replace(READY.contacts[0], seen_alone=False),)
    risk_last_year = c.ScreeningFact(5, "cse", "medium", ON - timedelta(days=200), False)
    facts = replace(READY, contacts=not_alone, screenings=(*READY.screenings, risk_last_year))
    assert "seen alone" in failing(CheckId.SEEN, facts).summary
    assert run(replace(READY, contacts=not_alone))[CheckId.SEEN].passed
    no_views = replace(REQUEST, young_person_views="  ")
    assert "views" in failing(CheckId.SEEN, request=no_views).summary


def test_7_referrals_out_and_overdue_follow_ups_block() -> None:
    facts = replace(
        READY,
        service_referrals=(c.ServiceReferralFact(14, "housing", "Homes Ltd", "sent", False),),
        follow_ups=(c.FollowUpFact(15, "Ring the college", ON - timedelta(days=1), False),),
    )
    result = failing(CheckId.OPEN_ACTIONS, facts)
    assert {e.id for e in result.evidence} == {14, 15}
    due_later = replace(
        READY, follow_ups=(c.FollowUpFact(15, "Ring", ON + timedelta(days=3), False),)
    )
    assert run(due_later)[CheckId.OPEN_ACTIONS].passed


@pytest.mark.parametrize("letter,suitable", [("S", False), ("R", True), ("W", False)])
def test_8_homeless_unknown_or_unsuitable_needs_a_team_lead_decision(
    letter: str, suitable: bool
) -> None:
    facts = replace(READY, accommodation=c.AccommodationNow(21, letter, suitable, ON))
    result = run(facts)[CheckId.ACCOMMODATION]
    assert result.outcome is Outcome.NEEDS_TEAM_LEAD and result.evidence[0].id == 21
    decided = replace(REQUEST, accommodation_decision="Moving to supported housing Monday.")
    assert run(facts, decided)[CheckId.ACCOMMODATION].passed


def test_8_no_accommodation_recorded_is_never_silent() -> None:
    result = run(replace(READY, accommodation=None))[CheckId.ACCOMMODATION]
    assert result.outcome is Outcome.NEEDS_TEAM_LEAD and "unknown" in result.summary


def test_9_care_leavers_under_25_told_in_writing() -> None:
    assert failing(CheckId.TOLD_CAN_RETURN, replace(READY, told_can_return_on=None)).blocks
    over_25 = replace(READY, told_can_return_on=None, date_of_birth=date(2000, 1, 1))
    assert (
        run(over_25, replace(REQUEST, reason="CL25"))[CheckId.TOLD_CAN_RETURN].outcome
        is Outcome.NOT_APPLICABLE
    )
    not_care_leaver = replace(READY, told_can_return_on=None, eligibility="no_current")
    assert run(not_care_leaver)[CheckId.TOLD_CAN_RETURN].outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    "part", ["why_open", "what_changed", "agencies_involved", "if_concerns_return"]
)
def test_10_each_summary_part_is_required(part: str) -> None:
    result = failing(CheckId.SUMMARY, request=replace(REQUEST, **{part: ""}))
    assert [e.ok for e in result.evidence].count(False) == 1


def test_11_re_referral_pattern_is_a_warning_needing_justification() -> None:
    facts = replace(
        READY,
        referrals=(
            c.ReferralFact(30, ON - timedelta(days=300), True),
            c.ReferralFact(31, ON - timedelta(days=20), True),
        ),
    )
    result = run(facts)[CheckId.RE_REFERRALS]
    assert result.severity is Severity.WARNING and result.needs_justification
    assert not c.can_request(run(facts).values())
    justified = replace(REQUEST, justifications={CheckId.RE_REFERRALS.value: "Both about rent."})
    overridden = run(facts, justified)[CheckId.RE_REFERRALS]
    assert (
        overridden.outcome is Outcome.OVERRIDDEN and overridden.justification == "Both about rent."
    )
    assert c.can_approve(run(facts, justified).values())
    one = replace(facts, referrals=facts.referrals[1:])
    assert run(one)[CheckId.RE_REFERRALS].passed
    # Contacts that did not become referrals are not re-referrals (DfE CIN census).
    concerns = tuple(c.ConcernFact(40 + n, ON - timedelta(days=10 * n), True) for n in range(5))
    assert run(replace(one, concerns=concerns))[CheckId.RE_REFERRALS].passed


def test_12_drafts_outstanding_block() -> None:
    draft = c.ContactFact(40, ON, False, None, False, False, False, "Sam")
    result = failing(CheckId.DRAFTS, replace(READY, contacts=(*READY.contacts, draft)))
    assert result.evidence[0].id == 40 and "Sam" in result.evidence[0].text


REASONS_NEEDING_NOTHING_MORE = ["RC7", "CLNR"]
CHILD_IN_NEED = replace(READY, eligibility="no_current")


@pytest.mark.parametrize(
    "reason,extra,fix",
    [
        ("RC1", {}, {"reason_date": ON}),
        ("RC2", {}, {"reason_date": ON - timedelta(days=2)}),
        ("CLDI", {}, {"reason_date": ON - timedelta(days=2)}),
        ("RC3", {}, {"reason_date": ON}),
        ("RC4", {}, {"reason_date": ON}),
        ("RC5", {"reason_date": ON}, {"receiving_body": "Northshire County Council"}),
        ("RC6", {"reason_date": ON}, {"receiving_body": "Adult community mental health team"}),
    ],
)
def test_13_reasons_needing_dates_and_receivers(reason: str, extra: dict, fix: dict) -> None:
    facts = READY if reason == "CLDI" else CHILD_IN_NEED  # CIN reasons close CIN cases only
    request = replace(REQUEST, reason=reason, **extra)
    assert failing(CheckId.REASON, facts, request).blocks
    assert run(facts, replace(request, **fix))[CheckId.REASON].passed


@pytest.mark.parametrize("reason", ["CLTR", "CLAS", "RC5", "RC6"])
@pytest.mark.parametrize("eligibility", ["eligible", "relevant", "former_relevant", "qualifying"])
def test_13_transfer_and_adult_services_never_close_a_care_leaver(
    reason: str, eligibility: str
) -> None:
    """CLR 2010 reg 2(1): the responsible council stays responsible wherever they live."""
    request = replace(
        REQUEST, reason=reason, reason_date=ON, receiving_body="Northshire County Council"
    )
    result = failing(CheckId.REASON, replace(READY, eligibility=eligibility), request)
    assert result.blocks and "reg 2(1)" in result.summary and "arrangement" in result.summary


def test_13_died_date_cannot_be_in_the_future_or_before_birth() -> None:
    future = replace(REQUEST, reason="CLDI", reason_date=ON + timedelta(days=1))
    assert "future" in failing(CheckId.REASON, request=future).summary
    before_birth = replace(REQUEST, reason="CLDI", reason_date=DOB - timedelta(days=1))
    assert "before their date of birth" in failing(CheckId.REASON, request=before_birth).summary
    died = replace(REQUEST, reason="CLDI", reason_date=ON, young_person_views="Not applicable.")
    results = run(
        replace(READY, screenings=(), contacts=(), accommodation=None, told_can_return_on=None),
        died,
    )
    for check in (
        CheckId.EXPLOITATION,
        CheckId.SEEN,
        CheckId.ACCOMMODATION,
        CheckId.TOLD_CAN_RETURN,
    ):
        assert results[check].outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize("reason", ["RC8", "RC9"])
def test_13_after_assessment_needs_a_completed_assessment(reason: str) -> None:
    request = replace(REQUEST, reason=reason)
    assert "completed assessment" in failing(CheckId.REASON, CHILD_IN_NEED, request).summary
    done = c.ReferralFact(
        50, ON - timedelta(days=60), True, ON - timedelta(days=55), ON - timedelta(days=20)
    )
    result = run(replace(CHILD_IN_NEED, referrals=(done,)), request)[CheckId.REASON]
    assert result.passed and result.evidence[0].id == 50


def test_13_reached_21_and_declined() -> None:
    request = replace(REQUEST, reason="CL21")
    assert "declined further support" in failing(CheckId.REASON, request=request).summary
    assert run(replace(READY, declined_support_on=ON - timedelta(days=9)), request)[
        CheckId.REASON
    ].passed
    young = replace(READY, date_of_birth=date(2007, 1, 1), declined_support_on=ON)
    assert "s23C(2)" in failing(CheckId.REASON, young, request).summary


def test_13_reached_25() -> None:
    assert "not yet 25" in failing(CheckId.REASON, request=replace(REQUEST, reason="CL25")).summary
    assert run(replace(READY, date_of_birth=date(2001, 11, 27)), replace(REQUEST, reason="CL25"))[
        CheckId.REASON
    ].passed


def test_13_no_longer_requires_needs_a_recent_plan_review() -> None:
    stale = replace(READY, last_plan_review_on=ON - timedelta(days=200))
    assert "plan review" in failing(CheckId.REASON, stale).summary


def test_13_refuses_contact_needs_documented_attempts() -> None:
    request = replace(REQUEST, reason="CLRF")
    attempts = tuple(
        c.ContactFact(60 + i, ON - timedelta(days=10 * i + 1), True, False, False, False, False)
        for i in range(3)
    )
    assert "documented attempt" in failing(CheckId.REASON, request=request).summary
    facts = replace(READY, contacts=attempts)
    results = run(facts, request)
    assert results[CheckId.REASON].passed and len(results[CheckId.REASON].evidence) == 3
    assert results[CheckId.SEEN].passed  # the attempts stand in for a visit


@pytest.mark.parametrize("reason", REASONS_NEEDING_NOTHING_MORE)
def test_13_reasons_with_no_extra_evidence(reason: str) -> None:
    facts = CHILD_IN_NEED if reason.startswith("RC") else READY
    assert run(facts, replace(REQUEST, reason=reason))[CheckId.REASON].passed


def test_13_unknown_or_missing_reason() -> None:
    assert "Choose" in failing(CheckId.REASON, request=replace(REQUEST, reason="")).summary
    assert (
        "not a closure reason"
        in failing(CheckId.REASON, request=replace(REQUEST, reason="RC99")).summary
    )


def test_every_reason_has_a_label_and_care_leaver_reasons_map_to_cin() -> None:
    codes = [code for code, _ in c.reason_choices()]
    assert set(codes) >= {f"RC{i}" for i in range(1, 10)} | {
        "CL21",
        "CL25",
        "CLNR",
        "CLRF",
        "CLTR",
        "CLAS",
        "CLDI",
    }
    assert c.CareLeaverClosureReason.DIED.cin.value == "RC2"
    assert c.CareLeaverClosureReason.TRANSFERRED.cin.value == "RC5"


def test_local_severity_can_relax_local_checks_but_never_statutory_ones() -> None:
    relaxed = run(
        replace(READY, told_can_return_on=None),
        severities={CheckId.TOLD_CAN_RETURN: Severity.WARNING},
    )
    assert relaxed[CheckId.TOLD_CAN_RETURN].needs_justification
    off = run(
        replace(READY, told_can_return_on=None), severities={CheckId.TOLD_CAN_RETURN: Severity.OFF}
    )
    assert CheckId.TOLD_CAN_RETURN not in off
    for check in c.STATUTORY:
        with pytest.raises(ValueError, match="statutory"):
            c.ClosureRules(severities={check: Severity.WARNING}).validated()
        # Even if built without validation, a statutory check stays a blocker.
        assert c.ClosureRules(severities={check: Severity.OFF}).severity(check) is Severity.BLOCKER


def test_council_file_refuses_weakening_a_statutory_check() -> None:
    with pytest.raises(ConfigError, match=r"allegations-have-outcomes.*statutory"):
        closure_from({"closure": {"severity": {"allegations-have-outcomes": "off"}}}, "test.toml")
    with pytest.raises(ConfigError, match="not a closure check"):
        closure_from({"closure": {"severity": {"made-up": "warning"}}}, "test.toml")
    with pytest.raises(ConfigError, match="screening_days"):
        closure_from({"closure": {"screening_days": 0}}, "test.toml")
    rules = closure_from(
        {"closure": {"seen_days": 14, "severity": {"no-drafts-outstanding": "warning"}}}, "t"
    )
    assert rules.seen_days == 14 and rules.severity(CheckId.DRAFTS) is Severity.WARNING


def test_fingerprint_changes_with_any_evidence_and_names_the_part() -> None:
    before = c.evidence_snapshot(READY, REQUEST)
    assert c.fingerprint(before) == c.fingerprint(c.evidence_snapshot(READY, REQUEST))
    new_contact = (*READY.contacts, c.ContactFact(70, ON, True, True, False, False, False))
    after = c.evidence_snapshot(replace(READY, contacts=new_contact), REQUEST)
    assert c.fingerprint(after) != c.fingerprint(before)
    assert c.changed_sections(before, after) == ["contacts"]
    edited = c.evidence_snapshot(replace(READY, record_version=2), REQUEST)
    assert c.changed_sections(before, edited) == ["personal details"]
