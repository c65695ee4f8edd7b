"""What vouching for every record costs, on the shared 5,000-young-person dataset (about
272,000 contacts).

Times, as medians over ``--runs``:
- ``verify_chain``: walking the whole hash chain, with the check that the newest row of
  every table was recorded (``casework-admin verify-audit``);
- ``verify_records``: hashing every row and matching it to its latest event
  (``verify-audit --records``);
- the per-action account check that makes a session follow its account
  (``common.require_current``);
- one audited write (a follow-up action added and its event with the row hash).

    .venv/bin/python bench/audit_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import NOW, PASSPHRASE, PASSWORD, demo_database, fresh_copy
from sqlalchemy import func, select

from casework.db.database import open_database, unlock
from casework.db.models import AuditEvent
from casework.services import audit, auth, contacts
from casework.services.common import require_current
from casework.services.people import CaseloadQuery, caseload_ids


def _median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = fresh_copy(demo_database(5000, contacts_per_year=40), "audit.db")
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    with db.reading() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))

    def chain() -> None:
        with db.reading() as session:
            assert audit.verify_chain(session).ok

    def records() -> None:
        with db.reading() as session:
            assert audit.verify_records(session) == []

    lead = auth.login(db, "lead.north", PASSWORD, now=NOW)
    pid = caseload_ids(db, lead, CaseloadQuery(), now=NOW)[0]

    def account() -> None:
        require_current(db, lead, now=NOW)

    def write() -> None:
        item = contacts.FollowUpInput("Check the tenancy paperwork.", NOW.date() + timedelta(7))
        contacts.add_follow_up(db, lead, pid, item, now=NOW)

    print(f"dataset: {events:,} audit events")
    print(f"verify_chain: {_median_ms(chain, args.runs):.0f} ms")
    print(f"verify_records: {_median_ms(records, args.runs):.0f} ms")
    print(f"account check per action: {_median_ms(account, 200):.2f} ms")
    print(f"one audited write (follow-up action): {_median_ms(write, 50):.1f} ms")
    db.close()


if __name__ == "__main__":
    main()
