"""Drills as tests: SIGKILLs during saves, damaged pages, a foreign journal, a killed
``init``. Hundreds of rounds of the first two run in ``bench/drills_bench.py``."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casework.db import engine as engines
from casework.db import keys
from casework.db.database import open_database, tidy, unlock
from tests.conftest import NOW, PASSPHRASE, PASSWORD
from tests.drills import damage_drill

ROOT = Path(__file__).resolve().parents[2]
KILL_ROUNDS = 24


def _copy(template: Path, folder: Path, name: str = "c.db") -> Path:
    target = folder / name
    shutil.copyfile(template, target)
    shutil.copyfile(keys.sidecar_path(template), keys.sidecar_path(target))
    return target


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the drill forks its writers")
def test_kill_during_saves_loses_no_acknowledged_save(empty_template: Path, tmp_path: Path) -> None:
    path = _copy(empty_template, tmp_path)
    env = {**os.environ, "CASEWORK_PASSPHRASE": PASSPHRASE, "CASEWORK_DRILL_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "tests.drills", "kill", str(path), "--rounds", str(KILL_ROUNDS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["lost"] == []
    assert report["chain_ok"], report["chain"]
    assert report["acknowledged"] >= KILL_ROUNDS  # the writers really were saving
    assert report["set_aside"] == 0  # a killed writer's own journal is never set aside


def test_every_damaged_page_is_reported_plainly(demo_template: Path, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    source = _copy(demo_template, tmp_path / "src")
    report = damage_drill(source, tmp_path, passphrase=PASSPHRASE, pages=16, seed=3)
    assert report.misses == []
    assert report.detected == report.pages == report.plain == report.unchanged


def _make_foreign_wal(other_template: Path, folder: Path) -> Path:
    """A -wal with frames written by another database (its writer killed before closing)."""
    other = _copy(other_template, folder, "other.db")
    key, _info = unlock(other, passphrase=PASSPHRASE)
    conn = engines.raw_connect(other, key)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE junk (x)")
    conn.execute("INSERT INTO junk VALUES (randomblob(50000))")
    wal = folder / "foreign-wal"
    shutil.copyfile(f"{other}-wal", wal)
    conn.close()
    return wal


def test_a_foreign_journal_is_set_aside_never_applied(
    empty_template: Path, demo_template: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    wal = _make_foreign_wal(demo_template, tmp_path)
    path = _copy(empty_template, work)
    shutil.copyfile(wal, f"{path}-wal")
    before = _hashes(work)
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    try:
        assert len(db.notes) == 1 and "set aside" in db.notes[0]
        with db.reading() as session:
            assert session.connection().exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
    finally:
        db.close()
    after = _hashes(work)
    kept = [name for name in after if ".set-aside-" in name and name.startswith("c.db-wal")]
    assert len(kept) == 1
    assert after[kept[0]] == before["c.db-wal"]  # kept unchanged
    assert after["c.db"] == before["c.db"]  # the main file was not rewritten


def test_a_stray_rollback_journal_is_set_aside(empty_template: Path, tmp_path: Path) -> None:
    path = _copy(empty_template, tmp_path)
    Path(f"{path}-journal").write_bytes(os.urandom(4096 * 3))
    before = path.read_bytes()
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    db.close()
    assert path.read_bytes() == before
    assert any(".set-aside-" in p.name for p in tmp_path.iterdir())


def test_a_foreign_journal_on_a_damaged_file_moves_nothing(
    empty_template: Path, demo_template: Path, tmp_path: Path
) -> None:
    from casework.errors import DatabaseDamaged, NotACaseworkDatabase

    work = tmp_path / "work"
    work.mkdir()
    wal = _make_foreign_wal(demo_template, tmp_path)
    path = _copy(empty_template, work)
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    shutil.copyfile(wal, f"{path}-wal")
    before = _hashes(work)
    key, info = unlock(path, passphrase=PASSPHRASE)
    # Where the flipped byte lands depends on the schema's layout: a damaged schema page
    # fails the first keyed read (damaged, or not this key's file), a damaged data page the
    # page check. Either way the message says damaged and nothing is moved.
    with pytest.raises((DatabaseDamaged, NotACaseworkDatabase), match="damaged"):
        open_database(path, key, info=info, now=NOW)
    assert _hashes(work) == before


def test_a_live_journal_of_another_process_is_left_alone(
    empty_template: Path, tmp_path: Path
) -> None:
    path = _copy(empty_template, tmp_path)
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from casework.db.database import unlock, open_database\n"
        f"p = Path({str(path)!r})\n"
        f"key, info = unlock(p, passphrase={PASSPHRASE!r})\n"
        "db = open_database(p, key, info=info)\n"
        "from sqlalchemy import text\n"
        "with db.unit_of_work() as s:\n"
        "    s.execute(text(\"INSERT INTO settings (key, value) VALUES ('live', 'yes')\"))\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        key, info = unlock(path, passphrase=PASSPHRASE)
        db = open_database(path, key, info=info, now=NOW)
        try:
            assert db.notes == []
            with db.reading() as session:
                live = session.connection().exec_driver_sql(
                    "SELECT value FROM settings WHERE key = 'live'"
                )
                assert live.scalar() == "yes"
        finally:
            db.close()
    finally:
        child.kill()
        child.wait()


def test_a_killed_init_leaves_nothing_or_a_whole_database(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CASEWORK_PASSPHRASE": PASSPHRASE,
        "CASEWORK_ADMIN_PASSWORD": PASSWORD,
        "CASEWORK_TEAM_LEAD_PASSWORD": PASSWORD,
        "CASEWORK_STATE_DIR": str(tmp_path / "state"),
    }
    admin = Path(sys.executable).with_name("casework-admin")
    outcomes = set()
    for n, delay in enumerate((0.45, 0.6, 0.75, 0.9, 1.1)):
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        path = folder / "c.db"
        child = subprocess.Popen(
            [
                str(admin),
                "init",
                "--path",
                str(path),
                "--admin",
                "admin",
                "--team",
                "North",
                "--team-lead",
                "lead",
                "--passphrase-mode",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        tidy(path)  # what the next start does
        left = sorted(p.name for p in folder.iterdir())
        if left:
            assert left == ["c.db", "c.db.keys.json"], left
            key, info = unlock(path, passphrase=PASSPHRASE)
            open_database(path, key, info=info, now=NOW).close()
            outcomes.add("whole")
        else:
            outcomes.add("nothing")
    assert outcomes  # each run ended in one of the two allowed states


def test_init_killed_between_its_two_links_is_rolled_back(
    empty_template: Path, tmp_path: Path
) -> None:
    """The exact state a kill between linking the key file and the database leaves."""
    from casework.db import files

    path = tmp_path / "c.db"
    stage = tmp_path / f".c.db{files.TEMP_MARK}999999999-abc"
    stage.mkdir()
    _copy(empty_template, stage)
    os.link(keys.sidecar_path(stage / "c.db"), keys.sidecar_path(path))
    tidy(path)
    assert list(tmp_path.iterdir()) == []
