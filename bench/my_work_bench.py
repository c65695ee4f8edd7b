"""How long "My work" takes to show its first rows on a 5,000-young-person database.

Uses the shared benchmark dataset (``bench/_data.py``: 5,000 invented young people with
about 40 contacts a year each, some 270,000 contacts; made once into ``bench/out/``). In an
offscreen QApplication it times, from constructing ``MyWorkView`` until the first rows are
painted (the due engine runs on a worker, the model fills, the visible rows are drawn), for:

* the practitioner holding the most cases (as personal adviser or social worker), and
* the demo team lead ``lead.north`` with the default "My team's" view,

each twice: COLD, with every due snapshot deleted before each run (the first open of a day
when nothing was warmed: the engine computes everyone and stores their snapshots), and
WARM, with today's snapshots present (any later open, or the first one once the warm-up
the app starts at database open has finished). It also times the engine alone
(``casework.services.due.my_work`` on this thread), cold and warm, the warm-up itself
(``due_snapshot.warm`` for every young person), and re-measures the caseload's first page
with its status columns. Medians of ``--runs`` runs after one warm-up run. Targets: a
practitioner's first rows within 100 ms, a team lead's within 150 ms (warm), the
caseload's first page within 300 ms; the exit status is 1 if any is missed.

    .venv/bin/python bench/my_work_bench.py [--people 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, or_, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import NOW, PASSWORD
from caseload_bench import database
from caseload_bench import measure as measure_caseload

from casework.db.database import Database
from casework.db.due_snapshots import invalidate
from casework.db.models import User, YoungPerson
from casework.services import auth, demo, due_snapshot
from casework.services.due import my_work
from casework.services.permissions import Actor

TARGET_MS = 300.0  # the caseload's first page
PRACTITIONER_TARGET_MS = 100.0  # a practitioner's "My work" first rows
TEAM_LEAD_TARGET_MS = 150.0  # a team lead's "My team's work" first rows


def clock() -> datetime:
    return NOW


def wait_for(condition: Callable[[], bool], timeout_ms: int = 60_000) -> None:
    loop = QEventLoop()
    poll = QTimer(interval=1)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    QTimer.singleShot(timeout_ms, loop.quit)
    poll.start()
    if not condition():
        loop.exec()
    poll.stop()
    if not condition():
        raise SystemExit("My work did not load in time")


def busiest_practitioner(db: Database) -> tuple[str, str, int]:
    """(username, name, cases) of the practitioner allocated to the most young people."""
    with db.reading() as session:
        cases = (
            select(func.count(YoungPerson.id))
            .where(
                or_(
                    YoungPerson.personal_adviser_id == User.id,
                    YoungPerson.social_worker_id == User.id,
                )
            )
            .scalar_subquery()
        )
        row = session.execute(
            select(User.username, User.display_name, cases)
            .where(User.role == "practitioner", User.active.is_(True))
            .order_by(cases.desc())
            .limit(1)
        ).one()
    return row[0], row[1], int(row[2])


def one_run(db: Database, actor: Actor) -> tuple[float, float, int, int]:
    """(ms to rows in the model, ms to first rows painted, items, overdue)."""
    from ui.views.my_work import MyWorkView

    loaded: list[float] = []
    started = time.perf_counter()
    view = MyWorkView(db, actor, clock)
    view.loaded.connect(lambda _count: loaded.append(time.perf_counter()))
    view.resize(1280, 800)
    view.show()
    wait_for(lambda: bool(loaded))
    assert view.model.rowCount() > 0 and view.model.data(view.model.index(0, 0))
    view.table.viewport().repaint()  # paint the visible rows now, synchronously
    painted = time.perf_counter()
    items = view.model.all_items()
    overdue = sum(w.item.overdue for w in items)
    view.clear()
    view.close()
    view.deleteLater()
    QApplication.processEvents()
    return (loaded[0] - started) * 1000, (painted - started) * 1000, len(items), overdue


def forget(db: Database) -> None:
    """Delete every due snapshot: the next list computes from the records (a cold open)."""
    with db.unit_of_work() as session:
        invalidate(session.connection(), None)


def engine_ms(db: Database, actor: Actor, team: bool, *, cold: bool) -> float:
    if cold:
        forget(db)
    started = time.perf_counter()
    my_work(db, actor, now=NOW, team=team)
    return (time.perf_counter() - started) * 1000


def measure(db: Database, actor: Actor, label: str, runs: int, target: float) -> float:
    """Prints cold and warm figures; returns the warm median to first rows shown."""
    team = bool(actor.led_team_ids)
    print(f"\n{label}")
    warm_shown = 0.0
    for cold in (True, False):
        if cold:
            forget(db)
        one_run(db, actor)  # warm-up: imports, statement caches, connections
        results = []
        for _ in range(runs):
            if cold:
                forget(db)
            results.append(one_run(db, actor))
        engine = statistics.median(engine_ms(db, actor, team, cold=cold) for _ in range(runs))
        loaded = statistics.median(r[0] for r in results)
        painted = statistics.median(r[1] for r in results)
        items, overdue = results[0][2], results[0][3]
        verdict = "within" if painted < target else "OVER"
        print(
            f"  {'COLD (no snapshots)' if cold else 'WARM (snapshots of today)'}:"
            f" {items:,} items, {overdue:,} overdue"
        )
        print(f"    the engine alone (my_work)         median {engine:7.1f} ms")
        print(f"    constructed -> rows in the model   median {loaded:7.1f} ms")
        print(
            f"    constructed -> first rows shown    median {painted:7.1f} ms "
            f"({verdict} the {target:.0f} ms target)"
        )
        print(
            "    runs (in model / shown ms): "
            + ", ".join(f"{r[0]:.0f}/{r[1]:.0f}" for r in results)
        )
        if not cold:
            warm_shown = painted
    return warm_shown


def warm_up_ms(db: Database, runs: int) -> tuple[float, int]:
    """Median ms of ``due_snapshot.warm`` from no snapshots at all, and how many it stored."""
    times, stored = [], 0
    for _ in range(max(1, runs // 2)):
        forget(db)
        started = time.perf_counter()
        stored = due_snapshot.warm(db, now=NOW)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), stored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = database(args.people)
    try:
        username, name, cases = busiest_practitioner(db)
        pa = auth.login(db, username, PASSWORD, now=NOW)
        lead = auth.login(db, demo.DEMO_LEAD_USERNAME, PASSWORD, now=NOW)
        with db.reading() as session:
            team_people = session.scalar(
                select(func.count(YoungPerson.id)).where(YoungPerson.team_id.in_(lead.led_team_ids))
            )
        results = [
            measure(
                db,
                pa,
                f"Practitioner {name} ('{username}', {cases:,} cases)",
                args.runs,
                PRACTITIONER_TARGET_MS,
            )
            < PRACTITIONER_TARGET_MS,
            measure(
                db,
                lead,
                f"Team lead '{lead.username}', My team's ({team_people:,} young people)",
                args.runs,
                TEAM_LEAD_TARGET_MS,
            )
            < TEAM_LEAD_TARGET_MS,
        ]
        warm, stored = warm_up_ms(db, args.runs)
        print("\nWarm-up at database open (due_snapshot.warm, every young person):")
        print(f"  {stored:,} snapshots stored, median {warm:7.1f} ms")
        print("\nThe caseload's first page, with the status columns:")
        results.append(
            measure_caseload(db, lead, f"Team lead '{lead.username}' caseload", args.runs)
            < TARGET_MS
        )
    finally:
        from ui import tasks

        tasks.wait_for_all()
        db.close()
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (1 min)")
    del app
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
