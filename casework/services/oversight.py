"""Recording that an oversight dashboard left Casework: its PDF names young people (those
in unsuitable accommodation, not in touch, ...), so an export is audited like a
chronology export (UK GDPR Article 5(2), accountability)."""

from __future__ import annotations

from datetime import date, datetime

from casework.db.database import Database
from casework.services import audit
from casework.services.common import check
from casework.services.permissions import Action, Actor


def record_dashboard_export(
    db: Database, actor: Actor, *, start: date, end: date, now: datetime
) -> None:
    """Audit one export of the dashboard over ``start``..``end``."""
    with db.unit_of_work() as session:
        check(session, actor, Action.VIEW_OVERSIGHT, now=now, record_type="report")
        audit.record(
            session,
            actor,
            "export_dashboard",
            now=now,
            record_type="report",
            fields=(f"from={start.isoformat()}", f"to={end.isoformat()}"),
        )
