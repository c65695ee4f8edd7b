"""The recovery code restores access when the keyring entry or the passphrase is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.db import keys
from casework.db.database import create_database, open_database, recover, unlock
from casework.errors import ValidationFailed, WrongPassphrase, WrongRecoveryCode
from tests.conftest import FAST_KDF, NOW, PASSPHRASE


def test_keyring_entry_restored_on_a_new_machine(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    old_machine = keys.MemoryKeyStore()
    db, code = create_database(path, now=NOW, key_store=old_machine, kdf=FAST_KDF)
    db.close()
    new_machine = keys.MemoryKeyStore()
    recover(path, code.lower().replace("-", " "), key_store=new_machine)
    key, info = unlock(path, key_store=new_machine)
    open_database(path, key, info=info, now=NOW).close()


def test_forgotten_passphrase_replaced(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    db, code = create_database(path, now=NOW, passphrase=PASSPHRASE, kdf=FAST_KDF)
    db.close()
    recover(path, code, new_passphrase="a brand new passphrase")
    with pytest.raises(WrongPassphrase):
        unlock(path, passphrase=PASSPHRASE)
    key, info = unlock(path, passphrase="a brand new passphrase")
    open_database(path, key, info=info, now=NOW).close()
    # The recovery code keeps working after a recovery.
    recover(path, code, new_passphrase="and another passphrase")


def test_wrong_code_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    db, code = create_database(path, now=NOW, passphrase=PASSPHRASE, kdf=FAST_KDF)
    db.close()
    sidecar = keys.sidecar_path(path).read_bytes()
    other = keys.new_recovery_code()
    with pytest.raises(WrongRecoveryCode, match="does not belong"):
        recover(path, other, new_passphrase="whatever passphrase here")
    with pytest.raises(WrongRecoveryCode, match="24 letters"):
        recover(path, "1234", new_passphrase="whatever passphrase here")
    with pytest.raises(ValidationFailed, match="at least"):
        recover(path, code, new_passphrase="short")
    assert keys.sidecar_path(path).read_bytes() == sidecar
