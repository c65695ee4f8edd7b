"""Lawful closure grounds: each reason closes a case only where the law ends the duty
(Children Act 1989 s23B(1), s23B(11), s23C(2), s23C(6)-(7), s23CZB, s24; Care Leavers
(England) Regulations 2010 regs 2(1) and 3(3)); the accommodation check's hard stop for
R, S and X while duties are owed; exploitation oversight over the last 12 months."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.domain import closure as c
from casework.domain import closure_grounds as g
from casework.domain.calendar import add_months
from casework.domain.closure import CheckId, Outcome
from casework.domain.codes import EligibilityCategory

ON = date(2026, 11, 27)


def born(age: int) -> date:
    """A date of birth making them ``age`` on ON (birthday a month earlier)."""
    return add_months(date(ON.year - age, ON.month, 1), -1)


READY = c.ClosureFacts(
    person_id=1,
    date_of_birth=born(22),
    eligibility="former_relevant",
    screenings=(
        c.ScreeningFact(1, "cse", "none", ON - timedelta(days=3), True),
        c.ScreeningFact(2, "cce", "low", ON - timedelta(days=3), True),
        c.ScreeningFact(3, "missing", "none", ON - timedelta(days=3), True),
    ),
    contacts=(c.ContactFact(10, ON - timedelta(days=4), True, True, True, True, True, "Pat"),),
    accommodation=c.AccommodationNow(20, "U", True, date(2026, 1, 5)),
    told_can_return_on=ON - timedelta(days=4),
    declined_support_on=ON - timedelta(days=10),
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
ATTEMPTS = tuple(
    c.ContactFact(60 + i, ON - timedelta(days=7 * i + 1), True, False, False, False, False)
    for i in range(3)
)


def checks(
    facts: c.ClosureFacts, request: c.RequestFacts = REQUEST
) -> dict[CheckId, c.CheckResult]:
    return {r.id: r for r in c.run_checks(facts, request, ON)}


# --- the findings -------------------------------------------------------------------------


def test_relevant_17_year_old_with_three_unanswered_calls_cannot_close_as_refusing() -> None:
    """s23B(1): REFU is a status for a relevant child, not a closure."""
    facts = replace(READY, eligibility="relevant", date_of_birth=born(17), contacts=ATTEMPTS)
    result = checks(facts, replace(REQUEST, reason="CLRF"))
    assert not result[CheckId.REASON].passed and result[CheckId.REASON].blocks
    assert "s23B(1)" in result[CheckId.REASON].summary
    assert "status, not a closure" in result[CheckId.REASON].summary
    assert not c.can_request(result.values())


def test_former_relevant_20_year_old_cannot_close_as_transferred() -> None:
    """CLR 2010 reg 2(1): the responsible council stays responsible wherever they live."""
    facts = replace(READY, date_of_birth=born(20))
    request = replace(REQUEST, reason="CLTR", reason_date=ON, receiving_body="Northshire")
    result = checks(facts, request)[CheckId.REASON]
    assert result.blocks and "reg 2(1)" in result.summary


def test_adult_services_never_take_over_a_care_leaver() -> None:
    for age in (17, 19, 22, 24):
        for category in ("relevant", "former_relevant", "qualifying", "eligible"):
            option = g.is_allowed("CLAS", category, age)
            assert not option.allowed and "reg 2(1)" in option.why


def test_former_relevant_21_in_education_keeps_the_duties() -> None:
    """s23C(6)-(7): the duties continue while they pursue the programme in their plan."""
    facts = replace(READY, activity="F2")
    result = checks(facts, replace(REQUEST, reason="CL21"))[CheckId.REASON]
    assert result.blocks and "s23C(6)-(7)" in result.summary
    assert checks(replace(READY, activity="G5"), replace(REQUEST, reason="CL21"))[
        CheckId.REASON
    ].passed


def test_children_in_need_close_with_cin_reasons_and_care_leavers_do_not() -> None:
    assert g.is_allowed("RC5", "no_current", 15).allowed
    assert g.is_allowed("RC6", "no_current", 17).allowed
    assert not g.is_allowed("CLNR", "no_current", 17).allowed
    assert not g.is_allowed("RC7", "qualifying", 19).allowed


def test_every_refusal_names_its_source() -> None:
    for band in g.MATRIX:
        assert "s" in band.duty and "(" in band.duty, band
    for category in EligibilityCategory:
        for age in range(14, 27):
            for option in g.options(category, age):
                if not option.allowed:
                    assert any(
                        source in option.why
                        for source in ("Children Act 1989", "reg", "s23", "s24", "CIN", "RC1")
                    ), (category, age, option)


def test_reason_options_offer_only_the_lawful_reasons() -> None:
    relevant = replace(READY, eligibility="relevant", date_of_birth=born(17))
    offered = [o.code for o in c.reason_options(relevant, ON) if o.allowed]
    assert offered == ["CLDI"]
    declined = [o.code for o in c.reason_options(READY, ON) if o.allowed]
    assert declined == ["CL21", "CLNR", "CLRF", "CLDI"]
    over_25 = replace(READY, date_of_birth=born(25))
    assert [o.code for o in c.reason_options(over_25, ON) if o.allowed] == ["CL25", "CLDI"]


# --- the property -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    category=st.sampled_from(list(EligibilityCategory)),
    age=st.integers(min_value=14, max_value=30),
    reason=st.sampled_from([*g.CARE_LEAVER_REASONS, *g.CIN_REASONS]),
    activity=st.sampled_from([None, "F1", "P2", "F4", "F5", "G5", "G6"]),
)
def test_no_closure_reason_is_accepted_that_the_matrix_forbids(
    category: EligibilityCategory, age: int, reason: str, activity: str | None
) -> None:
    """Whatever evidence the request carries, a reason the matrix forbids is refused at
    request and at approval; one it allows is never refused for its ground."""
    facts = replace(
        READY,
        eligibility=category.value,
        date_of_birth=born(age),
        activity=activity,
        contacts=(*READY.contacts, *ATTEMPTS),
        referrals=(c.ReferralFact(50, ON - timedelta(days=60), True, ON - timedelta(days=55), ON),),
    )
    request = replace(
        REQUEST, reason=reason, reason_date=ON - timedelta(days=1), receiving_body="Northshire"
    )
    results = checks(facts, request)
    allowed = g.is_allowed(reason, category, age, activity).allowed
    ground_refused = "not a lawful closure ground" in results[CheckId.REASON].summary
    if not allowed:
        assert ground_refused and results[CheckId.REASON].blocks
        assert not c.can_request(results.values()) and not c.can_approve(results.values())
    else:
        assert not ground_refused


# --- accommodation at closure -------------------------------------------------------------


@pytest.mark.parametrize("letter", ["R", "S", "X"])
def test_r_s_x_block_outright_while_duties_are_owed(letter: str) -> None:
    """s23B(8), s23C(2)-(7): no team lead's note passes R, S or X while duties are owed."""
    facts = replace(
        READY,
        date_of_birth=born(19),
        accommodation=c.AccommodationNow(21, letter, False, ON - timedelta(days=30)),
    )
    decided = replace(REQUEST, reason="CLDI", accommodation_decision="Fine by me.")
    # CLDI makes the check not applicable, so test with the empty request's reason.
    note = replace(REQUEST, accommodation_decision="Closing anyway.")
    result = checks(facts, note)[CheckId.ACCOMMODATION]
    assert result.outcome is Outcome.FAILED and result.blocks
    assert "cannot pass" in result.summary and "s23B(8)" in result.summary
    assert checks(facts, decided)[CheckId.ACCOMMODATION].outcome is Outcome.NOT_APPLICABLE
    unknown = checks(replace(facts, accommodation=None), note)[CheckId.ACCOMMODATION]
    assert unknown.blocks
    # A 22-year-old who declined support is no longer owed the duties: a team lead decides.
    older = replace(facts, date_of_birth=born(22))
    assert checks(older)[CheckId.ACCOMMODATION].outcome is Outcome.NEEDS_TEAM_LEAD
    assert checks(older, note)[CheckId.ACCOMMODATION].passed


