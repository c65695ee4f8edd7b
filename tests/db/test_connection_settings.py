"""The self-test refuses a connection without the settings Casework relies on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from casework.db.engine import connection_problems
from tests.conftest import Opened


def test_open_database_has_every_setting(empty_db: Opened) -> None:
    with empty_db.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert connection_problems(raw, empty_db.path) == []
        assert raw is not None
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert raw.execute("PRAGMA temp_store").fetchone()[0] == 2


def test_weakened_connection_is_refused(empty_db: Opened) -> None:
    with empty_db.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA synchronous = NORMAL")
        problems = connection_problems(raw, empty_db.path)
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute("PRAGMA synchronous = FULL")
    assert "synchronous is not FULL" in problems
    assert "foreign key enforcement is not as required" in problems


def test_plain_sqlite_and_plain_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    problems = connection_problems(conn, path)
    conn.close()
    assert "the SQLite library in use is not SQLCipher" in problems
    assert "the file is not encrypted" in problems
