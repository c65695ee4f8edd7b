"""How long the Ofsted Annex A export and import take for a large service.

Dataset: the shared 5,000-young-person demo (``bench/_data.py``, made once under
``bench/out/``), copied, with invented front-door contacts and referrals added in bulk
until the 6 months before the inspection date hold ``--contacts`` contacts (20,000) and
``--referrals`` referrals (2,000). Then, each timed separately (medians of ``--runs``):

* export: the lists built from the record (``annex_a_export.export_annex_a``, completeness
  report included) and the ``.xlsx`` workbook written (the writing also timed alone);
* import: that workbook read, checked and imported into an empty database
  (``annex_a_import.import_annex_a``), all of it in one transaction.

Targets: export under 10 s, import under 30 s; the exit status is 1 if either is missed.

    .venv/bin/python bench/annex_a_bench.py [--people 5000] [--contacts 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import NOW, OUT, PASSPHRASE, PASSWORD, demo_database, fresh_copy
from sqlalchemy import func, insert, select

from casework.clock import local_today
from casework.db import keys
from casework.db.database import Database, create_database, open_database, unlock
from casework.db.models import Referral, SafeguardingContact, User, YoungPerson
from casework.domain.codes import ReferralSource
from casework.returns import annex_a, annex_a_export, annex_a_import
from casework.returns.annex_a_export import window_start
from casework.services import audit, setup
from casework.services.permissions import SYSTEM_ACTOR

EXPORT_TARGET_S = 10.0
IMPORT_TARGET_S = 30.0
_FAST = keys.KdfParams(time_cost=1, memory_kib=1024, parallelism=1)


def _open(path: Path) -> Database:
    key, info = unlock(path, passphrase=PASSPHRASE)
    return open_database(path, key, info=info, now=NOW)


def _fill(db: Database, as_of: date, contacts: int, referrals: int) -> tuple[int, int]:
    """Add invented contacts and referrals inside the window until it holds the counts."""
    rng = random.Random(5)
    start = window_start(as_of)
    days = (as_of - start).days
    with db.unit_of_work() as session:
        people = list(session.scalars(select(YoungPerson.id)))
        recorder = session.scalar(select(User.id).where(User.role == "team_lead"))
        lower = datetime.combine(start, datetime.min.time())
        have_c = session.scalar(
            select(func.count(SafeguardingContact.id)).where(
                SafeguardingContact.received_at >= lower
            )
        )
        have_r = session.scalar(
            select(func.count(Referral.id)).where(Referral.received_at >= lower)
        )
        sources = list(ReferralSource.codes())

        def when() -> datetime:
            day = start + timedelta(days=rng.randrange(1, days))
            return datetime.combine(day, datetime.min.time()) + timedelta(hours=11)

        session.execute(
            insert(SafeguardingContact),
            [
                {
                    "young_person_id": rng.choice(people),
                    "received_at": when(),
                    "source": rng.choice(sources),
                    "referrer_name": "",
                    "referrer_contact": "",
                    "reported": "Benchmark contact (invented).",
                    "factors": "",
                    "already_known": True,
                    "recorded_by": recorder,
                    "decision": "nfa",
                    "rationale": "Benchmark.",
                    "decided_by": recorder,
                    "decided_at": NOW.replace(tzinfo=None),
                }
                for _ in range(max(0, contacts - (have_c or 0)))
            ],
        )
        session.execute(
            insert(Referral),
            [
                {
                    "young_person_id": rng.choice(people),
                    "received_at": when(),
                    "source": rng.choice(sources),
                    "reason": "Benchmark referral (invented).",
                    "factors": "",
                    "recorded_by": recorder,
                    "decision": "nfa",
                    "rationale": "Benchmark.",
                    "decided_by": recorder,
                    "decided_at": NOW.replace(tzinfo=None),
                }
                for _ in range(max(0, referrals - (have_r or 0)))
            ],
        )
        audit.vouch_for_all(session, SYSTEM_ACTOR, "benchmark_data", now=NOW)
    return contacts, referrals


def _empty(name: str) -> Database:
    path = OUT / name
    for stale in OUT.glob(f"{name}*"):
        stale.unlink()
    first = setup.FirstUsers("admin", "Ada Admin", PASSWORD, "North", "lead", "Lee Lead", PASSWORD)
    db, _code = create_database(
        path, now=NOW, passphrase=PASSPHRASE, kdf=_FAST, initialise=setup.initialiser(first, NOW)
    )
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--referrals", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    as_of = local_today(NOW)
    source = fresh_copy(demo_database(args.people), "annex-a-bench.db")
    db = _open(source)
    _fill(db, as_of, args.contacts, args.referrals)
    workbook = OUT / "annex-a-bench.xlsx"
    exports, writes = [], []
    result = None
    for _ in range(args.runs):
        began = time.perf_counter()
        result = annex_a_export.export_annex_a(db, SYSTEM_ACTOR, as_of=as_of, now=NOW)
        workbook.unlink(missing_ok=True)
        writing = time.perf_counter()
        annex_a.write_workbook(workbook, result.lists)
        done = time.perf_counter()
        exports.append(done - began)
        writes.append(done - writing)
    db.close()
    assert result is not None
    sizes = ", ".join(f"List {n}: {len(rows):,}" for n, rows in result.lists.items())
    print(f"Rows: {sizes}; completeness gaps: {len(result.gaps):,}")
    imports = []
    for run in range(args.runs):
        target = _empty(f"annex-a-import-{run}.db")
        began = time.perf_counter()
        summary = annex_a_import.import_annex_a(
            target, SYSTEM_ACTOR, workbook, now=NOW, as_of=as_of, default_team="North"
        )
        imports.append(time.perf_counter() - began)
        target.close()
    print(summary.sentence())
    export_s, import_s = statistics.median(exports), statistics.median(imports)
    print(
        f"Export (lists + workbook): median {export_s:.2f} s over {args.runs} runs "
        f"(target {EXPORT_TARGET_S:.0f} s); runs {', '.join(f'{t:.2f}' for t in exports)}"
    )
    print(
        f"  of which the workbook written: median {statistics.median(writes):.2f} s; "
        f"runs {', '.join(f'{t:.2f}' for t in writes)}"
    )
    print(
        f"Import (read, check, write): median {import_s:.2f} s over {args.runs} runs "
        f"(target {IMPORT_TARGET_S:.0f} s); runs {', '.join(f'{t:.2f}' for t in imports)}"
    )
    return 0 if export_s < EXPORT_TARGET_S and import_s < IMPORT_TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
