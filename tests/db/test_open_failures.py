"""Every way opening can fail is told apart, and the file is left byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from casework.db import keys
from casework.db.database import create_database, open_database, unlock
from casework.errors import (
    DatabaseAlreadyExists,
    DatabaseFileMissing,
    KeyringEntryMissing,
    NotACaseworkDatabase,
    WrongPassphrase,
)
from tests.conftest import FAST_KDF, NOW, PASSPHRASE, Opened


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture
def closed(empty_db: Opened) -> Path:
    empty_db.db.close()
    return empty_db.path


def _unchanged(path: Path, action: Callable[[], object], error: type[Exception]) -> str:
    before = _snapshot(path.parent)
    with pytest.raises(error) as caught:
        action()
    assert _snapshot(path.parent) == before
    return str(caught.value)


def test_wrong_passphrase(closed: Path) -> None:
    msg = _unchanged(
        closed, lambda: unlock(closed, passphrase="not the passphrase at all"), WrongPassphrase
    )
    assert "passphrase" in msg


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseFileMissing, match="no database"):
        unlock(tmp_path / "absent.db", passphrase=PASSPHRASE)
    assert list(tmp_path.iterdir()) == []


def test_missing_key_file(closed: Path) -> None:
    keys.sidecar_path(closed).unlink()
    msg = _unchanged(closed, lambda: unlock(closed, passphrase=PASSPHRASE), NotACaseworkDatabase)
    assert "key file" in msg


def test_damaged_first_page(closed: Path) -> None:
    key, info = unlock(closed, passphrase=PASSPHRASE)
    data = bytearray(closed.read_bytes())
    data[100:200] = bytes(100)
    closed.write_bytes(bytes(data))
    msg = _unchanged(
        closed, lambda: open_database(closed, key, info=info, now=NOW), NotACaseworkDatabase
    )
    assert "damaged" in msg


def test_not_a_casework_database(closed: Path, tmp_path: Path) -> None:
    key, info = unlock(closed, passphrase=PASSPHRASE)
    other = tmp_path / "plain.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    os.replace(other, closed)  # a plain SQLite file where the database should be
    msg = _unchanged(
        closed, lambda: open_database(closed, key, info=info, now=NOW), NotACaseworkDatabase
    )
    assert "not a Casework database" in msg


def test_keyring_entry_missing(tmp_path: Path) -> None:
    store = keys.MemoryKeyStore()
    path = tmp_path / "k.db"
    db, _ = create_database(path, now=NOW, key_store=store, kdf=FAST_KDF)
    db.close()
    store.delete(db.database_id)
    msg = _unchanged(path, lambda: unlock(path, key_store=store), KeyringEntryMissing)
    assert "recovery code" in msg


def test_keyring_holds_another_databases_key(tmp_path: Path) -> None:
    store = keys.MemoryKeyStore()
    path = tmp_path / "k.db"
    db, _ = create_database(path, now=NOW, key_store=store, kdf=FAST_KDF)
    db.close()
    store.put(db.database_id, keys.new_key())
    msg = _unchanged(path, lambda: unlock(path, key_store=store), KeyringEntryMissing)
    assert "does not belong" in msg


def test_never_created_over_an_existing_file(closed: Path) -> None:
    msg = _unchanged(
        closed,
        lambda: create_database(closed, now=NOW, passphrase=PASSPHRASE, kdf=FAST_KDF),
        DatabaseAlreadyExists,
    )
    assert "never creates" in msg


def test_never_created_over_a_stray_key_file(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    keys.sidecar_path(path).write_text("{}")
    with pytest.raises(DatabaseAlreadyExists):
        create_database(path, now=NOW, passphrase=PASSPHRASE, kdf=FAST_KDF)
    assert not path.exists()


def test_failed_creation_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "y.db"

    def boom(_session: object) -> None:
        raise RuntimeError("initialisation failed")

    with pytest.raises(RuntimeError):
        create_database(path, now=NOW, passphrase=PASSPHRASE, kdf=FAST_KDF, initialise=boom)
    assert list(tmp_path.iterdir()) == []
    deeper = tmp_path / "new" / "folders" / "y.db"
    with pytest.raises(RuntimeError):
        create_database(deeper, now=NOW, passphrase=PASSPHRASE, kdf=FAST_KDF, initialise=boom)
    assert list(tmp_path.iterdir()) == []  # the folders it made went too


def test_new_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    db, _ = create_database(path, now=NOW, passphrase=PASSPHRASE, kdf=FAST_KDF)
    db.close()
    assert path.stat().st_mode & 0o077 == 0
    assert keys.sidecar_path(path).stat().st_mode & 0o077 == 0
