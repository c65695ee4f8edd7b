"""The audit trail: a hash chain of events that names identifiers, never personal details,
and carries a hash of each row as written, so the records themselves can be checked.

Each event's hash covers its own contents, its id, the row hash and the previous event's
hash; the ``audit_head`` row holds the newest link so that a cut-off tail is noticed too.
The database refuses UPDATE and DELETE on ``audit_events`` (triggers).

Every write through an ORM session is vouched for: :func:`record` hashes the row its
event names, and before each commit any other row the transaction inserted, changed or
deleted gets its own event with its final hash. Bulk Core writes (demo data, imports)
call :func:`vouch_for_all` once at the end.

On a team server (PostgreSQL) the server writes the trail, not the app: an event is asked
for through the server function ``casework_audit_event`` (the server takes the actor from
the signed-in role and hashes the row itself), the server's row triggers vouch for every
row written, and the chain is verified by the server's ``casework_verify_chain`` and
``casework_verify_records``. :func:`server_writes_audit` is the one switch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from casework.clock import to_naive_utc
from casework.db import audit_rows, backends
from casework.db.audit_rows import DELETED, GENESIS, HEAD_ID
from casework.db.models import AuditEvent, AuditHead, Base
from casework.services.permissions import Actor

_HEAD_ID = HEAD_ID
_TOUCHED = "casework_audit_touched"  # session.info: (table, record id) written this transaction
_VOUCHED = "casework_audit_vouched"  # session.info: (table, record id) -> hash recorded
_LAST = "casework_audit_last"  # session.info: (actor, action, now) of the latest event

__all__ = [
    "DELETED",
    "GENESIS",
    "ChainReport",
    "RowProblem",
    "record",
    "verify_chain",
    "verify_records",
    "vouch_for_all",
]


def event_hash(event: AuditEvent) -> str:
    return audit_rows.event_hash(
        event.id,
        event.occurred_at,
        event.actor_id,
        event.actor_role,
        event.action,
        event.record_type,
        event.record_id,
        event.fields,
        event.outcome,
        event.prev_hash,
        event.row_hash,
    )


_SHAPES = {
    t.name: audit_rows.TableShape(t.name, tuple(c.name for c in t.primary_key.columns))
    for t in Base.metadata.sorted_tables
    if t.name not in audit_rows.UNTRACKED
}


def _shapes(_session: Session) -> dict[str, audit_rows.TableShape]:
    """The tracked tables, as the models define them."""
    return _SHAPES


def _row_hash(session: Session, table: str, record_id: str) -> str:
    shape = _shapes(session)[table]
    return audit_rows.stored_row(session.connection(), shape, record_id) or DELETED


def server_writes_audit(session: Session) -> bool:
    """Whether the database writes the audit trail itself (a team server)."""
    return backends.is_server(session)


_EVENT = text("SELECT casework_audit_event(:action, :rtype, :rid, :fields, :outcome)")
_NAMED_EVENT = text(
    "SELECT casework_audit_event(:action, :rtype, :rid, :fields, :outcome) "
    "FROM (SELECT set_config('casework.action', :action, true)) AS named"
)


def _server_event(
    session: Session,
    action: str,
    record_type: str | None,
    record_id: str | None,
    fields: str,
    outcome: str,
) -> AuditEvent:
    """Ask the server for one event; the rows this flush writes are vouched for under the
    same action by its row triggers."""
    conn = session.connection()
    params = {
        "action": action,
        "rtype": record_type,
        "rid": record_id,
        "fields": fields,
        "outcome": outcome,
    }
    if session.new or session.dirty or session.deleted:
        # The action is named before the flush, whose row triggers record under it.
        conn.execute(text("SELECT set_config('casework.action', :a, true)"), {"a": action})
        session.flush()
        event_id = conn.execute(_EVENT, params).scalar_one()
    else:
        # Nothing to flush: naming the action and the event are one round trip (a view,
        # a sign-in, a refusal, or rows already flushed under an earlier action).
        event_id = conn.execute(_NAMED_EVENT, params).scalar_one()
    # What was asked for, with the server's id; the server filled in the rest (actor,
    # time, hashes). Not added to the session: the row is already written.
    return AuditEvent(
        id=int(event_id),
        action=action,
        record_type=record_type,
        record_id=record_id,
        fields=fields,
        outcome=outcome,
    )


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    now: datetime,
    record_type: str | None = None,
    record_id: object = None,
    fields: Iterable[str] = (),
    outcome: str = "ok",
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction. When it names a
    row of a tracked table and succeeded, it carries the hash of that row as stored."""
    if server_writes_audit(session):
        key = None if record_id is None else str(record_id)
        event = _server_event(
            session, action, record_type, key, ",".join(sorted(set(fields))), outcome
        )
        session.info[_LAST] = (actor, action, now)
        return event
    session.flush()
    shapes = _shapes(session)
    table = audit_rows.table_of(record_type, shapes)
    key = None if record_id is None else str(record_id)
    row = None
    if table is not None and key is not None and outcome == "ok":
        row = _row_hash(session, table, key)
        session.info.setdefault(_VOUCHED, {})[(table, key)] = row
    head = session.get(AuditHead, _HEAD_ID, with_for_update=True)
    prev_id, prev_hash = (head.last_event_id, head.last_hash) if head else (0, GENESIS)
    event = AuditEvent(
        id=prev_id + 1,
        occurred_at=to_naive_utc(now),
        actor_id=actor.user_id,
        actor_role=str(actor.role),
        action=action,
        record_type=record_type,
        record_id=key,
        fields=",".join(sorted(set(fields))),
        outcome=outcome,
        prev_hash=prev_hash,
        row_hash=row,
    )
    event.hash = event_hash(event)
    session.add(event)
    if head is None:
        session.add(AuditHead(id=_HEAD_ID, last_event_id=event.id, last_hash=event.hash))
    else:
        head.last_event_id = event.id
        head.last_hash = event.hash
    session.flush()
    session.info[_LAST] = (actor, action, now)
    return event


