"""Where the time of a team lead's "My team's work" goes, part by part.

On the shared 5,000-young-person benchmark dataset (``bench/_data.py``), for the demo team
lead's teams, it times (median of several runs, this thread, no screen): loading the facts
the due rules read (``load_facts``; of which the category inputs and the summarised
contacts), the front-door items, the open risks, the pure rules for everyone
(``status_of``), and the whole ``my_work`` call.

    .venv/bin/python bench/due_engine_split_bench.py [--people 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import NOW, PASSWORD
from caseload_bench import database
from sqlalchemy import select

from casework.clock import local_today
from casework.config import council_rules
from casework.db.models import YoungPerson
from casework.services import auth, demo
from casework.services import due as service
from casework.services.categories import category_inputs
from casework.services.due_front_door import front_door_items, open_risks


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    db = database(args.people)
    try:
        lead = auth.login(db, demo.DEMO_LEAD_USERNAME, PASSWORD, now=NOW)
        today, rules = local_today(NOW), council_rules()
        with db.reading() as session:
            ids = list(
                session.scalars(
                    select(YoungPerson.id).where(YoungPerson.team_id.in_(lead.led_team_ids))
                )
            )
            facts = service.load_facts(session, ids)
            parts = {
                "load_facts (all the facts)": lambda: service.load_facts(session, ids),
                "  of which category inputs": lambda: category_inputs(session, ids),
                "  of which summarised contacts": lambda: service._summarised_contacts(
                    session, ids
                ),
                "front-door items": lambda: front_door_items(session, ids, today, rules.calendar),
                "open risks": lambda: open_risks(session, ids),
                "the rules for everyone (status_of)": lambda: [
                    service.status_of(pid, f, today, rules) for pid, f in facts.items()
                ],
            }
            print(f"Team lead '{lead.username}': {len(ids):,} young people")
            for label, fn in parts.items():
                print(f"  {label:<38} median {median_ms(fn, args.runs):7.1f} ms")
        whole = median_ms(lambda: service.my_work(db, lead, now=NOW, team=True), args.runs)
        print(f"  {'my_work (the whole engine)':<38} median {whole:7.1f} ms")
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
