"""Validation of a young person's core details."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.domain.calendar import birthday
from casework.domain.people import FieldProblem, validate_young_person

TODAY = date(2026, 6, 15)


def details(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "child_uid": "LA123-0042",
        "first_name": "Sam",
        "last_name": "Okafor",
        "date_of_birth": date(2008, 3, 1),
        "sex": "female",
        "ethnicity": "BAFR",
        "eligibility": "former_relevant",
        "disability": "no",
        "uasc": False,
        "date_ceased_looked_after": date(2026, 3, 1),
        "today": TODAY,
    }
    base.update(changes)
    return base


def fields(**changes: Any) -> list[str]:
    return [problem.field for problem in validate_young_person(**details(**changes))]


def test_valid_details_have_no_problems() -> None:
    assert validate_young_person(**details()) == []


def test_codes_are_case_insensitive() -> None:
    assert fields(sex=" FEMALE", ethnicity="bafr", disability="Unknown") == []


def test_field_problem_sentence() -> None:
    problem = FieldProblem("date_of_birth", date(2031, 1, 1), "a date not in the future")
    assert str(problem) == (
        "date_of_birth: '2031-01-01' is not valid: expected a date not in the future"
    )


def test_field_problem_shows_blank_and_cuts_long_values() -> None:
    assert str(FieldProblem("date_of_birth", None, "a date of birth")) == (
        "date_of_birth: a blank value is not valid: expected a date of birth"
    )
    text = str(FieldProblem("first_name", "x" * 500, "a name"))
    assert len(text) < 120
    assert "..." in text


@pytest.mark.parametrize("uid", ["", "A" * 41, "LA 123", "LA_123", "LA/1", "ÁB12", " LA1"])
def test_bad_child_uid(uid: str) -> None:
    assert fields(child_uid=uid) == ["child_uid"]


@pytest.mark.parametrize("uid", ["A", "A" * 40, "123", "la-1-B"])
def test_good_child_uid(uid: str) -> None:
    assert fields(child_uid=uid) == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_bad_names(name: str) -> None:
    assert fields(first_name=name, last_name=name) == ["first_name", "last_name"]


def test_names_may_use_any_alphabet_and_punctuation() -> None:
    assert fields(first_name="Zoë-Anne", last_name="O'Brien Nguyễn", child_uid="x" * 40) == []
    assert fields(first_name="x" * 100) == []


def test_missing_date_of_birth() -> None:
    problems = validate_young_person(**details(date_of_birth=None))
    assert [p.field for p in problems] == ["date_of_birth"]
    assert problems[0].expected == "a date of birth"


def test_future_date_of_birth() -> None:
    problems = validate_young_person(**details(date_of_birth=date(2031, 1, 1)))
    assert [str(p) for p in problems] == [
        "date_of_birth: '2031-01-01' is not valid: expected a date not in the future",
        "date_ceased_looked_after: '2026-03-01' is not valid: expected a date on or after "
        "the date of birth",
    ]


@pytest.mark.parametrize(
    ("dob", "ok"),
    [
        (birthday(date(2011, 6, 15), 0), True),  # 15 today
        (date(2011, 6, 16), False),  # 15 tomorrow: still 14
        (date(1999, 6, 16), True),  # 27 tomorrow: still 26
        (date(1999, 6, 15), False),  # 27 today
    ],
)
def test_age_limits(dob: date, ok: bool) -> None:
    problems = fields(date_of_birth=dob, date_ceased_looked_after=None)
    assert problems == ([] if ok else ["date_of_birth"])


@given(st.dates(min_value=date(1980, 1, 1), max_value=TODAY))
def test_age_rule_matches_birthdays(dob: date) -> None:
    accepted = "date_of_birth" not in fields(date_of_birth=dob, date_ceased_looked_after=None)
    assert accepted == (birthday(dob, 15) <= TODAY < birthday(dob, 27))


def test_unknown_codes_list_allowed_values() -> None:
    problems = validate_young_person(
        **details(sex="M", ethnicity="XYZ", eligibility="leaver", disability="Y")
    )
    assert [p.field for p in problems] == ["sex", "ethnicity", "eligibility", "disability"]
    by_field = {p.field: p for p in problems}
    assert by_field["sex"].expected == ("a sex code, one of male, female, not_stated, neither")
    assert "WBRI, WIRI" in by_field["ethnicity"].expected
    assert "former_relevant" in by_field["eligibility"].expected
    assert by_field["disability"].expected.endswith("yes, no, unknown")
    assert str(by_field["ethnicity"]).startswith("ethnicity: 'XYZ' is not valid: expected")


def test_date_ceased_looked_after() -> None:
    assert fields(date_ceased_looked_after=None) == []
    assert fields(date_ceased_looked_after=TODAY) == []
    assert fields(date_ceased_looked_after=date(2026, 6, 16)) == ["date_ceased_looked_after"]
    assert fields(date_ceased_looked_after=date(2008, 2, 29)) == ["date_ceased_looked_after"]
    assert fields(date_ceased_looked_after=date(2008, 3, 1)) == []


def test_uasc_must_be_a_bool() -> None:
    assert fields(uasc=True) == []
    assert fields(uasc="Y") == ["uasc"]


def test_all_problems_are_returned_together() -> None:
    everything_wrong = fields(
        child_uid="",
        first_name="",
        last_name="",
        date_of_birth=None,
        sex="",
        ethnicity="",
        eligibility="",
        disability="",
        date_ceased_looked_after=date(2027, 1, 1),
    )
    assert everything_wrong == [
        "child_uid",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "eligibility",
        "disability",
        "date_ceased_looked_after",
    ]
