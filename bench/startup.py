"""How long from launching ``casework`` until the login window is on screen.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python bench/startup.py [--runs 5]
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python bench/startup.py --server

With ``--server``: a throwaway PostgreSQL set up for Casework (as the tests make one) and
``casework --server URL --ca-file CA``, timed to its sign-in window; nothing is opened on a
team server before someone signs in, so there is no "database ready" moment.

Creates (once) a passphrase-protected database with realistic Argon2 settings under
bench/out/, then launches the installed ``casework`` script that many times with
CASEWORK_BENCH_EXIT_AT_LOGIN=1 and the passphrase in CASEWORK_PASSPHRASE. The app
prints, and this script collects, two moments measured from the launch (a wall-clock
stamp taken here just before the process starts):

* login visible   the login window has been painted;
* database ready  the key has been derived and the database opened behind it, so a
                  sign-in would go straight through.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DB = OUT / "startup-bench.db"
PASSPHRASE = "bench passphrase for startup timing"
PASSWORD = "bench-password-2026-harbour"
LINE = re.compile(
    r"^(login visible|database ready): ([0-9.]+) s since launch; ([0-9.]+) s since main"
)


def ensure_database() -> None:
    from casework.clock import utc_now
    from casework.db.database import create_database
    from casework.db.keys import sidecar_path
    from casework.services.setup import FirstUsers, initialiser

    if DB.exists() and sidecar_path(DB).exists():
        return
    OUT.mkdir(parents=True, exist_ok=True)
    now = utc_now()
    first = FirstUsers(
        "bench.admin", "Bench Admin", PASSWORD, "Bench Team", "bench.lead", "Bench Lead", PASSWORD
    )
    db, _code = create_database(
        DB, now=now, passphrase=PASSPHRASE, initialise=initialiser(first, now)
    )
    db.close()


def casework_script() -> str:
    script = Path(sys.executable).with_name("casework")
    return str(script) if script.exists() else "casework"


def one_run(target: list[str] | None = None) -> dict[str, tuple[float, float]]:
    env = dict(os.environ)
    env.update(
        CASEWORK_BENCH_EXIT_AT_LOGIN="1",
        CASEWORK_PASSPHRASE=PASSPHRASE,
        CASEWORK_BENCH_T0=repr(time.time()),
    )
    done = subprocess.run(
        [casework_script(), *(target or ["--path", str(DB)])],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found: dict[str, tuple[float, float]] = {}
    for line in done.stdout.splitlines():
        match = LINE.match(line)
        if match:
            found[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    if len(found) != (1 if target else 2):
        raise SystemExit(f"casework did not report its timings:\n{done.stdout}\n{done.stderr}")
    return found


def server_runs(runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    from casework.clock import utc_now
    from casework.services import server_admin
    from casework.services.permissions import Role
    from casework.services.users import NewUser
    from tests.pg.server import start_server

    server = start_server()
    try:
        server.create_database("startup")
        owner = server_admin.Owner(
            server.url("startup"), server.superuser, server.superpassword, server.ca_file
        )
        first = NewUser("bench.admin", "Bench Admin", Role.ADMIN, None)
        server_admin.init_server(owner, first, PASSWORD, now=utc_now())
        target = ["--server", server.url("startup"), "--ca-file", str(server.ca_file)]
        one_run(target)  # warm the file cache so every measured run starts alike
        rows = [one_run(target)["login visible"] for _ in range(runs)]
    finally:
        server.stop()
    print(f"{'run':>3}  {'sign-in visible':>15}  {'(since main)':>12}")
    for number, (visible, visible_main) in enumerate(rows, 1):
        print(f"{number:>3}  {visible:>13.3f} s  {visible_main:>10.3f} s")
    visible = [r[0] for r in rows]
    print(
        f"median: team server sign-in visible {statistics.median(visible):.3f} s "
        f"(max {max(visible):.3f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--server", action="store_true", help="time a team server's sign-in")
    args = parser.parse_args()
    if args.server:
        server_runs(args.runs)
        return
    ensure_database()
    one_run()  # warm the file cache so every measured run starts alike
    rows = [one_run() for _ in range(args.runs)]
    print(f"{'run':>3}  {'login visible':>14}  {'(since main)':>12}  {'database ready':>14}")
    for number, row in enumerate(rows, 1):
        visible, visible_main = row["login visible"]
        ready, _ = row["database ready"]
        print(f"{number:>3}  {visible:>12.3f} s  {visible_main:>10.3f} s  {ready:>12.3f} s")
    visible = [r["login visible"][0] for r in rows]
    ready = [r["database ready"][0] for r in rows]
    print(
        f"median: login visible {statistics.median(visible):.3f} s "
        f"(max {max(visible):.3f} s); database ready {statistics.median(ready):.3f} s "
        f"(max {max(ready):.3f} s)"
    )


if __name__ == "__main__":
    main()
