"""Working days and clocks: the one convention used by screens, reports and exports.

The clock convention (docs/architecture.md, "How clocks are counted"):

- "Within N working days of X": due by the end of the Nth working day after the date of X.
  The time of day does not matter, and a start on a non-working day counts from the next
  working day (received Thursday 24 December 2026 at 16:55: due Tuesday 29 December;
  received Saturday, within 1 working day: due Monday).
- "Within N months": the same day N calendar months later, or the month's last day when
  that day does not exist.
- "Within 72 hours": calendar hours from the recorded time.
- Overdue means the due date has passed: an item due today is due, not overdue.

Working days exclude weekends, England and Wales bank holidays (the ``holidays`` package,
subdivision ENG, substitute days included) and the council's own closure days.

Nothing here reads the clock: "today" and "now" are always passed in.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import holidays

__all__ = [
    "WorkingCalendar",
    "add_hours",
    "add_months",
    "age_on",
    "bank_holidays",
    "birthday",
    "is_overdue",
]

_SATURDAY = 5


def _as_date(value: date | datetime) -> date:
    """The calendar date of ``value``; the time of day is dropped."""
    if isinstance(value, datetime):
        return value.date()
    return value


@functools.cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year``, substitute days included.

    Looked up once per year and cached for the life of the process.
    """
    found = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(day for day in found if day.year == year)


class WorkingCalendar:
    """Weekdays that are neither bank holidays nor the council's own closure days."""

    def __init__(self, closures: Iterable[date] = ()) -> None:
        self._closures = frozenset(_as_date(day) for day in closures)

    @property
    def closures(self) -> frozenset[date]:
        """The council's extra closure days this calendar was built with."""
        return self._closures

    def is_working_day(self, day: date | datetime) -> bool:
        d = _as_date(day)
        return (
            d.weekday() < _SATURDAY and d not in bank_holidays(d.year) and d not in self._closures
        )

    def next_working_day(self, day: date | datetime) -> date:
        """``day`` itself if it is a working day, otherwise the first working day after it."""
        d = _as_date(day)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, start: date | datetime, n: int) -> date:
        """The due date of something that must happen "within ``n`` working days of ``start``".

        That is the ``n``-th working day strictly after the date of ``start``: the time of
        day is ignored, and when ``start`` falls on a non-working day the count begins with
        the next working day (Saturday + 1 is Monday, not Tuesday).

        ``n == 0`` means "by the end of the day of ``start``": ``start``'s date if it is a
        working day, otherwise the next working day (the same rule as a non-working start).
        ``n`` must not be negative.
        """
        if n < 0:
            raise ValueError(f"the number of working days must be 0 or more, not {n}")
        d = _as_date(start)
        if n == 0:
            return self.next_working_day(d)
        remaining = n
        while remaining:
            d += timedelta(days=1)
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """The number of working days after ``a`` up to and including ``b``.

        So ``working_days_between(x, add_working_days(x, n)) == n`` for every ``n >= 1``,
        and a referral received on ``x`` has been open ``working_days_between(x, today)``
        working days. Negative (the same count, negated) when ``b`` is before ``a``.
        """
        first, last = _as_date(a), _as_date(b)
        sign = 1
        if last < first:
            first, last, sign = last, first, -1
        count = 0
        d = first + timedelta(days=1)
        while d <= last:
            if self.is_working_day(d):
                count += 1
            d += timedelta(days=1)
        return sign * count


def _last_day_of_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


def add_months(d: date, n: int) -> date:
    """The same day ``n`` calendar months later (earlier if ``n`` is negative), or that
    month's last day when the day does not exist: 31 December + 2 months is 28 February
    (29 February in a leap year). Always returns a ``date``."""
    return _add_months(_as_date(d), n)


@functools.lru_cache(maxsize=65536)
def _add_months(day: date, n: int) -> date:
    """:func:`add_months` on a calendar date (memoised: the rules for thousands of young
    people ask for the same few hundred dates over and over)."""
    months = day.year * 12 + (day.month - 1) + n
    year, month = divmod(months, 12)
    month += 1
    return date(year, month, min(day.day, _last_day_of_month(year, month)))


def add_hours(dt: datetime, h: int) -> datetime:
    """``h`` calendar (elapsed) hours after ``dt``.

    For a time-zone-aware ``dt`` the hours are counted in real elapsed time, so 72 hours
    across a clock change end at 71 or 73 on the wall clock; the result is in ``dt``'s
    time zone. A naive ``dt`` is treated as wall-clock time with no clock changes.
    """
    step = timedelta(hours=h)
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt + step
    return (dt.astimezone(UTC) + step).astimezone(dt.tzinfo)


def is_overdue(due: date, today: date) -> bool:
    """True once the due date has passed. An item due today is due, not overdue."""
    return _as_date(today) > _as_date(due)


def age_on(dob: date, on: date) -> int:
    """Age in whole years on the date ``on``.

    Someone born on 29 February attains each new age on 1 March in non-leap years (the
    England and Wales rule), so on 28 February of a non-leap year they are still younger.
    Raises ``ValueError`` if ``on`` is before ``dob``.
    """
    born, day = _as_date(dob), _as_date(on)
    if day < born:
        raise ValueError(f"cannot give an age on {day.isoformat()}, before the date of birth")
    had_birthday = (day.month, day.day) >= (born.month, born.day)
    return day.year - born.year - (0 if had_birthday else 1)


def birthday(dob: date, age: int) -> date:
    """The date on which someone born on ``dob`` attains ``age`` (29 February births: 1 March
    in non-leap years). ``birthday(dob, 0)`` is ``dob``."""
    if age < 0:
        raise ValueError(f"an age must be 0 or more, not {age}")
    born = _as_date(dob)
    year = born.year + age
    if born.month == 2 and born.day == 29 and _last_day_of_month(year, 2) == 28:
        return date(year, 3, 1)
    return date(year, born.month, born.day)
