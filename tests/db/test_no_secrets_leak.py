"""The key, the passphrase and passwords never reach a log line or an error message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from casework.db.database import create_database, open_database, unlock
from casework.errors import LoginRefused
from casework.services import auth, setup
from tests.conftest import FAST_KDF, NOW, PASSPHRASE, PASSWORD


def test_debug_logs_hold_no_secrets(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    try:
        path = tmp_path / "s.db"
        first = setup.FirstUsers("admin", "A", PASSWORD, "North", "lead", "L", PASSWORD)
        db, code = create_database(
            path,
            now=NOW,
            passphrase=PASSPHRASE,
            kdf=FAST_KDF,
            initialise=setup.initialiser(first, NOW),
        )
        db.close()
        key, info = unlock(path, passphrase=PASSPHRASE)
        db = open_database(path, key, info=info, now=NOW)
        auth.login(db, "lead", PASSWORD, now=NOW)
        with pytest.raises(LoginRefused) as refused:
            auth.login(db, "lead", "wrong-" + PASSWORD, now=NOW)
        db.close()
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    text = caplog.text + str(refused.value)
    assert "SELECT" in caplog.text, "SQL logging was not captured, so the test proves nothing"
    for secret in (key.hex(), key.hex().upper(), PASSPHRASE, PASSWORD, code):
        assert secret not in text
