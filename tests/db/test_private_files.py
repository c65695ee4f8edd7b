"""Every file Casework writes is owner-only whatever the umask (files 0600, folders 0700),
temporary files are gone after the next start, and backups restore to a new place only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from casework.db import files, keys
from casework.db.database import open_database, tidy, unlock
from casework.errors import DatabaseAlreadyExists
from casework.services import audit, backup
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSPHRASE, PASSWORD, Opened

ADMIN = Path(sys.executable).with_name("casework-admin")


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ADMIN), *args], env=env, capture_output=True, text=True, timeout=120, umask=0
    )


def _loose(root: Path) -> list[str]:
    """Everything under ``root`` that anyone but its owner could read or enter."""
    found = []
    for folder, dirs, names in os.walk(root):
        for name in dirs:
            mode = stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode)
            if mode != 0o700:
                found.append(f"{name}/ {mode:o}")
        for name in names:
            mode = stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode)
            if mode & 0o077:
                found.append(f"{name} {mode:o}")
    return found


def test_every_file_written_is_private_under_umask_000(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir(mode=0o700)
    env = {
        **os.environ,
        "CASEWORK_PASSPHRASE": PASSPHRASE,
        "CASEWORK_ADMIN_PASSWORD": PASSWORD,
        "CASEWORK_TEAM_LEAD_PASSWORD": PASSWORD,
        "CASEWORK_STATE_DIR": str(root / "state"),
    }
    db = root / "data" / "deeper" / "c.db"
    steps = [
        [
            "init",
            "--path",
            str(db),
            "--admin",
            "admin",
            "--team",
            "North",
            "--team-lead",
            "lead",
            "--passphrase-mode",
        ],
        ["export", str(root / "export.json"), "--path", str(db)],
        ["export", str(root / "export.json"), "--force", "--path", str(db)],
        ["backup", str(root / "b.db"), "--path", str(db)],
        ["restore", str(root / "b.db"), "--path", str(root / "restored" / "r.db")],
        ["verify-audit", "--path", str(root / "restored" / "r.db")],
    ]
    for args in steps:
        done = _cli(args, env)
        assert done.returncode == 0, (args[0], done.stderr)
    # A database held open: SQLite's own -wal and -shm, and an automatic backup.
    old = os.umask(0)
    try:
        key, info = unlock(db, passphrase=PASSPHRASE)
        opened = open_database(db, key, info=info, now=NOW)
        try:
            with opened.unit_of_work() as session:
                audit.record(session, SYSTEM_ACTOR, "test", now=NOW)
            assert Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
            assert _loose(root) == []
            assert backup.backup_if_due(opened, now=NOW) is not None
        finally:
            opened.close()
    finally:
        os.umask(old)
    assert _loose(root) == []
    names = {p.name for p in root.rglob("*")}
    assert {"c.db", "c.db.keys.json", "export.json", "b.db", "b.db.keys.json", "r.db"} <= names
    assert not [n for n in names if files.TEMP_MARK in n]


def test_a_killed_writers_temporary_files_go_at_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(files.ENV_STATE_DIR, str(tmp_path / "state"))
    dead = 999_999_999  # above any pid the kernel hands out
    elsewhere = tmp_path / "Documents"
    elsewhere.mkdir()
    half_export = elsewhere / f".{files.TEMP_MARK}{dead}-abc"
    half_export.write_text("personal data")
    pending = files.private_dir(tmp_path / "state" / "pending")
    (pending / f"{files.TEMP_MARK}{dead}-def").write_text(str(half_export))
    data = tmp_path / "data"
    data.mkdir()
    db = data / "c.db"
    half_keys = data / f"c.db.keys.json{files.TEMP_MARK}{dead}-123"
    half_keys.write_text("{}")
    half_check = data / f".c.db{files.TEMP_MARK}{dead}-456-x"
    half_check.mkdir()
    (half_check / "check.db").write_bytes(b"x" * 4096)
    mine = data / f".c.db{files.TEMP_MARK}{os.getpid()}-789-x"  # still being written
    mine.mkdir()
    tidy(db)
    assert not half_export.exists() and list(pending.iterdir()) == []
    assert not half_keys.exists() and not half_check.exists()
    assert mine.exists()


def test_private_output_leaves_nothing_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    with pytest.raises(RuntimeError), files.private_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the printer stopped")
    assert list(tmp_path.iterdir()) == []


def test_backup_restore_round_trip(demo_db: Opened, tmp_path: Path) -> None:
    target = tmp_path / "copies" / "b.db"
    target.parent.mkdir()
    result = backup.backup_database(demo_db.db, target, now=NOW)
    assert result.chain_ok
    with pytest.raises(DatabaseAlreadyExists):
        backup.backup_database(demo_db.db, target, now=NOW)
    restored = tmp_path / "new" / "r.db"
    chain = backup.restore_backup(target, restored, key=demo_db.db.key, now=NOW)
    assert chain.ok
    with pytest.raises(DatabaseAlreadyExists):
        backup.restore_backup(target, restored, key=demo_db.db.key, now=NOW)
    with pytest.raises(DatabaseAlreadyExists):
        backup.restore_backup(target, demo_db.path, key=demo_db.db.key, now=NOW)
    key, info = unlock(restored, passphrase=PASSPHRASE)
    db = open_database(restored, key, info=info, now=NOW)
    try:
        with db.reading() as session, demo_db.db.reading() as live:
            assert audit.verify_chain(session).events + 1 == audit.verify_chain(live).events
            assert audit.verify_records(session) == []
            tables = ["young_people", "contacts", "users", "audit_events"]
            for table in tables:
                sql = f"SELECT count(*) FROM {table}"
                here = session.connection().exec_driver_sql(sql).scalar()
                there = live.connection().exec_driver_sql(sql).scalar()
                assert here == there or table == "audit_events"
    finally:
        db.close()


def test_restore_on_a_new_computer_with_the_recovery_code(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CASEWORK_PASSPHRASE": PASSPHRASE,
        "CASEWORK_ADMIN_PASSWORD": PASSWORD,
        "CASEWORK_TEAM_LEAD_PASSWORD": PASSWORD,
        "CASEWORK_STATE_DIR": str(tmp_path / "state"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    db = tmp_path / "c.db"
    made = _cli(
        [
            "init",
            "--path",
            str(db),
            "--admin",
            "admin",
            "--team",
            "North",
            "--team-lead",
            "lead",
            "--passphrase-mode",
        ],
        env,
    )
    code = next(ln.split(": ", 1)[1] for ln in made.stdout.splitlines() if "Recovery code" in ln)
    assert _cli(["backup", str(tmp_path / "b.db"), "--path", str(db)], env).returncode == 0
    new_laptop = {
        **env,
        "CASEWORK_RECOVERY_CODE": code,
        "CASEWORK_PASSPHRASE": "a new passphrase here",
    }
    done = _cli(
        ["restore", str(tmp_path / "b.db"), "--path", str(tmp_path / "n" / "n.db")], new_laptop
    )
    assert done.returncode == 0, done.stderr
    check = _cli(["verify-audit", "--path", str(tmp_path / "n" / "n.db")], new_laptop)
    assert check.returncode == 0 and "ok" in check.stdout


def test_automatic_backups_are_daily_and_rotated(empty_db: Opened) -> None:
    db = empty_db.db
    assert backup.backup_if_due(db, now=NOW) is not None
    assert backup.backup_if_due(db, now=NOW + timedelta(hours=23)) is None
    for day in range(1, 10):
        assert backup.backup_if_due(db, now=NOW + timedelta(days=day)) is not None
    kept = backup.list_backups(db.path)
    assert len(kept) == backup.KEEP_DEFAULT
    assert kept[-1][0] == (NOW + timedelta(days=9)).replace(microsecond=0)
    for _when, path in kept:
        assert keys.sidecar_path(path).exists()
    leftovers = [p for p in backup.backups_folder(db.path).iterdir() if p.suffix == ".db"]
    assert len(leftovers) == backup.KEEP_DEFAULT
