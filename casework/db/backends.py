"""What differs between the two backends, asked by the layers above without naming a
dialect: whether the server writes the audit trail itself, and an INSERT that can say what
to do on a conflict (SQLite and PostgreSQL spell ``on_conflict_do_update`` the same way)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def is_server(session: Session) -> bool:
    """Whether the session is on a team server (PostgreSQL), which writes the audit trail
    and enforces access itself."""
    return session.get_bind().dialect.name == "postgresql"


def upsert(session: Session, table: Any) -> Any:
    """An INSERT with ``on_conflict_do_update`` in the session's dialect."""
    if is_server(session):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
