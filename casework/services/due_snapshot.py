"""The due snapshot: what the due engine found for each young person today, kept so that
"My work" for a whole team is read, not recomputed, on every open.

A snapshot row answers only for its ``day`` and only under the :func:`fingerprint` it was
made with (the schema revision, the Casework version, a hash of the engine's own source
and the council configuration in force); anything else is recomputed. Every change to a
young person's facts deletes their row in the same transaction
(``casework.db.due_snapshots``), and a snapshot computed from a read older than the latest
invalidation is never stored (the generation counter), so a stored row is always the answer
the engine would give now. Local practice: this is a speed measure only; the answers are
the due engine's (``casework.domain.due``), which names the statute for each rule.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

import casework
from casework.clock import local_today
from casework.config import (
    audit_rules,
    closure_rules,
    council_rules,
    front_door_rules,
)
from casework.db import backends
from casework.db.database import Database
from casework.db.migrations import HEAD
from casework.db.models import DueSnapshot, DueSnapshotGeneration, YoungPerson
from casework.domain.calendar import WorkingCalendar
from casework.domain.due import DueItem, DueKind
from casework.errors import CaseworkError
from casework.services.common import People
from casework.services.common import rows_in as _rows

# The modules whose code decides a due item: a change to any of them makes every stored
# snapshot stale, whatever the version number says.
_ENGINE = (
    ("casework.domain", None),
    ("casework.services", "due.py"),
    ("casework.services", "due_front_door.py"),
    ("casework.services", "due_audit.py"),
    ("casework.services", "categories.py"),
    ("casework.services", "due_snapshot.py"),
    ("casework", "config.py"),
)


def _canonical(value: Any) -> Any:
    """A value written the same way in every process (sets sorted, enums by value)."""
    if isinstance(value, WorkingCalendar):
        return sorted(d.isoformat() for d in value.closures)
    if isinstance(value, frozenset | set):
        return sorted(str(_canonical(v)) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _canonical(getattr(value, f.name)) for f in fields(value)}
    if hasattr(value, "value") and hasattr(value, "name"):  # an enum member
        return value.value
    return str(value) if value is not None else None


def _engine_source() -> str:
    digest = hashlib.sha256()
    for package, name in _ENGINE:
        folder = resources.files(package)
        chosen = (
            [folder.joinpath(name)]
            if name
            else sorted(
                (f for f in folder.iterdir() if f.name.endswith(".py")), key=lambda f: f.name
            )
        )
        for item in chosen:
            digest.update(item.name.encode())
            digest.update(item.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What a snapshot must have been made under to be read: schema revision, version,
    the engine's source and the council configuration (cached, as the configuration is)."""
    rules = (council_rules, front_door_rules, closure_rules, audit_rules)
    config = [_canonical(r()) for r in rules]
    text = json.dumps(
        [HEAD, casework.__version__, _engine_source(), config], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _encode(items: Sequence[DueItem]) -> str:
    return json.dumps(
        [
            [i.kind.value, i.due.isoformat(), i.overdue, i.title, i.detail, i.source_id]
            for i in items
        ],
        separators=(",", ":"),
    )


_KINDS = {kind.value: kind for kind in DueKind}


def _decode_all(
    rows: list[tuple[int, str]], only: frozenset[DueKind] | None = None
) -> dict[int, tuple[DueItem, ...]]:
    """Every row's items (``only``: of those kinds), parsed as one JSON document (one call,
    not one per person)."""
    parsed = json.loads("[" + ",".join(text for _pid, text in rows) + "]")
    day, item = date.fromisoformat, DueItem
    kinds = _KINDS if only is None else {k: v for k, v in _KINDS.items() if v in only}
    return {
        pid: tuple(item(kinds[k], day(d), o, t, x, s) for k, d, o, t, x, s in found if k in kinds)
        for (pid, _text), found in zip(rows, parsed, strict=True)
    }


_GENERATION = select(func.max(DueSnapshotGeneration.generation)).scalar_subquery()


def generation(session: Session) -> int:
    """The invalidation counter as this read transaction sees it."""
    return int(session.scalar(select(DueSnapshotGeneration.generation)) or 0)


@dataclass(frozen=True)
class Cached:
    """Items read from fresh snapshots, who had none, and the generation they were read at."""

    items: dict[int, tuple[DueItem, ...]]
    missing: list[int]
    generation: int


def read(
    session: Session,
    ids: People,
    today: date,
    *,
    only: frozenset[DueKind] | None = None,
    selected: Sequence[int] | None = None,
) -> Cached:
    """The fresh snapshots (today's, this fingerprint's) for ``ids`` (``only``: just the
    items of those kinds; ``selected``: the ids a statement ``ids`` selects, when the
    caller already read them in this transaction). The generation is read in the same
    read snapshot as the facts, so a later store can tell whether any invalidation happened
    since."""
    if selected is not None:
        wanted = list(selected)
    else:
        wanted = list(session.scalars(ids) if isinstance(ids, Select) else ids)
    # The generation comes with the snapshots (the same snapshot of the database, one query
    # fewer); read on its own only when there are none.
    stmt = select(DueSnapshot.young_person_id, DueSnapshot.items, _GENERATION).where(
        DueSnapshot.day == today, DueSnapshot.fingerprint == fingerprint()
    )
    rows = list(_rows(session, stmt, DueSnapshot.young_person_id, ids))
    seen = int(rows[0][2] or 0) if rows else generation(session)
    found = _decode_all([(pid, text) for pid, text, _seen in rows], only)
    return Cached(found, [pid for pid in wanted if pid not in found], seen)


def store(db: Database, computed: dict[int, tuple[DueItem, ...]], today: date, seen: int) -> bool:
    """Keep ``computed`` (made from a read at generation ``seen``) as today's snapshots,
    unless something was invalidated since that read: then nothing is stored (the next
    list recomputes). A snapshot is only a speed measure, so a database too busy to take
    it is not an error: False is returned and the answer already given stands."""
    if not computed:
        return True
    stamp = fingerprint()
    rows = [
        {"young_person_id": pid, "day": today, "fingerprint": stamp, "items": _encode(items)}
        for pid, items in computed.items()
    ]
    try:
        with db.unit_of_work() as session:
            if generation(session) != seen:
                return False
            stmt = backends.upsert(session, DueSnapshot)
            stmt = stmt.on_conflict_do_update(
                index_elements=[DueSnapshot.young_person_id],
                set_={
                    "day": stmt.excluded.day,
                    "fingerprint": stmt.excluded.fingerprint,
                    "items": stmt.excluded["items"],
                },
            )
            for start in range(0, len(rows), 2000):
                session.execute(stmt, rows[start : start + 2000])
    except CaseworkError:
        return False
    return True


def warm(db: Database, *, now: datetime, chunk: int = 500) -> int:
    """Compute today's snapshot for every young person who lacks one, a chunk at a time (each
    its own read and write, so no writer waits long). Run on a worker while the sign-in
    window is up, so the first "My work" of the day is read, not computed. Shows nothing
    and checks no permission: it only fills derived data the lists then filter by the
    signed-in worker's access. Returns how many snapshots it stored."""
    from casework.services.due import statuses_in

    today = local_today(now)
    with db.reading() as session:
        ids = list(session.scalars(select(YoungPerson.id).order_by(YoungPerson.id)))
    stored = 0
    for start in range(0, len(ids), chunk):
        with db.reading() as session:
            cached = read(session, ids[start : start + chunk], today)
            if not cached.missing:
                continue
            statuses = statuses_in(session, cached.missing, today)
        computed = {pid: statuses[pid].items for pid in cached.missing if pid in statuses}
        if store(db, computed, today, cached.generation):
            stored += len(computed)
    return stored
