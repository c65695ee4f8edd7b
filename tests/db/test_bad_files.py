"""Bad databases, key files and folders, through the real command line.

Each case builds one broken situation in a folder of its own and runs one real
``casework-admin`` command on it as a subprocess. Every case must: exit non-zero, say
what is wrong on a plain first line of stderr (no traceback anywhere), leave every file
in the folder byte-for-byte as it was, and finish within the time limit (a key file
asking for absurd Argon2 settings must not make the command hang).

Cases marked ``perm`` depend on file permissions; as root they run with the
capabilities that bypass permissions dropped (``setpriv``), since root reads anything.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from casework.db import keys
from casework.db.database import unlock
from casework.services import bundle
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSPHRASE

ADMIN = Path(sys.executable).with_name("casework-admin")
TIMEOUT = 60
RECOVERY_CODE = "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"  # well-formed, belongs to nothing


@dataclass
class Case:
    name: str
    command: list[str]
    setup: Callable[[Path, Path], None]  # (case folder, template database)
    expect: str  # a regular expression the first line must match
    perm: bool = False
    env: dict[str, str] = field(default_factory=dict)


def _copy_db(folder: Path, template: Path, name: str = "c.db") -> Path:
    target = folder / name
    shutil.copyfile(template, target)
    shutil.copyfile(keys.sidecar_path(template), keys.sidecar_path(target))
    return target


def _key_json(folder: Path) -> dict:
    return json.loads((folder / "c.db.keys.json").read_text())


def _write_key_json(folder: Path, data: object) -> None:
    (folder / "c.db.keys.json").write_text(json.dumps(data))


def _edit_keys(change: Callable[[dict], None]) -> Callable[[Path, Path], None]:
    def setup(folder: Path, template: Path) -> None:
        _copy_db(folder, template)
        data = _key_json(folder)
        change(data)
        _write_key_json(folder, data)

    return setup


def _key_text(text: str | bytes) -> Callable[[Path, Path], None]:
    def setup(folder: Path, template: Path) -> None:
        _copy_db(folder, template)
        target = folder / "c.db.keys.json"
        target.write_bytes(text if isinstance(text, bytes) else text.encode())

    return setup


def _damage(offset: Callable[[int], int], length: int = 64) -> Callable[[Path, Path], None]:
    def setup(folder: Path, template: Path) -> None:
        db = _copy_db(folder, template)
        data = bytearray(db.read_bytes())
        start = offset(len(data))
        data[start : start + length] = bytes(b ^ 0x5A for b in data[start : start + length])
        db.write_bytes(bytes(data))

    return setup


def _db_then(change: Callable[[Path], None]) -> Callable[[Path, Path], None]:
    def setup(folder: Path, template: Path) -> None:
        change(_copy_db(folder, template))

    return setup


def _chmod(mode: int, what: str = "c.db") -> Callable[[Path], None]:
    def change(db: Path) -> None:
        os.chmod(db.parent / what if what else db.parent, mode)

    return change


def _folder_mode(mode: int) -> Callable[[Path, Path], None]:
    def setup(folder: Path, template: Path) -> None:
        inner = folder / "inner"
        inner.mkdir()
        _copy_db(inner, template)
        os.chmod(inner, mode)

    return setup


def _companion_dir(suffix: str) -> Callable[[Path], None]:
    def change(db: Path) -> None:
        Path(f"{db}{suffix}").mkdir()

    return change


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _set(path: list[str], value: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _drop(name: str) -> Callable[[dict], None]:
    return lambda data: data.pop(name)


def _b64(n: int) -> str:
    return base64.b64encode(bytes(n)).decode()


def _nothing(folder: Path, template: Path) -> None:
    del folder, template


def _other_db(folder: Path, template: Path, other: Path) -> None:
    _copy_db(folder, template)
    shutil.copyfile(other, folder / "c.db")


def _cut_half_page(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size - 2048)


def _plain_sqlite(db: Path) -> None:
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _garbage(db: Path) -> None:
    db.write_bytes(os.urandom(8 * 4096))


def _empty(db: Path) -> None:
    db.write_bytes(b"")


def _dangling_link(folder: Path, template: Path) -> None:
    _copy_db(folder, template)
    (folder / "c.db").unlink()
    (folder / "c.db").symlink_to(folder / "gone.db")


def _db_is_dir(folder: Path, template: Path) -> None:
    (folder / "c.db").mkdir()
    shutil.copyfile(template.with_name("bundle.json"), folder / "bundle.json")
    shutil.copyfile(keys.sidecar_path(template), folder / "c.db.keys.json")


def _parent_is_file(folder: Path, template: Path) -> None:
    del template
    (folder / "notafolder").write_text("x")


def _key_is_dir(folder: Path, template: Path) -> None:
    shutil.copyfile(template, folder / "c.db")
    (folder / "c.db.keys.json").mkdir()


def _key_missing(folder: Path, template: Path) -> None:
    shutil.copyfile(template, folder / "c.db")


def _key_huge(folder: Path, template: Path) -> None:
    _copy_db(folder, template)
    data = _key_json(folder)
    data["padding"] = "x" * (1024 * 1024)
    _write_key_json(folder, data)


def _backup_pair(folder: Path, template: Path) -> None:
    _copy_db(folder, template)
    _copy_db(folder, template, "b.db")


def _backup_damaged(folder: Path, template: Path) -> None:
    _copy_db(folder, template, "b.db")
    data = bytearray((folder / "b.db").read_bytes())
    data[4096 * 3 + 200 : 4096 * 3 + 260] = bytes(60)
    (folder / "b.db").write_bytes(bytes(data))


def _backup_no_keys(folder: Path, template: Path) -> None:
    shutil.copyfile(template, folder / "b.db")


def _backup_ro_folder(folder: Path, template: Path) -> None:
    _copy_db(folder, template)
    (folder / "out").mkdir()
    os.chmod(folder / "out", 0o500)


def _with_bundle(change: Callable[[Path], None]) -> Callable[[Path, Path], None]:
    def setup(folder: Path, template: Path) -> None:
        db = _copy_db(folder, template)
        shutil.copyfile(template.with_name("bundle.json"), folder / "bundle.json")
        change(db)

    return setup


def _bundle_is_dir(folder: Path, template: Path) -> None:
    _copy_db(folder, template)
    (folder / "bundle.json").mkdir()


def _stray_keys(folder: Path, template: Path) -> None:
    shutil.copyfile(keys.sidecar_path(template), folder / "c.db.keys.json")


DB = ["--path", "{f}/c.db"]
DAMAGED = r"damaged|cut short|could not be read with its key"
KEYFILE = r"key file .*(damaged|not a Casework key file)"
KDF = r"key-derivation settings outside the range"


def _cases(other: Path) -> list[Case]:
    def other_db(folder: Path, template: Path) -> None:
        _other_db(folder, template, other)

    def other_keys(folder: Path, template: Path) -> None:
        _copy_db(folder, template)
        shutil.copyfile(keys.sidecar_path(other), folder / "c.db.keys.json")

    return [
        # --- the database file ---------------------------------------------------------
        Case("db missing, key file present", ["info", *DB], _key_is_missing_db, r"no database"),
        Case("db and key file missing", ["verify-audit", *DB], _nothing, r"no database"),
        Case("db path is a folder (info)", ["info", *DB], _db_is_dir, r"is a folder"),
        Case(
            "db path is a folder (import)",
            ["import", "{f}/bundle.json", *DB],
            _db_is_dir,
            r"is a folder",
        ),
        Case(
            "db parent is a file",
            ["info", "--path", "{f}/notafolder/c.db"],
            _parent_is_file,
            r"is a file, not a folder",
        ),
        Case("db dangling link", ["info", *DB], _dangling_link, r"no database"),
        Case("db empty", ["info", *DB], _db_then(_empty), r"empty \(0 bytes\)"),
        Case("db cut mid-page", ["verify-audit", *DB], _db_then(_cut_half_page), r"cut short"),
        Case("db random bytes", ["info", *DB], _db_then(_garbage), DAMAGED),
        Case("db plain sqlite", ["info", *DB], _db_then(_plain_sqlite), r"unencrypted SQLite"),
        Case("db first page damaged", ["verify-audit", *DB], _damage(lambda n: 100), DAMAGED),
        Case("db header salt damaged", ["info", *DB], _damage(lambda n: 0, 16), DAMAGED),
        Case(
            "db middle page damaged (info)",
            ["info", *DB],
            _damage(lambda n: (n // 4096 // 2) * 4096 + 500),
            DAMAGED,
        ),
        Case(
            "db middle page damaged (verify-audit)",
            ["verify-audit", *DB],
            _damage(lambda n: (n // 4096 // 2) * 4096 + 500),
            DAMAGED,
        ),
        Case(
            "db first page damaged (report)",
            ["report", "due", *DB],
            _damage(lambda n: 2000),
            DAMAGED,
        ),
        Case("db last page damaged (info)", ["info", *DB], _damage(lambda n: n - 300), DAMAGED),
        Case(
            "db second page damaged (export)",
            ["export", "{f}/out.json", *DB],
            _damage(lambda n: 4096 + 2000),
            DAMAGED,
        ),
        Case("db of another database", ["info", *DB], other_db, DAMAGED),
        Case(
            "key file of another database",
            ["verify-audit", *DB],
            other_keys,
            r"passphrase does not unlock|does not belong|could not be read",
        ),
        Case("wal is a folder", ["info", *DB], _db_then(_companion_dir("-wal")), r"in the way"),
        Case("shm is a folder", ["info", *DB], _db_then(_companion_dir("-shm")), r"in the way"),
        Case(
            "journal is a folder",
            ["info", *DB],
            _db_then(_companion_dir("-journal")),
            r"in the way",
        ),
        Case(
            "db unreadable",
            ["info", *DB],
            _db_then(_chmod(0o000)),
            r"not allowed to read",
            perm=True,
        ),
        Case(
            "db read-only (import)",
            ["import", "{f}/bundle.json", *DB],
            _with_bundle(_chmod(0o400)),
            r"read-only",
            perm=True,
        ),
        Case(
            "db read-only (add-user)",
            ["add-user", "newbie", "--role", "practitioner", *DB],
            _db_then(_chmod(0o400)),
            r"read-only",
            perm=True,
            env={"CASEWORK_USER_PASSWORD": "a long enough password 1"},
        ),
        Case(
            "folder read-only (info)",
            ["info", "--path", "{f}/inner/c.db"],
            _folder_mode(0o500),
            r"folder .* is read-only",
            perm=True,
        ),
        Case(
            "folder read-only (verify-audit)",
            ["verify-audit", "--path", "{f}/inner/c.db"],
            _folder_mode(0o500),
            r"folder .* is read-only",
            perm=True,
        ),
        Case(
            "folder not searchable",
            ["info", "--path", "{f}/inner/c.db"],
            _folder_mode(0o600),
            r"not allowed to look inside",
            perm=True,
        ),
        Case(
            "wal unreadable",
            ["info", *DB],
            _db_then(
                lambda db: (Path(f"{db}-wal").write_bytes(b""), _chmod(0o000, "c.db-wal")(db))
            ),
            r"cannot read and write",
            perm=True,
        ),
        # --- the key file -----------------------------------------------------------------
        Case("key file missing", ["info", *DB], _key_missing, r"key file .* is missing"),
        Case("key file is a folder", ["info", *DB], _key_is_dir, r"key file .* is a folder"),
        Case("key file is a list", ["info", *DB], _key_text("[1, 2, 3]"), KEYFILE),
        Case("key file is a string", ["verify-audit", *DB], _key_text('"casework"'), KEYFILE),
        Case("key file is empty", ["info", *DB], _key_text(""), KEYFILE),
        Case("key file is binary", ["info", *DB], _key_text(os.urandom(300)), KEYFILE),
        Case(
            "key file is not JSON",
            ["info", *DB],
            _key_text("database_id = 1"),
            KEYFILE,
        ),
        Case(
            "key file unreadable",
            ["info", *DB],
            _db_then(_chmod(0o000, "c.db.keys.json")),
            r"not allowed to read the key file",
            perm=True,
        ),
        Case("key file huge", ["info", *DB], _key_huge, r"far larger"),
        Case("key file deeply nested", ["info", *DB], _key_text(_nested(100_000)), KEYFILE),
        Case(
            "key file wrong format", ["info", *DB], _edit_keys(_set(["format"], "other")), KEYFILE
        ),
        Case(
            "key file from the future",
            ["info", *DB],
            _edit_keys(_set(["version"], 99)),
            r"newer version",
        ),
        Case("key file version text", ["info", *DB], _edit_keys(_set(["version"], "1")), KEYFILE),
        Case("key file unknown mode", ["info", *DB], _edit_keys(_set(["mode"], "plain")), KEYFILE),
        Case(
            "key file passphrase mode, no passphrase",
            ["info", *DB],
            _edit_keys(_drop("passphrase")),
            KEYFILE,
        ),
        Case(
            "argon2 time cost absurd",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "time_cost"], 10**9)),
            KDF,
        ),
        Case(
            "argon2 memory absurd",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "memory_kib"], 2**40)),
            KDF,
        ),
        Case(
            "argon2 parallelism absurd",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "parallelism"], 10**6)),
            KDF,
        ),
        Case(
            "argon2 time cost zero",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "time_cost"], 0)),
            KDF,
        ),
        Case(
            "argon2 memory negative",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "memory_kib"], -5)),
            KDF,
        ),
        Case(
            "argon2 time cost text",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "time_cost"], "3")),
            KEYFILE,
        ),
        Case(
            "argon2 time cost fraction",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "time_cost"], 2.5)),
            KEYFILE,
        ),
        Case(
            "recovery argon2 absurd (recover)",
            ["recover", *DB],
            _edit_keys(_set(["recovery", "memory_kib"], 2**33)),
            KDF,
            env={"CASEWORK_RECOVERY_CODE": RECOVERY_CODE},
        ),
        Case(
            "salt not base64",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "salt"], "@@@")),
            KEYFILE,
        ),
        Case(
            "nonce wrong length",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "nonce"], _b64(5))),
            KEYFILE,
        ),
        Case(
            "wrapped key wrong length",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "wrapped_key"], _b64(7))),
            KEYFILE,
        ),
        Case(
            "key check wrong length",
            ["info", *DB],
            _edit_keys(_set(["key_check"], _b64(3))),
            KEYFILE,
        ),
        Case("database id a number", ["info", *DB], _edit_keys(_set(["database_id"], 42)), KEYFILE),
        Case(
            "database id a lone surrogate",
            ["info", *DB],
            _key_text('{"format": "casework-keys", "version": 1, "database_id": "\\ud800"}'),
            KEYFILE,
        ),
        Case(
            "unknown key derivation",
            ["info", *DB],
            _edit_keys(_set(["passphrase", "kdf"], "scrypt")),
            KEYFILE,
        ),
        Case(
            "recovery entry missing (recover)",
            ["recover", *DB],
            _edit_keys(_drop("recovery")),
            KEYFILE,
            env={"CASEWORK_RECOVERY_CODE": RECOVERY_CODE},
        ),
        Case(
            "wrong passphrase",
            ["info", *DB],
            _db_then(lambda db: None),
            r"passphrase does not unlock",
            env={"CASEWORK_PASSPHRASE": "not the passphrase!"},
        ),
        Case(
            "wrong recovery code",
            ["recover", *DB],
            _db_then(lambda db: None),
            r"recovery code does not belong",
            env={"CASEWORK_RECOVERY_CODE": RECOVERY_CODE},
        ),
        Case(
            "keyring mode without a keyring",
            ["info", *DB],
            _edit_keys(lambda d: (d.update(mode="keyring"), d.pop("passphrase"))),
            r"keyring",
        ),
        # --- backups, restores, exports, imports, creation -----------------------------------
        Case(
            "backup over an existing file",
            ["backup", "{f}/b.db", *DB],
            _backup_pair,
            r"already exists",
        ),
        Case(
            "backup into a missing folder",
            ["backup", "{f}/no/b.db", *DB],
            _db_then(lambda db: None),
            r"does not exist",
        ),
        Case(
            "backup into a read-only folder",
            ["backup", "{f}/out/b.db", *DB],
            _backup_ro_folder,
            r"permission denied|read-only",
            perm=True,
        ),
        Case(
            "restore over an existing database",
            ["restore", "{f}/b.db", *DB],
            _backup_pair,
            r"never writes over",
        ),
        Case(
            "restore a damaged backup",
            ["restore", "{f}/b.db", "--path", "{f}/new/n.db"],
            _backup_damaged,
            r"damaged|could not be read|does not read back",
        ),
        Case(
            "restore a missing backup",
            ["restore", "{f}/b.db", "--path", "{f}/new/n.db"],
            _nothing,
            r"no database",
        ),
        Case(
            "restore a backup without its key file",
            ["restore", "{f}/b.db", "--path", "{f}/new/n.db"],
            _backup_no_keys,
            r"key file .* is missing",
        ),
        Case(
            "export into a missing folder",
            ["export", "{f}/no/out.json", *DB],
            _db_then(lambda db: None),
            r"does not exist",
        ),
        Case(
            "import a folder",
            ["import", "{f}/bundle.json", *DB],
            _bundle_is_dir,
            r"Cannot use the bundle .*folder",
        ),
        Case(
            "init over an existing database",
            ["init", "--admin", "a", "--team", "T", "--team-lead", "l", "--passphrase-mode", *DB],
            _db_then(lambda db: None),
            r"never creates",
        ),
        Case(
            "init over a stray key file",
            ["init", "--admin", "a", "--team", "T", "--team-lead", "l", "--passphrase-mode", *DB],
            _stray_keys,
            r"never creates",
        ),
    ]


def _key_is_missing_db(folder: Path, template: Path) -> None:
    shutil.copyfile(keys.sidecar_path(template), folder / "c.db.keys.json")


def _snapshot(folder: Path) -> dict[str, str]:
    found = {}
    for root, dirs, names in os.walk(folder):
        for name in dirs:
            found[os.path.relpath(os.path.join(root, name), folder) + "/"] = "folder"
        for name in names:
            path = Path(root, name)
            rel = os.path.relpath(path, folder)
            try:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                found[rel] = "unreadable"
    return found


def _open_up(folder: Path) -> None:
    for root, dirs, names in os.walk(folder, topdown=True):
        for name in dirs + names:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o700)


def _as_user() -> list[str] | None:
    """The prefix that makes permissions apply: none for a normal user; for root,
    setpriv without the capabilities that bypass them; None if that is impossible."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


