"""Team mode under load: many people on one PostgreSQL server at once.

Starts a throwaway PostgreSQL server on this machine (TLS, SCRAM, the project's security
policy), sets it up with ``casework-admin server init``'s service, fills it with the demo
(``--people`` young people) and gives every account a login role. Then:

1. the local-file baseline: My work and opening a record for one practitioner and one team
   lead on an encrypted file holding the same demo;
2. the same two operations for the same people on the server, one client alone (median of
   ``--runs`` each, the local and the server call taken in turn), and signing in;
3. ``--workers`` simulated people (separate processes, each signed in as their own role)
   doing a day's mix for ``--minutes``: open records, My work, the caseload, contacts
   (a draft, then finalised), concerns recorded and decided at the front door, closures
   approved (the approver's password checked by the server), with a think time between
   steps;
4. afterwards: every write a worker was told had succeeded is looked up (0 lost writes),
   the audit chain and every record are verified, and the security policy checked.

Prints each operation's count, p50 and p95, the errors (anything other than a refusal the
rules give on purpose), and the baseline comparison.

    .venv/bin/python bench/team_load.py [--workers 50] [--minutes 5] [--people 500]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import NOW, PASSPHRASE, PASSWORD  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from casework.errors import CaseClosed, CaseworkError, EditConflict, ValidationFailed  # noqa: E402
from casework.services import (  # noqa: E402
    auth,
    closure,
    closure_queue,
    contacts,
    demo,
    due,
    front_door,
    people,
    server_admin,
)
from casework.services.permissions import Role  # noqa: E402
from casework.services.users import NewUser  # noqa: E402
from tests.pg.server import PgServer, start_server  # noqa: E402

SEED = 1
DBNAME = "team_load"


# --- setting up the server ------------------------------------------------------------------


def owner_of(server: PgServer) -> server_admin.Owner:
    return server_admin.Owner(
        server.url(DBNAME), server.superuser, server.superpassword, server.ca_file
    )


def build_server(server: PgServer, people_count: int, workers: int) -> list[tuple[str, str]]:
    """The demo on the server, a login for every account, and enough practitioners for
    ``workers`` sessions. Returns (username, role) of the people the workers sign in as."""
    from casework.db import server_policy
    from casework.db.models import Team, User

    server.create_database(DBNAME)
    owner = owner_of(server)
    server_admin.init_server(
        owner, NewUser("casework.it", "Casework IT", Role.ADMIN, None), PASSWORD, now=NOW
    )
    engine = server.engine(DBNAME)
    try:
        with engine.begin() as conn, Session(bind=conn) as session:
            demo.populate(session, people=people_count, seed=SEED, password=PASSWORD, now=NOW)
            session.flush()
        with engine.begin() as conn:
            existing = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
            accounts = conn.execute(
                select(User.username, User.role).where(User.active.is_(True))
            ).all()
            for username, role in accounts:
                if username not in existing:
                    server_policy.create_login(conn, username, PASSWORD, role)
            teams = list(conn.execute(select(Team.name).order_by(Team.id)).scalars())
    finally:
        engine.dispose()
    # About one team lead to nine practitioners, as in a leaving-care service.
    leads = [u for u, r in accounts if r == Role.TEAM_LEAD][: max(1, workers // 10)]
    practitioners = [u for u, r in accounts if r == Role.PRACTITIONER]
    wanted = max(0, workers - len(leads) - len(practitioners))
    for n in range(wanted):
        name = f"load.worker{n + 1:02d}"
        team = teams[n % len(teams)]
        new = NewUser(name, f"Load Worker {n + 1}", Role.PRACTITIONER, None, team=team)
        server_admin.add_user(owner, new, PASSWORD, now=NOW)
        practitioners.append(name)
    chosen = [(u, str(Role.TEAM_LEAD)) for u in leads]
    chosen += [(u, str(Role.PRACTITIONER)) for u in practitioners[: workers - len(leads)]]
    return chosen[:workers]


# --- one simulated person ---------------------------------------------------------------------


@dataclass
class Result:
    who: str
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    contacts: list[tuple[int, str]] = field(default_factory=list)  # (id, what was discussed)
    concerns: list[int] = field(default_factory=list)
    decided: list[int] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)


def _timed(result: Result, op: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    try:
        value = call(*args, **kwargs)
    except EditConflict:
        result.conflicts += 1
        return None
    except (ValidationFailed, CaseClosed):  # the rules refusing, as they should
        result.refused[op] += 1
        return None
    except CaseworkError as exc:
        result.errors.append(f"{op}: {type(exc).__name__}: {exc}")
        return None
    except Exception:  # anything unexpected is an error the bench reports
        result.errors.append(f"{op}: {traceback.format_exc(limit=3)}")
        return None
    result.timings[op].append((time.perf_counter() - started) * 1000)
    return value


def work_a_day(
    url: str,
    ca_file: str,
    username: str,
    role: str,
    seconds: float,
    think: tuple[float, float],
    seed: int,
    out: Any,
) -> None:
    """One person's session: sign in as their own role, then a mix of steps until time."""
    rng = random.Random(seed)
    result = Result(username)
    try:
        db, actor = auth.server_login(url, username, PASSWORD, ca_file=Path(ca_file), now=NOW)
    except Exception:
        result.errors.append(f"sign in: {traceback.format_exc(limit=3)}")
        out.put(result)
        return
    lead = role == str(Role.TEAM_LEAD)
    try:
        ids = people.caseload_ids(db, actor, people.CaseloadQuery(), now=NOW)
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline and ids:
            time.sleep(rng.uniform(*think))
            n += 1
            _one_step(result, db, actor, lead, rng.choice(ids), n, rng)
    finally:
        db.close()
        out.put(result)