def test_bed_and_breakfast_awaiting_review_is_not_yet_suitable() -> None:
    waiting = c.AccommodationNow(22, "W", True, ON - timedelta(days=5), awaiting_review=True)
    result = checks(replace(READY, accommodation=waiting))[CheckId.ACCOMMODATION]
    assert result.blocks and "review" in result.summary
    reviewed = replace(waiting, awaiting_review=False)
    assert checks(replace(READY, accommodation=reviewed))[CheckId.ACCOMMODATION].passed


# --- exploitation oversight ---------------------------------------------------------------


def test_high_cse_followed_by_none_still_needs_a_team_lead_decision() -> None:
    screenings = (
        c.ScreeningFact(5, "cse", "high", ON - timedelta(days=200), False),
        *READY.screenings,
    )
    facts = replace(READY, screenings=screenings)
    result = checks(facts)[CheckId.OPEN_RISKS]
    assert result.outcome is Outcome.NEEDS_TEAM_LEAD and result.evidence[0].id == 5
    held = replace(REQUEST, risk_holder="Police exploitation team", risk_review="Monthly")
    assert checks(facts, held)[CheckId.OPEN_RISKS].passed
    old = replace(screenings[0], screened_on=ON - timedelta(days=400))
    assert checks(replace(READY, screenings=(old, *READY.screenings)))[CheckId.OPEN_RISKS].passed
    medium_cce = c.ScreeningFact(6, "cce", "medium", ON - timedelta(days=30), False)
    assert not checks(replace(READY, screenings=(medium_cce, *READY.screenings)))[
        CheckId.OPEN_RISKS
    ].passed


def test_a_child_cannot_hand_a_risk_to_adult_safeguarding() -> None:
    risky = (c.ScreeningFact(7, "missing", "high", ON - timedelta(days=9), True),)
    child = replace(READY, eligibility="qualifying", date_of_birth=born(17), screenings=risky)
    held = replace(REQUEST, risk_holder="Adult Safeguarding team", risk_review="Monthly")
    result = checks(child, held)[CheckId.OPEN_RISKS]
    assert result.blocks and "Care Act 2014 s42" in result.summary
    assert c.risk_holder_problem("adult safeguarding", 17) is not None
    assert c.risk_holder_problem("adult safeguarding", 18) is None
    assert "adult" not in c.risk_holder_examples(17)
    adult = replace(child, date_of_birth=born(19))
    assert checks(adult, held)[CheckId.OPEN_RISKS].passed


def test_told_can_return_is_for_former_relevant_young_people() -> None:
    """s23CZB: the right to ask for support until 25 is a former relevant young person's."""
    qualifying = replace(READY, eligibility="qualifying", told_can_return_on=None)
    result = checks(qualifying)[CheckId.TOLD_CAN_RETURN]
    assert result.outcome is Outcome.NOT_APPLICABLE and "s23CZB" in result.summary
    assert "s23CZB" in CheckId.TOLD_CAN_RETURN.why
    assert not checks(replace(READY, told_can_return_on=None))[CheckId.TOLD_CAN_RETURN].passed
