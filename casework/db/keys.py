"""Database keys: generation, the OS keyring, passphrase mode and the recovery code.

Every database has one random 256-bit key, generated when it is created and never
changed by anything in this module. Where it is kept depends on the mode:

* keyring mode: in the OS keyring (service ``casework``, one entry per database id),
  accepted only from a real OS backend (Windows, macOS, Secret Service, KWallet);
* passphrase mode: wrapped (AES-256-GCM) under a key derived from the user's
  passphrase with Argon2id; salt, parameters and the wrapped key live in the
  non-secret sidecar file ``<database>.keys.json``.

The sidecar also always holds the key wrapped under the recovery code that is shown
once at creation, so access can be restored when the keyring entry is lost or the
passphrase forgotten. Wrapping (rather than using the derived key directly) lets the
passphrase change, or a database move between modes, without re-encrypting the file.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import errno
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casework.db.files import PRIVATE_FILE, temp_name
from casework.errors import (
    KeyFileProblem,
    KeyringEntryMissing,
    KeyringNotAnswering,
    KeyringUnavailable,
    WrongPassphrase,
    WrongRecoveryCode,
)

KEY_BYTES = 32
KEYRING_SERVICE = "casework"
SIDECAR_SUFFIX = ".keys.json"
SIDECAR_FORMAT = "casework-keys"
SIDECAR_VERSION = 1
KEYRING_TIMEOUT_SECONDS = 10.0
MIN_PASSPHRASE_LENGTH = 12

# Backends that keep secrets in an OS-protected store. Anything else (the "fail" and
# "null" backends, keyrings.alt's plaintext and encrypted-file stores, chainers of
# those) is refused: a silent plaintext fallback would defeat the encryption.
REAL_BACKENDS = frozenset(
    {
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
    }
)

_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: easy to read aloud
_RECOVERY_GROUPS = 6
_RECOVERY_GROUP_LEN = 4


# The Argon2id settings a key file may ask for. The defaults take about a third of a
# second; these bounds keep a damaged or hostile key file from making Casework hang or
# exhaust memory (the highest allowed settings take a few seconds).
MAX_TIME_COST = 10
MAX_MEMORY_KIB = 256 * 1024
MAX_PARALLELISM = 8
SALT_BYTES = (16, 64)
NONCE_BYTES = 12
WRAPPED_BYTES = KEY_BYTES + 16  # the key and the GCM tag
MAX_KEY_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters; ``memory_kib`` is in KiB."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 2

    def problems(self) -> list[str]:
        found = []
        if not 1 <= self.time_cost <= MAX_TIME_COST:
            found.append(f"time cost {self.time_cost} (allowed 1 to {MAX_TIME_COST})")
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            found.append(f"parallelism {self.parallelism} (allowed 1 to {MAX_PARALLELISM})")
        low = 8 * max(1, self.parallelism)
        if not low <= self.memory_kib <= MAX_MEMORY_KIB:
            found.append(f"memory {self.memory_kib} KiB (allowed {low} to {MAX_MEMORY_KIB})")
        return found

    def derive(self, secret: bytes, salt: bytes) -> bytes:
        return hash_secret_raw(
            secret,
            salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )


@dataclass(frozen=True)
class WrappedKey:
    """The database key encrypted under a key derived from a secret (passphrase/code)."""

    params: KdfParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes

    @classmethod
    def wrap(cls, key: bytes, secret: bytes, params: KdfParams, aad: bytes) -> WrappedKey:
        salt = os.urandom(16)
        nonce = os.urandom(12)
        kek = params.derive(secret, salt)
        return cls(params, salt, nonce, AESGCM(kek).encrypt(nonce, key, aad))

    def unwrap(self, secret: bytes, aad: bytes) -> bytes | None:
        kek = self.params.derive(secret, self.salt)
        try:
            return AESGCM(kek).decrypt(self.nonce, self.ciphertext, aad)
        except InvalidTag:
            return None

    def to_json(self) -> dict[str, Any]:
        return {
            "kdf": "argon2id",
            "time_cost": self.params.time_cost,
            "memory_kib": self.params.memory_kib,
            "parallelism": self.params.parallelism,
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "wrapped_key": _b64(self.ciphertext),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WrappedKey:
        if not isinstance(data, dict) or data.get("kdf") != "argon2id":
            raise ValueError("unknown key derivation")
        numbers = [data["time_cost"], data["memory_kib"], data["parallelism"]]
        if not all(type(n) is int for n in numbers):
            raise ValueError("key-derivation settings must be whole numbers")
        params = KdfParams(*numbers)
        if problems := params.problems():
            raise KdfOutOfRange(
                "holds key-derivation settings outside the range Casework accepts ("
                + "; ".join(problems)
                + ")"
            )
        wrapped = cls(
            params, _unb64(data["salt"]), _unb64(data["nonce"]), _unb64(data["wrapped_key"])
        )
        if not SALT_BYTES[0] <= len(wrapped.salt) <= SALT_BYTES[1]:
            raise ValueError("salt length")
        if len(wrapped.nonce) != NONCE_BYTES or len(wrapped.ciphertext) != WRAPPED_BYTES:
            raise ValueError("wrapped key length")
        return wrapped


class KdfOutOfRange(ValueError):
    """A key file asks for Argon2id settings Casework refuses to run."""


@dataclass(frozen=True)
class KeyInfo:
    """The contents of the sidecar file. Holds nothing that opens the database alone."""

    database_id: str
    mode: str  # "keyring" or "passphrase"
    key_check: bytes
    recovery: WrappedKey
    passphrase: WrappedKey | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def matches(self, key: bytes) -> bool:
        return hmac.compare_digest(key_check_value(key, self.database_id), self.key_check)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": SIDECAR_FORMAT,
            "version": SIDECAR_VERSION,
            "database_id": self.database_id,
            "mode": self.mode,
            "key_check": _b64(self.key_check),
            "recovery": self.recovery.to_json(),
        }
        if self.passphrase is not None:
            data["passphrase"] = self.passphrase.to_json()
        return data


def sidecar_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + SIDECAR_SUFFIX)


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_check_value(key: bytes, database_id: str) -> bytes:
    """A short MAC that tells 'this key belongs to this database' without revealing it."""
    return hmac.new(key, b"casework key check\x00" + database_id.encode(), hashlib.sha256).digest()[
        :16
    ]


def new_recovery_code() -> str:
    chars = [
        secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUPS * _RECOVERY_GROUP_LEN)
    ]
    groups = [
        "".join(chars[i : i + _RECOVERY_GROUP_LEN])
        for i in range(0, len(chars), _RECOVERY_GROUP_LEN)
    ]
    return "-".join(groups)


def normalise_recovery_code(code: str) -> bytes:
    """Accept the code however it was typed: any case, with or without spaces and hyphens."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != _RECOVERY_GROUPS * _RECOVERY_GROUP_LEN or any(
        ch not in _RECOVERY_ALPHABET for ch in cleaned
    ):
        raise WrongRecoveryCode(
            "That is not a recovery code: it should be 24 letters and digits in six groups "
            "of four, as shown when the database was created."
        )
    return cleaned.encode()


