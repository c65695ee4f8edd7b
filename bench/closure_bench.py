"""Closure checks on the shared 5,000-young-person dataset (about 272,000 contacts).

Times, as medians over ``--runs``:
- every check for one young person: ``closure.overview`` (permission check, the facts
  from a dozen tables, the fourteen checks and the evidence fingerprint) for each of a
  sample of young people, and ``closure.preview_checks`` for a complete request form;
- every check for every open case: ``closure.check_open_cases``, which reads each table
  once for all of them.

    .venv/bin/python bench/closure_bench.py [--runs 5] [--sample 50]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import NOW, PASSPHRASE, PASSWORD, demo_database, fresh_copy
from sqlalchemy import func, select

from casework.db.database import open_database, unlock
from casework.db.models import Contact, YoungPerson
from casework.services import auth, closure
from casework.services.people import CaseloadQuery, caseload_ids
from casework.services.permissions import SYSTEM_ACTOR

FORM = closure.ClosureInput(
    reason="CLNR",
    why_open="Care leaver.",
    what_changed="Settled.",
    agencies_involved="None.",
    if_concerns_return="Duty line.",
    young_person_views="Agrees.",
)


def _median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=50)
    args = parser.parse_args()
    path = fresh_copy(demo_database(5000, contacts_per_year=40), "closure.db")
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    with db.reading() as session:
        people = session.scalar(select(func.count()).select_from(YoungPerson))
        open_cases = session.scalar(
            select(func.count()).select_from(YoungPerson).where(YoungPerson.closed_on.is_(None))
        )
        contacts = session.scalar(select(func.count()).select_from(Contact))
    lead = auth.login(db, "lead.north", PASSWORD, now=NOW)
    ids = caseload_ids(db, lead, CaseloadQuery(), now=NOW)
    sample = random.Random(5).sample(ids, min(args.sample, len(ids)))
    print(f"Closure checks: {people} young people ({open_cases} open), {contacts} contacts")

    per_person = [
        _median_ms(lambda pid=pid: closure.overview(db, lead, pid, now=NOW), args.runs)
        for pid in sample
    ]
    print(
        f"  one young person, overview   median {statistics.median(per_person):7.1f} ms"
        f"   worst of {len(sample)}: {max(per_person):7.1f} ms"
    )
    preview = [
        _median_ms(lambda pid=pid: closure.preview_checks(db, lead, pid, FORM, now=NOW), args.runs)
        for pid in sample
    ]
    print(
        f"  one young person, form check median {statistics.median(preview):7.1f} ms"
        f"   worst of {len(sample)}: {max(preview):7.1f} ms"
    )
    results: dict[int, list[object]] = {}

    def every_open_case() -> None:
        results.update(closure.check_open_cases(db, SYSTEM_ACTOR, now=NOW))

    whole = _median_ms(every_open_case, max(1, args.runs // 2))
    print(f"  every open case ({len(results)})     {whole / 1000:7.2f} s")
    db.close()


if __name__ == "__main__":
    main()
