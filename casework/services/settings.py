"""Per-database settings that administrators may change."""

from __future__ import annotations

from datetime import datetime

from casework.db.database import Database
from casework.db.models import Setting
from casework.errors import ValidationFailed
from casework.services import audit, concurrency
from casework.services.common import Changed, check
from casework.services.permissions import Action, Actor

IDLE_LOCK_KEY = "idle_lock_minutes"
IDLE_LOCK_DEFAULT = 15
IDLE_LOCK_MAX = 30
IDLE_LOCK_MIN = 1


def idle_lock_minutes(db: Database) -> int:
    with db.reading() as session:
        row = session.get(Setting, IDLE_LOCK_KEY)
    try:
        value = int(row.value) if row else IDLE_LOCK_DEFAULT
    except ValueError:
        value = IDLE_LOCK_DEFAULT
    return max(IDLE_LOCK_MIN, min(IDLE_LOCK_MAX, value))


def set_idle_lock_minutes(
    db: Database,
    actor: Actor,
    minutes: int,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Set the idle lock. ``expected_version``: the setting as the screen showed it."""
    with db.unit_of_work() as session:
        check(session, actor, Action.MANAGE_SETTINGS, now=now, record_type="setting")
        if not IDLE_LOCK_MIN <= minutes <= IDLE_LOCK_MAX:
            raise ValidationFailed(
                [f"The idle lock must be between {IDLE_LOCK_MIN} and {IDLE_LOCK_MAX} minutes."]
            )
        row = session.get(Setting, IDLE_LOCK_KEY)
        if row is None:
            session.add(Setting(key=IDLE_LOCK_KEY, value=str(minutes)))
        else:
            concurrency.expect(
                session, row, expected_version, record_type="setting", what="setting"
            )
            row.value = str(minutes)
        audit.record(
            session,
            actor,
            "change_setting",
            now=now,
            record_type="setting",
            record_id=IDLE_LOCK_KEY,
            fields=["value"],
        )
    return Changed("setting", (), (IDLE_LOCK_KEY,))
