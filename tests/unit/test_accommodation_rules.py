"""Accommodation rules as pure functions, each with its source: the last-night convention,
suitability (SSDA903 guide; statutory guidance on homeless 16 and 17 year olds, 2018;
Supported Accommodation (England) Regulations 2023) and SSDA903 rules 345, 347 and 3001
refused at entry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.domain import accommodation as a

TODAY = date(2026, 11, 27)
SEVENTEEN = date(2009, 6, 1)  # 17 on TODAY
NINETEEN = date(2007, 6, 1)


def entry(
    letter: str, suitable: bool = True, dob: date = NINETEEN, **kw: object
) -> a.AccommodationEntry:
    return a.AccommodationEntry(letter, TODAY - timedelta(days=1), suitable, dob, **kw)  # type: ignore[arg-type]


def sources(e: a.AccommodationEntry) -> list[str]:
    return [p.source for p in a.entry_problems(e, TODAY)]


def test_a_period_covers_its_last_night_and_the_next_starts_the_day_after() -> None:
    last = date(2026, 3, 31)
    assert a.covers(date(2026, 1, 1), last, last)
    assert not a.covers(date(2026, 1, 1), last, last + timedelta(days=1))
    assert a.next_start(last) == date(2026, 4, 1) and a.last_night_before(date(2026, 4, 1)) == last


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(start=days, length=st.integers(0, 400), other=days, other_length=st.integers(0, 400))
def test_overlap_means_sharing_a_night(
    start: date, length: int, other: date, other_length: int
) -> None:
    end, other_end = start + timedelta(days=length), other + timedelta(days=other_length)
    shared = any(a.covers(other, other_end, start + timedelta(days=n)) for n in range(length + 1))
    assert (a.overlap_problem(start, end, other, other_end) is not None) == shared
    assert a.overlap_problem(a.next_start(other_end), None, other, other_end) is None


@pytest.mark.parametrize("letter", ["S", "X"])
def test_homeless_and_custody_always_unsuitable(letter: str) -> None:
    assert "SSDA903 guide (only S2 and X2 are valid)" in sources(entry(letter))
    assert sources(entry(letter, False, unsuitable_reason="Sofa surfing.")) == []


def test_residence_not_known_never_suitable() -> None:
    assert any("suitable means safe" in s for s in sources(entry("R")))


def test_bed_and_breakfast_under_18_never_suitable_and_18_plus_needs_a_reason() -> None:
    guidance = "statutory guidance on homeless 16 and 17 year olds, 2018"
    assert guidance in sources(entry("W", dob=SEVENTEEN, suitable_reason="Only option."))
    assert sources(entry("W", False, dob=SEVENTEEN, unsuitable_reason="Emergency.")) == []
    assert any("local practice" in s for s in sources(entry("W")))
    assert sources(entry("W", suitable_reason="Two weeks near college.")) == []


def test_emergency_accommodation_needs_a_reason() -> None:
    assert [p.field for p in a.entry_problems(entry("V"), TODAY)] == ["suitable_reason"]
    assert sources(entry("V", suitable_reason="After a fire at the flat.")) == []


def test_supported_accommodation_under_18_must_be_registered() -> None:
    regs = "Supported Accommodation (England) Regulations 2023"
    assert regs in sources(entry("D", dob=SEVENTEEN))
    assert regs in sources(entry("E", dob=SEVENTEEN, registered=False))
    assert sources(entry("E", False, dob=SEVENTEEN, registered=False, unsuitable_reason="x")) == []
    assert sources(entry("D", dob=SEVENTEEN, registered=True)) == []
    assert sources(entry("D")) == []  # 18 or over: the question does not arise


def test_ssda903_rules_at_entry() -> None:
    assert "SSDA903 rule 347" in sources(entry("T", dob=SEVENTEEN))
    assert sources(entry("T")) == []
    assert "SSDA903 rule 3001; Children Act 1989 s23CZA" in sources(entry("Z", dob=SEVENTEEN))
    assert sources(entry("Z")) == []
    assert "SSDA903 rules 344 and 345" in sources(entry("0"))
