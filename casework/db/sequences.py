"""Bulk inserts that give rows their ids (the demo's histories) leave PostgreSQL's id
sequences behind: the next ordinary insert would take an id already used. ``catch_up``
moves each table's sequence past its highest id. SQLite needs nothing (its next id is
always past the highest)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def catch_up(session: Session, models: Iterable[Any]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                "GREATEST((SELECT max(id) FROM " + f'"{table.name}"' + "), 1))"
            ),
            {"t": table.name},
        )
