"""What every use case shares: permission checks that audit denials, and change results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from casework.db.database import Database
from casework.db.models import TeamLeadership, User
from casework.errors import PermissionDenied, SessionRevoked
from casework.services import audit
from casework.services.permissions import (
    Action,
    Actor,
    Relation,
    allowed,
    approval_refusal,
    denial_message,
    may_approve,
)


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


def account_change(session: Session, actor: Actor) -> str | None:
    """How the signed-in account differs from when the session began, in words; None
    while it is unchanged. The command-line tool (no account) never changes."""
    if actor.user_id is None:
        return None
    row = session.execute(
        select(User.active, User.role, User.team_id).where(User.id == actor.user_id)
    ).first()
    if row is None or not row.active:
        return (
            "Your account has been disabled, so this session has ended. Ask an "
            "administrator if you think this is a mistake."
        )
    led = frozenset(
        session.scalars(
            select(TeamLeadership.team_id).where(TeamLeadership.user_id == actor.user_id)
        )
    )
    if row.role != str(actor.role) or row.team_id != actor.team_id or led != actor.led_team_ids:
        return (
            "An administrator changed your role or teams since you signed in, so this "
            "session has ended. Sign in again to carry on with your new access."
        )
    return None


def require_current(db: Database, actor: Actor, *, now: datetime) -> None:
    """Refuse any action by a session whose account was disabled, or whose role or teams
    changed, since sign-in: audited, raised as SessionRevoked."""
    if actor.user_id is None:
        return
    with db.reading() as session:
        change = account_change(session, actor)
    if change is None:
        return
    with db.unit_of_work() as session:
        audit.record(
            session,
            actor,
            "session_revoked",
            now=now,
            record_type="user",
            record_id=actor.user_id,
            outcome="denied",
        )
    raise SessionRevoked(change)


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
    """Raise PermissionDenied (after auditing the denial in its own transaction). The
    actor's account is read again first, so a session follows its account."""
    require_current(db, actor, now=now)
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


def require_approver(
    db: Database,
    actor: Actor,
    authors: Iterable[int | None],
    *,
    what: str,
    action: str,
    now: datetime,
    record_type: str,
    record_id: object,
) -> None:
    """Refuse (audited, in its own transaction) an approval by anyone who authored any
    version of what is being approved: the one separation-of-duties rule
    (:func:`casework.services.permissions.may_approve`). Call it before the approval's
    own unit of work, with the authors read from the record."""
    if may_approve(authors, actor.user_id):
        return
    with db.unit_of_work() as session:
        audit.record(
            session,
            actor,
            action,
            now=now,
            record_type=record_type,
            record_id=record_id,
            fields=["separation_of_duties"],
            outcome="denied",
        )
    raise PermissionDenied(approval_refusal(what))


_CHUNK = 900  # below SQLite's default limit on bound parameters

# Young people to read facts for: their ids, or a statement selecting their ids.
People = Sequence[int] | Select[Any]


def rows_in(session: Session, stmt: Any, column: Any, ids: People) -> Iterator[Any]:
    """Run ``stmt`` restricted to ``column IN ids``, in chunks that SQLite accepts. ``ids``
    may also be a statement selecting them (one query, nothing to bind per young person)."""
    if isinstance(ids, Select):
        yield from session.execute(stmt.where(column.in_(ids)))
        return
    for start in range(0, len(ids), _CHUNK):
        yield from session.execute(stmt.where(column.in_(list(ids[start : start + _CHUNK]))))
