"""How long the caseload takes to show its first page on a 5,000-person database.

Uses the shared benchmark dataset (``bench/_data.py``: made once into ``bench/out/``, an
encrypted demo database of invented young people with about 40 contacts a year each,
some 250,000 contacts for 5,000 people), then, in an offscreen QApplication, times from
constructing ``CaseloadView`` to the first page of rows on screen: the id query, the
first page's rows and their statuses (in touch, next due, accommodation: the due engine)
arrive from a worker, the model is populated, and the visible rows are painted. Also
times reading a later page on the GUI thread (what scrolling costs) and that page's
statuses (read on a worker while the rows already show). Medians of several runs.

    .venv/bin/python bench/caseload_bench.py [--people 5000] [--runs 5] [--rebuild]

Two actors: the demo's team lead (one team, about a third of the people) and a lead of
every team (an Actor built here: nobody in the demo leads all three), who sees everyone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import NOW, PASSPHRASE, PASSWORD, demo_database

from casework.db import keys
from casework.db.database import Database, open_database, unlock
from casework.db.models import ContactSummary
from casework.services import auth, contact_summary, demo
from casework.services.due import case_statuses
from casework.services.permissions import Actor
from casework.services.users import list_teams

CONTACTS_PER_YEAR = 40
TARGET_MS = 300.0


def clock() -> datetime:
    return NOW


def database(people: int, rebuild: bool = False) -> Database:
    """The shared benchmark dataset, made on first use (about 25 s for 5,000 people)."""
    if rebuild:
        stale = demo_database(people, contacts_per_year=CONTACTS_PER_YEAR)
        for old in (stale, keys.sidecar_path(stale)):
            old.unlink(missing_ok=True)
    started = time.perf_counter()
    path = demo_database(people, contacts_per_year=CONTACTS_PER_YEAR)
    if time.perf_counter() - started > 1:
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    ensure_contact_summary(db)
    return db


def ensure_contact_summary(db: Database) -> None:
    """A dataset made before the contact summary existed has it empty, which would make
    almost everyone "not in touch"; fill it as the demo generator now does."""
    with db.reading() as session:
        if session.scalar(select(func.count()).select_from(ContactSummary)):
            return
    print("the dataset predates the contact summary: filling it in")
    with db.unit_of_work() as session:
        contact_summary.rebuild_all(session)


def wait_for(condition: Callable[[], bool], timeout_ms: int = 30_000) -> None:
    loop = QEventLoop()
    poll = QTimer(interval=1)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    QTimer.singleShot(timeout_ms, loop.quit)
    poll.start()
    if not condition():
        loop.exec()
    poll.stop()
    if not condition():
        raise SystemExit("the caseload did not load in time")


def one_run(db: Database, actor: Actor) -> tuple[float, float, float, int, int, float]:
    """(ms to model populated, ms to first page painted, ms per later page, count, cached,
    ms for a later page's statuses)."""
    from ui.views.caseload import CaseloadView

    loaded: list[float] = []
    started = time.perf_counter()
    view = CaseloadView(db, actor, clock)
    view.model.loaded.connect(lambda _count: loaded.append(time.perf_counter()))
    view.resize(1280, 800)
    view.show()
    wait_for(lambda: bool(loaded))
    assert view.model.data(view.model.index(0, 0))  # first row's data is there
    view.table.viewport().repaint()  # paint the visible rows now, synchronously
    painted = time.perf_counter()
    assert view.model.cached_status_count() > 0  # the statuses came with the first page
    assert not view.model.statuses_pending()  # ...so nothing painted said "Checking…"
    cached = view.model.cached_row_count()
    count = view.model.rowCount()
    page_ms = later_page_ms(view)
    status_ms = later_statuses_ms(db, actor, view)
    view.close()
    view.deleteLater()
    QApplication.processEvents()
    return (
        (loaded[0] - started) * 1000,
        (painted - started) * 1000,
        page_ms,
        count,
        cached,
        status_ms,
    )


def later_page_ms(view: object) -> float:
    """What scrolling costs: reading one not-yet-cached page on the GUI thread."""
    model = view.model  # type: ignore[attr-defined]
    if model.rowCount() <= model.page_size:
        return 0.0
    row = model.rowCount() - 1
    started = time.perf_counter()
    model.data(model.index(row, 0))
    return (time.perf_counter() - started) * 1000


def later_statuses_ms(db: Database, actor: Actor, view: object) -> float:
    """What a worker spends on one later page's statuses (the GUI thread does not wait)."""
    model = view.model  # type: ignore[attr-defined]
    ids = [model.id_at(row) for row in range(model.page_size, 2 * model.page_size)]
    ids = [i for i in ids if i is not None]
    if not ids:
        return 0.0
    started = time.perf_counter()
    case_statuses(db, actor, ids, now=NOW)
    return (time.perf_counter() - started) * 1000


def measure(db: Database, actor: Actor, label: str, runs: int) -> float:
    results = [one_run(db, actor) for _ in range(runs)]
    loaded = statistics.median(r[0] for r in results)
    painted = statistics.median(r[1] for r in results)
    page = statistics.median(r[2] for r in results)
    statuses = statistics.median(r[5] for r in results)
    count, cached = results[0][3], results[0][4]
    verdict = "within" if painted < TARGET_MS else "OVER"
    print(f"\n{label}: {count:,} young people listed")
    print(f"  constructed -> model populated   median {loaded:7.1f} ms")
    target = f"{verdict} the {TARGET_MS:.0f} ms target"
    print(f"  constructed -> first page shown  median {painted:7.1f} ms ({target})")
    print(f"  rows held after first paint     {cached} of {count:,}")
    print(f"  one later page read on scroll    median {page:7.1f} ms (GUI thread)")
    print(f"  that page's statuses             median {statuses:7.1f} ms (worker)")
    print("  runs (populated / shown ms): " + ", ".join(f"{r[0]:.0f}/{r[1]:.0f}" for r in results))
    return painted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="make the database afresh")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = database(args.people, args.rebuild)
    try:
        lead = auth.login(db, demo.DEMO_LEAD_USERNAME, PASSWORD, now=NOW)
        every_team = frozenset(t.id for t in list_teams(db))
        all_teams = replace(lead, username="bench.all-teams", led_team_ids=every_team)
        one_run(db, lead)  # warm-up: imports, statement caches, first connections
        worst = max(
            measure(db, lead, f"Team lead '{lead.username}' (one team)", args.runs),
            measure(db, all_teams, "A lead of every team (sees everyone)", args.runs),
        )
    finally:
        from ui import tasks

        tasks.wait_for_all()
        db.close()
    del app
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
