"""What every use case shares: permission checks that audit denials, and change results.

A write use case checks inside its one unit of work, so the account, the role, the
relation to the record and a case's closure cannot change between the check and the
write (``BEGIN IMMEDIATE`` serialises writers)::

    with db.unit_of_work() as session:
        check(session, actor, Action.EDIT_RECORD, relation, now=now, ...)
        ...  # validate, write, audit

``check``, ``check_current`` and ``check_approver`` raise :class:`~casework.errors.Refusal`;
the unit of work rolls back, commits the refusal's audit row and raises the plain error.
``require`` and ``require_current`` (and ``people.require_on_person``) are for read-only use cases,
which check in a read snapshot and audit a refusal in a transaction of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from casework.db.database import Database
from casework.db.models import TeamLeadership, User
from casework.errors import PermissionDenied, Refusal, ServerSetupProblem, SessionRevoked
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
    # The row's version after the change, for a screen that keeps the row open and saves
    # it again (a contact draft as it is typed); None where nobody needs it.
    version: int | None = None


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
    # One read (a round trip to a team server): the account and the teams it leads.
    rows = session.execute(
        select(User.active, User.role, User.team_id, TeamLeadership.team_id.label("led"))
        .outerjoin(TeamLeadership, TeamLeadership.user_id == User.id)
        .where(User.id == actor.user_id)
    ).all()
    row = rows[0] if rows else None
    if row is None or not row.active:
        return (
            "Your account has been disabled, so this session has ended. Ask an "
            "administrator if you think this is a mistake."
        )
    led = frozenset(r.led for r in rows if r.led is not None)
    if row.role != str(actor.role) or row.team_id != actor.team_id or led != actor.led_team_ids:
        return (
            "An administrator changed your role or teams since you signed in, so this "
            "session has ended. Sign in again to carry on with your new access."
        )
    return None


def _refusal(
    actor: Actor,
    error: PermissionDenied,
    action: str,
    *,
    now: datetime,
    record_type: str | None,
    record_id: object,
    fields: Iterable[str] = (),
) -> Refusal:
    def record(session: Session) -> None:
        audit.record(
            session,
            actor,
            action,
            now=now,
            record_type=record_type,
            record_id=record_id,
            fields=fields,
            outcome="denied",
        )

    return Refusal(error, record)


def check_current(session: Session, actor: Actor, *, now: datetime) -> None:
    """Inside a unit of work: refuse any action by a session whose account was disabled,
    or whose role or teams changed, since sign-in (local practice: a session follows its
    account). Audited as ``session_revoked``; raised as SessionRevoked."""
    if actor.user_id is None:
        return
    change = account_change(session, actor)
    if change is not None:
        raise _refusal(
            actor,
            SessionRevoked(change),
            "session_revoked",
            now=now,
            record_type="user",
            record_id=actor.user_id,
        )


def check(
    session: Session,
    actor: Actor,
    action: Action,
    relation: Relation = Relation.NOT_A_RECORD,
    *,
    now: datetime,
    record_type: str | None = None,
    record_id: object = None,
) -> None:
    """Inside a unit of work: the account is read again (:func:`check_current`), then the
    role × action × relation policy (:func:`casework.services.permissions.allowed`)
    decides. A denial is audited and raised as PermissionDenied."""
    check_current(session, actor, now=now)
    if not allowed(actor.role, action, relation):
        raise _refusal(
            actor,
            PermissionDenied(denial_message(actor.role, action, relation)),
            str(action),
            now=now,
            record_type=record_type,
            record_id=record_id,
        )


def check_approver(
    session: Session,
    actor: Actor,
    authors: Iterable[int | None],
    *,
    what: str,
    action: str,
    now: datetime,
    record_type: str,
    record_id: object,
) -> None:
    """Inside a unit of work, with the authors read in it: refuse an approval by anyone
    who authored any version of what is being approved, the one separation-of-duties rule
    (:func:`casework.services.permissions.may_approve`). Audited with the field
    ``separation_of_duties``; raised as PermissionDenied."""
    del session  # the authors were read in it; the refusal is recorded by the unit of work
    if not may_approve(authors, actor.user_id):
        raise _refusal(
            actor,
            PermissionDenied(approval_refusal(what)),
            action,
            now=now,
            record_type=record_type,
            record_id=record_id,
            fields=["separation_of_duties"],
        )


def require_current(db: Database, actor: Actor, *, now: datetime) -> None:
    """For read-only use cases: :func:`check_current` in a read snapshot; a refusal is
    audited in a transaction of its own."""
    if actor.user_id is None:
        return
    with db.reading() as session:
        change = account_change(session, actor)
    if change is None:
        return
    with db.unit_of_work() as session:
        check_current(session, actor, now=now)
    raise SessionRevoked(change)  # the account changed back in between: still refused


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
    """For read-only use cases: :func:`check` in a read snapshot; a refusal is audited in
    a transaction of its own. Write use cases call :func:`check` in their unit of work."""
    require_current(db, actor, now=now)
    if allowed(actor.role, action, relation):
        return
    with db.unit_of_work() as session:
        check(
            session,
            actor,
            action,
            relation,
            now=now,
            record_type=record_type,
            record_id=record_id,
        )


@contextlib.contextmanager
def checked_reading(
    db: Database,
    actor: Actor,
    action: Action | None,
    relation: Relation = Relation.NOT_A_RECORD,
    *,
    now: datetime,
    record_type: str | None = None,
    record_id: object = None,
) -> Iterator[Session]:
    """For read-only use cases: :func:`require` (with no ``action``, only
    :func:`require_current`) and the reading in one read snapshot, so the account is
    re-read in the same transaction as the records it decides about: one transaction, not
    two, on a team server. A refusal leaves the snapshot and goes through :func:`require`,
    which audits it in a transaction of its own."""
    if action is None or allowed(actor.role, action, relation):
        with db.reading() as session:
            if actor.user_id is None or account_change(session, actor) is None:
                yield session
                return
    if action is None:
        require_current(db, actor, now=now)
    else:
        require(db, actor, action, relation, now=now, record_type=record_type, record_id=record_id)
    # Reached only if the account changed back between the two reads: allowed again.
    with db.reading() as session:
        yield session


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


WHOLE_SERVICE_ON_SERVER = (
    "{what} reads every team's records. On a team server the records are kept to each "
    "person's teams by the server itself, and an administrator's account sees no young "
    "person's record, so {what} cannot be produced from a team server yet (it would come out "
    "empty). Nothing was read or written."
)


def refuse_whole_service_on_server(db: Database, what: str) -> None:
    """Returns read every team's records, which no signed-in role on a team server may do
    (an administrator sees no case rows): refused in plain words rather than an empty
    return."""
    refuse_on_server(db, WHOLE_SERVICE_ON_SERVER.format(what=what))


def refuse_on_server(db: Database, message: str) -> None:
    """A use case a team server does differently (logins, passwords, whole-service reads)
    is refused there with ``message``, before anything is read or written."""
    if db.backend == "server":
        raise ServerSetupProblem(message)
