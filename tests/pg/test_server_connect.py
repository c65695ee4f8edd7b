"""Connecting to a team server and signing in: verified TLS, SCRAM only, passwords never
in an address or a message, plain errors for each way it fails, writes serialised, reads
read-only, a dropped connection reported as offline."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from casework.db import server
from casework.db.models import AuditEvent, User
from casework.errors import (
    LoginRefused,
    PermissionDenied,
    Refusal,
    ServerCertificateProblem,
    ServerSetupProblem,
    ServerUnavailable,
)
from casework.services import auth, users
from tests.conftest import NOW, PASSWORD
from tests.pg.server import PgServer, _free_port, _write_certificates
from tests.pg.team import ServerBackend

SECRET = "hunter2-not-in-any-message"


@pytest.fixture
def team(pg_server: PgServer, server_templates: dict[str, str]) -> tuple[PgServer, str]:
    name = pg_server.create_database(template=server_templates["empty"])
    yield pg_server, name  # type: ignore[misc]
    pg_server.drop_database(name)


def test_an_address_with_a_password_is_refused_without_repeating_it() -> None:
    with pytest.raises(ServerSetupProblem, match="holds a password") as caught:
        server.parse_url(f"postgresql://admin:{SECRET}@db.council.local/casework")
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://db/casework", "does not start with postgresql://"),
        ("postgresql://db.council.local", "must name a host and a database"),
        ("postgresql://someone@db/casework", "names a user"),
        ("postgresql://db/casework?sslmode=disable", "options after the database name"),
        ("postgresql://db:99999/casework", "port is not a number"),
    ],
)
def test_bad_addresses_say_what_is_wrong(url: str, expected: str) -> None:
    with pytest.raises(ServerSetupProblem, match=expected):
        server.parse_url(url)


def test_a_good_address() -> None:
    found = server.parse_url("postgresql://db.council.local:6543/casework")
    assert (found.host, found.port, found.dbname) == ("db.council.local", 6543, "casework")
    assert server.parse_url("postgresql://db/cw").port == 5432
    assert found.label == "team server casework@db.council.local"


def test_a_wrong_password_gets_the_local_sign_in_message(team: tuple[PgServer, str]) -> None:
    pg, name = team
    with pytest.raises(LoginRefused) as caught:
        auth.server_login(pg.url(name), "lead", SECRET, ca_file=pg.ca_file, now=NOW)
    assert str(caught.value) == auth.REFUSED
    assert SECRET not in repr(caught.value.__cause__) + repr(caught.value.__context__)


def test_an_unknown_user_gets_the_same_message(team: tuple[PgServer, str]) -> None:
    pg, name = team
    with pytest.raises(LoginRefused, match="do not match an active account"):
        auth.server_login(pg.url(name), "nobody.here", SECRET, ca_file=pg.ca_file, now=NOW)
    with pytest.raises(LoginRefused, match="do not match an active account"):
        auth.server_login(pg.url(name), "pg_monitor", SECRET, ca_file=pg.ca_file, now=NOW)


def test_a_certificate_from_another_authority_is_refused(
    team: tuple[PgServer, str], tmp_path: Path
) -> None:
    pg, name = team
    other_ca, _cert, _key = _write_certificates(tmp_path)
    with pytest.raises(ServerCertificateProblem, match="Do not continue: tell IT"):
        server.connect(pg.url(name), "lead", PASSWORD, ca_file=other_ca)


def test_the_connection_verifies_the_host_and_offers_scram_only() -> None:
    address = server.parse_url("postgresql://db.council.local/casework")
    args = server.connect_args(address, "lead", SECRET)
    assert args["sslmode"] == "verify-full"  # the certificate must name this host
    assert args["sslrootcert"] == "system"  # the computer's trusted authorities
    assert args["require_auth"] == "scram-sha-256"


def test_a_missing_certificate_authority_file(team: tuple[PgServer, str], tmp_path: Path) -> None:
    pg, name = team
    with pytest.raises(ServerCertificateProblem, match="does not exist"):
        server.connect(pg.url(name), "lead", PASSWORD, ca_file=tmp_path / "none.crt")


def test_nothing_listening_means_offline() -> None:
    url = f"postgresql://127.0.0.1:{_free_port()}/casework"
    with pytest.raises(ServerUnavailable, match="offline") as caught:
        server.connect(url, "lead", PASSWORD, ca_file=None)
    assert "kept on this computer" in str(caught.value)


def test_an_unknown_database(pg_server: PgServer) -> None:
    with pytest.raises(ServerSetupProblem, match="no database named 'no_such_db'"):
        server.connect(
            pg_server.url("no_such_db"),
            pg_server.superuser,
            pg_server.superpassword,
            ca_file=pg_server.ca_file,
        )


def test_a_database_without_casework(pg_server: PgServer, pg_database: str) -> None:
    with pytest.raises(ServerSetupProblem, match="holds no Casework records"):
        server.connect(
            pg_server.url(pg_database),
            pg_server.superuser,
            pg_server.superpassword,
            ca_file=pg_server.ca_file,
        )


def test_sign_in_as_own_role_is_audited(team: tuple[PgServer, str]) -> None:
    pg, name = team
    db, actor = auth.server_login(pg.url(name), " Lead ", PASSWORD, ca_file=pg.ca_file, now=NOW)
    try:
        assert (actor.username, str(actor.role)) == ("lead", "team_lead")
        assert db.backend == "server"
        assert db.location == f"team server {name}@127.0.0.1"
        with db.reading() as session:
            who = session.execute(text("SELECT current_user")).scalar()
            last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert who == "lead"
        assert last is not None
        assert (last.action, last.actor_id, last.record_id) == (
            "login",
            actor.user_id,
            str(actor.user_id),
        )
    finally:
        db.close()


def test_a_disabled_account_cannot_sign_in(team: tuple[PgServer, str]) -> None:
    pg, name = team
    backend = ServerBackend(pg, name)
    try:
        admin = backend.login("admin")
        users.set_active(backend.db_for(admin), admin, "lead", False, now=NOW)
        with pytest.raises(LoginRefused, match="do not match an active account"):
            auth.server_login(pg.url(name), "lead", PASSWORD, ca_file=pg.ca_file, now=NOW)
        with backend.owner_db.reading() as session:
            last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and (last.action, last.outcome) == ("login_failed", "denied")
    finally:
        backend.close()


def test_a_team_server_has_no_file(team: tuple[PgServer, str]) -> None:
    pg, name = team
    backend = ServerBackend(pg, name)
    try:
        with pytest.raises(ServerSetupProblem, match="council's PostgreSQL tooling"):
            _ = backend.owner_db.path
    finally:
        backend.close()


def test_a_refusal_keeps_only_its_audit_row(team: tuple[PgServer, str]) -> None:
    pg, name = team
    backend = ServerBackend(pg, name)
    db = backend.owner_db
    try:
        with db.reading() as session:
            before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
        with pytest.raises(PermissionDenied, match="refused for the test"), db.unit_of_work() as s:
            s.get(User, 1).display_name = "Changed"  # type: ignore[union-attr]
            s.flush()
            raise Refusal(
                PermissionDenied("refused for the test"),
                lambda audited: audited.execute(
                    text("SELECT casework_audit_event('test_refusal', NULL, NULL, '', 'denied')")
                ),
            )
        with db.reading() as session:
            assert session.get(User, 1).display_name == "Ada Admin"  # type: ignore[union-attr]
            actions = session.scalars(
                select(AuditEvent.action).where(AuditEvent.id > (before or 0))
            ).all()
        assert "test_refusal" in actions
    finally:
        backend.close()


def test_reading_is_read_only(team: tuple[PgServer, str]) -> None:
    pg, name = team
    backend = ServerBackend(pg, name)
    try:
        with pytest.raises(Exception, match="read-only"), backend.owner_db.reading() as session:
            session.execute(text("UPDATE teams SET name = 'x'"))
    finally:
        backend.close()


def test_write_use_cases_take_turns(team: tuple[PgServer, str]) -> None:
    """A second unit of work waits for the first, as BEGIN IMMEDIATE does on a file."""
    pg, name = team
    backend = ServerBackend(pg, name)
    db = backend.owner_db
    order: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        with db.unit_of_work() as session:
            session.execute(text("SELECT 1"))
            first_in.set()
            time.sleep(0.5)
            order.append("first done")

    def second() -> None:
        first_in.wait()
        with db.unit_of_work() as session:
            session.execute(text("SELECT 1"))
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert order == ["first done", "second in"]
    finally:
        backend.close()


def test_a_dropped_connection_is_offline_not_a_crash(team: tuple[PgServer, str]) -> None:
    pg, name = team
    backend = ServerBackend(pg, name)
    try:
        lead = backend.login("lead")
        db = backend.db_for(lead)
        with pytest.raises(ServerUnavailable, match="offline") as caught, db.unit_of_work() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
            with pg.connect(name) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            s.execute(text("SELECT 1"))
        assert "what you typed is kept" in str(caught.value)
        # The next use reconnects (the lost connection was let go).
        with db.reading() as session:
            assert session.execute(text("SELECT current_user")).scalar() == "lead"
    finally:
        backend.close()


@pytest.mark.parametrize("use", ["reading", "unit_of_work"])
def test_a_pooled_connection_dropped_while_idle_is_replaced_unnoticed(
    team: tuple[PgServer, str], use: str
) -> None:
    """No ping before each transaction: the BEGIN Casework sends finds a connection the
    server dropped while it sat in the pool (a restart, an idle timeout) and the step runs
    on a fresh one, once, with nothing repeated."""
    pg, name = team
    backend = ServerBackend(pg, name)
    try:
        db = backend.db_for(backend.login("lead"))
        with db.reading() as session:
            old = session.execute(text("SELECT pg_backend_pid()")).scalar()
        with pg.connect(name) as admin:
            # waits (up to 5 s) until the backend has gone
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (old,))
        with getattr(db, use)() as session:
            new = session.execute(text("SELECT pg_backend_pid()")).scalar()
            isolation = session.execute(text("SHOW transaction_isolation")).scalar()
            read_only = session.execute(text("SHOW transaction_read_only")).scalar()
            locks = session.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid()"
                )
            ).scalar()
        assert new != old
        # a laptop lost mid-write cannot hold the team's write lock for long
        with getattr(db, use)() as session:
            idle = session.execute(text("SHOW idle_in_transaction_session_timeout")).scalar()
            keepalive = session.execute(text("SHOW tcp_keepalives_idle")).scalar()
        assert (idle, keepalive) == ("1min", "30")
        if use == "reading":
            assert (isolation, read_only, locks) == ("repeatable read", "on", 0)
        else:
            assert (isolation, read_only, locks) == ("read committed", "off", 1)
    finally:
        backend.close()


def test_a_pulled_cable_is_offline_after_one_fresh_try_and_none_when_nothing_is_pooled(
    team: tuple[PgServer, str],
) -> None:
    """A dropped pooled connection gets one fresh connection; a server that cannot be
    reached at all is offline at the first attempt, not after waiting twice."""
    from sqlalchemy import event

    from tests.ui._cable import Cable

    pg, name = team
    cable = Cable(pg.port)
    db = server.connect(
        f"postgresql://127.0.0.1:{cable.port}/{name}", "lead", PASSWORD, ca_file=pg.ca_file
    )
    tries: list[int] = []
    event.listen(db.engine, "do_connect", lambda *_args: tries.append(1))
    try:
        with db.reading() as session:
            session.execute(text("SELECT 1"))
        cable.pull_out()
        with pytest.raises(ServerUnavailable), db.reading():
            pass
        assert len(tries) == 1  # the dropped connection was replaced once, and refused
        tries.clear()
        db.engine.dispose()
        with pytest.raises(ServerUnavailable), db.unit_of_work():
            pass
        assert len(tries) == 1  # nothing pooled: one attempt, no second
    finally:
        db.close()
        cable.pull_out()