def _one_step(
    result: Result, db: Any, actor: Any, lead: bool, person: int, n: int, rng: random.Random
) -> None:
    """A day's mix: mostly reading records and My work, then contacts (practitioners),
    concerns, and for team leads front-door decisions and closure approvals."""
    roll = rng.random()
    if roll < 0.30:
        _timed(result, "open a record", people.open_record, db, actor, person, now=NOW)
    elif roll < 0.45:
        _timed(result, "My work", due.my_work, db, actor, now=NOW, team=lead)
    elif roll < 0.55:
        _timed(result, "caseload", _caseload, db, actor)
    elif roll < 0.80 and not lead:
        _record_contact(result, db, actor, person, n)
    elif roll < 0.90:
        made = _timed(result, "record a concern", _concern, db, actor, person, n)
        if made is not None:
            result.concerns.append(made)
    elif lead and roll < 0.96:
        _decide_one(result, db, actor, rng)
    elif lead:
        _approve_one(result, db, actor, rng)
    else:
        _record_contact(result, db, actor, person, n)


def _caseload(db: Any, actor: Any) -> int:
    ids = people.caseload_ids(db, actor, people.CaseloadQuery(), now=NOW)
    rows = people.caseload_rows(db, actor, ids[:60], today=NOW.date())
    return len(rows)


def _record_contact(result: Result, db: Any, actor: Any, person: int, n: int) -> None:
    said = f"{actor.username} visit {n}: talked about college and money"
    data = contacts.ContactInput(
        occurred_at=NOW - timedelta(hours=1),
        method="face_to_face_accommodation",
        successful=True,
        location="Their flat",
        seen=True,
        seen_alone=True,
        discussed=said,
        views="Happy with the flat.",
    )
    draft = _timed(
        result,
        "save a contact draft",
        lambda: contacts.save_draft(db, actor, person, data, now=NOW),
    )
    if draft is None:
        return
    contact_id = draft.ids[0]
    done = _timed(
        result,
        "finalise a contact",
        lambda: contacts.finalise(db, actor, person, contact_id, data, now=NOW),
    )
    if done is not None:
        result.contacts.append((contact_id, said))


def _concern(db: Any, actor: Any, person: int, n: int) -> int:
    data = front_door.ConcernInput(
        received_at=NOW - timedelta(minutes=30),
        source="6",
        reported=f"Load test concern {n} from {actor.username}: seen late at night.",
        factors=("11A",),
    )
    return front_door.record_concern(db, actor, person, data, now=NOW).ids[0]


