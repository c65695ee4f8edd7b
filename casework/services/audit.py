"""The audit trail: a hash chain of events that names identifiers, never personal details.

Each event's hash covers its own contents, its id and the previous event's hash; the
``audit_head`` row holds the newest link so that a cut-off tail is noticed too. The
database refuses UPDATE and DELETE on ``audit_events`` (triggers).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.clock import to_naive_utc
from casework.db.models import AuditEvent, AuditHead
from casework.services.permissions import Actor

GENESIS = "0" * 64
_HEAD_ID = 1


def _canonical_time(moment: datetime) -> str:
    if moment.tzinfo is not None:
        raise ValueError("audit times are stored as naive UTC")
    return moment.isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    payload = [
        event.id,
        _canonical_time(event.occurred_at),
        event.actor_id,
        event.actor_role,
        event.action,
        event.record_type,
        event.record_id,
        event.fields,
        event.outcome,
        event.prev_hash,
    ]
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
    return hashlib.sha256(data).hexdigest()


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
    """Append one event to the chain inside the caller's transaction."""
    head = session.get(AuditHead, _HEAD_ID, with_for_update=True)
    prev_id, prev_hash = (head.last_event_id, head.last_hash) if head else (0, GENESIS)
    event = AuditEvent(
        id=prev_id + 1,
        occurred_at=to_naive_utc(now),
        actor_id=actor.user_id,
        actor_role=str(actor.role),
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        fields=",".join(sorted(set(fields))),
        outcome=outcome,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    if head is None:
        session.add(AuditHead(id=_HEAD_ID, last_event_id=event.id, last_hash=event.hash))
    else:
        head.last_event_id = event.id
        head.last_hash = event.hash
    session.flush()
    return event


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
    """Walk the chain in id order and name the first event that does not fit."""
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
    return ChainReport(True, count, prev_hash)


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
