"""The quick date-in-England of a stored time (``services.closure_facts._day``) always equals
the time-zone conversion it stands in for (since 1848, when England took GMT)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from casework.clock import to_local
from casework.services.closure_facts import _day

STORED = st.datetimes(min_value=datetime(1848, 1, 1), max_value=datetime(2200, 12, 31))


@given(STORED)
def test_day_equals_the_time_zone_conversion(moment: datetime) -> None:
    assert _day(moment) == to_local(moment).date()


@given(STORED)
def test_an_aware_time_is_converted_whatever_its_zone(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=-5)))
    assert _day(aware) == to_local(aware).date()


def test_the_last_hours_of_a_utc_day_in_summer_fall_on_the_next_day_in_england() -> None:
    assert _day(datetime(2026, 7, 1, 23, 30)) == datetime(2026, 7, 2).date()
    assert _day(datetime(2026, 12, 1, 23, 30)) == datetime(2026, 12, 1).date()
    assert _day(datetime(2026, 7, 1, 21, 59)) == datetime(2026, 7, 1).date()
