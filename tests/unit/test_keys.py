"""Key handling without a database: backends, recovery codes, wrapping, the sidecar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.db import keys
from casework.errors import WrongPassphrase, WrongRecoveryCode

FAST = keys.KdfParams(1, 1024, 1)


class _Named:
    """Stands in for a keyring backend class of a given module and name."""


def _backend(module: str, name: str) -> object:
    cls = type(name, (_Named,), {"__module__": module})
    cls.__qualname__ = name
    return cls()


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("keyring.backends.fail", "Keyring"),
        ("keyring.backends.null", "Keyring"),
        ("keyrings.alt.file", "PlaintextKeyring"),
        ("keyrings.alt.file", "EncryptedKeyring"),
    ],
)
def test_unsafe_backends_refused(module: str, name: str) -> None:
    assert keys.choose_real_backend(_backend(module, name)) is None


def test_real_backend_found_inside_a_chainer() -> None:
    real = _backend("keyring.backends.SecretService", "Keyring")
    chainer = _backend("keyring.backends.chainer", "ChainerBackend")
    chainer.backends = [_backend("keyrings.alt.file", "PlaintextKeyring"), real]  # type: ignore[attr-defined]
    assert keys.choose_real_backend(chainer) is real


def test_this_machines_fail_backend_is_not_accepted() -> None:
    import keyring

    current = keyring.get_keyring()
    if keys.backend_name(current) not in keys.REAL_BACKENDS:
        assert keys.OSKeyStore().is_available() is False


def test_recovery_codes_are_random_and_readable() -> None:
    codes = {keys.new_recovery_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        groups = code.split("-")
        assert len(groups) == 6 and all(len(g) == 4 for g in groups)
        assert not set(code) & set("IO01")


@given(st.sampled_from(["lower", "spaces", "none"]))
@settings(max_examples=10, deadline=None)
def test_recovery_code_typed_any_way(style: str) -> None:
    code = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"
    typed = {"lower": code.lower(), "spaces": code.replace("-", " "), "none": code.replace("-", "")}
    assert keys.normalise_recovery_code(typed[style]) == code.replace("-", "").encode()


def test_bad_recovery_code_explained() -> None:
    with pytest.raises(WrongRecoveryCode, match="six groups of four"):
        keys.normalise_recovery_code("ABCD-0000")


def test_sidecar_round_trip_and_unlock(tmp_path: Path) -> None:
    key = keys.new_key()
    code = keys.new_recovery_code()
    info = keys.make_key_info(key, "db-1", code, passphrase="long enough phrase", params=FAST)
    db_path = tmp_path / "x.db"
    keys.write_key_info(keys.sidecar_path(db_path), info, replace=False)
    loaded = keys.read_key_info(db_path)
    assert loaded == info
    assert keys.unlock_with_passphrase(loaded, "long enough phrase") == key
    assert keys.unlock_with_recovery_code(loaded, code.lower()) == key
    with pytest.raises(WrongPassphrase):
        keys.unlock_with_passphrase(loaded, "long enough phrase!")
    text = keys.sidecar_path(db_path).read_text()
    assert key.hex() not in text and "long enough phrase" not in text
    assert json.loads(text)["mode"] == "passphrase"


def test_sidecar_never_overwritten_when_creating(tmp_path: Path) -> None:
    info = keys.make_key_info(
        keys.new_key(), "db-2", keys.new_recovery_code(), passphrase=None, params=FAST
    )
    target = tmp_path / "y.db.keys.json"
    target.write_text("precious")
    with pytest.raises(FileExistsError):
        keys.write_key_info(target, info, replace=False)
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["y.db.keys.json"]


def test_wrapping_binds_to_database_id() -> None:
    key = keys.new_key()
    wrapped = keys.WrappedKey.wrap(key, b"secret", FAST, b"casework:recovery:db-1")
    assert wrapped.unwrap(b"secret", b"casework:recovery:db-1") == key
    assert wrapped.unwrap(b"secret", b"casework:recovery:db-2") is None
    assert wrapped.unwrap(b"Secret", b"casework:recovery:db-1") is None


def test_key_never_formatted_unless_valid() -> None:
    from casework.db.engine import _key_pragma

    with pytest.raises(ValueError, match="32 bytes") as caught:
        _key_pragma(b"short")
    assert "73686f7274" not in str(caught.value)
