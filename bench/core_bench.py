"""Core timings on a 5,000-young-person database (no Qt): unlock, open, sign in, caseload,
record, search, audit verification. Prints the median of several runs of each step.

    .venv/bin/python bench/core_bench.py [--people 5000] [--runs 7]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import NOW, PASSPHRASE, PASSWORD, demo_database
from sqlalchemy import func, select

from casework.db.database import open_database, unlock
from casework.db.models import Contact
from casework.reports.info import database_info
from casework.services import audit, auth, chronology, contacts, due, people
from casework.services.people import CaseloadQuery, SortKey
from casework.services.users import list_teams


def timed(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--contacts-per-year",
        type=float,
        default=40.0,
        help="40 gives about 250,000 contacts for 5,000 young people",
    )
    args = parser.parse_args()
    path = demo_database(args.people, contacts_per_year=args.contacts_per_year)
    rows: list[tuple[str, float, str]] = []

    ms, (key, info) = timed(3, lambda: unlock(path, passphrase=PASSPHRASE))
    rows.append(("unlock (Argon2id 64 MiB, 3 passes)", ms, ""))
    ms, _ = timed(args.runs, lambda: open_database(path, key, info=info, now=NOW).close())
    rows.append(("open database (probe, checks, self-test)", ms, ""))
    db = open_database(path, key, info=info, now=NOW)
    ms, lead = timed(3, lambda: auth.login(db, "lead.north", PASSWORD, now=NOW))
    rows.append(("sign in (Argon2id verify + audit)", ms, ""))
    ms, ids = timed(args.runs, lambda: people.caseload_ids(db, lead, CaseloadQuery(), now=NOW))
    rows.append(("caseload ids, sorted by name", ms, f"{len(ids)} young people"))
    ms, _ = timed(
        args.runs,
        lambda: people.caseload_ids(
            db, lead, CaseloadQuery(sort=SortKey.PERSONAL_ADVISER, descending=True), now=NOW
        ),
    )
    rows.append(("caseload ids, sorted by personal adviser desc", ms, ""))
    ms, _ = timed(args.runs, lambda: people.caseload_rows(db, lead, ids[:100], today=NOW.date()))
    rows.append(("first page of 100 caseload rows", ms, ""))
    everyone = dataclasses.replace(lead, led_team_ids=frozenset(t.id for t in list_teams(db)))
    ms, all_ids = timed(
        args.runs, lambda: people.caseload_ids(db, everyone, CaseloadQuery(), now=NOW)
    )
    rows.append(("caseload ids, a lead of every team", ms, f"{len(all_ids)} young people"))
    ms, _ = timed(
        args.runs, lambda: people.caseload_rows(db, everyone, all_ids[:100], today=NOW.date())
    )
    rows.append(("first page of 100 rows of that caseload", ms, ""))
    ms, found = timed(
        args.runs, lambda: people.caseload_ids(db, lead, CaseloadQuery(search="sm"), now=NOW)
    )
    rows.append(("search 'sm'", ms, f"{len(found)} matches"))
    ms, _ = timed(args.runs, lambda: people.open_record(db, lead, ids[len(ids) // 2], now=NOW))
    rows.append(("open a record (audited write)", ms, ""))

    person = ids[len(ids) // 2]

    def open_whole_record() -> int:
        people.open_record(db, lead, person, now=NOW)
        due.person_status(db, lead, person, now=NOW)
        return len(contacts.list_contacts(db, lead, person, now=NOW))

    ms, count = timed(args.runs, open_whole_record)
    rows.append(("record: details + status + contacts", ms, f"{count} contacts shown"))
    ms, events = timed(args.runs, lambda: chronology.chronology(db, lead, person, now=NOW))
    rows.append(("record: chronology", ms, f"{len(events)} events"))
    ms, work = timed(args.runs, lambda: due.my_work(db, lead, now=NOW, team=True))
    rows.append(("my work, lead.north's whole team", ms, f"{len(work)} items"))
    ms, _ = timed(args.runs, lambda: due.case_statuses(db, lead, ids[:100], now=NOW))
    rows.append(("caseload page of 100: status columns", ms, ""))

    def verify() -> audit.ChainReport:
        with db.reading() as session:
            return audit.verify_chain(session)

    ms, report = timed(3, verify)
    rows.append(("verify audit chain", ms, f"{report.events} events"))
    ms, _ = timed(3, lambda: database_info(db))
    rows.append(("casework-admin info (integrity check + chain)", ms, ""))
    db.close()

    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(Contact))
    print(
        f"Core benchmark: {args.people} young people, {total} contacts, median of runs, {path.name}"
    )
    for name, value, note in rows:
        print(f"  {name:<48} {value:9.1f} ms  {note}")
    db.close()


if __name__ == "__main__":
    main()
