"""Clocks per the clock convention (docs/architecture.md, "How clocks are counted")."""

from __future__ import annotations

import calendar as calendar_module
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.domain.calendar import (
    WorkingCalendar,
    add_hours,
    add_months,
    age_on,
    bank_holidays,
    birthday,
    is_overdue,
)

CAL = WorkingCalendar()
LONDON = ZoneInfo("Europe/London")

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
working_days = st.integers(min_value=0, max_value=120)
births = st.dates(min_value=date(1940, 1, 1), max_value=date(2040, 12, 31))


def at(day: date, hour: int = 16, minute: int = 55) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


# --- Worked examples ----------------------------------------------------------------


def test_christmas_2026_example_from_domain_md() -> None:
    received = datetime(2026, 12, 24, 16, 55)  # Thursday
    assert CAL.add_working_days(received, 1) == date(2026, 12, 29)  # Tuesday


def test_saturday_plus_one_is_monday() -> None:
    assert CAL.add_working_days(date(2026, 11, 7), 1) == date(2026, 11, 9)
    assert CAL.add_working_days(at(date(2026, 11, 8), 9, 0), 1) == date(2026, 11, 9)


def test_friday_before_bank_holiday_monday_is_due_tuesday() -> None:
    # Monday 25 May 2026 is the Spring bank holiday.
    assert CAL.add_working_days(at(date(2026, 5, 22)), 1) == date(2026, 5, 26)


def test_easter_2027() -> None:
    # Good Friday 26 March, Easter Monday 29 March 2027.
    assert not CAL.is_working_day(date(2027, 3, 26))
    assert not CAL.is_working_day(date(2027, 3, 29))
    assert CAL.add_working_days(at(date(2027, 3, 25)), 1) == date(2027, 3, 30)
    assert CAL.add_working_days(date(2027, 3, 24), 2) == date(2027, 3, 30)


def test_christmas_2027_substitute_days() -> None:
    # 25 and 26 December 2027 fall at a weekend: Monday 27 and Tuesday 28 are substitutes.
    assert {date(2027, 12, 27), date(2027, 12, 28)} <= bank_holidays(2027)
    assert CAL.add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)


def test_assessment_45_working_days() -> None:
    # No bank holidays between 5 January and Good Friday 2026: nine whole weeks.
    assert CAL.add_working_days(date(2026, 1, 5), 45) == date(2026, 3, 9)
    # Over Good Friday (3 April), Easter Monday (6 April) and May Day (4 May) 2026:
    # nine weeks would be Monday 4 May; three bank holidays make it Thursday 7 May.
    assert CAL.add_working_days(date(2026, 3, 2), 45) == date(2026, 5, 7)


def test_ordinary_weekday() -> None:
    assert CAL.add_working_days(date(2026, 6, 10), 1) == date(2026, 6, 11)  # Wed -> Thu
    assert CAL.add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 15)  # Fri -> Mon
    assert CAL.add_working_days(date(2026, 6, 10), 15) == date(2026, 7, 1)


def test_zero_working_days_means_end_of_that_day() -> None:
    assert CAL.add_working_days(date(2026, 6, 10), 0) == date(2026, 6, 10)
    assert CAL.add_working_days(date(2026, 6, 13), 0) == date(2026, 6, 15)  # Sat -> Mon
    assert CAL.add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 29)


def test_negative_working_days_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        CAL.add_working_days(date(2026, 6, 10), -1)


def test_local_closure_days() -> None:
    closed = date(2026, 12, 24)  # the council shuts on Christmas Eve
    local = WorkingCalendar(closures=[closed, date(2026, 12, 31)])
    assert CAL.is_working_day(closed)
    assert not local.is_working_day(closed)
    assert local.closures == frozenset({closed, date(2026, 12, 31)})
    assert local.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 29)
    assert local.add_working_days(at(closed), 1) == date(2026, 12, 29)
    assert local.add_working_days(date(2026, 12, 29), 2) == date(2027, 1, 4)
    assert CAL.add_working_days(date(2026, 12, 29), 2) == date(2026, 12, 31)


def test_closures_given_as_datetimes_count_as_days() -> None:
    local = WorkingCalendar(closures=[datetime(2026, 6, 10, 12, 0)])
    assert not local.is_working_day(date(2026, 6, 10))


def test_next_working_day() -> None:
    assert CAL.next_working_day(date(2026, 6, 10)) == date(2026, 6, 10)
    assert CAL.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)


def test_working_days_between_examples() -> None:
    assert CAL.working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert CAL.working_days_between(date(2026, 6, 10), date(2026, 6, 10)) == 0
    assert CAL.working_days_between(date(2026, 6, 13), date(2026, 6, 14)) == 0
    assert CAL.working_days_between(date(2026, 6, 15), date(2026, 6, 8)) == -5


def test_is_overdue() -> None:
    due = date(2026, 12, 29)
    assert not is_overdue(due, date(2026, 12, 28))
    assert not is_overdue(due, due)
    assert is_overdue(due, date(2026, 12, 30))


# --- Working-day properties -------------------------------------------------------------


@given(dates, working_days)
def test_result_is_a_working_day(start: date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(start, n))


@given(dates, st.integers(min_value=1, max_value=120))
def test_result_is_strictly_after_start(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) > start


@given(dates, working_days)
def test_never_before_start(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) >= start


@given(dates, working_days)
def test_monotone_in_n(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) <= CAL.add_working_days(start, n + 1)
    if n >= 1:
        assert CAL.add_working_days(start, n) < CAL.add_working_days(start, n + 1)


