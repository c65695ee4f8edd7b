"""Leaving-care code lists, the eligibility suggestion and the transitions by age."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.domain.calendar import age_on, birthday
from casework.domain.codes import CodeList, EligibilityCategory, InTouch
from casework.domain.leaving_care import (
    CareHistory,
    CarePeriod,
    CircumstanceChange,
    ContactMadeBy,
    ContactMethod,
    EssentialItem,
    ExplicitStatus,
    Milestone,
    PlanArea,
    age_transitions,
    count_weeks_looked_after_since_14,
    plain_date,
    suggest_eligibility,
)

DOB = date(2008, 5, 10)
B16 = date(2024, 5, 10)
B18 = date(2026, 5, 10)
Cat = EligibilityCategory


def suggest(today: date, **care: object) -> Cat:
    return suggest_eligibility(CareHistory(DOB, **care), today).category  # type: ignore[arg-type]


# --- Code lists ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "size"),
    [
        (ContactMethod, 8),
        (ContactMadeBy, 3),
        (ExplicitStatus, 4),
        (PlanArea, 10),
        (EssentialItem, 6),
        (CircumstanceChange, 4),
    ],
)
def test_code_lists_have_labels_and_sizes(codes: type[CodeList], size: int) -> None:
    assert len(list(codes)) == size
    assert all(member.label.strip() for member in codes)
    assert len(set(codes.codes())) == size
    assert " " in codes.list_name() or "-" in codes.list_name()


def test_explicit_statuses_map_to_in_touch_codes() -> None:
    assert ExplicitStatus.REFUSES_CONTACT.in_touch is InTouch.REFU
    assert ExplicitStatus.NO_LONGER_REQUIRES.in_touch is InTouch.NREQ
    assert ExplicitStatus.RETURNED_HOME.in_touch is InTouch.RHOM
    assert ExplicitStatus.DIED.in_touch is InTouch.DIED
    assert ExplicitStatus.parse(" refu ") is ExplicitStatus.REFUSES_CONTACT


def test_face_to_face_methods() -> None:
    face = {m for m in ContactMethod if m.face_to_face}
    assert face == {
        ContactMethod.FACE_TO_FACE_ACCOMMODATION,
        ContactMethod.FACE_TO_FACE_OFFICE,
        ContactMethod.FACE_TO_FACE_COMMUNITY,
    }


def test_plain_date_does_not_depend_on_locale() -> None:
    assert plain_date(date(2026, 3, 3)) == "3 March 2026"


# --- Suggestion, case by case -------------------------------------------------------


def test_eligible_when_16_or_17_looked_after_13_weeks() -> None:
    assert suggest(date(2025, 1, 1), weeks_looked_after_since_14=13) is Cat.ELIGIBLE
    assert suggest(date(2025, 1, 1), weeks_looked_after_since_14=12) is Cat.NO_CURRENT


def test_still_looked_after_with_future_ceased_date_counts_as_looked_after() -> None:
    category = suggest(
        date(2025, 1, 1), ceased_care=date(2025, 6, 1), weeks_looked_after_since_14=40
    )
    assert category is Cat.ELIGIBLE


def test_relevant_when_left_care_after_16_having_been_eligible() -> None:
    category = suggest(
        date(2025, 1, 1), ceased_care=date(2024, 9, 1), weeks_looked_after_since_14=30
    )
    assert category is Cat.RELEVANT


def test_care_ending_on_the_16th_birthday_ended_after_16() -> None:
    assert (
        suggest(date(2025, 1, 1), ceased_care=B16, weeks_looked_after_since_14=30) is Cat.RELEVANT
    )
    before = B16 - timedelta(days=1)
    assert suggest(date(2025, 1, 1), ceased_care=before, weeks_looked_after_since_14=30) is (
        Cat.NO_CURRENT
    )


def test_relevant_when_detained_or_in_hospital_at_16() -> None:
    result = suggest_eligibility(
        CareHistory(
            DOB,
            ceased_care=date(2024, 3, 1),
            weeks_looked_after_since_14=20,
            detained_or_in_hospital_at_16=True,
        ),
        date(2025, 1, 1),
    )
    assert result.category is Cat.RELEVANT
    assert any("detained or in hospital" in reason for reason in result.reasons)


def test_qualifying_when_looked_after_at_16_but_under_13_weeks() -> None:
    category = suggest(
        date(2025, 1, 1), ceased_care=date(2024, 7, 1), weeks_looked_after_since_14=6
    )
    assert category is Cat.QUALIFYING
    assert suggest(
        date(2027, 1, 1), ceased_care=date(2024, 7, 1), weeks_looked_after_since_14=6
    ) is (Cat.QUALIFYING)


def test_care_ended_before_16_is_no_current_unless_sgo() -> None:
    kwargs: dict[str, object] = {"ceased_care": date(2023, 1, 1), "weeks_looked_after_since_14": 20}
    assert suggest(date(2025, 1, 1), **kwargs) is Cat.NO_CURRENT
    assert suggest(date(2025, 1, 1), sgo_after_looked_after=True, **kwargs) is Cat.QUALIFYING
    assert suggest(date(2027, 1, 1), sgo_after_looked_after=True, **kwargs) is Cat.QUALIFYING


def test_former_relevant_from_18() -> None:
    result = suggest_eligibility(CareHistory(DOB, weeks_looked_after_since_14=100), B18)
    assert result.category is Cat.FORMER_RELEVANT
    assert any("care ends at 18" in reason for reason in result.reasons)
    day_before = B18 - timedelta(days=1)
    assert suggest(day_before, weeks_looked_after_since_14=100) is Cat.ELIGIBLE


def test_former_relevant_until_the_25th_birthday() -> None:
    b25 = birthday(DOB, 25)
    assert suggest(b25 - timedelta(days=1), weeks_looked_after_since_14=100) is Cat.FORMER_RELEVANT
    result = suggest_eligibility(CareHistory(DOB, weeks_looked_after_since_14=100), b25)
    assert result.category is Cat.NO_CURRENT
    assert "duties ended" in result.reasons[0]


def test_qualifying_ends_at_21_with_a_reason_to_override() -> None:
    history = CareHistory(DOB, ceased_care=date(2024, 7, 1), weeks_looked_after_since_14=6)
    at_21 = suggest_eligibility(history, birthday(DOB, 21))
    assert at_21.category is Cat.NO_CURRENT
    assert any("confirm them as qualifying" in reason for reason in at_21.reasons)


def test_under_16_has_no_current_eligibility() -> None:
    result = suggest_eligibility(CareHistory(DOB, weeks_looked_after_since_14=40), date(2024, 1, 1))
    assert result.category is Cat.NO_CURRENT
    assert "Under 16" in result.reasons[0]


def test_weeks_estimated_from_dates_entered_and_ceased() -> None:
    result = suggest_eligibility(
        CareHistory(DOB, entered_care=date(2024, 1, 1), ceased_care=date(2024, 8, 1)),
        date(2025, 1, 1),
    )
    assert result.category is Cat.RELEVANT
    assert any("estimated" in reason for reason in result.reasons)
    short = CareHistory(DOB, entered_care=date(2024, 6, 1), ceased_care=date(2024, 8, 1))
    assert suggest_eligibility(short, date(2025, 1, 1)).category is Cat.QUALIFYING


def test_weeks_counted_from_periods_when_given() -> None:
    periods = (CarePeriod(date(2023, 1, 1), date(2023, 2, 25)), CarePeriod(date(2024, 4, 1)))
    result = suggest_eligibility(CareHistory(DOB, care_periods=periods), date(2024, 7, 1))
    assert result.category is Cat.ELIGIBLE
    assert any("care period" in reason for reason in result.reasons)


def test_recorded_weeks_win_over_dates() -> None:
    history = CareHistory(DOB, entered_care=date(2022, 1, 1), weeks_looked_after_since_14=4)
    assert suggest_eligibility(history, date(2025, 1, 1)).category is Cat.NO_CURRENT


def test_unrecorded_weeks_are_called_out() -> None:
    result = suggest_eligibility(CareHistory(DOB), date(2025, 1, 1))
    assert result.category is Cat.NO_CURRENT
    assert any("not recorded" in reason for reason in result.reasons)


def test_before_birth_is_refused() -> None:
    with pytest.raises(ValueError):
        suggest_eligibility(CareHistory(DOB), date(2000, 1, 1))


# --- Counting weeks -------------------------------------------------------------------


def test_weeks_ignore_time_before_14_and_merge_overlaps() -> None:
    b14 = birthday(DOB, 14)
    periods = [
        CarePeriod(b14 - timedelta(days=100), b14 + timedelta(days=13)),  # 14 days after 14
        CarePeriod(b14 + timedelta(days=7), b14 + timedelta(days=20)),  # 7 more days
    ]
    assert count_weeks_looked_after_since_14(DOB, periods, date(2030, 1, 1)) == 3


def test_open_period_runs_to_today_and_stops_at_18() -> None:
    start = date(2025, 1, 1)
    assert count_weeks_looked_after_since_14(DOB, [CarePeriod(start)], date(2025, 1, 14)) == 2
    capped = count_weeks_looked_after_since_14(DOB, [CarePeriod(start)], date(2030, 1, 1))
    assert capped == ((B18 - start).days) // 7


# --- Transitions ----------------------------------------------------------------------


def test_transitions_are_dated_and_marked_passed_from_the_birthday() -> None:
    found = age_transitions(DOB, B18)
    assert [t.milestone for t in found] == list(Milestone)
    assert [t.age for t in found] == [16, 18, 21, 25]
    assert [t.passed for t in found] == [True, True, False, False]
    assert found[1].on == B18
    assert not age_transitions(DOB, B18 - timedelta(days=1))[1].passed


def test_transitions_for_29_february_births() -> None:
    found = age_transitions(date(2008, 2, 29), date(2026, 2, 28))
    assert [t.on for t in found] == [
        date(2024, 2, 29),
        date(2026, 3, 1),
        date(2029, 3, 1),
        date(2033, 3, 1),
    ]
    assert [t.passed for t in found] == [True, False, False, False]


# --- Properties ----------------------------------------------------------------------

births = st.dates(min_value=date(1996, 1, 1), max_value=date(2012, 12, 31))
leap_births = (
    st.integers(min_value=1996, max_value=2012)
    .filter(lambda y: y % 4 == 0)
    .map(lambda y: date(y, 2, 29))
)
any_birth = st.one_of(births, leap_births)
weeks = st.one_of(st.none(), st.integers(min_value=0, max_value=300))


@st.composite
def histories(draw: st.DrawFn) -> tuple[CareHistory, date]:
    dob = draw(any_birth)
    today = draw(st.dates(min_value=birthday(dob, 15), max_value=birthday(dob, 27)))
    ceased = draw(st.one_of(st.none(), st.dates(min_value=birthday(dob, 10), max_value=today)))
    history = CareHistory(
        dob,
        entered_care=draw(st.one_of(st.none(), st.just(birthday(dob, 13)))),
        ceased_care=ceased,
        weeks_looked_after_since_14=draw(weeks),
        detained_or_in_hospital_at_16=draw(st.booleans()),
        sgo_after_looked_after=draw(st.booleans()),
    )
    return history, today


@given(histories())
def test_categories_fit_their_ages(case: tuple[CareHistory, date]) -> None:
    history, today = case
    result = suggest_eligibility(history, today)
    age = age_on(history.date_of_birth, today)
    assert result.reasons and all(reason.strip() for reason in result.reasons)
    if result.category in (Cat.ELIGIBLE, Cat.RELEVANT):
        assert 16 <= age < 18
    if result.category is Cat.FORMER_RELEVANT:
        assert 18 <= age < 25
    if result.category is Cat.QUALIFYING:
        assert 16 <= age < 21
    if age >= 25 or age < 16:
        assert result.category is Cat.NO_CURRENT


@given(histories())
def test_eligible_or_relevant_at_17_means_former_relevant_at_19(
    case: tuple[CareHistory, date],
) -> None:
    history, _ = case
    dob = history.date_of_birth
    at_17 = birthday(dob, 17) + timedelta(days=100)
    before = suggest_eligibility(history, at_17).category
    after = suggest_eligibility(history, birthday(dob, 19)).category
    if before in (Cat.ELIGIBLE, Cat.RELEVANT):
        assert after is Cat.FORMER_RELEVANT


@given(any_birth, st.integers(min_value=0, max_value=5000))
def test_transitions_passed_exactly_from_each_birthday(dob: date, offset: int) -> None:
    today = birthday(dob, 15) + timedelta(days=offset)
    for transition in age_transitions(dob, today):
        assert transition.on == birthday(dob, transition.age)
        assert transition.passed == (age_on(dob, today) >= transition.age)


@given(
    any_birth,
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 400)), max_size=5),
    st.integers(min_value=0, max_value=3000),
    st.integers(min_value=1, max_value=400),
)
def test_weeks_grow_with_time_and_stay_within_four_years(
    dob: date, spans: list[tuple[int, int]], offset: int, more: int
) -> None:
    b14 = birthday(dob, 14)
    origin = b14 - timedelta(days=300)
    periods = [
        CarePeriod(origin + timedelta(days=s), None if n == 0 else origin + timedelta(days=s + n))
        for s, n in spans
    ]
    today = b14 + timedelta(days=offset)
    now = count_weeks_looked_after_since_14(dob, periods, today)
    later = count_weeks_looked_after_since_14(dob, periods, today + timedelta(days=more))
    assert 0 <= now <= later <= ((birthday(dob, 18) - b14).days) // 7


@given(histories())
def test_looked_after_at_16_means_a_care_leaver_from_18_to_20(
    case: tuple[CareHistory, date],
) -> None:
    history, today = case
    dob = history.date_of_birth
    at_16 = history.ceased_care is None or history.ceased_care >= birthday(dob, 16)
    if at_16 and 18 <= age_on(dob, today) < 21:
        assert suggest_eligibility(history, today).category in (Cat.FORMER_RELEVANT, Cat.QUALIFYING)
