"""``casework-admin report performance``: the oversight figures for a period, for a
council's performance team, each as numerator, denominator and percentage in all, per team
and per worker, with the young people behind it by child identifier.

The figures are the dashboard's own (:mod:`casework.reports.oversight`, where each one's
rule and source is described), computed for every team, so the report and the screen
never disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from casework.clock import local_today
from casework.db.database import Database
from casework.reports.oversight import gather
from casework.services.common import require
from casework.services.due import bulk_work
from casework.services.permissions import Action, Actor


def performance_report(
    db: Database, actor: Actor, start: date, end: date, *, now: datetime
) -> dict[str, Any]:
    """The figures for work that arrived (or closures that happened) from ``start`` to
    ``end`` inclusive, and the record as it stood on ``end`` (or today, if sooner)."""
    require(db, actor, Action.RUN_REPORTS, now=now, record_type="report")
    with db.reading() as session, bulk_work():
        dashboard = gather(session, start, end, None, local_today(now))
    return {**dashboard.as_dict(), "as_recorded_at": now.isoformat(timespec="seconds")}
