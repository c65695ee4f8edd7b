"""The team server: the same records, services and rules on PostgreSQL 15 or newer.

Each person connects as their own PostgreSQL role with the password they type at sign-in
(SCRAM-SHA-256 only), over TLS that verifies the server's certificate and host name. The
password is handed to the driver in the connection arguments, kept in memory only as long
as the connection pool needs it to reconnect, and never written to disk, a log line, a URL
or an error message.

:class:`ServerDatabase` offers the services exactly what :class:`Database` offers:

- ``unit_of_work()``: a write transaction that first takes one transaction-scoped advisory
  lock, so write use cases serialise exactly as SQLite's ``BEGIN IMMEDIATE`` makes them,
  and a :class:`Refusal` rolls back, commits only its audit row and raises its error;
- ``reading()``: a ``READ ONLY`` ``REPEATABLE READ`` snapshot that never waits for writers.

Each transaction's ``BEGIN`` is sent by Casework itself (the driver is left in autocommit
and so sends none), together with the write lock in one round trip, and it doubles as the
check that a pooled connection is still alive: a connection found dropped at ``BEGIN`` is
replaced once, before anything was read or written, instead of pinging the server before
every transaction.

A connection lost mid-use becomes :class:`ServerUnavailable`, like a server that cannot be
reached at all, so the app can say plainly that it is offline and keep what was typed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from casework.db import due_snapshots
from casework.db.database import DATABASE_ID_SETTING, STALE_WRITE, Database
from casework.db.migrate import current_revision, script_revisions
from casework.db.migrations import HEAD
from casework.db.models import Setting
from casework.db.server_policy import APPROVAL_SQLSTATE, CLOSED_SQLSTATE
from casework.errors import (
    CaseClosed,
    CaseworkError,
    EditConflict,
    LoginRefused,
    PermissionDenied,
    Refusal,
    ServerCertificateProblem,
    ServerSetupProblem,
    ServerUnavailable,
)

# Every write use case takes this one transaction-scoped lock first (any fixed number
# would do; this one spells "CASEWORK" in ASCII).
WRITE_LOCK = 0x434153455752
# Sent as one message (no parameters), so a write transaction begins and takes the lock in
# one round trip.
BEGIN_WRITE = (
    f"BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
)
BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_SECONDS = 10
REFUSED = "That user name and password do not match an active account."


@dataclass(frozen=True)
class ServerAddress:
    """Where a team server is: host, port and database. Never a user name or password."""

    host: str
    port: int
    dbname: str

    @property
    def url(self) -> str:
        return f"postgresql://{self.host}:{self.port}/{self.dbname}"

    @property
    def label(self) -> str:
        return f"team server {self.dbname}@{self.host}"


def parse_url(url: str) -> ServerAddress:
    """``postgresql://host[:port]/dbname``; anything else is refused with the reason."""
    shown = url.strip()
    try:
        parts = urlsplit(shown)
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ServerSetupProblem(
            "The team server address is not in the form postgresql://host:port/database "
            "(the port is not a number between 1 and 65535)."
        ) from None
    if parts.password is not None:
        # Deliberately does not repeat the address: it holds a password.
        raise ServerSetupProblem(
            "The team server address holds a password. Casework never keeps passwords: "
            "give the address as postgresql://host:port/database; your password is asked "
            "at sign-in."
        )
    if parts.scheme not in ("postgresql", "postgres"):
        raise ServerSetupProblem(
            f"The team server address {shown!r} does not start with postgresql://: give it "
            "as postgresql://host:port/database."
        )
    if parts.username is not None:
        raise ServerSetupProblem(
            f"The team server address {shown!r} names a user. Give the address as "
            "postgresql://host:port/database; each person signs in with their own name."
        )
    if parts.query or parts.fragment:
        raise ServerSetupProblem(
            f"The team server address {shown!r} has options after the database name. "
            "Casework sets the connection's security itself: give only "
            "postgresql://host:port/database."
        )
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname or "/" in dbname:
        raise ServerSetupProblem(
            f"The team server address {shown!r} must name a host and a database, as "
            "postgresql://host:port/database."
        )
    return ServerAddress(parts.hostname, port, dbname)


# Role names PostgreSQL reserves or Casework's own group roles use.
_RESERVED_ROLES = frozenset(
    {
        "public",
        "none",
        "current_user",
        "session_user",
        "current_role",
        "postgres",
        "casework_practitioner",
        "casework_team_lead",
        "casework_admin",
        "casework_owner",
    }
)
_ROLE_NAME = re.compile(r"\A[a-z0-9][a-z0-9._-]{1,62}\Z")


def role_name_problem(username: str) -> str | None:
    """Why a Casework user name cannot be a team-server role name, or None. (It is always
    quoted as an identifier too; this keeps names PostgreSQL reserves or would cut short
    out.)"""
    if not _ROLE_NAME.match(username):
        return (
            f"The user name {username!r} cannot sign in to a team server: use 2 to 63 "
            "lower-case letters, digits, dots, hyphens or underscores, starting with a "
            "letter or digit."
        )
    if username.startswith("pg_") or username in _RESERVED_ROLES:
        return f"The user name {username!r} is reserved on a team server: choose another."
    return None


