"""Drills shared by the tests (a few rounds) and ``bench/`` (hundreds): what a power cut,
a killed process or a damaged disk does to a database.

``kill_drill`` runs in a process of its own (it forks): each round forks a writer that
opens the database and saves young people one by one, reporting each save only after its
transaction committed; the drill kills it with SIGKILL at a random moment, reopens the
database through the normal open path (which must accept the writer's journal as its
own) and checks that every acknowledged save is there and the audit chain is intact.

``damage_drill`` damages one random page of a copy at a time and checks that
``casework-admin info`` reports it plainly and that the copy was not changed further.

    CASEWORK_PASSPHRASE=... CASEWORK_DRILL_PASSWORD=... python -m tests.drills kill PATH
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import io
import json
import os
import random
import shutil
import signal
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from casework.db import keys
from casework.db.database import open_database, unlock
from casework.db.models import YoungPerson
from casework.services import audit, auth, people
from casework.services.permissions import Actor

NOW_ISO = "2026-11-27T10:30:00+00:00"


def _person(team_id: int, uid: str) -> people.YoungPersonInput:
    return people.YoungPersonInput(
        child_uid=uid,
        first_name="Drill",
        last_name="Person",
        date_of_birth=date(2008, 5, 17),
        sex="female",
        ethnicity="BAFR",
        disability="no",
        uasc=False,
        eligibility="relevant",
        team_id=team_id,
        date_ceased_looked_after=date(2025, 1, 10),
    )


def _writer(
    path: Path, key: bytes, info: keys.KeyInfo, actor: Actor, round_no: int, out: int
) -> None:
    """The forked child: save until killed, acknowledging each committed save."""
    from datetime import datetime

    now = datetime.fromisoformat(NOW_ISO)
    db = open_database(path, key, info=info, now=now)
    team = actor.team_id or min(actor.led_team_ids)
    os.write(out, b"ready\n")
    n = 0
    while True:
        uid = f"K{round_no}-{n}"
        people.create_young_person(db, actor, _person(team, uid), now=now)
        os.write(out, f"{uid}\n".encode())
        n += 1


@dataclasses.dataclass
class KillReport:
    rounds: int
    acknowledged: int
    lost: list[str]
    chain_ok: bool
    chain: str
    set_aside: int
    seconds: float
    reopen_ms_median: float  # opening after a kill: the writer's journal checked first


def kill_drill(
    path: Path,
    *,
    passphrase: str,
    password: str,
    rounds: int,
    seed: int,
    username: str = "lead",
) -> KillReport:
    from datetime import datetime

    rng = random.Random(seed)
    now = datetime.fromisoformat(NOW_ISO)
    key, info = unlock(path, passphrase=passphrase)
    db = open_database(path, key, info=info, now=now)
    actor = auth.login(db, username, password, now=now)
    db.close()
    acknowledged: list[str] = []
    set_aside = 0
    started = time.monotonic()
    report_chain = ""
    chain_ok = True
    lost: list[str] = []
    reopen_ms: list[float] = []
    for round_no in range(rounds):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the writer
            os.close(read_end)
            try:
                _writer(path, key, info, actor, round_no, write_end)
            finally:
                os._exit(1)
        os.close(write_end)
        reader = io.FileIO(read_end, "r")
        buffered = b""
        # Wait until the writer is saving, then let it save for a random while.
        deadline = time.monotonic() + 30
        while b"ready\n" not in buffered and time.monotonic() < deadline:
            chunk = reader.read(4096)
            if not chunk:
                break
            buffered += chunk
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := reader.read(65536):
            buffered += chunk
        reader.close()
        lines = buffered.decode().split("\n")
        # The last line may be cut by the kill: only whole lines were acknowledged.
        acknowledged += [ln for ln in lines[:-1] if ln and ln != "ready"]
        opening = time.perf_counter()
        db = open_database(path, key, info=info, now=now)
        reopen_ms.append((time.perf_counter() - opening) * 1000)
        set_aside += len(db.notes)
        with db.reading() as session:
            present = set(session.scalars(select(YoungPerson.child_uid)))
            chain = audit.verify_chain(session)
        db.close()
        lost = [uid for uid in acknowledged if uid not in present]
        report_chain = chain.summary
        chain_ok = chain_ok and chain.ok
        if lost or not chain.ok:
            break
    return KillReport(
        rounds=rounds,
        acknowledged=len(acknowledged),
        lost=lost,
        chain_ok=chain_ok,
        chain=report_chain,
        set_aside=set_aside,
        seconds=round(time.monotonic() - started, 2),
        reopen_ms_median=round(statistics.median(reopen_ms), 1) if reopen_ms else 0.0,
    )


@dataclasses.dataclass
class DamageReport:
    pages: int
    detected: int
    plain: int
    unchanged: int
    misses: list[str]


def damage_drill(path: Path, work: Path, *, passphrase: str, pages: int, seed: int) -> DamageReport:
    """Damage one random page of a fresh copy at a time; ``info`` must say so plainly."""
    from casework import cli

    rng = random.Random(seed)
    size = path.stat().st_size
    count = size // 4096
    chosen = rng.sample(range(count), min(pages, count))
    detected = plain = unchanged = 0
    misses: list[str] = []
    os.environ["CASEWORK_PASSPHRASE"] = passphrase
    for page in chosen:
        copy = work / f"damaged-{page}.db"
        shutil.copyfile(path, copy)
        shutil.copyfile(keys.sidecar_path(path), keys.sidecar_path(copy))
        data = bytearray(copy.read_bytes())
        # Anywhere in the page: the salt, a header, the content, the IV or the HMAC.
        at = page * 4096 + rng.randrange(4096)
        data[at] ^= 1 << rng.randrange(8)
        copy.write_bytes(bytes(data))
        before = hashlib.sha256(copy.read_bytes()).hexdigest()
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["info", "--path", str(copy)])
        first = err.getvalue().splitlines()[0] if err.getvalue() else ""
        if code != 0:
            detected += 1
        if first.startswith("casework-admin: ") and "Traceback" not in err.getvalue():
            plain += 1
        if hashlib.sha256(copy.read_bytes()).hexdigest() == before:
            unchanged += 1
        if code == 0 or not first.startswith("casework-admin: "):
            misses.append(f"page {page} byte {at}: {code} {first[:120]}")
        for leftover in (copy, keys.sidecar_path(copy)):
            leftover.unlink(missing_ok=True)
    return DamageReport(len(chosen), detected, plain, unchanged, misses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("drill", choices=["kill"])
    parser.add_argument("path")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--username", default="lead")
    args = parser.parse_args(argv)
    # Secrets from the environment, never the command line.
    report = kill_drill(
        Path(args.path),
        passphrase=os.environ["CASEWORK_PASSPHRASE"],
        password=os.environ["CASEWORK_DRILL_PASSWORD"],
        rounds=args.rounds,
        seed=args.seed,
        username=args.username,
    )
    result: dict[str, Any] = dataclasses.asdict(report)
    print(json.dumps(result))
    return 0 if not report.lost and report.chain_ok else 1


if __name__ == "__main__":
    sys.exit(main())
