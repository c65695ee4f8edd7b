"""What every use case shares: permission checks that audit denials, and change results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from casework.db.database import Database
from casework.errors import PermissionDenied
from casework.services import audit
from casework.services.permissions import Action, Actor, Relation, allowed, denial_message


@dataclass(frozen=True)
class Changed:
    """What a use case changed, so the UI refreshes only the views that show it."""

    record_type: str
    ids: tuple[int, ...] = ()
    fields: tuple[str, ...] = field(default=())


def add_audited(
    session: Session,
    actor: Actor,
    row: Any,
    action: str,
    *,
    now: datetime,
    record_type: str,
    fields: Iterable[str],
) -> Changed:
    """Insert ``row``, audit its creation in the same transaction, and say what changed."""
    session.add(row)
    session.flush()
    audit.record(
        session, actor, action, now=now, record_type=record_type, record_id=row.id, fields=fields
    )
    return Changed(record_type, (row.id,))


def require(
    db: Database,
    actor: Actor,
    action: Action,
    relation: Relation = Relation.NOT_A_RECORD,
    *,
    now: datetime,
    record_type: str | None = None,
    record_id: object = None,
) -> None:
    """Raise PermissionDenied (after auditing the denial in its own transaction)."""
    if allowed(actor.role, action, relation):
        return
    with db.unit_of_work() as session:
        audit.record(
            session,
            actor,
            str(action),
            now=now,
            record_type=record_type,
            record_id=record_id,
            outcome="denied",
        )
    raise PermissionDenied(denial_message(actor.role, action, relation))


_CHUNK = 900  # below SQLite's default limit on bound parameters


def rows_in(session: Session, stmt: Any, column: Any, ids: Sequence[int]) -> Iterator[Any]:
    """Run ``stmt`` restricted to ``column IN ids``, in chunks that SQLite accepts."""
    for start in range(0, len(ids), _CHUNK):
        yield from session.execute(stmt.where(column.in_(list(ids[start : start + _CHUNK]))))
