"""The front-door queue with 20,000 safeguarding contacts received in the last year.

Adds the contacts (about 2% still awaiting a decision) to a copy of the shared
5,000-young-person dataset, then times ``front_door.queue`` for lead.north and, in an
offscreen QApplication, the front-door screen from construction to its first rows.

    .venv/bin/python bench/front_door_bench.py [--contacts 20000] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import NOW, PASSPHRASE, PASSWORD, demo_database, fresh_copy
from sqlalchemy import func, insert, select

from casework.clock import to_naive_utc
from casework.db.database import open_database, unlock
from casework.db.models import SafeguardingContact, User, YoungPerson
from casework.services import auth, front_door


def _fill(db, count: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(4)
    now = to_naive_utc(NOW)
    with db.unit_of_work() as session:
        ids = list(session.scalars(select(YoungPerson.id)))
        lead = session.scalar(select(User.id).where(User.username == "lead.north"))
        rows = []
        for _ in range(count):
            received = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            waiting = rng.random() < 0.02
            rows.append(
                {
                    "young_person_id": rng.choice(ids),
                    "received_at": received,
                    "source": "6",
                    "referrer_name": "",
                    "referrer_contact": "",
                    "reported": "Concern reported.",
                    "factors": "11A",
                    "already_known": True,
                    "recorded_by": lead,
                    "decision": None if waiting else "nfa",
                    "rationale": "" if waiting else "Considered.",
                    "decided_by": None if waiting else lead,
                    "decided_at": None if waiting else received + timedelta(hours=5),
                    "referral_id": None,
                }
            )
        for start in range(0, len(rows), 5000):
            session.execute(insert(SafeguardingContact), rows[start : start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    path = fresh_copy(demo_database(5000, contacts_per_year=40), "front-door.db")
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    _fill(db, args.contacts)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(SafeguardingContact))
        waiting = session.scalar(
            select(func.count())
            .select_from(SafeguardingContact)
            .where(SafeguardingContact.decided_at.is_(None))
        )
    lead = auth.login(db, "lead.north", PASSWORD, now=NOW)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        items = front_door.queue(db, lead, now=NOW)
        times.append(time.perf_counter() - start)
    print(f"Front door: {total} safeguarding contacts, {waiting} awaiting a decision")
    print(
        f"  queue for lead.north (core)           {statistics.median(times) * 1000:8.1f} ms"
        f"  {len(items)} items"
    )
    _screen(db, lead, args.runs)
    db.close()


def _screen(db, lead, runs: int) -> None:  # type: ignore[no-untyped-def]
    try:
        from ui.views.front_door import FrontDoorView
    except ImportError:
        print("  (the front-door screen is not built yet)")
        return
    from PySide6.QtCore import QElapsedTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    times = []
    for _ in range(runs):
        timer = QElapsedTimer()
        timer.start()
        view = FrontDoorView(db, lead, lambda: NOW)
        view.show()
        while view.model.rowCount() == 0 and timer.elapsed() < 10_000:
            app.processEvents()
        app.processEvents()
        times.append(timer.elapsed())
        view.clear()
        view.deleteLater()
    print(f"  front-door screen to first rows        {statistics.median(times):8.1f} ms")


if __name__ == "__main__":
    main()
