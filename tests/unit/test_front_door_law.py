"""Front-door clocks as the law sets them: the assessment clock for every referral that
proceeds (section 47 included) stopped by authorisation, the LADO's strategy decision,
KCSIE's allegation timescales, return interviews held within 72 hours, child protection
review conferences and core groups, exploitation screenings, lowered risk levels and who
may hold a child's risk. Clocks follow the clock convention in docs/architecture.md
(due by the end of the Nth
working day; a start on a non-working day counts from the next; 72 hours in elapsed time;
due today is not overdue), checked by hand and by Hypothesis properties.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.domain.calendar import WorkingCalendar, add_months, is_overdue
from casework.domain.codes import UnknownCode
from casework.domain.front_door import (
    ReferralDecision,
    RiskLevel,
    RiskType,
    allegation_stage,
    assessment_due,
    assessment_open,
    core_group_due,
    cp_review_due,
    exploitation_factors,
    lowering_needs_sign_off,
    return_interview_due,
    return_interview_held_in_time,
    return_interview_open,
    screening_due,
    strategy_criteria_after,
    strategy_decision_problems,
    strategy_meeting_open,
)

CAL = WorkingCalendar()
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
closures = st.lists(days, max_size=5)


def screening_5(start: date | datetime, cal: WorkingCalendar) -> date:
    return screening_due(start, cal)


def screening_2(start: date | datetime, cal: WorkingCalendar) -> date:
    return screening_due(start, cal, 2)


WORKING_DAY_CLOCKS: list[tuple[Callable[[date | datetime, WorkingCalendar], date], int]] = [
    (core_group_due, 10),
    (screening_5, 5),
    (screening_2, 2),
    (assessment_due, 45),
]


# --- the assessment clock --------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "runs"),
    [("assessment", True), ("strategy_s47", True), ("nfa", False), ("early_help", False)],
)
def test_assessment_clock_runs_for_every_referral_that_proceeds(decision: str, runs: bool) -> None:
    assert assessment_open(decision, None) is runs
    assert ReferralDecision.parse(decision).proceeds_to_assessment is runs


def test_authorisation_not_completion_stops_the_assessment_clock() -> None:
    assert assessment_open("strategy_s47", None)
    assert not assessment_open("strategy_s47", date(2026, 3, 1))
    assert not assessment_open(None, None)  # undecided: the decision clock runs instead


def test_assessment_counts_from_the_contact_receipt_across_christmas() -> None:
    # Received Thursday 24 December 2026 16:55 as a contact; its referral keeps that time.
    received = datetime(2026, 12, 24, 16, 55)
    assert assessment_due(received, CAL) == date(2027, 3, 2)
    # Deciding the contact days later does not move the clock.
    assert assessment_due(received, CAL) != assessment_due(datetime(2026, 12, 31, 9), CAL)


# --- working-day clocks: properties ----------------------------------------------------


@pytest.mark.parametrize(("clock", "n"), WORKING_DAY_CLOCKS)
@given(start=days, extra=closures)
def test_working_day_clock_is_the_nth_working_day_after(
    clock: Callable[[date | datetime, WorkingCalendar], date],
    n: int,
    start: date,
    extra: list[date],
) -> None:
    cal = WorkingCalendar(extra)
    due = clock(start, cal)
    assert due > start and cal.is_working_day(due)
    assert cal.working_days_between(start, due) == n


@pytest.mark.parametrize(("clock", "n"), WORKING_DAY_CLOCKS)
@given(start=days)
def test_a_start_on_a_non_working_day_counts_from_the_next(
    clock: Callable[[date | datetime, WorkingCalendar], date], n: int, start: date
) -> None:
    if CAL.is_working_day(start):
        return
    previous = start - timedelta(days=1)
    while not CAL.is_working_day(previous):
        previous -= timedelta(days=1)
    # Nothing counts until the next working day, so a Saturday start is due when the
    # Friday's would be.
    assert clock(start, CAL) == clock(previous, CAL)


@pytest.mark.parametrize(("clock", "n"), WORKING_DAY_CLOCKS)
@given(start=days, hour=st.integers(0, 23))
def test_the_time_of_day_does_not_matter(
    clock: Callable[[date | datetime, WorkingCalendar], date], n: int, start: date, hour: int
) -> None:
    assert clock(datetime(start.year, start.month, start.day, hour), CAL) == clock(start, CAL)


@given(due=days)
def test_due_today_is_not_overdue(due: date) -> None:
    assert not is_overdue(due, due) and is_overdue(due, due + timedelta(days=1))


def test_core_group_within_10_working_days_of_the_icpc_across_christmas() -> None:
    # ICPC Monday 21 December 2026: 22, 23, 24, 29, 30, 31 Dec, 4, 5, 6, 7 Jan.
    assert core_group_due(date(2026, 12, 21), CAL) == date(2027, 1, 7)


def test_screening_within_5_working_days_configurable() -> None:
    friday = datetime(2026, 5, 22, 17, 30)  # Spring bank holiday Monday 25 May 2026
    assert screening_due(friday, CAL) == date(2026, 6, 1)
    assert screening_due(friday, CAL, 1) == date(2026, 5, 26)
    with pytest.raises(ValueError, match="at least 1"):
        screening_due(friday, CAL, 0)


# --- child protection review conferences ------------------------------------------------


def test_first_review_within_3_months_then_every_6() -> None:
    icpc = date(2026, 11, 30)
    assert cp_review_due(icpc, []) == date(2027, 2, 28)  # no 30 February
    assert cp_review_due(icpc, [date(2027, 2, 20)]) == date(2027, 8, 20)
    later = [date(2027, 2, 20), date(2027, 8, 1)]
    assert cp_review_due(icpc, later) == date(2028, 2, 1)
    assert cp_review_due(icpc, [date(2026, 1, 1)]) == date(2027, 2, 28)  # before the plan


@given(icpc=days, gaps=st.lists(st.integers(1, 200), max_size=4))
def test_review_never_more_than_6_months_after_the_last(icpc: date, gaps: list[int]) -> None:
    reviews, day = [], icpc
    for gap in gaps:
        day += timedelta(days=gap)
        reviews.append(day)
    due = cp_review_due(icpc, reviews)
    last = max(reviews, default=icpc)
    assert due > last
    assert due == add_months(last, 6 if reviews else 3)


# --- allegations against KCSIE ----------------------------------------------------------


def test_allegation_stages_against_kcsie() -> None:
    received = datetime(2026, 3, 10, 14)
    within = allegation_stage(received, date(2026, 4, 10))
    assert within.passed == () and within.due == date(2026, 4, 10)
    assert "80%" in within.text and "KCSIE" in within.text
    assert allegation_stage(received, date(2026, 4, 11)).passed == (1,)
    three = allegation_stage(received, date(2026, 6, 11))
    assert three.passed == (1, 3) and "90%" in three.text and "12 months" in three.text
    year = allegation_stage(received, date(2027, 3, 11))
    assert year.passed == (1, 3, 12) and "exceptional" in year.text


@given(received=days, open_for=st.integers(0, 800))
def test_allegation_outcome_overdue_once_a_month_has_passed(received: date, open_for: int) -> None:
    today = received + timedelta(days=open_for)
    stage = allegation_stage(received, today)
    assert stage.due == add_months(received, 1)
    assert is_overdue(stage.due, today) == (1 in stage.passed)
    assert stage.days_open == open_for


# --- LADO strategy meeting ---------------------------------------------------------------


def test_strategy_clock_only_where_the_criteria_are_met() -> None:
    assert strategy_meeting_open(True, None)
    assert not strategy_meeting_open(None, None)
    assert not strategy_meeting_open(False, None)
    assert not strategy_meeting_open(True, datetime(2026, 1, 1))


def test_strategy_decision_problems() -> None:
    assert strategy_decision_problems(None, "", None) == []
    assert strategy_decision_problems(True, "", None) == []
    assert strategy_decision_problems(False, "Below the harm threshold.", None) == []
    [missing] = strategy_decision_problems(False, " ", None)
    assert missing.field == "strategy_not_required_reason" and "reason" in missing.message
    assert strategy_decision_problems(None, "", datetime(2026, 1, 1)) == []
    assert strategy_criteria_after(None, datetime(2026, 1, 1)) is True
    assert strategy_criteria_after(None, None) is None
    assert strategy_criteria_after(False, None) is False
    [held] = strategy_decision_problems(False, "Below threshold.", datetime(2026, 1, 1))
    assert held.field == "strategy_criteria_met"
    [extra] = strategy_decision_problems(True, "Because.", None)
    assert "remove the reason" in extra.message


# --- missing and return interviews -------------------------------------------------------


def test_return_interview_is_owed_until_held_or_declined() -> None:
    back = datetime(2026, 11, 20, 22)
    assert return_interview_open(back, None, False)
    assert not return_interview_open(back, back + timedelta(hours=5), False)
    assert not return_interview_open(back, None, True)  # the young person declined
    assert not return_interview_open(None, None, False)  # still missing: its own item


def test_held_within_72_hours_of_return() -> None:
    back = datetime(2026, 11, 20, 22)
    assert return_interview_held_in_time(back, back + timedelta(hours=72))
    assert not return_interview_held_in_time(back, back + timedelta(hours=72, minutes=1))
    assert return_interview_due(back) == back + timedelta(hours=72)


# --- exploitation ------------------------------------------------------------------------


def test_exploitation_factors_make_screenings_due() -> None:
    assert exploitation_factors(["2A", "24A", "11A", "11A"]) == (RiskType.CSE, RiskType.CCE)
    assert exploitation_factors(["10A", "12A", "13A"]) == (
        RiskType.MISSING,
        RiskType.TRAFFICKING,
        RiskType.GANGS,
    )
    assert exploitation_factors(["3A", "15A", ""]) == ()
    with pytest.raises(UnknownCode):
        exploitation_factors(["99Z"])


@pytest.mark.parametrize(
    ("before", "after", "needs"),
    [
        ("high", "low", True),
        ("high", "medium", True),
        ("medium", "none", True),
        ("medium", "high", False),
        ("low", "none", False),
        (None, "none", False),
        ("high", "high", False),
    ],
)
def test_lowering_medium_or_high_needs_sign_off(
    before: str | None, after: str, needs: bool
) -> None:
    assert lowering_needs_sign_off(before, after) is needs


@given(st.sampled_from(list(RiskLevel)), st.sampled_from(list(RiskLevel)))
def test_only_a_fall_from_medium_or_high_needs_sign_off(a: RiskLevel, b: RiskLevel) -> None:
    assert lowering_needs_sign_off(a, b) == (a.rank >= 2 and b.rank < a.rank)


def test_screening_days_are_local_practice_in_the_council_configuration() -> None:
    from casework import config

    assert config.front_door_from({}, "x.toml").screening_working_days == 5
    rules = config.front_door_from({"front_door": {"screening_working_days": 2}}, "x.toml")
    assert rules.screening_working_days == 2
    with pytest.raises(config.ConfigError, match=r"front_door\.screening_working_days"):
        config.front_door_from({"front_door": {"screening_working_days": 0}}, "x.toml")
