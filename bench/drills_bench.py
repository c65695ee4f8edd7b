"""Drills at scale: hundreds of SIGKILLs during saves and a hundred-odd damaged pages.

    .venv/bin/python bench/drills_bench.py [--kills 300] [--pages 120]

Prints how many acknowledged saves survived the kills (all must), whether the audit
chain held, how many damaged pages ``casework-admin info`` reported plainly, and how
long each drill took. The same drills run with a few rounds in ``make test``
(tests/db/test_drills.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _data import NOW, PASSPHRASE, PASSWORD, demo_database, fresh_copy  # noqa: E402

from casework.db.database import open_database, unlock  # noqa: E402
from casework.services import users  # noqa: E402
from tests.drills import damage_drill, kill_drill  # noqa: E402


def _lead(path: Path) -> str:
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info)
    try:
        from casework.services.permissions import SYSTEM_ACTOR, Role

        leads = [u for u in users.list_users(db, SYSTEM_ACTOR, now=NOW) if u.role == Role.TEAM_LEAD]
        return str(leads[0].username)
    finally:
        db.close()


def _clean_open_ms(path: Path, runs: int = 7) -> float:
    import statistics
    import time

    key, info = unlock(path, passphrase=PASSPHRASE)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        open_database(path, key, info=info).close()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--pages", type=int, default=120)
    args = parser.parse_args()
    source = demo_database(300)
    target = fresh_copy(source, "drill-kill.db")
    if not hasattr(os, "fork"):
        print("kill drill: needs fork (Linux or macOS)")
        return 0
    kills = kill_drill(
        target,
        passphrase=PASSPHRASE,
        password=PASSWORD,
        rounds=args.kills,
        seed=11,
        username=_lead(target),
    )
    print(
        f"kill drill: {kills.rounds} SIGKILLs during saves, {kills.acknowledged} acknowledged "
        f"saves, {len(kills.lost)} lost, audit chain {'intact' if kills.chain_ok else 'BROKEN'} "
        f"({kills.chain}), {kills.set_aside} journals set aside, {kills.seconds:.1f} s"
    )
    size_mb = target.stat().st_size / 1e6
    print(
        f"opening after a kill (the writer's journal tried on a private copy first): median "
        f"{kills.reopen_ms_median:.0f} ms on a {size_mb:.1f} MB database; a clean open: "
        f"{_clean_open_ms(target):.0f} ms"
    )
    work = Path(tempfile.mkdtemp(prefix="drill-damage-", dir=HERE / "out"))
    try:
        damage = damage_drill(source, work, passphrase=PASSPHRASE, pages=args.pages, seed=5)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"page-damage drill: {damage.pages} pages damaged one at a time, {damage.detected} "
        f"detected, {damage.plain} with a plain message, {damage.unchanged} copies left "
        "unchanged by the check"
    )
    for miss in damage.misses[:10]:
        print(f"  missed: {miss}")
    ok = not kills.lost and kills.chain_ok and damage.detected == damage.pages
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
