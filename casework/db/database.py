"""Creating, unlocking, opening and recovering a Casework database file.

Nothing here ever creates a key or a database over an existing file, and every
failure leaves the file byte-for-byte as it was.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from casework.db import engine as engines
from casework.db import keys
from casework.db.migrate import backup_before_upgrade, needs_upgrade, upgrade
from casework.db.models import Setting
from casework.errors import (
    DatabaseAlreadyExists,
    DatabaseFileMissing,
    KeyringEntryMissing,
    NotACaseworkDatabase,
    ValidationFailed,
    WrongPassphrase,
)

DATABASE_ID_SETTING = "database_id"
ProgressFn = Callable[[str], None]


@dataclass
class Database:
    """An open database. Sessions are made per unit of work and never cross threads."""

    path: Path
    engine: Engine
    key_info: keys.KeyInfo
    upgraded_from: str | None = None
    backup_path: Path | None = None

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readonly = sessionmaker(
            self.engine.execution_options(**{engines.READONLY_OPTION: True}),
            expire_on_commit=False,
        )

    @property
    def database_id(self) -> str:
        return self.key_info.database_id

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot that never waits for writers."""
        with self._readonly() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def exists(path: Path) -> bool:
    return path.exists() or keys.sidecar_path(path).exists()


def create_database(
    path: Path,
    *,
    now: datetime,
    key_store: keys.KeyStore | None = None,
    passphrase: str | None = None,
    kdf: keys.KdfParams | None = None,
    initialise: Callable[[Session], None] | None = None,
    progress: ProgressFn | None = None,
) -> tuple[Database, str]:
    """Create a new encrypted database; returns it open, with the recovery code.

    Exactly one of ``key_store`` (keyring mode) or ``passphrase`` is given.
    ``initialise`` runs inside the creating transaction (first users, settings), so a
    failure there leaves no database behind.
    """
    if (key_store is None) == (passphrase is None):
        raise ValueError("give exactly one of key_store or passphrase")
    if passphrase is not None and (problems := keys.passphrase_problems(passphrase)):
        raise ValidationFailed(problems)
    if exists(path):
        raise DatabaseAlreadyExists(
            f"A database already exists at {path}. Casework never creates a database over "
            "an existing one: choose another location or open it instead."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    key = keys.new_key()
    database_id = str(uuid.uuid4())
    code = keys.new_recovery_code()
    if progress:
        progress("protecting the key")
    info = keys.make_key_info(
        key, database_id, code, passphrase=passphrase, params=kdf or keys.KdfParams()
    )
    tmp = path.with_name(f".{path.name}.creating-{uuid.uuid4().hex[:8]}")
    try:
        _build(tmp, key, database_id, now, initialise, progress)
        if key_store is not None:
            key_store.put(database_id, key)
        keys.write_key_info(keys.sidecar_path(path), info, replace=False)
        try:
            os.link(tmp, path)
        except FileExistsError:
            keys.sidecar_path(path).unlink()
            raise DatabaseAlreadyExists(f"A database appeared at {path} meanwhile.") from None
    finally:
        _remove_with_companions(tmp)
    return open_database(path, key, info=info), code


def _build(
    tmp: Path,
    key: bytes,
    database_id: str,
    now: datetime,
    initialise: Callable[[Session], None] | None,
    progress: ProgressFn | None,
) -> None:
    # The file holds personal data (encrypted): readable by its owner only.
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    raw = engines.make_engine(tmp, key, foreign_keys=False, pooled=False)
    try:
        engines.run_outside_transaction(raw, "PRAGMA journal_mode = WAL")
        if progress:
            progress("creating the tables")
        upgrade(raw)
    finally:
        raw.dispose()
    eng = engines.make_engine(tmp, key, pooled=False)
    try:
        with Session(eng) as session, session.begin():
            session.add(Setting(key=DATABASE_ID_SETTING, value=database_id))
            session.add(Setting(key="created_at", value=now.isoformat()))
            if initialise is not None:
                if progress:
                    progress("adding the first users")
                initialise(session)
        engines.checkpoint(eng)
    finally:
        eng.dispose()


def _remove_with_companions(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def unlock(
    path: Path,
    *,
    key_store: keys.KeyStore | None = None,
    passphrase: str | None = None,
) -> tuple[bytes, keys.KeyInfo]:
    """The key for ``path`` from the keyring or the passphrase, checked against the sidecar."""
    if not path.exists():
        raise DatabaseFileMissing(
            f"There is no database at {path}. Check the location, or create a new database."
        )
    info = keys.read_key_info(path)
    if info.mode == "passphrase":
        if passphrase is None:
            raise WrongPassphrase("This database needs its passphrase to open.")
        return keys.unlock_with_passphrase(info, passphrase), info
    if key_store is None:
        raise KeyringEntryMissing("This database keeps its key in the OS keyring.")
    key = key_store.get(info.database_id)
    if not info.matches(key):
        raise KeyringEntryMissing(
            "The key in this computer's keyring does not belong to this database. "
            "Use the recovery code to restore access."
        )
    return key, info


def open_database(
    path: Path,
    key: bytes,
    *,
    info: keys.KeyInfo | None = None,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
) -> Database:
    """Open (and if needed upgrade) a database. ``now`` dates the pre-upgrade copy."""
    if not path.exists():
        raise DatabaseFileMissing(f"There is no database at {path}.")
    info = info or keys.read_key_info(path)
    if not info.matches(key):
        raise NotACaseworkDatabase("That key does not belong to this database.")
    engines.probe(path, key)
    upgraded_from: str | None = None
    backup: Path | None = None
    raw = engines.make_engine(path, key, foreign_keys=False, pooled=False)
    try:
        upgraded_from = needs_upgrade(raw)
        if upgraded_from is not None:
            if now is None:
                raise ValueError("an upgrade needs the current time for its backup name")
            if progress:
                progress("copying the database before upgrading it")
            backup = backup_before_upgrade(path, raw, upgraded_from, now)
            upgrade(raw)
    finally:
        raw.dispose()
    eng = engines.make_engine(path, key)
    try:
        engines.self_test(eng, path)
        with Session(eng) as session:
            stored = session.get(Setting, DATABASE_ID_SETTING)
        if stored is None or stored.value != info.database_id:
            raise NotACaseworkDatabase(
                "The key file beside this database belongs to a different database. "
                "Nothing was changed."
            )
    except BaseException:
        eng.dispose()
        raise
    return Database(path, eng, info, upgraded_from, backup)


def recover(
    path: Path,
    code: str,
    *,
    key_store: keys.KeyStore | None = None,
    new_passphrase: str | None = None,
) -> keys.KeyInfo:
    """Restore access with the recovery code: put the key back in the keyring, or set a
    new passphrase. Only the sidecar is rewritten (atomically); the database is untouched.
    """
    if (key_store is None) == (new_passphrase is None):
        raise ValueError("give exactly one of key_store or new_passphrase")
    if not path.exists():
        raise DatabaseFileMissing(f"There is no database at {path}.")
    info = keys.read_key_info(path)
    key = keys.unlock_with_recovery_code(info, code)
    engines.probe(path, key)
    if key_store is not None:
        key_store.put(info.database_id, key)
        new_info = keys.as_keyring_mode(info)
    else:
        assert new_passphrase is not None
        if problems := keys.passphrase_problems(new_passphrase):
            raise ValidationFailed(problems)
        new_info = keys.with_passphrase(info, key, new_passphrase)
    keys.write_key_info(keys.sidecar_path(path), new_info, replace=True)
    return new_info
