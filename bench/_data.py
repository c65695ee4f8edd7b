"""Benchmark datasets: demo databases made once under bench/out/ (gitignored) and reused."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from casework.db import keys
from casework.services import demo

OUT = Path(__file__).resolve().parent / "out"
PASSPHRASE = "benchmark passphrase, not a secret"
PASSWORD = "benchmark-password-2026"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def demo_database(people: int, seed: int = 1, contacts_per_year: float = 10.0) -> Path:
    """Path of a passphrase-mode demo database with ``people`` young people (made if absent).

    It uses the production key-derivation parameters, so unlock timings are real.
    """
    OUT.mkdir(exist_ok=True)
    path = OUT / f"demo-{people}-{seed}-{contacts_per_year:g}.db"
    if path.exists() and keys.sidecar_path(path).exists():
        return path
    for stale in OUT.glob(f"{path.name}*"):
        stale.unlink()
    db, _code, _summary = demo.create_demo_database(
        path,
        now=NOW,
        password=PASSWORD,
        people=people,
        seed=seed,
        passphrase=PASSPHRASE,
        contacts_per_year=contacts_per_year,
    )
    db.close()
    return path


def fresh_copy(path: Path, name: str) -> Path:
    """A copy to benchmark writes on, leaving the shared dataset untouched."""
    target = OUT / name
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{target}{suffix}"):
            os.unlink(f"{target}{suffix}")
    shutil.copy2(path, target)
    shutil.copy2(keys.sidecar_path(path), keys.sidecar_path(target))
    return target
