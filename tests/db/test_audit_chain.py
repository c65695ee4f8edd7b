"""The audit trail is a hash chain the database itself refuses to change; every kind of
tampering (edit, delete, insert, reorder, cut tail) is found and the first bad event named."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from casework.services import audit
from tests.conftest import Opened

COLUMNS = "id, occurred_at, actor_id, actor_role, action, record_type, record_id, fields, outcome"


def _report(opened: Opened) -> audit.ChainReport:
    with opened.db.reading() as session:
        return audit.verify_chain(session)


def _tamper(opened: Opened, *statements: str) -> None:
    """What an attacker holding the key could do: drop the guards, then edit raw rows."""
    with opened.db.unit_of_work() as session:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("DROP TRIGGER audit_events_no_delete"))
        for statement in statements:
            session.execute(text(statement))


def test_intact_chain(demo_db: Opened) -> None:
    report = _report(demo_db)
    assert report.ok and report.events > 40


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'x' WHERE id = 3", "DELETE FROM audit_events WHERE id = 3"],
)
def test_database_refuses_changes(demo_db: Opened, statement: str) -> None:
    with pytest.raises((IntegrityError, DatabaseError)), demo_db.db.unit_of_work() as session:
        session.execute(text(statement))
    assert _report(demo_db).ok


TAMPERING: dict[str, tuple[list[str], int, str]] = {
    "edit": (["UPDATE audit_events SET record_id = '999' WHERE id = 7"], 7, "edited"),
    "delete": (["DELETE FROM audit_events WHERE id = 7"], 8, "missing"),
    "insert": (
        [
            "UPDATE audit_events SET id = id + 10000000 WHERE id >= 7",
            "UPDATE audit_events SET id = id - 9999999 WHERE id >= 10000007",
            f"INSERT INTO audit_events ({COLUMNS}, prev_hash, hash) SELECT 7, occurred_at, "
            "actor_id, actor_role, 'open_record', record_type, record_id, fields, outcome, "
            "prev_hash, hash FROM audit_events WHERE id = 6",
        ],
        7,
        "",
    ),
    "reorder": (
        [
            "UPDATE audit_events SET id = -1 WHERE id = 7",
            "UPDATE audit_events SET id = 7 WHERE id = 8",
            "UPDATE audit_events SET id = 8 WHERE id = -1",
        ],
        7,
        "",
    ),
}


@pytest.mark.tampers
@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_tampering_is_found(demo_db: Opened, kind: str) -> None:
    statements, first_bad, word = TAMPERING[kind]
    _tamper(demo_db, *statements)
    report = _report(demo_db)
    assert not report.ok
    assert report.first_broken_id == first_bad
    assert word in report.problem


@pytest.mark.tampers
def test_cut_off_tail_is_found(demo_db: Opened) -> None:
    last = _report(demo_db).events
    _tamper(demo_db, f"DELETE FROM audit_events WHERE id = {last}")
    report = _report(demo_db)
    assert not report.ok and report.first_broken_id == last
    assert "removed" in report.problem


def test_events_name_identifiers_not_people(demo_db: Opened) -> None:
    lead = demo_db.login("lead.north")
    with demo_db.db.reading() as session:
        rows: list[Any] = session.execute(text("SELECT * FROM audit_events")).all()
        names = session.execute(text("SELECT first_name, last_name FROM young_people")).all()
    blob = "\n".join(map(str, rows))
    for first, last in names:
        assert first not in blob.split("'") and last not in blob.split("'")
    assert lead.username not in blob