def _decide_one(result: Result, db: Any, actor: Any, rng: random.Random) -> None:
    waiting = _timed(result, "front-door queue", lambda: front_door.queue(db, actor, now=NOW))
    contacts_waiting = [i for i in waiting or [] if i.kind == "contact"]
    if not contacts_waiting:
        return
    item = rng.choice(contacts_waiting)
    done = _timed(
        result,
        "decide a concern",
        lambda: front_door.decide_concern(
            db, actor, item.id, "nfa", "Known to the leaving care team; followed up.", now=NOW
        ),
    )
    if done is not None:
        result.decided.append(item.id)


def _approve_one(result: Result, db: Any, actor: Any, rng: random.Random) -> None:
    pending = _timed(result, "closure queue", lambda: closure_queue.queue(db, actor, now=NOW))
    mine = [r for r in pending or [] if r.worker_id != actor.user_id]
    if not mine:
        return
    row = rng.choice(mine)
    done = _timed(
        result,
        "approve a closure",
        lambda: closure.approve_closure(db, actor, row.request_id, PASSWORD, now=NOW),
    )
    if done is not None:
        result.approved.append(row.request_id)


# --- baselines ----------------------------------------------------------------------------------


def _medians_ms(
    runs: int, local: Callable[[], Any], server: Callable[[], Any]
) -> tuple[float, float]:
    """Medians of ``runs`` calls of each, taken in turn (local, server, local, ...) so that
    whatever else the machine does falls on both alike; one warming call each first."""
    local()
    server()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for call, kept in ((local, times[0]), (server, times[1])):
            started = time.perf_counter()
            call()
            kept.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def _server_sign_in(server: PgServer, username: str) -> None:
    db, _actor = auth.server_login(
        server.url(DBNAME), username, PASSWORD, ca_file=server.ca_file, now=NOW
    )
    db.close()


