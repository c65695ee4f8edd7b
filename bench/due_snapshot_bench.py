"""The due snapshot's effect on "My work" for a team lead, measured in one process so the
machine's load falls alike on every variant.

On the shared 5,000-young-person dataset (``bench/_data.py``), for ``lead.north``'s
"My team's work" (about 1,700 young people), it times ``casework.services.due.my_work``
in turn, ``--runs`` times each:

* ENGINE ONLY: every young person's items computed by the engine, nothing read or stored
  (what "My work" did before the snapshot);
* COLD: every snapshot deleted first, so the engine computes everyone and the snapshots
  are stored (the first open of a day when the warm-up has not run);
* WARM: today's snapshots read.

Medians, with the load average before and after (the machine may be shared).

    .venv/bin/python bench/due_snapshot_bench.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import NOW, PASSWORD
from caseload_bench import database

import casework.services.due as due
from casework.db.due_snapshots import invalidate
from casework.services import auth, demo


def engine_only(session: Any, selection: Any, today: date) -> dict[int, Any]:
    """The engine for everyone in the selection: no snapshot read or stored."""
    return {pid: s.items for pid, s in due.statuses_in(session, selection, today).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    db = database(5000)
    lead = auth.login(db, demo.DEMO_LEAD_USERNAME, PASSWORD, now=NOW)
    with_snapshot = due._due_today
    times: dict[str, list[float]] = {"ENGINE ONLY": [], "COLD": [], "WARM": []}
    expected = due.my_work(db, lead, now=NOW, team=True)  # warm-up: imports, caches

    def timed(label: str) -> None:
        started = time.perf_counter()
        got = due.my_work(db, lead, now=NOW, team=True)
        times[label].append((time.perf_counter() - started) * 1000)
        assert got == expected, f"{label} gave a different answer"

    try:
        for _ in range(args.runs):
            due._due_today = engine_only  # type: ignore[assignment]
            timed("ENGINE ONLY")
            due._due_today = with_snapshot
            with db.unit_of_work() as session:
                invalidate(session.connection(), None)
            timed("COLD")
            timed("WARM")
    finally:
        due._due_today = with_snapshot
        db.close()
    print(f"Team lead 'lead.north', My team's work: {len(expected):,} items")
    for label, spent in times.items():
        runs = ", ".join(f"{t:.0f}" for t in spent)
        print(f"  {label:12s} median {statistics.median(spent):7.1f} ms   runs: {runs}")
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
