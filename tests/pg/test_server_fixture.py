"""The throwaway server is what the team-server tests claim it is: TLS verified, SCRAM only,
no plain or trusted connections."""

from __future__ import annotations

import psycopg
import pytest

from tests.pg.server import PgServer


def test_connects_with_tls_and_scram(pg_server: PgServer, pg_database: str) -> None:
    with pg_server.connect(pg_database) as conn:
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        assert row == (True,)
        assert conn.execute("SHOW password_encryption").fetchone() == ("scram-sha-256",)
        assert conn.execute("SELECT current_database()").fetchone() == (pg_database,)


def test_refuses_plain_connections(pg_server: PgServer) -> None:
    with pytest.raises(psycopg.OperationalError):
        pg_server.connect(sslmode="disable").close()


def test_refuses_a_wrong_password(pg_server: PgServer) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pg_server.connect(password="not the password").close()


def test_hba_allows_nothing_but_hostssl_scram(pg_server: PgServer) -> None:
    with pg_server.connect() as conn:
        rules = conn.execute(
            "SELECT type, auth_method FROM pg_hba_file_rules WHERE error IS NULL"
        ).fetchall()
    assert rules == [("hostssl", "scram-sha-256")]


def test_databases_are_fresh_and_copyable(pg_server: PgServer, pg_database: str) -> None:
    pg_server.execute("CREATE TABLE marker (x int)", pg_database)
    copy = pg_server.create_database(template=pg_database)
    try:
        with pg_server.connect(copy) as conn:
            assert conn.execute("SELECT count(*) FROM marker").fetchone() == (0,)
    finally:
        pg_server.drop_database(copy)
    assert pg_server.url(copy).startswith("postgresql://127.0.0.1:")
    assert "@" not in pg_server.url(copy)
