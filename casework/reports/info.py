"""``casework-admin info``: the state of a database file, with no personal data in it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from casework.db.database import Database
from casework.db.migrate import current_revision
from casework.db.models import AuditEvent, Team, User, YoungPerson
from casework.services.audit import verify_chain


def database_info(db: Database) -> dict[str, Any]:
    with db.reading() as session:
        conn = session.connection()
        cipher = conn.exec_driver_sql("PRAGMA cipher_version").scalar()
        # Every page authenticated first: SQLite's own check stops at the first page
        # that does not decrypt, SQLCipher's names each one.
        damaged = [r[0] for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check").all()]
        if damaged:
            return _damaged(db, cipher, damaged)
        integrity_rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
        counts = {
            "young_people": _count(session, YoungPerson),
            "users": _count(session, User),
            "teams": _count(session, Team),
            "audit_events": _count(session, AuditEvent),
        }
        chain = verify_chain(session)
        revision = current_revision(conn)
    return {
        "database_id": db.database_id,
        "key_mode": db.key_info.mode,
        "schema_version": revision,
        "cipher_version": cipher,
        "counts": counts,
        "integrity": "ok" if integrity_rows == ["ok"] else "; ".join(integrity_rows[:5]),
        "audit_chain": "ok" if chain.ok else chain.summary,
    }


def _damaged(db: Database, cipher: Any, damaged: list[str]) -> dict[str, Any]:
    return {
        "database_id": db.database_id,
        "key_mode": db.key_info.mode,
        "schema_version": None,
        "cipher_version": cipher,
        "counts": {},
        "integrity": f"damaged: {len(damaged)} page(s) fail ({'; '.join(damaged[:5])})",
        "audit_chain": "not checked (the file is damaged)",
    }


def _count(session: Any, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)