def _libpq_version() -> int:
    import psycopg

    return int(psycopg.pq.version())


def connect_args(
    address: ServerAddress,
    username: str,
    password: str,
    *,
    ca_file: Path | None = None,
) -> dict[str, Any]:
    """The driver's connection arguments: verified TLS, SCRAM only, UTC."""
    args: dict[str, Any] = {
        "host": address.host,
        "port": address.port,
        "dbname": address.dbname,
        "user": username,
        "password": password,
        "sslmode": "verify-full",
        # "system": the operating system's trusted certificate authorities.
        "sslrootcert": str(ca_file) if ca_file is not None else "system",
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "application_name": "casework",
        # UTC; and a laptop that drops off the network in the middle of a write cannot
        # hold the team's write lock for long: the server ends a transaction left idle for
        # a minute, and notices a dead connection within about a minute by itself.
        "options": (
            "-c TimeZone=UTC -c idle_in_transaction_session_timeout=60000 "
            "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 "
            "-c tcp_keepalives_count=3"
        ),
        # A dropped network is noticed within about a minute, not after hours.
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    if _libpq_version() >= 160000:
        args["require_auth"] = "scram-sha-256"
    return args


def make_engine(
    address: ServerAddress,
    username: str,
    password: str,
    *,
    ca_file: Path | None = None,
    pool_size: int = 2,
) -> Engine:
    return create_engine(
        "postgresql+psycopg://",
        connect_args=connect_args(address, username, password, ca_file=ca_file),
        pool_size=pool_size,
        max_overflow=2,
        # No ping before every use: ServerDatabase's own BEGIN finds a dropped connection
        # (engine_as's one-off engines always start with a fresh connection).
        pool_pre_ping=False,
        pool_recycle=1800,
        hide_parameters=True,
    )


# --- plain errors ------------------------------------------------------------------------

_LOST = ("08", "57P01", "57P02", "57P03")


def _message(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc)


def connect_error(exc: BaseException, address: ServerAddress) -> CaseworkError:
    """What a failed connection means, in words; never repeats the driver's text (which
    may name the user) beyond the host."""
    msg = _message(exc).lower()
    host = address.host
    if "password authentication failed" in msg or ("role" in msg and "does not exist" in msg):
        return LoginRefused(REFUSED)
    if "certificate" in msg or ("ssl" in msg and ("verify" in msg or "not support" in msg)):
        return ServerCertificateProblem(
            f"The team server at {host} could not prove it is the council's server (its "
            "security certificate did not verify). Do not continue: tell IT, and do not "
            "sign in until they have checked it."
        )
    if ("requirement" in msg and "auth" in msg) or "cleartext" in msg or "md5" in msg:
        return ServerSetupProblem(
            f"The team server at {host} asked for a weaker sign-in than Casework allows "
            "(only SCRAM-SHA-256 is accepted). Nothing was sent: tell IT."
        )
    if "does not exist" in msg and "database" in msg:
        return ServerSetupProblem(
            f"The team server at {host} has no database named {address.dbname!r}: check "
            "the address with IT."
        )
    if "pg_hba.conf" in msg:
        return ServerSetupProblem(
            f"The team server at {host} does not accept connections from this computer "
            "(or without TLS): tell IT."
        )
    return ServerUnavailable(
        f"Casework cannot reach the team server at {host}: you are offline. What you type "
        "is kept on this computer and sent when the server is back."
    )


def _lost(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "sqlstate", None)
    if state is None:
        # The driver lost the connection before the server could answer.
        return "connection" in _message(exc).lower() or "closed" in _message(exc).lower()
    return any(state.startswith(prefix) for prefix in _LOST)


@contextlib.contextmanager
def _plain_errors(address: ServerAddress) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        if _lost(exc):
            raise ServerUnavailable(
                f"The connection to the team server at {address.host} was lost: you are "
                "offline. Nothing from this step was saved on the server; what you typed is "
                "kept on this computer and sent when the server is back."
            ) from None
        state = getattr(exc.orig, "sqlstate", None)
        said = _message(exc).strip().splitlines()[0] if _message(exc).strip() else ""
        if state == CLOSED_SQLSTATE:
            raise CaseClosed(f"The team server refused this: {said}") from exc
        if state == APPROVAL_SQLSTATE:
            raise PermissionDenied(f"The team server refused this: {said}") from exc
        if state == "42501":
            raise PermissionDenied(
                "The team server refused this: your account may not see or change it."
            ) from exc
        raise


# --- the database ------------------------------------------------------------------------


class ServerDatabase(Database):
    """An open team-server database: the interface the services use on a local file."""

    backend: ClassVar[str] = "server"

    def __init__(
        self,
        engine: Engine,
        address: ServerAddress,
        database_id: str,
        username: str,
        ca_file: Path | None = None,
    ):
        # Database's own fields that describe a file: none apply on a server.
        self.engine = engine
        self.address = address
        self.username = username
        self.ca_file = ca_file
        self.upgraded_from = None
        self.backup_path = None
        self.notes = []
        self.key = b""
        self._database_id = database_id
        # The driver sends no BEGIN of its own: _begun sends each transaction's (COMMIT and
        # ROLLBACK still go through the driver, which sends them while a transaction is open).
        own_begin = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._sessions = sessionmaker(own_begin, expire_on_commit=False)
        due_snapshots.install([self._sessions])

    def __repr__(self) -> str:
        return f"ServerDatabase({self.location!r}, user={self.username!r})"

    @property
    def path(self) -> Path:
        raise ServerSetupProblem(
            "The records are on the team server, not in a file on this computer: backups "
            "are taken by the council's PostgreSQL tooling (see docs/team-server.md)."
        )

    @path.setter
    def path(self, _value: Path) -> None:
        raise AttributeError("a team-server database has no file")

    @property
    def database_id(self) -> str:
        return self._database_id

    @property
    def location(self) -> str:
        return self.address.label

    def _begun(self, begin: str) -> tuple[Session, SessionTransaction]:
        """A session whose transaction the server has begun with ``begin``. A pooled
        connection that turns out to be dropped is replaced once: nothing was sent on it
        but the BEGIN, so trying again on a fresh connection cannot repeat anything."""
        for attempt in (1, 2):
            session = self._sessions()
            try:
                transaction = session.begin()
                # A pooled connection, or a new one: a server that cannot be reached at all
                # is offline at once, not after a second try.
                connection = session.connection()
            except BaseException:
                session.close()
                raise
            try:
                connection.exec_driver_sql(begin)
            except DBAPIError as exc:
                session.close()
                if attempt == 2 or not _lost(exc):
                    raise
                continue
            except BaseException:
                session.close()
                raise
            return session, transaction
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with _plain_errors(self.address):
            session, transaction = self._begun(BEGIN_WRITE)
            with session:
                try:
                    with transaction:
                        yield session
                except Refusal as refusal:
                    audit_session, audit_transaction = self._begun(BEGIN_WRITE)
                    with audit_session, audit_transaction:
                        refusal.record(audit_session)
                    raise refusal.error from None
                except StaleDataError:
                    # A row's version moved on underneath this write (as on a file):
                    # nothing was written; named, never overwritten.
                    raise EditConflict(STALE_WRITE) from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        with _plain_errors(self.address):
            session, transaction = self._begun(BEGIN_READ)
            with session, transaction:
                yield session

    def close(self) -> None:
        self.engine.dispose()

    def engine_as(self, username: str, password: str) -> Engine:
        """A one-connection engine to the same database as another person (an approver
        confirming with their own password: the server checks it)."""
        return make_engine(self.address, username, password, ca_file=self.ca_file, pool_size=1)


def check_schema(conn: Any, address: ServerAddress) -> str:
    """The database id, once the database is known to be Casework's at this version."""
    revision = current_revision(conn)
    if revision is None:
        raise ServerSetupProblem(
            f"The database {address.dbname!r} on {address.host} holds no Casework records "
            "(IT sets it up with casework-admin server init)."
        )
    if revision != HEAD:
        if revision in script_revisions():
            raise ServerSetupProblem(
                f"The team server's records are at schema version {revision}; this Casework "
                f"needs {HEAD}. Ask IT to run casework-admin server migrate."
            )
        raise ServerSetupProblem(
            f"The team server's records are at schema version {revision}, newer than this "
            "Casework knows: update Casework on this computer."
        )
    found = conn.execute(select(Setting.value).where(Setting.key == DATABASE_ID_SETTING)).scalar()
    if not found:
        raise ServerSetupProblem(
            f"The database {address.dbname!r} on {address.host} is not a Casework team "
            "database (it has no database id)."
        )
    return str(found)


def connect(
    url: str,
    username: str,
    password: str,
    *,
    ca_file: Path | None = None,
) -> ServerDatabase:
    """Open the team server as ``username``; see the module's docstring for the rules."""
    address = parse_url(url)
    if ca_file is not None and not Path(ca_file).is_file():
        raise ServerCertificateProblem(
            f"The certificate authority file {ca_file} does not exist, so the team server "
            f"at {address.host} cannot be checked. Ask IT for the right file."
        )
    engine = make_engine(address, username, password, ca_file=ca_file)
    try:
        with engine.connect() as conn:
            database_id = check_schema(conn, address)
    except DBAPIError as exc:
        engine.dispose()
        raise connect_error(exc, address) from None
    except BaseException:
        engine.dispose()
        raise
    return ServerDatabase(engine, address, database_id, username, ca_file)