def baselines(
    server: PgServer, people_count: int, runs: int, who: list[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """(local file, server alone) medians of My work, opening a record and signing in."""
    from casework.db.database import open_database, unlock
    from casework.db.models import User

    path = ROOT / "bench" / "out" / f"team-load-{people_count}.db"
    from casework.db import keys

    if not (path.exists() and keys.sidecar_path(path).exists()):
        path.parent.mkdir(exist_ok=True)
        for stale in path.parent.glob(f"{path.name}*"):
            stale.unlink()
        made, _code, _summary = demo.create_demo_database(
            path, now=NOW, password=PASSWORD, people=people_count, seed=SEED, passphrase=PASSPHRASE
        )
        made.close()
    key, info = unlock(path, passphrase=PASSPHRASE)
    local = open_database(path, key, info=info, now=NOW)
    out: dict[str, tuple[float, float]] = {}
    try:
        with local.reading() as session:
            known = set(session.scalars(select(User.username)))
        lead = next(u for u, r in who if r == str(Role.TEAM_LEAD) and u in known)
        worker = next(u for u, r in who if r == str(Role.PRACTITIONER) and u in known)
        for username, team in ((worker, False), (lead, True)):
            actor_l = auth.login(local, username, PASSWORD, now=NOW)
            sdb, actor_s = auth.server_login(
                server.url(DBNAME), username, PASSWORD, ca_file=server.ca_file, now=NOW
            )
            try:
                ids_l = people.caseload_ids(local, actor_l, people.CaseloadQuery(), now=NOW)
                person = ids_l[0]
                label = "team lead" if team else "practitioner"
                out[f"My work ({label})"] = _medians_ms(
                    runs,
                    partial(due.my_work, local, actor_l, now=NOW, team=team),
                    partial(due.my_work, sdb, actor_s, now=NOW, team=team),
                )
                out[f"open a record ({label})"] = _medians_ms(
                    runs,
                    partial(people.open_record, local, actor_l, person, now=NOW),
                    partial(people.open_record, sdb, actor_s, person, now=NOW),
                )
                if not team:
                    # Signing in: the file checks the password's Argon2 hash; the server
                    # connects (TLS, SCRAM), checks the schema and audits the sign-in.
                    out["sign in (practitioner)"] = _medians_ms(
                        max(5, runs // 6),
                        partial(auth.login, local, username, PASSWORD, now=NOW),
                        partial(_server_sign_in, server, username),
                    )
            finally:
                sdb.close()
    finally:
        local.close()
    return out


# --- checking nothing was lost ------------------------------------------------------------------


def lost_writes(server: PgServer, results: list[Result]) -> list[str]:
    from casework.db.models import ClosureRequest, Contact, SafeguardingContact

    problems = []
    engine = server.engine(DBNAME)
    try:
        with Session(engine) as session:
            for r in results:
                for contact_id, said in r.contacts:
                    row = session.get(Contact, contact_id)
                    if row is None or row.discussed != said or row.status != "final":
                        problems.append(f"contact {contact_id} by {r.who}")
                for concern_id in r.concerns:
                    if session.get(SafeguardingContact, concern_id) is None:
                        problems.append(f"concern {concern_id} by {r.who}")
                for decided in r.decided:
                    row2 = session.get(SafeguardingContact, decided)
                    if row2 is None or row2.decided_at is None:
                        problems.append(f"decision on concern {decided} by {r.who}")
                for request_id in r.approved:
                    req = session.get(ClosureRequest, request_id)
                    if req is None or req.status != "approved":
                        problems.append(f"approval of closure request {request_id} by {r.who}")
    finally:
        engine.dispose()
    return problems


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"))
    args = parser.parse_args(argv)

    server = start_server()
    try:
        started = time.perf_counter()
        who = build_server(server, args.people, args.workers)
        print(
            f"server ready in {time.perf_counter() - started:.0f} s: {args.people} young people, "
            f"{len(who)} people signing in ({sum(r == str(Role.TEAM_LEAD) for _, r in who)} "
            "team leads)"
        )
        base = baselines(server, args.people, args.runs, who)
        print(
            f"\none client alone, median of {args.runs} (signing in: {max(5, args.runs // 6)}), "
            "in ms:"
        )
        print(f"  {'operation':<34}{'local file':>11}{'server':>9}{'ratio':>7}")
        for op, (local_ms, server_ms) in base.items():
            print(f"  {op:<34}{local_ms:>11.1f}{server_ms:>9.1f}{server_ms / local_ms:>7.2f}")

        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        seconds = args.minutes * 60
        procs = [
            ctx.Process(
                target=work_a_day,
                args=(
                    server.url(DBNAME),
                    str(server.ca_file),
                    u,
                    r,
                    seconds,
                    tuple(args.think),
                    i,
                    out,
                ),
            )
            for i, (u, r) in enumerate(who)
        ]
        print(f"\n{len(procs)} people working for {args.minutes:g} minutes ...", flush=True)
        for p in procs:
            p.start()
        results: list[Result] = [out.get(timeout=seconds + 600) for _ in procs]
        for p in procs:
            p.join(timeout=60)

        timings: dict[str, list[float]] = defaultdict(list)
        refused: Counter[str] = Counter()
        for r in results:
            for op, values in r.timings.items():
                timings[op].extend(values)
            refused.update(r.refused)
        errors = [e for r in results for e in r.errors]
        print(f"\n  {'operation':<28}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for op in sorted(timings):
            v = timings[op]
            print(
                f"  {op:<28}{len(v):>7}{statistics.median(v):>9.1f}"
                f"{percentile(v, 0.95):>9.1f}{max(v):>9.1f}"
            )
        total = sum(len(v) for v in timings.values())
        print(
            f"  {total} operations; {len(errors)} errors; "
            f"{sum(r.conflicts for r in results)} edit conflicts named; "
            f"refused by the rules: {dict(refused) or 'none'}"
        )
        for e in errors[:10]:
            print("  ERROR", e)
        lost = lost_writes(server, results)
        writes = sum(
            len(r.contacts) + len(r.concerns) + len(r.decided) + len(r.approved) for r in results
        )
        print(f"  {writes} acknowledged writes, {len(lost)} lost {lost[:5] if lost else ''}")
        check = server_admin.verify_server(owner_of(server))
        print(
            f"  audit chain: {check.chain}; records not matching their latest event: "
            f"{len(check.records)}; policy problems: {len(check.policy)}"
        )
        ok = not errors and not lost and check.ok
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