@dataclass
class Outcome:
    returncode: int | None
    stderr: str
    stdout: str
    before: dict[str, str]
    after: dict[str, str]


@pytest.fixture(scope="session")
def other_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from casework.services import setup
    from tests.conftest import keys_create

    path = tmp_path_factory.mktemp("other") / "other.db"
    first = setup.FirstUsers(
        "admin2", "A", "correct-staple-2026", "South", "lead2", "L", "correct-staple-2026"
    )
    db, _ = keys_create(path, first)
    db.close()
    return path


@pytest.fixture(scope="session")
def bad_files_run(
    empty_template: Path, other_database: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome | str]:
    """Build every case and run them all, four at a time."""
    base = tmp_path_factory.mktemp("bad-files")
    template = base / "template" / "c.db"
    template.parent.mkdir()
    _copy_db(template.parent, empty_template)
    key, _info = unlock(template, passphrase=PASSPHRASE)
    from casework.db.database import open_database

    db = open_database(template, key, now=NOW)
    try:
        data = bundle.export_bundle(db, SYSTEM_ACTOR, now=NOW)
    finally:
        db.close()
    (base / "template" / "bundle.json").write_text(json.dumps(data))
    prefix = _as_user()
    env = {
        **os.environ,
        "CASEWORK_PASSPHRASE": PASSPHRASE,
        "CASEWORK_ADMIN_PASSWORD": "correct-staple-2026",
        "CASEWORK_TEAM_LEAD_PASSWORD": "correct-staple-2026",
        "CASEWORK_STATE_DIR": str(base / "state"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    env.pop("CASEWORK_DB", None)
    env.pop("CASEWORK_RECOVERY_CODE", None)
    env.pop("CASEWORK_DEBUG", None)

    def run(number: int, case: Case) -> tuple[str, Outcome | str]:
        if case.perm and prefix is None:
            return case.name, "cannot drop root's permission override here"
        folder = base / f"case{number:02d}"
        folder.mkdir()
        case.setup(folder, template)
        before = _snapshot(folder)
        argv = [str(ADMIN)] + [a.format(f=folder) for a in case.command]
        try:
            done = subprocess.run(
                (prefix or []) + argv,
                env={**env, **case.env},
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
            code: int | None = done.returncode
            err, out = done.stderr, done.stdout
        except subprocess.TimeoutExpired as exc:
            code, err, out = None, str(exc.stderr or ""), ""
        _open_up(folder)
        return case.name, Outcome(code, err, out, before, _snapshot(folder))

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(run, n, c) for n, c in enumerate(_cases(other_database))]
        return dict(f.result() for f in futures)


def _names() -> list[str]:
    return [c.name for c in _cases(Path("/nonexistent"))]


def _case(name: str) -> Case:
    return next(c for c in _cases(Path("/nonexistent")) if c.name == name)


def test_the_table_is_large_enough() -> None:
    assert len(_names()) >= 50
    assert len(set(_names())) == len(_names())


@pytest.mark.parametrize("name", _names())
def test_bad_file(name: str, bad_files_run: dict[str, Outcome | str]) -> None:
    outcome = bad_files_run[name]
    if isinstance(outcome, str):
        pytest.skip(outcome)
    case = _case(name)
    assert outcome.returncode is not None, f"hung for more than {TIMEOUT} s"
    assert outcome.returncode != 0, outcome.stdout
    assert "Traceback" not in outcome.stderr
    first = outcome.stderr.splitlines()[0] if outcome.stderr else ""
    assert first.startswith("casework-admin: "), outcome.stderr
    assert not re.search(r"\b\w+(Error|Exception)\b", first), first
    assert re.search(case.expect, first), first
    assert outcome.after == outcome.before, "files changed"
