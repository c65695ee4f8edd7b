"""Time is injected: the core takes ``now``/``today`` as arguments.

Only the outermost layers (the command line and the app) read the real clock, through
``utc_now``. The database stores naive UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_today(now: datetime) -> date:
    """The calendar date in England at ``now`` (ages, due dates and 'today' use this)."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo("Europe/London")).date()


def to_local(moment: datetime) -> datetime:
    """UK local time for a stored (naive UTC) or aware time: what a worker's clock said."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo("Europe/London"))
