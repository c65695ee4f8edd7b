"""Opening SQLCipher files through SQLAlchemy, with the key passed safely.

The key is handed to SQLCipher by a ``connect`` listener as a raw 256-bit key
(``PRAGMA key = "x'<64 hex>'"``); it never appears in a URL, a log line or an
exception message. Every connection gets the same settings, and ``self_test``
refuses to run on a connection that lacks any of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from casework.errors import NotACaseworkDatabase, UnsafeDatabaseSettings

_HEX_KEY = re.compile(r"\A[0-9a-f]{64}\Z")
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
READONLY_OPTION = "casework_readonly"


def _key_pragma(key: bytes) -> str:
    hexkey = key.hex()
    if not _HEX_KEY.match(hexkey):
        # Deliberately says nothing about the value.
        raise ValueError("A database key must be exactly 32 bytes.")
    return f"PRAGMA key = \"x'{hexkey}'\""


def _apply_settings(dbapi_conn: Any, key: bytes, foreign_keys: bool) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(_key_pragma(key))
        cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.execute("PRAGMA busy_timeout = 10000")
    finally:
        cur.close()


def raw_connect(path: Path, key: bytes) -> Any:
    """A bare SQLCipher connection (no SQLAlchemy) with the key applied.

    Used to check a file before anything else touches it: a wrong key or a damaged
    file fails at the first read, and nothing is written.
    """
    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    _apply_settings(conn, key, foreign_keys=True)
    return conn


def probe(path: Path, key: bytes) -> None:
    """Fail with NotACaseworkDatabase unless ``key`` opens ``path``. Writes nothing."""
    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        _apply_settings(conn, key, foreign_keys=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        raise NotACaseworkDatabase(
            "The database file could not be read with its key: it is damaged, or it is not "
            "a Casework database. Nothing was changed. Restore it from a backup."
        ) from None
    finally:
        conn.close()


def make_engine(
    path: Path, key: bytes, *, foreign_keys: bool = True, pooled: bool = True
) -> Engine:
    """An engine whose every connection is keyed and configured before first use."""
    _key_pragma(key)  # validate now, not at first connect
    url = URL.create("sqlite", database=str(path))
    kwargs: dict[str, Any] = {"module": sqlcipher}
    if not pooled:
        kwargs["poolclass"] = NullPool
    engine = create_engine(url, **kwargs)

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the DB-API module so that BEGIN is ours
        # (DDL included: migrations are all-or-nothing).
        dbapi_conn.isolation_level = None
        _apply_settings(dbapi_conn, key, foreign_keys)

    def on_begin(conn: Any) -> None:
        # Writers take the write lock up front so a read-then-write never fails halfway;
        # read-only sessions use a deferred BEGIN and never block in WAL mode.
        readonly = conn.get_execution_options().get(READONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    event.listen(engine, "connect", on_connect, insert=True)
    event.listen(engine, "begin", on_begin)
    return engine


def connection_problems(dbapi_conn: Any, path: Path, *, foreign_keys: bool = True) -> list[str]:
    """What is wrong with a connection's safety settings (empty when all is well)."""

    def one(sql: str) -> Any:
        row = dbapi_conn.execute(sql).fetchone()
        return None if row is None else row[0]

    problems = []
    if not one("PRAGMA cipher_version"):
        problems.append("the SQLite library in use is not SQLCipher")
    if str(one("PRAGMA journal_mode")).lower() != "wal":
        problems.append("write-ahead logging is off")
    if one("PRAGMA synchronous") != 2:
        problems.append("synchronous is not FULL")
    if bool(one("PRAGMA foreign_keys")) != foreign_keys:
        problems.append("foreign key enforcement is not as required")
    if one("PRAGMA temp_store") != 2:
        problems.append("temporary data is not kept in memory")
    with open(path, "rb") as fh:
        if fh.read(16) == PLAIN_SQLITE_HEADER:
            problems.append("the file is not encrypted")
    return problems


def self_test(engine: Engine, path: Path, *, foreign_keys: bool = True) -> None:
    with engine.connect() as conn:
        dbapi_conn = conn.connection.dbapi_connection
        problems = connection_problems(dbapi_conn, path, foreign_keys=foreign_keys)
    if problems:
        raise UnsafeDatabaseSettings(
            "Casework will not run on this database because "
            + "; ".join(problems)
            + ". Nothing was changed."
        )


def run_outside_transaction(engine: Engine, sql: str) -> list[Any]:
    """Run a statement that SQLite refuses inside a transaction (WAL switch, checkpoint)."""
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        try:
            cur.execute(sql)
            return list(cur.fetchall())
        finally:
            cur.close()
    finally:
        conn.close()


def checkpoint(engine: Engine) -> None:
    """Fold the write-ahead log into the main file and empty it."""
    run_outside_transaction(engine, "PRAGMA wal_checkpoint(TRUNCATE)")
