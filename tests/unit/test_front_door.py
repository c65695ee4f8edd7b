"""Front-door rules: timers, time left, repeats and the "cannot finish" checks.

Clock expectations follow the project's clock convention (docs/architecture.md, "How
clocks are counted") and were counted by hand against the
England and Wales bank holidays: 2026 Christmas (Fri 25, substitute Mon 28 December) and
New Year (Fri 1 January 2027); Easter 2027 (Good Friday 26, Easter Monday 29 March); the
early May bank holiday (Mon 3 May 2027); the Spring bank holiday (Mon 25 May 2026).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.domain.calendar import WorkingCalendar, add_months
from casework.domain.codes import AllegationOutcome, AssessmentFactor, CodeList
from casework.domain.front_door import (
    AllegationSubjectRole,
    ContactDecision,
    Problem,
    ReferralDecision,
    RiskLevel,
    RiskType,
    ServiceReferralStatus,
    ServiceType,
    allegation_close_problems,
    assessment_due,
    contact_decision_due,
    contact_decision_problems,
    icpc_due,
    is_re_referral,
    lado_notification_due,
    missing_episode_problems,
    missing_episodes_in_last_12_months,
    referral_decision_due,
    referrals_in_last_12_months,
    repeated_concerns,
    return_interview_due,
    return_interview_in_time,
    risk_review_due,
    risk_screening_problems,
    service_referral_chase_due,
    service_referral_close_problems,
    strategy_meeting_due,
    time_left,
)

CAL = WorkingCalendar()
LONDON = ZoneInfo("Europe/London")

WorkingDayTimer = Callable[[date | datetime, WorkingCalendar], date]
ONE_DAY_TIMERS: list[WorkingDayTimer] = [
    contact_decision_due,
    referral_decision_due,
    lado_notification_due,
]
ALL_WORKING_DAY_TIMERS: list[tuple[WorkingDayTimer, int]] = [
    (contact_decision_due, 1),
    (referral_decision_due, 1),
    (lado_notification_due, 1),
    (assessment_due, 45),
    (icpc_due, 15),
]
HOUR_TIMERS = [strategy_meeting_due, return_interview_due]

CHRISTMAS_EVE_2026 = datetime(2026, 12, 24, 16, 55)  # a Thursday


def at(day: date, hour: int = 16, minute: int = 55) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def fields_of(problems: list[Problem]) -> list[str]:
    return [p.field for p in problems]


def only(problems: list[Problem], field: str) -> Problem:
    assert fields_of(problems) == [field], problems
    return problems[0]


# --- Code lists --------------------------------------------------------------------------

LISTS: list[type[CodeList]] = [
    ContactDecision,
    ReferralDecision,
    AllegationSubjectRole,
    RiskType,
    RiskLevel,
    ServiceType,
    ServiceReferralStatus,
]


@pytest.mark.parametrize("codes", LISTS, ids=lambda c: c.__name__)
def test_code_lists_have_labels_unique_codes_and_parse(codes: type[CodeList]) -> None:
    assert all(member.label.strip() for member in codes)
    assert len(set(codes.codes())) == len(codes)
    for member in codes:
        assert codes.parse(f" {member.value.upper()} ") is member
    assert codes.choices()[0] == (next(iter(codes)).value, next(iter(codes)).label)


@pytest.mark.parametrize(
    ("codes", "size"),
    [
        (ContactDecision, 6),
        (ReferralDecision, 4),
        (AllegationSubjectRole, 6),
        (RiskType, 10),
        (RiskLevel, 4),
        (ServiceType, 8),
        (ServiceReferralStatus, 6),
    ],
)
def test_code_list_sizes(codes: type[CodeList], size: int) -> None:
    assert len(codes) == size


def test_risk_types_map_to_cin_assessment_factors() -> None:
    assert {r.value: r.cin_codes for r in RiskType} == {
        "cse": ("11A",),
        "cce": ("24A",),
        "missing": ("10A",),
        "trafficking": ("12A",),
        "gangs": ("13A",),
        "self_harm": ("15A",),
        "mental_health": ("4A",),
        "substance_misuse": ("1A", "2A"),
        "domestic_abuse": ("3A",),
        "homelessness": (),
    }
    assert RiskType.SUBSTANCE_MISUSE.factors == (
        AssessmentFactor.ALCOHOL_CHILD,
        AssessmentFactor.DRUGS_CHILD,
    )
    assert RiskType.for_factor("1A") is RiskType.SUBSTANCE_MISUSE
    assert RiskType.for_factor(AssessmentFactor.DRUGS_CHILD) is RiskType.SUBSTANCE_MISUSE
    assert RiskType.for_factor("11a") is RiskType.CSE
    assert RiskType.for_factor("16A") is None  # neglect: no screening
    assert RiskType.SUBSTANCE_MISUSE.annex_a is None


def test_risk_levels_are_ordered_by_rank() -> None:
    assert [level.rank for level in RiskLevel] == [0, 1, 2, 3]
    assert sorted(RiskLevel, key=lambda level: level.rank)[-1] is RiskLevel.HIGH
    assert [lv.needs_review_within_weeks for lv in RiskLevel] == [False, False, True, True]
    assert [lv.needs_sign_off for lv in RiskLevel] == [False, False, False, True]


def test_service_referral_statuses() -> None:
    final = {s.value for s in ServiceReferralStatus if s.final}
    assert final == {"declined", "completed", "withdrawn"}
    assert {s.value for s in ServiceReferralStatus if s.needs_reason} == {"declined"}
    assert {s.value for s in ServiceReferralStatus if s.needs_outcome} == {
        "completed",
        "withdrawn",
    }
    assert {s.value for s in ServiceReferralStatus if s.awaiting_response} == {
        "sent",
        "acknowledged",
    }


def test_decision_flags() -> None:
    assert [d for d in ContactDecision if d.creates_referral] == [ContactDecision.REFERRAL]
    assert ContactDecision.ADULT_SAFEGUARDING.minimum_age == 18
    assert ContactDecision.EARLY_HELP.minimum_age is None
    assert [d for d in ReferralDecision if d.nfa] == [ReferralDecision.NO_FURTHER_ACTION]


# --- Working-day timers: worked examples ---------------------------------------------------


@pytest.mark.parametrize("timer", ONE_DAY_TIMERS, ids=lambda t: t.__name__)
def test_one_working_day_over_christmas(timer: WorkingDayTimer) -> None:
    # 25th and 28th are bank holidays (28th the substitute for Boxing Day); 26th-27th weekend.
    assert timer(CHRISTMAS_EVE_2026, CAL) == date(2026, 12, 29)


@pytest.mark.parametrize("timer", ONE_DAY_TIMERS, ids=lambda t: t.__name__)
def test_one_working_day_saturday_and_sunday_give_monday(timer: WorkingDayTimer) -> None:
    assert timer(at(date(2026, 11, 7), 10, 0), CAL) == date(2026, 11, 9)
    assert timer(at(date(2026, 11, 8), 23, 59), CAL) == date(2026, 11, 9)
    assert timer(date(2026, 11, 7), CAL) == date(2026, 11, 9)


@pytest.mark.parametrize("timer", ONE_DAY_TIMERS, ids=lambda t: t.__name__)
def test_one_working_day_friday_1655_before_bank_holiday_monday(timer: WorkingDayTimer) -> None:
    assert timer(at(date(2026, 5, 22)), CAL) == date(2026, 5, 26)  # Spring bank holiday
    assert timer(at(date(2026, 8, 28)), CAL) == date(2026, 9, 1)  # Summer bank holiday
    assert timer(at(date(2027, 3, 25)), CAL) == date(2027, 3, 30)  # Easter 2027


@pytest.mark.parametrize("timer", ONE_DAY_TIMERS, ids=lambda t: t.__name__)
def test_one_working_day_ignores_the_time_of_day(timer: WorkingDayTimer) -> None:
    tuesday = date(2026, 11, 10)
    assert timer(at(tuesday, 0, 1), CAL) == timer(at(tuesday, 23, 59), CAL) == date(2026, 11, 11)


@pytest.mark.parametrize("timer", ONE_DAY_TIMERS, ids=lambda t: t.__name__)
def test_one_working_day_received_on_a_bank_holiday(timer: WorkingDayTimer) -> None:
    assert timer(at(date(2026, 5, 25), 9, 0), CAL) == date(2026, 5, 26)


@pytest.mark.parametrize("timer", ONE_DAY_TIMERS, ids=lambda t: t.__name__)
def test_council_closure_days_are_skipped(timer: WorkingDayTimer) -> None:
    closed = WorkingCalendar(closures=[date(2026, 12, 29), date(2026, 12, 30)])
    assert timer(CHRISTMAS_EVE_2026, closed) == date(2026, 12, 31)


def test_assessment_45_working_days_across_christmas() -> None:
    # 29-31 Dec (3), 1 Jan holiday, then 8 full weeks to 26 Feb (43), 1 and 2 March.
    assert assessment_due(CHRISTMAS_EVE_2026, CAL) == date(2027, 3, 2)


def test_assessment_45_working_days_across_easter_and_early_may() -> None:
    # From Friday 26 February 2027: Good Friday, Easter Monday and 3 May are skipped.
    assert assessment_due(date(2027, 2, 26), CAL) == date(2027, 5, 5)


def test_icpc_15_working_days_across_christmas() -> None:
    assert icpc_due(CHRISTMAS_EVE_2026, CAL) == date(2027, 1, 19)
    assert icpc_due(date(2026, 12, 24), CAL) == date(2027, 1, 19)


def test_icpc_15_working_days_across_easter() -> None:
    # From Friday 19 March 2027: 22-25 March, 30 March-2 April, 5-9 April, 12 and 13 April.
    assert icpc_due(at(date(2027, 3, 19), 11, 0), CAL) == date(2027, 4, 13)


@pytest.mark.parametrize(("timer", "n"), ALL_WORKING_DAY_TIMERS, ids=lambda t: str(t))
def test_timers_agree_with_working_days_between(timer: WorkingDayTimer, n: int) -> None:
    assert CAL.working_days_between(CHRISTMAS_EVE_2026, timer(CHRISTMAS_EVE_2026, CAL)) == n


# --- Working-day timers: properties ---------------------------------------------------------

received = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31))
closure_days = st.lists(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2036, 6, 30)), max_size=20
)
timers = st.sampled_from(ALL_WORKING_DAY_TIMERS)


@settings(deadline=None)
@given(timers, received, closure_days)
def test_working_day_timer_lands_on_a_working_day_after_receipt(
    timer_n: tuple[WorkingDayTimer, int], when: datetime, closures: list[date]
) -> None:
    timer, n = timer_n
    calendar = WorkingCalendar(closures)
    due = timer(when, calendar)
    assert calendar.is_working_day(due)
    assert due > when.date()
    assert calendar.working_days_between(when, due) == n


@settings(deadline=None)
@given(timers, received, received, closure_days)
def test_working_day_timer_is_monotone_in_the_receipt_date(
    timer_n: tuple[WorkingDayTimer, int], a: datetime, b: datetime, closures: list[date]
) -> None:
    timer, _ = timer_n
    calendar = WorkingCalendar(closures)
    first, second = sorted([a, b])
    assert timer(first, calendar) <= timer(second, calendar)


@settings(deadline=None)
@given(received)
def test_one_working_day_is_the_next_working_day_after_the_date(when: datetime) -> None:
    assert contact_decision_due(when, CAL) == CAL.next_working_day(when.date() + timedelta(1))


# --- 72-hour clocks ------------------------------------------------------------------------


@pytest.mark.parametrize("timer", HOUR_TIMERS, ids=lambda t: t.__name__)
def test_72_hours_across_the_autumn_clock_change(
    timer: Callable[..., datetime],
) -> None:
    # Clocks go back at 02:00 BST on Sunday 25 October 2026: 72 hours end at 11:00 GMT.
    start = datetime(2026, 10, 23, 12, 0, tzinfo=LONDON)
    due = timer(start)
    assert due == datetime(2026, 10, 26, 11, 0, tzinfo=LONDON)
    assert due.tzinfo is LONDON
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=72)


@pytest.mark.parametrize("timer", HOUR_TIMERS, ids=lambda t: t.__name__)
def test_72_hours_across_the_spring_clock_change(timer: Callable[..., datetime]) -> None:
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026: 72 hours end at 13:00 BST.
    start = datetime(2026, 3, 27, 12, 0, tzinfo=LONDON)
    assert timer(start) == datetime(2026, 3, 30, 13, 0, tzinfo=LONDON)


@pytest.mark.parametrize("timer", HOUR_TIMERS, ids=lambda t: t.__name__)
def test_hour_clocks_count_weekends_and_holidays_and_are_configurable(
    timer: Callable[..., datetime],
) -> None:
    start = CHRISTMAS_EVE_2026
    assert timer(start) == datetime(2026, 12, 27, 16, 55)
    assert timer(start, hours=24) == datetime(2026, 12, 25, 16, 55)
    assert timer(start, 0) == start
    with pytest.raises(ValueError, match="hours"):
        timer(start, hours=-1)


aware = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.just(LONDON),
)


@settings(deadline=None)
@given(aware, st.integers(min_value=0, max_value=24 * 14))
def test_hour_clocks_are_elapsed_hours(start: datetime, hours: int) -> None:
    due = strategy_meeting_due(start, hours)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)
    assert return_interview_due(start, hours) == due


def test_return_interview_in_time() -> None:
    back = datetime(2026, 10, 23, 12, 0, tzinfo=LONDON)
    assert return_interview_in_time(back, datetime(2026, 10, 26, 11, 0, tzinfo=LONDON))
    assert not return_interview_in_time(back, datetime(2026, 10, 26, 11, 1, tzinfo=LONDON))
    assert not return_interview_in_time(back, back - timedelta(minutes=1))
    assert return_interview_in_time(back, back + timedelta(hours=30), hours=48)


# --- Risk review and chase dates --------------------------------------------------------------


@pytest.mark.parametrize("level", [RiskLevel.MEDIUM, RiskLevel.HIGH])
def test_medium_and_high_risks_reviewed_within_6_weeks(level: RiskLevel) -> None:
    assert risk_review_due(date(2026, 12, 24), level) == date(2027, 2, 4)
    assert risk_review_due(at(date(2026, 12, 24)), level, weeks=4) == date(2027, 1, 21)


def test_low_risk_reviewed_within_6_months_and_none_needs_no_review() -> None:
    assert risk_review_due(date(2026, 8, 31), RiskLevel.LOW) == date(2027, 2, 28)
    assert risk_review_due(date(2027, 8, 31), RiskLevel.LOW) == date(2028, 2, 29)
    assert risk_review_due(date(2026, 8, 31), RiskLevel.LOW, low_months=3) == date(2026, 11, 30)
    assert risk_review_due(date(2026, 8, 31), RiskLevel.LOW, low_months=None) is None
    assert risk_review_due(date(2026, 8, 31), RiskLevel.NONE) is None


def test_risk_review_weeks_must_be_positive() -> None:
    with pytest.raises(ValueError, match="week"):
        risk_review_due(date(2026, 1, 1), RiskLevel.HIGH, weeks=0)


def test_chase_on_the_expected_date() -> None:
    assert service_referral_chase_due(date(2026, 3, 2), date(2026, 3, 16)) == date(2026, 3, 16)
    assert service_referral_chase_due(at(date(2026, 3, 2)), at(date(2026, 3, 16))) == date(
        2026, 3, 16
    )


def test_chase_without_expected_date_after_14_days() -> None:
    assert service_referral_chase_due(date(2026, 3, 2), None) == date(2026, 3, 16)
    assert service_referral_chase_due(date(2026, 3, 2), None, without_expected_days=5) == date(
        2026, 3, 7
    )


def test_expected_date_before_sent_date_counts_as_sent_date() -> None:
    assert service_referral_chase_due(date(2026, 3, 2), date(2026, 2, 1)) == date(2026, 3, 2)


def test_chase_again_7_days_after_the_last_chase() -> None:
    sent, expected = date(2026, 3, 2), date(2026, 3, 16)
    chased = date(2026, 3, 17)
    assert service_referral_chase_due(sent, expected, last_chased_on=chased) == date(2026, 3, 24)
    # A chase before the expected date does not bring the reminder forward.
    early = date(2026, 3, 3)
    assert service_referral_chase_due(sent, expected, last_chased_on=early) == expected
    assert service_referral_chase_due(sent, expected, last_chased_on=chased, again_days=3) == date(
        2026, 3, 20
    )


# --- Time left --------------------------------------------------------------------------------

NOW = datetime(2026, 11, 10, 9, 0)  # a Tuesday


@pytest.mark.parametrize(
    ("due", "overdue", "text"),
    [
        (NOW + timedelta(hours=3), False, "due in 3 hours"),
        (NOW + timedelta(hours=1), False, "due in 1 hour"),
        (NOW + timedelta(hours=2, minutes=30), False, "due in 2 hours 30 minutes"),
        (NOW + timedelta(days=2, hours=5, minutes=59), False, "due in 2 days 5 hours"),
        (NOW + timedelta(days=1), False, "due in 1 day"),
        (NOW + timedelta(minutes=1), False, "due in 1 minute"),
        (NOW + timedelta(seconds=30), False, "due in less than a minute"),
        (NOW, False, "due now"),
        (NOW - timedelta(seconds=1), True, "overdue by less than a minute"),
        (NOW - timedelta(minutes=45), True, "overdue by 45 minutes"),
        (NOW - timedelta(hours=26), True, "overdue by 1 day 2 hours"),
    ],
)
def test_time_left_for_an_hour_clock(due: datetime, overdue: bool, text: str) -> None:
    left = time_left(due, NOW)
    assert (left.overdue, left.text) == (overdue, text)
    assert left.as_dict() == {"overdue": overdue, "text": text}


def test_time_left_counts_elapsed_hours_across_the_clock_change() -> None:
    received = datetime(2026, 10, 23, 12, 0, tzinfo=LONDON)
    due = strategy_meeting_due(received)
    # 71 elapsed hours after receipt is 10:00 GMT on the Monday: one hour left.
    now = (received.astimezone(UTC) + timedelta(hours=71)).astimezone(LONDON)
    assert now == datetime(2026, 10, 26, 10, 0, tzinfo=LONDON)
    assert time_left(due, now).text == "due in 1 hour"
    assert time_left(due, now.astimezone(UTC)).text == "due in 1 hour"


def test_time_left_refuses_mixed_aware_and_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        time_left(datetime(2026, 1, 1, tzinfo=LONDON), datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("due", "now", "calendar", "overdue", "text"),
    [
        (date(2026, 11, 10), at(date(2026, 11, 10), 23, 59), CAL, False, "due today by end of day"),
        (date(2026, 11, 10), at(date(2026, 11, 10), 0, 0), None, False, "due today by end of day"),
        (date(2026, 11, 11), NOW, CAL, False, "due tomorrow"),
        (date(2026, 11, 13), NOW, CAL, False, "due in 3 working days"),
        (date(2026, 11, 16), NOW, CAL, False, "due in 4 working days"),
        (date(2026, 11, 16), NOW, None, False, "due in 6 days"),
        # Due Tuesday 29 December; on Friday 1 January (a holiday) 2 working days late.
        (date(2026, 12, 29), at(date(2027, 1, 1), 9, 0), CAL, True, "overdue by 2 working days"),
        (date(2026, 12, 29), at(date(2027, 1, 1), 9, 0), None, True, "overdue by 3 days"),
        (date(2026, 11, 9), NOW, CAL, True, "overdue by 1 working day"),
        # Due Friday, seen on Saturday: no working day has passed, but it is overdue.
        (date(2026, 11, 13), at(date(2026, 11, 14), 9, 0), CAL, True, "overdue by 1 day"),
    ],
)
def test_time_left_for_a_date(
    due: date, now: datetime, calendar: WorkingCalendar | None, overdue: bool, text: str
) -> None:
    left = time_left(due, now, calendar)
    assert (left.overdue, left.text) == (overdue, text)
    shown = "OVERDUE" + text.removeprefix("overdue") if overdue else text.capitalize()
    assert left.shown == shown  # the queue's words come from the core


@settings(deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), received)
def test_a_date_is_overdue_only_once_it_has_passed(due: date, now: datetime) -> None:
    left = time_left(due, now, CAL)
    assert left.overdue == (due < now.date())
    assert left.text.startswith("overdue by " if left.overdue else "due ")


@settings(deadline=None)
@given(received, received)
def test_an_hour_clock_is_overdue_only_after_its_time(due: datetime, now: datetime) -> None:
    assert time_left(due, now).overdue == (now > due)


# --- Repeated concerns -------------------------------------------------------------------------


def test_one_concern_raises_no_alert() -> None:
    assert repeated_concerns([NOW], NOW) is None
    assert repeated_concerns([], NOW) is None


def test_two_concerns_exactly_7_days_apart_alert() -> None:
    alert = repeated_concerns([at(date(2026, 11, 3), 23, 0), NOW], NOW)
    assert alert is not None
    assert (alert.recent, alert.in_year, alert.short_met, alert.long_met) == (2, 2, True, False)
    assert alert.message == "Repeated concerns: 2 concerns in the last 7 days, counting this one."


def test_two_concerns_8_days_apart_do_not_alert() -> None:
    assert repeated_concerns([at(date(2026, 11, 2), 9, 0), NOW], NOW) is None


def test_three_concerns_in_exactly_12_months_alert() -> None:
    received = [datetime(2025, 11, 10, 8, 0), datetime(2026, 6, 1), NOW]
    alert = repeated_concerns(received, NOW)
    assert alert is not None
    assert (alert.recent, alert.in_year, alert.short_met, alert.long_met) == (1, 3, False, True)
    assert "3 concerns in the last 12 months" in alert.message
    assert repeated_concerns([datetime(2025, 11, 9), datetime(2026, 6, 1), NOW], NOW) is None


def test_both_thresholds_named() -> None:
    received = [datetime(2026, 1, 5), datetime(2026, 11, 8), NOW]
    alert = repeated_concerns(received, NOW)
    assert alert is not None and alert.short_met and alert.long_met
    assert alert.message == (
        "Repeated concerns: 2 concerns in the last 7 days and 3 concerns in the last "
        "12 months, counting this one."
    )


def test_repeated_concerns_across_a_leap_day() -> None:
    leap_day = datetime(2024, 2, 29, 12, 0)
    feb_28 = datetime(2025, 2, 28, 12, 0)
    march_1 = datetime(2025, 3, 1, 12, 0)
    middle = datetime(2024, 9, 1)
    # 29 February 2024 + 12 months is 28 February 2025 (add_months clamps).
    alert = repeated_concerns([leap_day, middle, feb_28], feb_28)
    assert alert is not None and alert.long_met
    assert repeated_concerns([leap_day, middle, march_1], march_1) is None
    # 28 February 2023 + 12 months is 28 February 2024, the day before the leap day.
    assert (
        repeated_concerns([datetime(2023, 2, 28), datetime(2023, 9, 1), leap_day], leap_day) is None
    )
    # The 7-day window counts the leap day as a day: 23 February to 1 March 2024 is 7.
    assert repeated_concerns([datetime(2024, 2, 23), datetime(2024, 3, 1)], datetime(2024, 3, 1))


def test_repeated_concerns_thresholds_are_configurable() -> None:
    received = [datetime(2026, 11, 1), datetime(2026, 11, 6), NOW]
    assert repeated_concerns(received, NOW, short_count=3, long_count=4) is None
    alert = repeated_concerns(received, NOW, short_count=3, short_days=10)
    assert alert is not None and alert.recent == 3 and alert.short_met
    alert = repeated_concerns(received[1:], NOW, long_count=2, long_months=1, short_count=9)
    assert alert is not None
    assert alert.message.endswith("2 concerns in the last 1 month, counting this one.")


def test_concerns_after_now_are_ignored() -> None:
    assert repeated_concerns([NOW, NOW + timedelta(days=1)], NOW) is None


# --- Re-referrals -----------------------------------------------------------------------------


def test_re_referral_at_exactly_12_months() -> None:
    previous = [date(2025, 11, 10)]
    assert is_re_referral(previous, date(2026, 11, 10))
    assert not is_re_referral(previous, date(2026, 11, 11))
    assert is_re_referral(previous, date(2025, 11, 10))  # another referral the same day
    assert not is_re_referral([date(2026, 11, 11)], date(2026, 11, 10))  # later: not previous
    assert not is_re_referral([], date(2026, 11, 10))


def test_re_referral_across_leap_years() -> None:
    assert is_re_referral([date(2024, 2, 29)], date(2025, 2, 28))
    assert not is_re_referral([date(2024, 2, 29)], date(2025, 3, 1))
    assert not is_re_referral([date(2023, 2, 28)], date(2024, 2, 29))
    assert is_re_referral([date(2023, 3, 1)], datetime(2024, 3, 1, 17, 0))


def test_referrals_in_last_12_months() -> None:
    others = [
        date(2025, 11, 9),  # 12 months and a day before: not counted
        date(2025, 11, 10),  # exactly 12 months: counted
        datetime(2026, 6, 1, 14, 0),
        date(2026, 11, 10),  # the same day: counted
        date(2026, 12, 1),  # after: not counted
    ]
    assert referrals_in_last_12_months(others, date(2026, 11, 10)) == 3
    assert referrals_in_last_12_months([], date(2026, 11, 10)) == 0


@settings(deadline=None)
@given(st.lists(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))), st.dates())
def test_re_referral_means_at_least_one_referral_in_the_last_12_months(
    previous: list[date], new: date
) -> None:
    count = referrals_in_last_12_months(previous, new)
    assert is_re_referral(previous, new) == (count > 0)
    assert count == sum(1 for p in previous if p <= new <= add_months(p, 12))


def test_missing_episodes_in_last_12_months() -> None:
    starts = [datetime(2025, 11, 9, 22, 0), datetime(2025, 11, 10, 1, 0), datetime(2026, 11, 10)]
    assert missing_episodes_in_last_12_months(starts, date(2026, 11, 10)) == 2
    assert missing_episodes_in_last_12_months(starts, date(2026, 11, 9)) == 2
    assert missing_episodes_in_last_12_months(starts, date(2026, 11, 11)) == 1


# --- Allegations: cannot finish without an outcome ----------------------------------------------

TODAY = date(2026, 11, 10)


def test_allegation_with_outcome_rationale_who_and_when_can_close() -> None:
    for outcome in AllegationOutcome:
        assert allegation_close_problems(outcome, "Reasons.", "A. Lead", TODAY, TODAY) == []
    assert allegation_close_problems("Unfounded", "Reasons.", 7, date(2026, 1, 2), TODAY) == []


@pytest.mark.parametrize("outcome", [None, "", "  "])
def test_allegation_needs_an_outcome(outcome: str | None) -> None:
    problem = only(
        allegation_close_problems(outcome, "Reasons.", "A. Lead", TODAY, TODAY), "outcome"
    )
    assert problem.message.startswith("Outcome:")
    assert "substantiated, malicious, false, unsubstantiated, unfounded" in problem.message
    assert str(problem) == problem.message


def test_allegation_outcome_must_be_one_of_the_five() -> None:
    problem = only(allegation_close_problems("proven", "R.", "A. Lead", TODAY, TODAY), "outcome")
    assert "'proven' is not one of" in problem.message


@pytest.mark.parametrize("rationale", [None, "", " \n"])
def test_allegation_needs_a_rationale(rationale: str | None) -> None:
    problem = only(
        allegation_close_problems("false", rationale, "A. Lead", TODAY, TODAY), "rationale"
    )
    assert problem.message.startswith("Rationale:")


@pytest.mark.parametrize("who", [None, "", "   "])
def test_allegation_needs_who_decided(who: str | None) -> None:
    problem = only(allegation_close_problems("false", "R.", who, TODAY, TODAY), "decided_by")
    assert problem.message.startswith("Decided by:")


def test_allegation_needs_when_decided_not_in_the_future() -> None:
    missing = only(allegation_close_problems("false", "R.", "A", None, TODAY), "decided_on")
    assert missing.message.startswith("Decided on:")
    future = only(
        allegation_close_problems("false", "R.", "A", date(2026, 11, 11), TODAY), "decided_on"
    )
    assert future.message == "Decided on: 11 November 2026 is in the future."


def test_allegation_decided_before_it_was_received() -> None:
    problems = allegation_close_problems(
        "false", "R.", "A", date(2026, 11, 1), TODAY, received_on=date(2026, 11, 2)
    )
    assert "before the allegation was received" in only(problems, "decided_on").message
    ok = allegation_close_problems(
        "false", "R.", "A", date(2026, 11, 2), TODAY, received_on=date(2026, 11, 2)
    )
    assert ok == []


def test_allegation_with_nothing_lists_every_field() -> None:
    problems = allegation_close_problems(None, None, None, None, TODAY)
    assert fields_of(problems) == ["outcome", "rationale", "decided_by", "decided_on"]


# --- Contact decisions -----------------------------------------------------------------------


@pytest.mark.parametrize("decision", [d for d in ContactDecision if d.minimum_age is None])
def test_contact_decisions_for_any_age(decision: ContactDecision) -> None:
    assert contact_decision_problems(decision, "Because.", 16) == []
    assert contact_decision_problems(decision.value, "Because.", None) == []


def test_adult_safeguarding_only_for_18_and_over() -> None:
    adult = ContactDecision.ADULT_SAFEGUARDING
    assert contact_decision_problems(adult, "Because.", 18) == []
    assert contact_decision_problems("ADULT_SAFEGUARDING", "Because.", 24) == []
    under = only(contact_decision_problems(adult, "Because.", 17), "decision")
    assert under.message == (
        "Decision: referral to adult safeguarding is only for young people aged 18 or over; "
        "they were 17 when the contact was received."
    )
    unknown = only(contact_decision_problems(adult, "Because.", None), "decision")
    assert "date of birth" in unknown.message


def test_contact_decision_needs_a_decision_and_a_rationale() -> None:
    assert fields_of(contact_decision_problems(None, "", 17)) == ["decision", "rationale"]
    problem = only(contact_decision_problems("referral", "  ", 17), "rationale")
    assert problem.message.startswith("Rationale:")
    bad = only(contact_decision_problems("lunch", "Because.", 17), "decision")
    assert "'lunch' is not one of" in bad.message
    assert "early help" in bad.message


# --- Referrals out ----------------------------------------------------------------------------


def test_completed_and_withdrawn_need_an_outcome() -> None:
    for status in ("completed", ServiceReferralStatus.WITHDRAWN):
        assert service_referral_close_problems(status, "Housed.", None) == []
        problem = only(service_referral_close_problems(status, " ", "A reason."), "outcome")
        assert problem.message.startswith("Outcome:")


def test_declined_needs_a_reason() -> None:
    assert service_referral_close_problems("declined", None, "Not eligible.") == []
    problem = only(service_referral_close_problems("declined", "Something.", None), "reason")
    assert problem.message == "Reason: record why the service declined the referral."


@pytest.mark.parametrize("status", ["sent", "acknowledged", "accepted"])
def test_open_referral_out_cannot_be_finished(status: str) -> None:
    problem = only(service_referral_close_problems(status, "Done.", "Why."), "status")
    assert "declined, completed or withdrawn" in problem.message


def test_referral_out_needs_a_known_status() -> None:
    assert fields_of(service_referral_close_problems(None, "x", "y")) == ["status"]
    assert fields_of(service_referral_close_problems("lost", "x", "y")) == ["status"]


# --- Risk screening ---------------------------------------------------------------------------

SCREENED = date(2026, 11, 10)
SIX_WEEKS = date(2026, 12, 22)


def screen(
    level: RiskLevel | str | None = RiskLevel.MEDIUM,
    reasoning: str | None = "Seen with older males; going missing overnight.",
    indicators: tuple[str, ...] = ("missing_overnight",),
    review_on: date | None = SIX_WEEKS,
    signed_off: bool = False,
    weeks: int = 6,
    allowed_indicators: set[str] | None = None,
) -> list[Problem]:
    return risk_screening_problems(
        level,
        reasoning,
        indicators,
        review_on,
        signed_off,
        screened_on=SCREENED,
        weeks=weeks,
        allowed_indicators=allowed_indicators,
    )


def test_a_complete_medium_screening_passes() -> None:
    assert screen() == []
    assert screen(review_on=SCREENED) == []


def test_a_high_screening_needs_team_lead_sign_off() -> None:
    assert screen(level="high", signed_off=True) == []
    problem = only(screen(level="high"), "team_lead_signed_off")
    assert problem.message.startswith("Team lead sign-off:")


@pytest.mark.parametrize("level", ["none", "low", "medium", "high"])
def test_reasoning_always_required(level: str) -> None:
    problems = screen(level=level, reasoning=" ", signed_off=True)
    assert only(problems, "reasoning").message.startswith("Reasoning:")


def test_level_required() -> None:
    assert fields_of(screen(level=None)) == ["level"]
    assert fields_of(screen(level="severe")) == ["level"]


@pytest.mark.parametrize("level", ["medium", "high"])
def test_medium_and_high_need_a_review_within_6_weeks(level: str) -> None:
    missing = only(screen(level=level, review_on=None, signed_off=True), "review_on")
    assert missing.message == (
        f"Review date: a {level} risk needs a review within 6 weeks, by 22 December 2026."
    )
    late = only(screen(level=level, review_on=date(2026, 12, 23), signed_off=True), "review_on")
    assert late.message.endswith("not 23 December 2026.")
    assert screen(level=level, review_on=date(2026, 12, 8), weeks=4, signed_off=True) == []
    assert fields_of(screen(level=level, review_on=SIX_WEEKS, weeks=4, signed_off=True)) == [
        "review_on"
    ]


@pytest.mark.parametrize("level", ["none", "low"])
def test_none_and_low_need_no_review_date(level: str) -> None:
    assert screen(level=level, review_on=None, indicators=()) == []
    assert screen(level=level, review_on=date(2027, 11, 10), indicators=()) == []


def test_review_date_not_before_the_screening() -> None:
    for level in ("low", "medium"):
        problem = only(screen(level=level, review_on=date(2026, 11, 9)), "review_on")
        assert "before the screening" in problem.message


def test_medium_and_high_need_an_indicator_and_known_ones() -> None:
    assert only(screen(indicators=()), "indicators").message.startswith("Indicators:")
    allowed = {"missing_overnight", "older_associates"}
    assert screen(allowed_indicators=allowed) == []
    unknown = only(screen(indicators=("astrology",), allowed_indicators=allowed), "indicators")
    assert "astrology" in unknown.message


# --- Missing episodes -------------------------------------------------------------------------

GONE = datetime(2026, 10, 23, 22, 0, tzinfo=LONDON)
BACK = datetime(2026, 10, 25, 9, 0, tzinfo=LONDON)


def test_a_complete_missing_episode_passes() -> None:
    offered = BACK + timedelta(hours=5)
    assert missing_episode_problems(GONE, BACK, True, offered) == []
    assert missing_episode_problems(GONE, BACK, False, BACK, now=BACK) == []
    # A late offer is recorded as it happened; it does not stop the episode finishing.
    assert missing_episode_problems(GONE, BACK, True, BACK + timedelta(days=5)) == []


def test_missing_episode_needs_start_and_end_in_order() -> None:
    offered = BACK + timedelta(hours=1)
    assert fields_of(missing_episode_problems(None, BACK, True, offered)) == ["start"]
    end = only(missing_episode_problems(GONE, None, True, offered), "end")
    assert end.message.startswith("End:")
    backwards = only(missing_episode_problems(BACK, GONE, True, offered), "end")
    assert "before the start" in backwards.message


def test_missing_episode_needs_police_answer_and_interview_offer() -> None:
    problem = only(missing_episode_problems(GONE, BACK, None, BACK), "reported_to_police")
    assert problem.message.startswith("Reported to police:")
    problem = only(missing_episode_problems(GONE, BACK, True, None), "interview_offered_at")
    assert problem.message.startswith("Return interview offered:")
    early = only(
        missing_episode_problems(GONE, BACK, True, BACK - timedelta(hours=1)),
        "interview_offered_at",
    )
    assert "before the return" in early.message


def test_missing_episode_times_not_in_the_future() -> None:
    now = BACK + timedelta(hours=1)
    problems = missing_episode_problems(GONE, now + timedelta(hours=1), True, None, now=now)
    assert fields_of(problems) == ["end", "interview_offered_at"]
    assert problems[0].message == "End: the time given is in the future."


def test_missing_episode_with_nothing_lists_every_field() -> None:
    problems = missing_episode_problems(None, None, None, None)
    assert fields_of(problems) == ["start", "end", "reported_to_police", "interview_offered_at"]
