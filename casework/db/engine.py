"""Opening SQLCipher files through SQLAlchemy, with the key passed safely.

The key is handed to SQLCipher by a ``connect`` listener as a raw 256-bit key
(``PRAGMA key = "x'<64 hex>'"``); it never appears in a URL, a log line or an
exception message. Every connection gets the same settings, and ``self_test``
refuses to run on a connection that lacks any of them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from casework.errors import (
    CaseworkError,
    DatabaseDamaged,
    FileAccessProblem,
    NotACaseworkDatabase,
    UnsafeDatabaseSettings,
)

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


def readonly_connect(path: Path, key: bytes) -> Any:
    """A keyed connection that can only read ``path`` as it is on disk.

    ``immutable=1`` tells SQLite the file cannot change: it takes no locks, creates no
    ``-shm``, and ignores any ``-wal`` or ``-journal`` beside it, so nothing is written
    and no journal from elsewhere is ever applied.
    """
    uri = Path(os.path.abspath(path)).as_uri() + "?immutable=1"
    conn = sqlcipher.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        cur = conn.cursor()
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(_key_pragma(key))
        cur.execute("PRAGMA query_only = ON")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.close()
    except BaseException:
        conn.close()
        raise
    return conn


def probe(path: Path, key: bytes) -> None:
    """Fail with NotACaseworkDatabase unless ``key`` opens ``path``. Writes nothing."""
    try:
        conn = readonly_connect(path, key)
    except sqlcipher.Error as exc:
        raise plain_error(exc) or NotACaseworkDatabase(_UNREADABLE) from None
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        raise NotACaseworkDatabase(_UNREADABLE) from None
    finally:
        conn.close()


_UNREADABLE = (
    "The database file could not be read with its key: it is damaged, or it is not the "
    "database its key file belongs to. Nothing was changed. Check that the database and its "
    "key file (the same name ending in .keys.json) come from the same place; otherwise "
    "restore both from a backup (casework-admin restore)."
)

DAMAGED = (
    "Part of the database file could not be read with its key, so the file is damaged{where}. "
    "Nothing more was changed. Restore the database and its key file from a backup "
    "(casework-admin restore BACKUP --path NEW), and keep this file for IT."
)


def plain_error(exc: BaseException) -> CaseworkError | None:
    """A plain message for an SQLite failure that comes from the file, not from Casework.

    Returns None for anything else (constraint failures and programming errors stay as
    they are)."""
    orig = getattr(exc, "orig", None) or exc
    if not isinstance(orig, sqlcipher.DatabaseError):
        return None
    text = str(orig).lower()
    if isinstance(orig, sqlcipher.IntegrityError | sqlcipher.ProgrammingError):
        return None
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return DatabaseDamaged(DAMAGED.format(where=""))
    if "readonly" in text or "read-only" in text:
        return FileAccessProblem(
            "The database could not be written: the file or its folder is read-only for "
            "your account. Ask IT to make both writable by your account. Nothing was saved."
        )
    if "disk is full" in text or "full" in text.split():
        return FileAccessProblem(
            "The disk holding the database is full, so nothing was saved. Free some space "
            "and try again."
        )
    if "disk i/o" in text:
        return FileAccessProblem(
            "The disk reported an input/output error while reading or writing the database, "
            "so nothing was saved. The disk may be failing: ask IT to check it, and keep "
            "your backups safe."
        )
    if "unable to open" in text:
        return FileAccessProblem(
            "SQLite could not open the database or its journal (the files ending -wal and "
            "-shm beside it): check that your account can read and write the database's "
            "folder. Nothing was changed."
        )
    if "locked" in text or "busy" in text:
        return FileAccessProblem(
            "The database is busy: another program is writing to it. Wait a moment and try "
            "again. Nothing was saved."
        )
    return None


def damaged_pages(conn: Any) -> list[str]:
    """Every page of the file that fails SQLCipher's authentication, as SQLCipher says it."""
    return [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check").fetchall()]


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
