"""The SSDA903 care-leaver return and a subject access answer on a demo dataset.

Times, as medians over ``--runs``:
- ``ssda903.build_extract`` for the 2025-26 collection (everyone with a 17th to 21st
  birthday in the year: category, contacts, statuses, accommodation and activity read
  for them, the rules checked);
- ``subject_access.gather`` for one young person (every table that refers to them, and
  the audit events naming them) plus writing the JSON and the PDF.

    .venv/bin/python bench/ssda903_bench.py [--people 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import NOW, PASSPHRASE, demo_database
from sqlalchemy import select

from casework.db.database import open_database, unlock
from casework.db.models import YoungPerson
from casework.returns import ssda903
from casework.services import subject_access
from casework.services.permissions import SYSTEM_ACTOR


def _median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = demo_database(args.people)
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    try:
        extract = ssda903.build_extract(db, SYSTEM_ACTOR, 2026, now=NOW)
        ms = _median_ms(lambda: ssda903.build_extract(db, SYSTEM_ACTOR, 2026, now=NOW), args.runs)
        print(
            f"ssda903 2025-26, {args.people} young people: {len(extract.oc3)} in OC3, "
            f"{len(extract.breaches)} breaches, {ms:.0f} ms"
        )
        with db.reading() as session:
            pid = session.scalar(select(YoungPerson.id).order_by(YoungPerson.id))
        assert pid is not None

        def answer() -> None:
            got = subject_access.gather(db, SYSTEM_ACTOR, pid, now=NOW)
            with tempfile.TemporaryDirectory() as folder:
                subject_access.write_files(got, Path(folder))

        ms = _median_ms(answer, args.runs)
        got = subject_access.gather(db, SYSTEM_ACTOR, pid, now=NOW)
        print(
            f"subject access, one young person: {len(got.items)} records from "
            f"{len(got.tables)} tables, {len(got.audit_events)} audit events, JSON and PDF "
            f"written: {ms:.0f} ms"
        )
    finally:
        db.close()


if __name__ == "__main__":
    main()