def normalise_passphrase(passphrase: str) -> bytes:
    return unicodedata.normalize("NFKC", passphrase).encode()


def passphrase_problems(passphrase: str) -> list[str]:
    if len(unicodedata.normalize("NFKC", passphrase)) < MIN_PASSPHRASE_LENGTH:
        return [f"The passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters long."]
    return []


def _aad(database_id: str, purpose: str) -> bytes:
    return f"casework:{purpose}:{database_id}".encode()


def make_key_info(
    key: bytes,
    database_id: str,
    recovery_code: str,
    *,
    passphrase: str | None,
    params: KdfParams,
) -> KeyInfo:
    recovery = WrappedKey.wrap(
        key, normalise_recovery_code(recovery_code), params, _aad(database_id, "recovery")
    )
    wrapped_pass = None
    if passphrase is not None:
        wrapped_pass = WrappedKey.wrap(
            key, normalise_passphrase(passphrase), params, _aad(database_id, "passphrase")
        )
    return KeyInfo(
        database_id=database_id,
        mode="passphrase" if passphrase is not None else "keyring",
        key_check=key_check_value(key, database_id),
        recovery=recovery,
        passphrase=wrapped_pass,
    )


def with_passphrase(info: KeyInfo, key: bytes, passphrase: str) -> KeyInfo:
    """The same database switched to (or kept in) passphrase mode with a new passphrase."""
    wrapped = WrappedKey.wrap(
        key,
        normalise_passphrase(passphrase),
        info.recovery.params,
        _aad(info.database_id, "passphrase"),
    )
    return KeyInfo(info.database_id, "passphrase", info.key_check, info.recovery, wrapped)


