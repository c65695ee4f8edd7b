"""casework-admin server ...: set up, add people, upgrade, import a laptop's bundle and
verify, against the real throwaway server; every failure one plain line, nothing half done."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.cli import main
from casework.db.models import User, YoungPerson
from casework.errors import ServerSetupProblem
from casework.services import auth, bundle, server_admin
from casework.services.permissions import SYSTEM_ACTOR
from tests.conftest import NOW, PASSWORD, Opened
from tests.pg import team
from tests.pg.server import PgServer


@pytest.fixture
def blank(pg_server: PgServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("PGUSER", pg_server.superuser)
    monkeypatch.setenv("PGPASSWORD", pg_server.superpassword)
    monkeypatch.setenv("CASEWORK_CA_FILE", str(pg_server.ca_file))
    name = pg_server.create_database()
    yield name
    pg_server.drop_database(name)


def _run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def boss(dbname: str) -> str:
    """Roles belong to the whole server: each test's names are its own."""
    return "it." + dbname[2:12]


def worker(dbname: str) -> str:
    return "pat." + dbname[2:12]


def _init(
    pg: PgServer, name: str, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> None:
    code, out, err = _run(
        capsys,
        mp,
        "server",
        "init",
        "--url",
        pg.url(name),
        "--admin",
        boss(name),
        "--admin-name",
        "Iris Boss",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert (code, err) == (0, ""), err
    assert "Set up the team database" in out


def _count(pg: PgServer, name: str, model: object) -> int:
    engine = pg.engine(name)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(model)).scalar() or 0)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_init_then_sign_in_as_the_administrator(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _init(pg_server, blank, capsys, monkeypatch)
    db, actor = auth.server_login(
        pg_server.url(blank), boss(blank), PASSWORD, ca_file=pg_server.ca_file, now=NOW
    )
    db.close()
    assert (actor.username, str(actor.role), actor.display_name) == (
        boss(blank),
        "admin",
        "Iris Boss",
    )
    engine = pg_server.engine(blank)
    try:
        with engine.connect() as conn:
            stored = conn.execute(select(User.password_hash)).scalars().all()
    finally:
        engine.dispose()
    assert stored == [None]  # the server checks passwords; no copy of one is kept


def test_init_twice_is_refused(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _init(pg_server, blank, capsys, monkeypatch)
    code, _out, err = _run(
        capsys,
        monkeypatch,
        "server",
        "init",
        "--url",
        pg_server.url(blank),
        "--admin",
        "x.y",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 1
    assert "already holds Casework records" in err and "server migrate" in err


def test_a_weak_first_password_leaves_nothing(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _out, err = _run(
        capsys,
        monkeypatch,
        "server",
        "init",
        "--url",
        pg_server.url(blank),
        "--admin",
        "it.weak",
        "--password-stdin",
        stdin="password\n",
    )
    assert code == 1 and err.startswith("casework-admin: ")
    with pg_server.connect(blank) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
        roles = conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'it.weak'").fetchone()
    assert tables == (0,) and roles == (0,)


def test_add_user_gives_a_sign_in(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _init(pg_server, blank, capsys, monkeypatch)
    code, out, err = _run(
        capsys,
        monkeypatch,
        "server",
        "add-user",
        "--url",
        pg_server.url(blank),
        worker(blank),
        "--name",
        "Pat Worker",
        "--role",
        "practitioner",
        "--team",
        "East",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert (code, err) == (0, ""), err
    assert out.startswith(f"Added {worker(blank)}: Practitioner")
    db, actor = auth.server_login(
        pg_server.url(blank), worker(blank), PASSWORD, ca_file=pg_server.ca_file, now=NOW
    )
    db.close()
    assert actor.team_id is not None
    # The same name again is refused, naming it.
    code, _out, err = _run(
        capsys,
        monkeypatch,
        "server",
        "add-user",
        "--url",
        pg_server.url(blank),
        worker(blank),
        "--role",
        "practitioner",
        "--team",
        "East",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 1 and f"'{worker(blank)}' is already taken" in err


def test_a_reserved_name_is_refused(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _init(pg_server, blank, capsys, monkeypatch)
    code, _out, err = _run(
        capsys,
        monkeypatch,
        "server",
        "add-user",
        "--url",
        pg_server.url(blank),
        "pg_admin",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 1 and "reserved on a team server" in err


def test_migrate_at_head_keeps_the_policy(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _init(pg_server, blank, capsys, monkeypatch)
    code, out, err = _run(capsys, monkeypatch, "server", "migrate", "--url", pg_server.url(blank))
    assert (code, err) == (0, "")
    assert "security policy is in place" in out


def test_migrate_an_empty_database_says_init(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _out, err = _run(capsys, monkeypatch, "server", "migrate", "--url", pg_server.url(blank))
    assert code == 1 and "server init" in err


def test_import_a_laptop_bundle_all_or_nothing(
    pg_server: PgServer,
    blank: str,
    demo_db: Opened,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _init(pg_server, blank, capsys, monkeypatch)
    data = bundle.export_bundle(demo_db.db, SYSTEM_ACTOR, now=NOW)
    # Roles belong to the whole server, and other tests' databases hold the demo's people:
    # this bundle's workers get names of their own.
    text = json.dumps(data, default=str)
    for name in sorted({w["username"] for w in data["workers"]}, key=len, reverse=True):
        text = text.replace(f'"{name}"', f'"{name}.{blank[2:8]}"')
    data = json.loads(text)
    broken = json.loads(json.dumps(data, default=str))
    broken["young_people"][-1]["date_of_birth"] = "2999-01-01"
    (tmp_path / "broken.json").write_text(json.dumps(broken, default=str))
    code, _out, err = _run(
        capsys,
        monkeypatch,
        "server",
        "import",
        "--url",
        pg_server.url(blank),
        str(tmp_path / "broken.json"),
    )
    assert code == 1 and "import refused, nothing was written" in err
    assert _count(pg_server, blank, YoungPerson) == 0

    (tmp_path / "good.json").write_text(json.dumps(data, default=str))
    code, out, err = _run(
        capsys,
        monkeypatch,
        "server",
        "import",
        "--url",
        pg_server.url(blank),
        str(tmp_path / "good.json"),
    )
    assert (code, err) == (0, ""), err
    assert "Imported 40 young people" in out
    assert "cannot sign in to the team server yet" in out
    assert _count(pg_server, blank, YoungPerson) == 40

    worker = next(w["username"] for w in data["workers"])
    code, out, err = _run(
        capsys,
        monkeypatch,
        "server",
        "add-user",
        "--url",
        pg_server.url(blank),
        worker,
        "--role",
        "practitioner",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert (code, err) == (0, ""), err
    assert out.startswith(f"Gave {worker} a sign-in")
    db, actor = auth.server_login(
        pg_server.url(blank), worker, PASSWORD, ca_file=pg_server.ca_file, now=NOW
    )
    db.close()
    assert actor.username == worker

    code, out, err = _run(capsys, monkeypatch, "server", "verify", "--url", pg_server.url(blank))
    assert (code, err) == (0, ""), out + err
    assert out.startswith("audit chain: ok")


def test_the_owner_password_is_never_an_argument(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGPASSWORD")
    code, _out, err = _run(capsys, monkeypatch, "server", "verify", "--url", pg_server.url(blank))
    assert code == 1
    assert "Password of the database owner" in err and "set PGPASSWORD" in err
    with pytest.raises(SystemExit):
        main(["server", "verify", "--url", pg_server.url(blank), "--password", "x"])


def test_a_wrong_owner_password(
    pg_server: PgServer,
    blank: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGPASSWORD", "not-the-owner-password")
    code, _out, err = _run(capsys, monkeypatch, "server", "verify", "--url", pg_server.url(blank))
    assert code == 1 and "do not match" in err
    assert "not-the-owner-password" not in err


def test_without_the_security_policy_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "casework.db.server_policy", None)
    with pytest.raises((ServerSetupProblem, ImportError)):
        team.ORIGINAL_POLICY()
    monkeypatch.setattr(server_admin, "_policy", team.ORIGINAL_POLICY)