@given(dates, st.integers(min_value=1, max_value=120))
def test_exactly_n_working_days_between(start: date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, due) == n
    assert CAL.working_days_between(due, start) == -n
    # and no earlier day would do
    assert CAL.working_days_between(start, due - timedelta(days=1)) == n - 1


@given(dates, st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=60))
def test_steps_compose(start: date, m: int, n: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(start, m), n) == CAL.add_working_days(
        start, m + n
    )


@given(dates, working_days, st.integers(min_value=0, max_value=23 * 60 + 59))
def test_time_of_day_is_irrelevant(start: date, n: int, minutes: int) -> None:
    moment = datetime(start.year, start.month, start.day) + timedelta(minutes=minutes)
    assert CAL.add_working_days(moment, n) == CAL.add_working_days(start, n)


@given(dates, st.integers(min_value=1, max_value=30))
def test_non_working_start_counts_from_next_working_day(start: date, n: int) -> None:
    first = CAL.next_working_day(start)
    if first != start:
        # Counting "from the next working day" makes that day working day 1.
        assert CAL.add_working_days(start, n) == CAL.add_working_days(first, n - 1)


@given(dates)
def test_weekends_are_never_working_days(day: date) -> None:
    if day.weekday() >= 5:
        assert not CAL.is_working_day(day)


# --- Months -----------------------------------------------------------------------------


def test_add_months_examples() -> None:
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 31), 1) == date(2026, 9, 30)
    assert add_months(date(2026, 5, 15), 3) == date(2026, 8, 15)
    assert add_months(date(2026, 11, 30), 6) == date(2027, 5, 30)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


@given(dates, st.integers(min_value=-600, max_value=600))
def test_add_months_properties(start: date, n: int) -> None:
    result = add_months(start, n)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == n
    assert result.day <= start.day
    try:
        same_day = date(result.year, result.month, start.day)
    except ValueError:
        # the day does not exist: clamp to the month's last day
        assert (result + timedelta(days=1)).day == 1
    else:
        assert result == same_day


@given(dates)
def test_add_zero_months_is_identity(start: date) -> None:
    assert add_months(start, 0) == start


# --- Hours ------------------------------------------------------------------------------


def test_add_hours_naive() -> None:
    assert add_hours(datetime(2026, 6, 10, 9, 30), 72) == datetime(2026, 6, 13, 9, 30)


def test_add_hours_counts_real_hours_across_clock_change() -> None:
    # Clocks go forward at 01:00 on Sunday 29 March 2026.
    start = datetime(2026, 3, 27, 12, 0, tzinfo=LONDON)
    end = add_hours(start, 72)
    assert end.tzinfo is LONDON
    assert end.replace(tzinfo=None) == datetime(2026, 3, 30, 13, 0)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=72)


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1)),
    st.integers(min_value=0, max_value=1000),
)
def test_add_hours_elapsed_property(moment: datetime, hours: int) -> None:
    aware = moment.replace(tzinfo=UTC).astimezone(LONDON)
    result = add_hours(aware, hours)
    assert result.astimezone(UTC) - aware.astimezone(UTC) == timedelta(hours=hours)
    assert add_hours(moment, hours) - moment == timedelta(hours=hours)


# --- Ages and birthdays -----------------------------------------------------------------


def test_leap_day_birthdays() -> None:
    dob = date(2008, 2, 29)
    assert birthday(dob, 16) == date(2024, 2, 29)
    assert birthday(dob, 18) == date(2026, 3, 1)
    assert age_on(dob, date(2026, 2, 28)) == 17
    assert age_on(dob, date(2026, 3, 1)) == 18
    assert age_on(dob, date(2024, 2, 28)) == 15
    assert age_on(dob, date(2024, 2, 29)) == 16


def test_ordinary_birthdays() -> None:
    dob = date(2009, 7, 14)
    assert birthday(dob, 18) == date(2027, 7, 14)
    assert age_on(dob, date(2027, 7, 13)) == 17
    assert age_on(dob, date(2027, 7, 14)) == 18
    assert birthday(dob, 0) == dob
    assert age_on(dob, dob) == 0


def test_age_before_birth_refused() -> None:
    with pytest.raises(ValueError):
        age_on(date(2009, 7, 14), date(2009, 7, 13))
    with pytest.raises(ValueError):
        birthday(date(2009, 7, 14), -1)


@given(births, st.integers(min_value=0, max_value=110))
def test_birthday_and_age_agree(dob: date, age: int) -> None:
    day = birthday(dob, age)
    assert age_on(dob, day) == age
    if age >= 1:
        assert age_on(dob, day - timedelta(days=1)) == age - 1
    assert day.year == dob.year + age


@given(births, st.integers(min_value=0, max_value=110))
def test_birthday_is_the_same_date_when_it_exists(dob: date, age: int) -> None:
    day = birthday(dob, age)
    if (dob.month, dob.day) == (2, 29):
        year = dob.year + age
        leap = calendar_module.isleap(year)
        assert day == (date(year, 2, 29) if leap else date(year, 3, 1))
    else:
        assert day == dob.replace(year=dob.year + age)


@given(births, st.integers(min_value=0, max_value=40000), st.integers(min_value=0, max_value=400))
def test_age_is_monotone(dob: date, offset: int, step: int) -> None:
    first = dob + timedelta(days=offset)
    assert age_on(dob, first) <= age_on(dob, first + timedelta(days=step))
