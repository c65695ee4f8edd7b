"""What ties the audit trail to the records: a hash of each row as written, and the
links of the hash chain. Core SQL only, on a plain connection, so the migration that
introduced row hashes and the services share one definition.

A row's hash covers its table name and every column's stored value (canonical JSON,
columns sorted by name). Values are read exactly as the database holds them (no type
conversion), so the same row always hashes the same, whoever reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

GENESIS = "0" * 64
HEAD_ID = 1
DELETED = "deleted"  # the row hash of an audited deletion

# Tables the audit trail does not vouch for: the trail itself, the sign-in throttle
# (working state, deleted on success), derived summaries (rebuilt from the contacts), the
# due snapshots (recomputed from the records, see `casework.db.due_snapshots`) and
# Alembic's bookkeeping.
UNTRACKED = frozenset(
    {
        "audit_events",
        "audit_head",
        "login_throttle",
        "contact_summaries",
        "summarised_contacts",
        "due_snapshots",
        "due_snapshot_generation",
        "alembic_version",
    }
)

# Record types the services name their events with, and the table each names.
RECORD_TYPE_TABLES = {
    "accommodation": "accommodation_periods",
    "activity": "activity_periods",
    "allegation": "allegations",
    "care_history": "care_histories",
    "case_reopening": "case_reopenings",
    "circumstance_change": "circumstance_changes",
    "closed_case_note": "closed_case_notes",
    "closure_override": "closure_overrides",
    "closure_request": "closure_requests",
    "contact": "contacts",
    "contact_addendum": "contact_addenda",
    "eligibility_decision": "eligibility_decisions",
    "essential_item": "essential_items",
    "follow_up": "follow_up_actions",
    "missing_episode": "missing_episodes",
    "needs_assessment": "needs_assessments",
    "pathway_plan": "pathway_plans",
    "plan_area": "plan_areas",
    "plan_review": "plan_reviews",
    "referral": "referrals",
    "risk_screening": "risk_screenings",
    "safeguarding_contact": "safeguarding_contacts",
    "service_referral": "service_referrals",
    "setting": "settings",
    "status_event": "in_touch_status_events",
    "support_event": "support_events",
    "team": "teams",
    "user": "users",
    "young_person": "young_people",
}


def table_of(record_type: str | None, tables: Iterable[str]) -> str | None:
    """The tracked table an event's record type names (a table's own name names it)."""
    if record_type is None:
        return None
    known = set(tables)
    name = RECORD_TYPE_TABLES.get(record_type, record_type)
    return name if name in known and name not in UNTRACKED else None


def _canonical(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return repr(value)
    return value


def row_hash(table: str, row: Mapping[str, Any]) -> str:
    """NULL columns are left out, so adding a nullable column changes no row's hash (a
    migration that fills a new column must vouch for the rows again)."""
    payload = [table, sorted((str(k), _canonical(v)) for k, v in row.items() if v is not None)]
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class TableShape:
    name: str
    key: tuple[str, ...]  # primary-key columns


def tracked_tables(conn: Connection) -> list[TableShape]:
    inspector = sa.inspect(conn)
    out = []
    for name in sorted(inspector.get_table_names()):
        if name in UNTRACKED or name.startswith("sqlite_"):
            continue
        key = tuple(inspector.get_pk_constraint(name).get("constrained_columns") or ())
        if key:
            out.append(TableShape(name, key))
    return out


def record_id_of(shape: TableShape, row: Mapping[str, Any]) -> str:
    return "/".join(str(_canonical(row[k])) for k in shape.key)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stored_rows(conn: Connection, shape: TableShape) -> Iterator[tuple[str, str]]:
    """(record id, row hash) for every row of a table, as stored."""
    result = conn.exec_driver_sql(f"SELECT * FROM {_quoted(shape.name)}")
    columns = list(result.keys())
    for values in result:
        row = dict(zip(columns, values, strict=True))
        yield record_id_of(shape, row), row_hash(shape.name, row)


def stored_row(conn: Connection, shape: TableShape, record_id: str) -> str | None:
    """The hash of one row as stored, or None when there is no such row."""
    parts = record_id.split("/")
    if len(parts) != len(shape.key):
        return None
    where = " AND ".join(f"CAST({_quoted(k)} AS TEXT) = ?" for k in shape.key)
    result = conn.exec_driver_sql(
        f"SELECT * FROM {_quoted(shape.name)} WHERE {where}", tuple(parts)
    )
    columns = list(result.keys())
    values = result.first()
    return None if values is None else row_hash(shape.name, dict(zip(columns, values, strict=True)))


def event_hash(
    event_id: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
    record_type: str | None,
    record_id: str | None,
    fields: str,
    outcome: str,
    prev_hash: str,
    row: str | None,
) -> str:
    """One link of the chain: the event's contents, its id and the previous link. The
    row hash joins the payload only when present, so events written before row hashes
    existed keep their hashes."""
    if occurred_at.tzinfo is not None:
        raise ValueError("audit times are stored as naive UTC")
    payload: list[Any] = [
        event_id,
        occurred_at.isoformat(timespec="microseconds"),
        actor_id,
        actor_role,
        action,
        record_type,
        record_id,
        fields,
        outcome,
        prev_hash,
    ]
    if row is not None:
        payload.append(row)
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
    return hashlib.sha256(data).hexdigest()


def latest_recorded(
    conn: Connection, tables: Sequence[str]
) -> dict[tuple[str, str], tuple[str, int]]:
    """For every (table, record id) the trail vouches for, the row hash and id of its
    latest event that carries one."""
    out: dict[tuple[str, str], tuple[str, int]] = {}
    stmt = (
        "SELECT id, record_type, record_id, row_hash FROM audit_events "
        "WHERE row_hash IS NOT NULL ORDER BY id"
    )
    for event_id, record_type, record_id, hashed in conn.exec_driver_sql(stmt):
        table = table_of(record_type, tables)
        if table is not None and record_id is not None:
            out[(table, record_id)] = (hashed, event_id)
    return out


@dataclass(frozen=True)
class RowEvent:
    table: str
    record_id: str
    row_hash: str


def append_row_events(
    conn: Connection,
    events: Sequence[RowEvent],
    *,
    occurred_at: datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
) -> None:
    """Append one event per row to the chain, in bulk, moving the head."""
    if not events:
        return
    head = conn.exec_driver_sql(
        "SELECT last_event_id, last_hash FROM audit_head WHERE id = ?", (HEAD_ID,)
    ).first()
    last_id, last_hash = (int(head[0]), str(head[1])) if head else (0, GENESIS)
    rows = []
    for e in events:
        last_id += 1
        link = event_hash(
            last_id,
            occurred_at,
            actor_id,
            actor_role,
            action,
            e.table,
            e.record_id,
            "",
            "ok",
            last_hash,
            e.row_hash,
        )
        rows.append(
            (
                last_id,
                occurred_at.isoformat(sep=" ", timespec="microseconds"),
                actor_id,
                actor_role,
                action,
                e.table,
                e.record_id,
                "",
                "ok",
                last_hash,
                link,
                e.row_hash,
            )
        )
        last_hash = link
    conn.exec_driver_sql(
        "INSERT INTO audit_events (id, occurred_at, actor_id, actor_role, action, "
        "record_type, record_id, fields, outcome, prev_hash, hash, row_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    if head is None:
        conn.exec_driver_sql(
            "INSERT INTO audit_head (id, last_event_id, last_hash) VALUES (?, ?, ?)",
            (HEAD_ID, last_id, last_hash),
        )
    else:
        conn.exec_driver_sql(
            "UPDATE audit_head SET last_event_id = ?, last_hash = ? WHERE id = ?",
            (last_id, last_hash, HEAD_ID),
        )


def unvouched_rows(conn: Connection) -> list[RowEvent]:
    """Every row whose stored content differs from what the trail last recorded for it
    (or that the trail never recorded), with its current hash."""
    shapes = tracked_tables(conn)
    recorded = latest_recorded(conn, [s.name for s in shapes])
    out = []
    for shape in shapes:
        for record_id, hashed in stored_rows(conn, shape):
            latest = recorded.get((shape.name, record_id))
            if latest is None or latest[0] != hashed:
                out.append(RowEvent(shape.name, record_id, hashed))
    return out


def record_types_of(table: str) -> list[str]:
    """Every record type that names ``table`` in events (its own name included)."""
    return sorted({table, *(k for k, v in RECORD_TYPE_TABLES.items() if v == table)})