def writers(
    session: Session, record_type: str, record_id: object, *, excluding: Iterable[str] = ()
) -> set[int | None]:
    """Everyone the trail shows writing a record (successful events, other than the
    ``excluding`` actions): the authors separation of duties keeps from approving it."""
    table = audit_rows.table_of(record_type, _SHAPES)
    names = audit_rows.record_types_of(table) if table else [record_type]
    stmt = (
        select(AuditEvent.actor_id)
        .where(AuditEvent.record_type.in_(names))  # the service's name and the table's
        .where(AuditEvent.record_id == str(record_id))
        .where(AuditEvent.outcome == "ok")
    )
    skip = list(excluding)
    if skip:
        stmt = stmt.where(AuditEvent.action.not_in(skip))
    return set(session.scalars(stmt))


# --- every ORM write is vouched for before commit ---


def _collect(session: Session, _context: Any) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        state = inspect(obj)
        table = getattr(state.mapper.local_table, "name", None)
        if table is None or table in audit_rows.UNTRACKED:
            continue
        key = state.mapper.primary_key_from_instance(obj)
        if all(v is not None for v in key):
            touched.add((table, "/".join(str(v) for v in key)))


def _vouch_before_commit(session: Session) -> None:
    if server_writes_audit(session):
        # The server's row triggers vouched for every row as it was written.
        session.info.pop(_TOUCHED, None)
        return
    last = session.info.get(_LAST)
    if last is None:
        # Nothing audited in this transaction (a sign-in check, the settings written when
        # a database is created): no actor to vouch with; verify_records names such rows.
        return
    session.flush()
    touched = set(session.info.pop(_TOUCHED, set()))
    if not touched:
        return
    vouched = session.info.get(_VOUCHED, {})
    shapes = _shapes(session)
    for table, key in sorted(touched):
        if table not in shapes:
            continue
        current = _row_hash(session, table, key)
        if vouched.get((table, key)) == current:
            continue
        actor, action, now = last
        record(session, actor, action, now=now, record_type=table, record_id=key)
    session.info.pop(_TOUCHED, None)


def _forget(session: Session, *_args: Any) -> None:
    for key in (_TOUCHED, _VOUCHED, _LAST):
        session.info.pop(key, None)


orm_event.listen(Session, "after_flush", _collect)
orm_event.listen(Session, "before_commit", _vouch_before_commit)
orm_event.listen(Session, "after_commit", _forget)
orm_event.listen(Session, "after_rollback", _forget)


def vouch_for_all(session: Session, actor: Actor, action: str, *, now: datetime) -> int:
    """After bulk writes that bypass the ORM: one event for every row whose content the
    trail does not yet vouch for. Returns how many events were appended (none on a team
    server, whose row triggers vouched for each row as it was written)."""
    session.flush()
    if server_writes_audit(session):
        return 0
    conn = session.connection()
    events = audit_rows.unvouched_rows(conn)
    audit_rows.append_row_events(
        conn,
        events,
        occurred_at=to_naive_utc(now),
        actor_id=actor.user_id,
        actor_role=str(actor.role),
        action=action,
    )
    head = session.get(AuditHead, _HEAD_ID)
    if head is not None:
        session.expire(head)
    session.info.pop(_TOUCHED, None)  # every row now matches its latest event
    return len(events)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head_hash: str
    first_broken_id: int | None = None
    problem: str = ""

    @property
    def summary(self) -> str:
        if self.ok:
            return f"ok: {self.events} events, head {self.head_hash[:16]}"
        return f"broken at event {self.first_broken_id}: {self.problem}"


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in id order and name the first event that does not fit. An empty
    chain, or one whose end has been cut off with its head rewritten, fails when the
    database holds records the chain does not reach."""
    if server_writes_audit(session):
        return _server_chain(session)
    expected_id, prev_hash, count = 1, GENESIS, 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)
    for event in session.scalars(stmt):
        problem = _link_problem(event, expected_id, prev_hash)
        if problem:
            return ChainReport(False, count, prev_hash, event.id, problem)
        expected_id, prev_hash, count = event.id + 1, event.hash, count + 1
        session.expunge(event)
    head = session.get(AuditHead, _HEAD_ID)
    head_id, head_hash = (head.last_event_id, head.last_hash) if head else (0, GENESIS)
    if head_id != expected_id - 1 or head_hash != prev_hash:
        return ChainReport(
            False,
            count,
            prev_hash,
            expected_id,
            f"the chain ends at event {expected_id - 1} but its head records event {head_id}: "
            "events at the end were removed or the head was altered",
        )
    unreached = _newest_rows_unrecorded(session)
    if unreached:
        what = "is empty" if count == 0 else f"ends at event {count}"
        return ChainReport(
            False,
            count,
            prev_hash,
            expected_id,
            f"the chain {what} but the database holds records it never recorded "
            f"({'; '.join(unreached[:5])}): events were removed",
        )
    return ChainReport(True, count, prev_hash)


def _server_chain(session: Session) -> ChainReport:
    """The server's own walk of its chain: (event, problem) rows, none when intact."""
    conn = session.connection()
    problems = conn.execute(text("SELECT * FROM casework_verify_chain()")).all()
    head = session.get(AuditHead, _HEAD_ID)
    count = count_events(session)
    head_hash = head.last_hash if head else GENESIS
    if not problems:
        return ChainReport(True, count, head_hash)
    ref, problem = str(problems[0][0]), str(problems[0][1])
    first = int(ref) if ref.isdigit() else None
    return ChainReport(False, count, head_hash, first, problem)


