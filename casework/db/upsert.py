"""An INSERT that can say what to do on a conflict (``on_conflict_do_update``), in the
dialect of the session's database: SQLite and PostgreSQL spell it the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
