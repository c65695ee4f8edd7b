"""The policy as a council installs it: by an owner role that is not a superuser (only
CREATEROLE), again on every upgrade; and the owner's backups with the usual tooling."""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from casework.db import server_policy
from casework.db.models import Base
from tests.pg.server import PgServer


@dataclass
class Owned:
    server: PgServer
    dbname: str
    owner: str
    password: str

    def env(self) -> dict[str, str]:
        return {
            "PGPASSWORD": self.password,
            "PGSSLMODE": "verify-full",
            "PGSSLROOTCERT": str(self.server.ca_file),
        }

    def tool(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        where = ["-h", self.server.host, "-p", str(self.server.port), "-U", self.owner]
        return subprocess.run(
            [str(self.server.bindir / name), *where, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )


def _own(server: PgServer, owner: str, dbname: str) -> None:
    with server.connect() as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(dbname), sql.Identifier(owner)
            )
        )
    with server.connect(dbname) as conn:
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))


@pytest.fixture
def owned(pg_server: PgServer) -> Iterator[Owned]:
    owner = f"cw_owner_{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(12)
    with pg_server.connect() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                sql.Identifier(owner), sql.Literal(password)
            )
        )
    dbname = pg_server.create_database()
    _own(pg_server, owner, dbname)
    made = Owned(pg_server, dbname, owner, password)
    try:
        yield made
    finally:
        pg_server.drop_database(dbname)
        with pg_server.connect() as conn, contextlib.suppress(psycopg.Error):
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(owner)))


def test_a_non_superuser_owner_installs_and_reinstalls_the_policy(owned: Owned) -> None:
    login = f"cw_pa_{uuid.uuid4().hex[:8]}"
    engine = owned.server.engine(owned.dbname, user=owned.owner, password=owned.password)
    try:
        with engine.begin() as conn:
            assert (
                conn.exec_driver_sql(
                    "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                ).scalar_one()
                is False
            )
            Base.metadata.create_all(conn)
            server_policy.install(conn)
            server_policy.create_login(conn, login, owned.password, "practitioner")
            assert server_policy.problems(conn) == []
        with engine.begin() as conn:  # every upgrade installs it again
            server_policy.install(conn)
            assert server_policy.problems(conn) == []
            stored = conn.exec_driver_sql(
                f"SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = "
                f"'{login}'"
            ).one()
            assert tuple(stored) == (False, False, False)
    finally:
        engine.dispose()
    with owned.server.connect(owned.dbname, user=login, password=owned.password) as conn:
        assert conn.execute("SELECT count(*) FROM young_people").fetchone() == (0,)
    with owned.server.connect() as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(login)))


def test_the_owner_backs_up_and_restores_with_the_usual_tooling(
    owned: Owned, tmp_path: Path
) -> None:
    engine = owned.server.engine(owned.dbname, user=owned.owner, password=owned.password)
    try:
        with engine.begin() as conn:
            Base.metadata.create_all(conn)
            server_policy.install(conn)
            conn.exec_driver_sql("INSERT INTO teams (name, created_at) VALUES ('North', now())")
    finally:
        engine.dispose()
    dump = tmp_path / "casework.dump"
    plain = owned.tool("pg_dump", "--format=custom", f"--file={dump}", owned.dbname)
    assert plain.returncode != 0
    assert "row-level security" in plain.stderr  # why docs/team-server.md says the option
    done = owned.tool(
        "pg_dump", "--enable-row-security", "--format=custom", f"--file={dump}", owned.dbname
    )
    assert done.returncode == 0, done.stderr
    copy = owned.server.create_database()
    try:
        _own(owned.server, owned.owner, copy)
        restored = owned.tool("pg_restore", "--exit-on-error", f"--dbname={copy}", str(dump))
        assert restored.returncode == 0, restored.stderr
        engine = owned.server.engine(copy, user=owned.owner, password=owned.password)
        try:
            with engine.begin() as conn:
                assert server_policy.problems(conn) == []
                chain = conn.exec_driver_sql("SELECT * FROM casework_verify_chain()").all()
                rows = conn.exec_driver_sql("SELECT * FROM casework_verify_records()").all()
                assert (chain, rows) == ([], [])
                assert conn.exec_driver_sql("SELECT count(*) FROM teams").scalar_one() == 1
        finally:
            engine.dispose()
    finally:
        owned.server.drop_database(copy)
