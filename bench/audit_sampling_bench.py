"""Drawing a month's closure-audit sample at 5,000 young people.

A 5,000-young-person demo database gets ``--closures`` approved closures in one month
(September 2026) on top of its own: every tenth with an overridden check, and every third
young person with a CSE, CCE or missing screening in the year before. The figure is
``closure_audit.draw_sample`` (permission check, the month's closures, their overrides,
screenings and missing episodes, the rules, and writing the sample and its audit rows in
one transaction), as the median over ``--runs``; the sample is deleted between runs
(untimed).

    .venv/bin/python bench/audit_sampling_bench.py [--runs 5] [--closures 400]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import NOW, PASSPHRASE, demo_database, fresh_copy
from sqlalchemy import delete, func, select

from casework.db.database import open_database, unlock
from casework.db.models import (
    AuditSample,
    ClosureAudit,
    ClosureOverride,
    ClosureRequest,
    RiskScreening,
    User,
    YoungPerson,
)
from casework.services import closure_audit
from casework.services.permissions import SYSTEM_ACTOR

MONTH = date(2026, 9, 1)


def _add_closures(db, count: int) -> None:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        people = list(
            session.scalars(
                select(YoungPerson.id).where(YoungPerson.closed_on.is_(None)).limit(count)
            )
        )
        users = list(session.scalars(select(User.id).where(User.role != "admin")))
        for n, pid in enumerate(people):
            closed_on = MONTH + timedelta(days=n % 30)
            at = datetime.combine(closed_on - timedelta(days=3), datetime.min.time())
            row = ClosureRequest(
                young_person_id=pid,
                status="closed",
                reason="CLNR",
                requested_by=users[n % len(users)],
                requested_at=at,
                submitted_at=at,
                anchor_on=at.date(),
                reviewed_by=users[(n + 1) % len(users)],
                reviewed_at=at + timedelta(days=1),
                closed_on=closed_on,
                closed_by=users[n % len(users)],
                closed_at=at + timedelta(days=3),
            )
            session.add(row)
            session.flush()
            if n % 10 == 0:
                session.add(
                    ClosureOverride(
                        request_id=row.id,
                        check_id="re-referral-pattern",
                        justification="Both about rent arrears.",
                        recorded_by=row.requested_by,
                        recorded_at=at,
                    )
                )
            if n % 3 == 0:
                session.add(
                    RiskScreening(
                        young_person_id=pid,
                        risk_type=("cse", "cce", "missing")[n % 3],
                        level="medium",
                        reasoning="Bench.",
                        screened_on=closed_on - timedelta(days=200),
                        screened_by=row.requested_by,
                    )
                )
            person = session.get(YoungPerson, pid)
            assert person is not None
            person.closed_on, person.closure_reason = closed_on, "CLNR"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--closures", type=int, default=400)
    args = parser.parse_args()
    path = fresh_copy(demo_database(5000), "audit_sampling.db")
    key, info = unlock(path, passphrase=PASSPHRASE)
    db = open_database(path, key, info=info, now=NOW)
    _add_closures(db, args.closures)
    with db.reading() as session:
        people = session.scalar(select(func.count(YoungPerson.id)))
    later = datetime(2026, 10, 5, 10, 0, tzinfo=NOW.tzinfo)
    times, sampled, population = [], 0, 0
    for run in range(args.runs):
        start = time.perf_counter()
        summary = closure_audit.draw_sample(db, SYSTEM_ACTOR, MONTH, now=later, seed=run)
        times.append(time.perf_counter() - start)
        sampled, population = summary.sampled, summary.population
        with db.unit_of_work() as session:
            session.execute(delete(ClosureAudit).where(ClosureAudit.sample_id == summary.id))
            session.execute(delete(AuditSample).where(AuditSample.id == summary.id))
    db.close()
    median = statistics.median(times) * 1000
    print(
        f"audit sample of one month: {people:,} young people, {population} approved "
        f"closures in the month, {sampled} sampled: median {median:.0f} ms over {args.runs} "
        f"runs (target 1000 ms)"
    )


if __name__ == "__main__":
    main()
