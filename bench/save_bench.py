"""Time and transactions per save: the write use cases a worker uses most, on a copy of
the shared benchmark dataset (``bench/_data.py``).

For each use case it counts the transactions one call opens (every ``BEGIN`` the engine
issues, read snapshots and write transactions separately) and times the call (median of
``--runs`` calls after one warm-up). A use case that checks permission and writes in one
unit of work opens exactly one write transaction and no read snapshot.

    .venv/bin/python bench/save_bench.py [--people 1000] [--runs 30]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import NOW, PASSPHRASE, PASSWORD, demo_database, fresh_copy
from sqlalchemy import event, or_, select

from casework.db import engine as engines
from casework.db.database import Database, open_database, unlock
from casework.db.models import User, YoungPerson
from casework.services import auth, contacts, people
from casework.services.contacts import ContactInput, FollowUpInput


def counting(db: Database) -> Counter[str]:
    """A counter of the transactions the engine begins from now on, by kind."""
    seen: Counter[str] = Counter()

    def on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get(engines.READONLY_OPTION, False)
        seen["read" if readonly else "write"] += 1

    event.listen(db.engine, "begin", on_begin)
    return seen


def busiest(db: Database) -> tuple[str, int]:
    """(username, a young person on their caseload) of the busiest practitioner."""
    with db.reading() as session:
        row = session.execute(
            select(User.username, YoungPerson.id)
            .join(
                YoungPerson,
                or_(
                    YoungPerson.personal_adviser_id == User.id,
                    YoungPerson.social_worker_id == User.id,
                ),
            )
            .where(
                User.role == "practitioner",
                User.active.is_(True),
                YoungPerson.closed_on.is_(None),
            )
            .order_by(User.id, YoungPerson.id)
            .limit(1)
        ).one()
    return row[0], row[1]


def measure(
    label: str, seen: Counter[str], runs: int, call: Callable[[int], Any]
) -> tuple[float, Counter[str]]:
    call(-1)  # warm-up
    times = []
    per_call: Counter[str] = Counter()
    for n in range(runs):
        seen.clear()
        started = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - started) * 1000)
        per_call = Counter(seen)
    ms = statistics.median(times)
    print(
        f"  {label:<28} median {ms:6.2f} ms   transactions per call: "
        f"{per_call['write']} write, {per_call['read']} read"
    )
    return ms, per_call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    path = fresh_copy(demo_database(args.people), "save-bench.db")
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    username, person = busiest(db)
    actor = auth.login(db, username, PASSWORD, now=NOW)
    seen = counting(db)
    print(f"{args.people:,} young people; {username} saving on record {person}")

    draft = contacts.ContactInput(occurred_at=NOW - timedelta(hours=1), method="phone")
    made = contacts.save_draft(db, actor, person, draft, now=NOW)
    draft_id = made.ids[0]
    measure(
        "save a contact draft",
        seen,
        args.runs,
        lambda n: contacts.save_draft(
            db,
            actor,
            person,
            ContactInput(occurred_at=NOW - timedelta(hours=1), views=f"typed {n}"),
            contact_id=draft_id,
            now=NOW,
        ),
    )

    def finalise(n: int) -> None:
        data = ContactInput(
            occurred_at=NOW - timedelta(hours=2),
            method="phone",
            successful=True,
            discussed=f"talked about college {n}",
        )
        created = contacts.save_draft(db, actor, person, data, now=NOW)
        contacts.finalise(db, actor, person, created.ids[0], data, now=NOW)

    measure("start and finalise a contact", seen, args.runs, finalise)
    measure(
        "add a follow-up action",
        seen,
        args.runs,
        lambda n: contacts.add_follow_up(
            db, actor, person, FollowUpInput(f"ring back {n}", NOW.date()), now=NOW
        ),
    )

    def update(n: int) -> None:
        record = people.open_record(db, actor, person, now=NOW)
        preferred = f"Sam {n}" if n % 2 else None
        changed = dataclasses.replace(record.details, preferred_name=preferred)
        people.update_young_person(
            db, actor, person, changed, expected_version=record.version, now=NOW
        )

    measure("open and update a record", seen, args.runs, update)
    db.close()


if __name__ == "__main__":
    main()