def _newest_rows_unrecorded(session: Session) -> list[str]:
    """The newest row of each tracked table must have an event that recorded it: a cheap
    test that the chain was not emptied or cut short (``verify_records`` checks every
    row)."""
    conn = session.connection()
    out = []
    for shape in _shapes(session).values():
        if shape.key != ("id",):
            continue
        newest = conn.exec_driver_sql(f'SELECT MAX(id) FROM "{shape.name}"').scalar()
        if newest is None:
            continue
        found = session.scalar(
            select(AuditEvent.id)
            .where(AuditEvent.record_type.in_(audit_rows.record_types_of(shape.name)))
            .where(AuditEvent.record_id == str(newest))
            .where(AuditEvent.row_hash.is_not(None))
            .limit(1)
        )
        if found is None:
            out.append(f"{shape.name} {newest}")
    return out


@dataclass(frozen=True)
class RowProblem:
    table: str
    record_id: str
    problem: str
    event_id: int | None = None

    def __str__(self) -> str:
        where = f" (its latest event is {self.event_id})" if self.event_id else ""
        return f"{self.table} {self.record_id}: {self.problem}{where}"


def verify_records(session: Session) -> list[RowProblem]:
    """Every row whose content no longer matches its latest event: edited, deleted or
    inserted behind the application's back."""
    conn = session.connection()
    if server_writes_audit(session):
        found = conn.execute(text("SELECT * FROM casework_verify_records()")).all()
        return [_server_row_problem(str(ref), str(problem)) for ref, problem in found]
    shapes = list(_shapes(session).values())
    recorded = audit_rows.latest_recorded(conn, [s.name for s in shapes])
    problems = []
    seen: set[tuple[str, str]] = set()
    for shape in shapes:
        for record_id, hashed in audit_rows.stored_rows(conn, shape):
            seen.add((shape.name, record_id))
            latest = recorded.get((shape.name, record_id))
            if latest is None:
                problems.append(
                    RowProblem(shape.name, record_id, "no audit event recorded it (inserted)")
                )
            elif latest[0] == DELETED:
                problems.append(
                    RowProblem(
                        shape.name, record_id, "present though it was deleted (inserted)", latest[1]
                    )
                )
            elif latest[0] != hashed:
                problems.append(
                    RowProblem(
                        shape.name,
                        record_id,
                        "its content differs from its latest event (edited)",
                        latest[1],
                    )
                )
    for (table, record_id), (hashed, event_id) in sorted(recorded.items()):
        if hashed != DELETED and (table, record_id) not in seen:
            problems.append(
                RowProblem(table, record_id, "missing with no audit event (deleted)", event_id)
            )
    return problems


def _server_row_problem(ref: str, problem: str) -> RowProblem:
    """The server names a row as "table record_id" (or just a reference)."""
    table, _, record_id = ref.partition(" ")
    return RowProblem(table, record_id, problem)


def head_is_in_chain(session: Session, head: str) -> bool:
    """Whether an event with this hash is in the chain: a head recorded elsewhere earlier
    anchors everything up to it."""
    return session.scalar(select(AuditEvent.id).where(AuditEvent.hash == head.lower())) is not None


def _link_problem(event: AuditEvent, expected_id: int, prev_hash: str) -> str:
    if event.id != expected_id:
        if event.id > expected_id:
            return f"events {expected_id} to {event.id - 1} are missing (removed)"
        return "its id is out of sequence (inserted or reordered)"
    if event.prev_hash != prev_hash:
        return "it does not link to the event before it (events inserted, removed or reordered)"
    if event_hash(event) != event.hash:
        return "its contents do not match its hash (edited)"
    return ""


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