def as_keyring_mode(info: KeyInfo) -> KeyInfo:
    return KeyInfo(info.database_id, "keyring", info.key_check, info.recovery, None)


def unlock_with_passphrase(info: KeyInfo, passphrase: str) -> bytes:
    if info.passphrase is None:
        raise WrongPassphrase("This database is not protected by a passphrase.")
    key = info.passphrase.unwrap(
        normalise_passphrase(passphrase), _aad(info.database_id, "passphrase")
    )
    if key is None or not info.matches(key):
        raise WrongPassphrase("That passphrase does not unlock this database.")
    return key


def unlock_with_recovery_code(info: KeyInfo, code: str) -> bytes:
    key = info.recovery.unwrap(normalise_recovery_code(code), _aad(info.database_id, "recovery"))
    if key is None or not info.matches(key):
        raise WrongRecoveryCode("That recovery code does not belong to this database.")
    return key


def write_key_info(path: Path, info: KeyInfo, *, replace: bool) -> None:
    """Write the sidecar atomically: the old file stays whole until the new one is complete."""
    data = json.dumps(info.to_json(), indent=2, sort_keys=True).encode()
    tmp = str(path.parent / temp_name(path.name))
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the file appeared meanwhile: never overwrite
            os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_key_info(db_path: Path) -> KeyInfo:
    """The key file beside ``db_path``, checked; every way it can be wrong is told apart."""
    path = sidecar_path(db_path)
    restore = "Restore it from the same backup as the database (casework-admin restore)."
    if path.is_dir():
        raise KeyFileProblem(
            f"The key file {path} is a folder, not a file. Move the folder away and restore "
            "the key file from the same backup as the database. Nothing was changed."
        )
    if not path.exists():
        raise KeyFileProblem(
            f"The key file {path.name} that belongs beside this database is missing. "
            f"{restore} Nothing was changed."
        )
    if not path.is_file():
        raise KeyFileProblem(f"The key file {path} is not an ordinary file. {restore}")
    return _parse_key_file(_read_key_file(path, restore), path, restore)


