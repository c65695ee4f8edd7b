"""The due engine behind "My work", timed in CPU time as well as elapsed time.

On a machine shared with other work the elapsed times of ``my_work_bench.py`` swing by a
third from run to run; the CPU time this process spends is far steadier, so it is the
fairer figure for comparing two versions of the engine on the same machine. On the shared
5,000-young-person dataset (``bench/_data.py``) it runs ``casework.services.due.my_work``
for the busiest practitioner and for the demo team lead's "My team's work" (this thread,
no screen) and prints, per role, the median and the fastest of ``--runs`` runs after one
warm-up.

    .venv/bin/python bench/my_work_cpu_bench.py [--people 5000] [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import NOW, PASSWORD
from caseload_bench import database
from my_work_bench import busiest_practitioner

from casework.db.database import Database
from casework.services import auth, demo
from casework.services.due import my_work
from casework.services.permissions import Actor


def timed(db: Database, actor: Actor, team: bool) -> tuple[float, float]:
    """(elapsed ms, CPU ms) of one ``my_work`` call."""
    wall, cpu = time.perf_counter(), time.process_time()
    my_work(db, actor, now=NOW, team=team)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    db = database(args.people)
    try:
        username, _name, cases = busiest_practitioner(db)
        roles = [
            (
                f"practitioner '{username}' ({cases} cases)",
                auth.login(db, username, PASSWORD, now=NOW),
                False,
            ),
            (
                f"team lead '{demo.DEMO_LEAD_USERNAME}', My team's",
                auth.login(db, demo.DEMO_LEAD_USERNAME, PASSWORD, now=NOW),
                True,
            ),
        ]
        for label, actor, team in roles:
            timed(db, actor, team)  # warm-up
            runs = [timed(db, actor, team) for _ in range(args.runs)]
            wall = [r[0] for r in runs]
            cpu = [r[1] for r in runs]
            print(
                f"{label}: elapsed median {statistics.median(wall):6.1f} ms "
                f"(fastest {min(wall):6.1f}); CPU median {statistics.median(cpu):6.1f} ms "
                f"(fastest {min(cpu):6.1f})"
            )
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