def _read_key_file(path: Path, restore: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise KeyFileProblem(
                f"Your account is not allowed to read the key file {path}. Ask IT to give your "
                "account access to it (and to the database beside it). Nothing was changed."
            ) from None
        raise KeyFileProblem(
            f"The key file {path} cannot be read ({exc.strerror or type(exc).__name__}). "
            "Nothing was changed."
        ) from None
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise KeyFileProblem(
            f"The key file {path} is far larger than a key file can be, so it is damaged or "
            f"is not a Casework key file. {restore} Nothing was changed."
        )
    return raw


def _parse_key_file(raw: bytes, path: Path, restore: str) -> KeyInfo:
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != SIDECAR_FORMAT:
            raise ValueError("format")
        version = data.get("version", 0)
        if type(version) is not int:
            raise ValueError("version")
        if version > SIDECAR_VERSION:
            raise KeyFileProblem(
                f"The key file {path.name} was written by a newer version of Casework. "
                "Use that version, or restore both files from a backup. Nothing was changed."
            )
        return _key_info_from(data)
    except KeyFileProblem:
        raise
    except KdfOutOfRange as exc:
        raise KeyFileProblem(
            f"The key file {path.name} {exc}; it is damaged or was not written by Casework. "
            f"{restore} Nothing was changed."
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise KeyFileProblem(
            f"The key file {path.name} is damaged or is not a Casework key file. {restore} "
            "Nothing was changed."
        ) from exc


def _key_info_from(data: dict[str, Any]) -> KeyInfo:
    mode = data["mode"]
    if mode not in ("keyring", "passphrase"):
        raise ValueError("mode")
    database_id = data["database_id"]
    if not isinstance(database_id, str) or not 1 <= len(database_id) <= 64:
        raise ValueError("database id")
    key_check = _unb64(data["key_check"])
    if len(key_check) != 16:
        raise ValueError("key check")
    passphrase = data.get("passphrase")
    if mode == "passphrase" and not passphrase:
        raise ValueError("passphrase")
    return KeyInfo(
        database_id=database_id,
        mode=mode,
        key_check=key_check,
        recovery=WrappedKey.from_json(data["recovery"]),
        passphrase=WrappedKey.from_json(passphrase) if passphrase else None,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# --- key stores ---------------------------------------------------------------------------


class KeyStore(Protocol):
    """Where keyring-mode databases keep their key."""

    def is_available(self) -> bool: ...

    def get(self, database_id: str) -> bytes: ...

    def put(self, database_id: str, key: bytes) -> None: ...

    def delete(self, database_id: str) -> None: ...


class MemoryKeyStore:
    """A key store held in memory: tests, and the throwaway demo database."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}

    def is_available(self) -> bool:
        return True

    def get(self, database_id: str) -> bytes:
        try:
            return self._keys[database_id]
        except KeyError:
            raise KeyringEntryMissing(_missing_message()) from None

    def put(self, database_id: str, key: bytes) -> None:
        self._keys[database_id] = key

    def delete(self, database_id: str) -> None:
        self._keys.pop(database_id, None)


def _missing_message() -> str:
    return (
        "This computer's keyring has no key for this database (it may have been set up on "
        "another computer or account, or the keyring was reset). Use the recovery code to "
        "restore access."
    )


T = TypeVar("T")


def backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def choose_real_backend(backend: object) -> object | None:
    """The real OS backend behind ``backend`` (which may be a chainer), or None."""
    candidates: list[object] = list(getattr(backend, "backends", [])) or [backend]
    for candidate in candidates:
        if backend_name(candidate) in REAL_BACKENDS:
            return candidate
    return None


class OSKeyStore:
    """The OS keyring, time-limited, refusing anything but a real OS backend."""

    def __init__(self, timeout: float = KEYRING_TIMEOUT_SECONDS) -> None:
        self._timeout = timeout
        self._backend: object | None = None
        self._checked = False

    def _call(self, fn: Callable[[], T], what: str) -> T:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="keyring")
        future = pool.submit(fn)
        try:
            return future.result(timeout=self._timeout)
        except concurrent.futures.TimeoutError:
            raise KeyringNotAnswering(
                f"The keyring did not answer within {self._timeout:.0f} seconds while {what}. "
                "It may be locked: unlock it (for example by signing in again) and retry."
            ) from None
        finally:
            pool.shutdown(wait=False)

    def _real_backend(self) -> object | None:
        if not self._checked:
            import keyring

            self._backend = self._call(
                lambda: choose_real_backend(keyring.get_keyring()), "looking for the keyring"
            )
            self._checked = True
        return self._backend

    def is_available(self) -> bool:
        return self._real_backend() is not None

    def _require(self) -> Any:
        backend = self._real_backend()
        if backend is None:
            raise KeyringUnavailable(
                "No secure OS keyring is available on this computer, so the database key "
                "cannot be kept in one. Use passphrase mode instead."
            )
        return backend

    def get(self, database_id: str) -> bytes:
        backend = self._require()
        value = self._guarded(lambda: backend.get_password(KEYRING_SERVICE, database_id), "reading")
        if not value:
            raise KeyringEntryMissing(_missing_message())
        try:
            key = bytes.fromhex(value)
        except ValueError:
            raise KeyringEntryMissing(_missing_message()) from None
        if len(key) != KEY_BYTES:
            raise KeyringEntryMissing(_missing_message())
        return key

    def put(self, database_id: str, key: bytes) -> None:
        backend = self._require()
        self._guarded(
            lambda: backend.set_password(KEYRING_SERVICE, database_id, key.hex()), "saving"
        )

    def delete(self, database_id: str) -> None:
        backend = self._require()
        with contextlib.suppress(KeyringEntryMissing):
            self._guarded(lambda: backend.delete_password(KEYRING_SERVICE, database_id), "removing")

    def _guarded(self, fn: Callable[[], T], what: str) -> T:
        from keyring.errors import KeyringError, PasswordDeleteError

        def run() -> T:
            return fn()

        try:
            return self._call(run, f"{what} the database key")
        except PasswordDeleteError:
            raise KeyringEntryMissing(_missing_message()) from None
        except KeyringError as exc:
            raise KeyringNotAnswering(
                f"The keyring refused the request while {what} the database key "
                f"({type(exc).__name__}). It may be locked: unlock it and retry."
            ) from None
