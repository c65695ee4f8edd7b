"""Setting up and looking after a team server (``casework-admin server ...``).

Every command runs as the council DBA's owner role (its password asked at a prompt or read
from ``PGPASSWORD``, never from the command line), and each is one transaction: a failure
leaves the server as it was. The security the server itself enforces (group roles, grants,
row-level security, the server-written audit trail) is ``casework.db.server_policy``;
these commands install it and keep it installed after every upgrade.

People's accounts are PostgreSQL login roles named like their Casework user name, holding
the password they sign in with (SCRAM-SHA-256). The users row holds no password hash on a
team server: the server is the only one that checks passwords.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casework.clock import to_naive_utc
from casework.db import server
from casework.db.database import DATABASE_ID_SETTING
from casework.db.migrate import current_revision, script_revisions, upgrade_on
from casework.db.migrations import HEAD
from casework.db.models import Setting, User
from casework.domain.passwords import password_problems
from casework.errors import (
    CaseworkError,
    ImportRefused,
    MigrationFailed,
    ServerSetupProblem,
    ValidationFailed,
)
from casework.services import audit, bundle
from casework.services.auth import find_user
from casework.services.permissions import SYSTEM_ACTOR, Role
from casework.services.users import NewUser, add_user_in

POLICY_MISSING = (
    "This Casework has no team-server security policy (casework.db.server_policy), so it "
    "cannot set up or check a team server: install a complete Casework."
)


def _policy() -> ModuleType:
    """The server's security policy module (roles, grants, row-level security, audit)."""
    import importlib

    try:
        return importlib.import_module("casework.db.server_policy")
    except ModuleNotFoundError as exc:
        if exc.name != "casework.db.server_policy":
            raise
        raise ServerSetupProblem(POLICY_MISSING) from None


@dataclass(frozen=True)
class Owner:
    """The DBA's connection: the database owner's role and password (never stored)."""

    url: str
    username: str
    password: str
    ca_file: Path | None = None


def owner_engine(owner: Owner) -> Engine:
    address = server.parse_url(owner.url)
    engine = server.make_engine(
        address, owner.username, owner.password, ca_file=owner.ca_file, pool_size=1
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        raise server.connect_error(exc, address) from None
    return engine


def _plain(exc: DBAPIError, what: str) -> CaseworkError:
    orig = getattr(exc, "orig", None)
    first = str(orig or exc).strip().splitlines()
    return ServerSetupProblem(
        f"The team server refused to {what}: {first[0] if first else type(exc).__name__}. "
        "Nothing was changed."
    )


def _create_login(conn: Connection, new: NewUser, password: str) -> None:
    problem = server.role_name_problem(new.username.strip().lower())
    if problem:
        raise ValidationFailed([problem])
    name = new.username.strip().lower()
    if _role_exists(conn, name):
        raise ValidationFailed(
            [
                f"A sign-in named '{name}' already exists on this PostgreSQL server (sign-ins "
                "belong to the whole server, not one database): choose another user name, or "
                "ask the DBA whose it is."
            ]
        )
    _policy().create_login(conn, new.username.strip().lower(), password, str(new.role))


def _add_person(session: Session, new: NewUser, password: str, now: datetime) -> User:
    """The users row (no password hash: the server checks passwords) and the login role."""
    name = new.username.strip().lower()
    problems = [*password_problems(password, name)]
    problem = server.role_name_problem(name)
    if problem:
        problems.append(problem)
    if problems:
        raise ValidationFailed(problems)
    user = add_user_in(session, SYSTEM_ACTOR, replace(new, password=None), now)
    user.active = True
    user.password_changed_at = to_naive_utc(now)
    session.flush()
    _create_login(session.connection(), new, password)
    return user


def init_server(owner: Owner, admin: NewUser, admin_password: str, *, now: datetime) -> str:
    """An empty database becomes a Casework team database: the schema at HEAD, the security
    policy, the database id and the first administrator (with their login role). All or
    nothing. Returns the database id."""
    policy = _policy()
    if admin.role is not Role.ADMIN:
        raise ValidationFailed(["The first account on a team server is an administrator."])
    engine = owner_engine(owner)
    try:
        with engine.connect() as conn:
            found = current_revision(conn)
        if found is not None:
            raise ServerSetupProblem(
                f"The database already holds Casework records (schema version {found}): "
                "nothing was changed. Use casework-admin server migrate to upgrade it."
            )
        database_id = str(uuid.uuid4())
        try:
            with engine.begin() as conn:
                upgrade_on(conn)
                policy.install(conn)
                with Session(bind=conn, expire_on_commit=False) as session:
                    session.add(Setting(key=DATABASE_ID_SETTING, value=database_id))
                    session.add(Setting(key="created_at", value=now.isoformat()))
                    session.flush()
                    _add_person(session, admin, admin_password, now)
                    session.flush()
        except DBAPIError as exc:
            raise _plain(exc, "set up the database") from None
        return database_id
    finally:
        engine.dispose()


def _schema_at_head(conn: Connection, owner: Owner) -> None:
    server.check_schema(conn, server.parse_url(owner.url))


def add_user(owner: Owner, new: NewUser, password: str, *, now: datetime) -> str:
    """A person's Casework account and login role, in one transaction. An account that
    already exists without a login (brought in by ``server import``) gets its login only.
    Returns what was done, in words."""
    engine = owner_engine(owner)
    try:
        try:
            with engine.begin() as conn:
                _schema_at_head(conn, owner)
                with Session(bind=conn, expire_on_commit=False) as session:
                    existing = find_user(session, new.username)
                    if existing is None:
                        _add_person(session, new, password, now)
                        return f"Added {new.username.strip().lower()}: {new.role.label}."
                    if _has_login(conn, existing.username):
                        raise ValidationFailed(
                            [f"User name '{existing.username}' is already taken."]
                        )
                    if problems := password_problems(password, existing.username):
                        raise ValidationFailed(problems)
                    existing.active = True
                    existing.password_changed_at = to_naive_utc(now)
                    audit.record(
                        session,
                        SYSTEM_ACTOR,
                        "set_password",
                        now=now,
                        record_type="user",
                        record_id=existing.id,
                        fields=["active", "password_changed_at"],
                    )
                    _create_login(conn, _as_new(existing), password)
                    return f"Gave {existing.username} a sign-in: {Role(existing.role).label}."
        except DBAPIError as exc:
            raise _plain(exc, "add the account") from None
    finally:
        engine.dispose()


def _as_new(user: User) -> NewUser:
    return NewUser(user.username, user.display_name, Role(user.role), None)


def _role_exists(conn: Connection, username: str) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": username})
    return found.first() is not None


def _has_login(conn: Connection, username: str) -> bool:
    found = conn.execute(
        text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"), {"n": username}
    ).first()
    return bool(found and found[0])


def migrate_server(owner: Owner) -> str | None:
    """Upgrade the schema to HEAD and re-install the security policy, all or nothing.
    Returns the revision it was at (None when it was already at HEAD)."""
    policy = _policy()
    engine = owner_engine(owner)
    try:
        with engine.connect() as conn:
            found = current_revision(conn)
        if found is None:
            raise ServerSetupProblem(
                "The database holds no Casework records: use casework-admin server init."
            )
        if found != HEAD and found not in script_revisions():
            raise ServerSetupProblem(
                f"The database is at schema version {found}, newer than this Casework knows: "
                "nothing was changed. Upgrade casework-admin first."
            )
        try:
            with engine.begin() as conn:
                upgrade_on(conn)
                policy.install(conn)
        except DBAPIError as exc:
            raise MigrationFailed(
                f"The upgrade failed ({_first(exc)}) and was rolled back; nothing was changed."
            ) from None
        return None if found == HEAD else found
    finally:
        engine.dispose()


def _first(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def import_file(owner: Owner, data: dict[str, Any], *, now: datetime) -> bundle.ImportResult:
    """A laptop's bundle into the team server through the same import as a local file, in
    one transaction: all of it or none. Workers it brings get no sign-in: give them one
    with ``server add-user`` (their account is kept)."""
    engine = owner_engine(owner)
    try:
        with engine.connect() as conn:
            database_id = server.check_schema(conn, server.parse_url(owner.url))
        db = server.ServerDatabase(engine, server.parse_url(owner.url), database_id, owner.username)
        try:
            return bundle.import_bundle(db, SYSTEM_ACTOR, data, now=now)
        except DBAPIError as exc:
            raise ImportRefused([f"The team server refused the import: {_first(exc)}"]) from None
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ServerCheck:
    chain: str
    records: list[str]
    policy: list[str]

    @property
    def ok(self) -> bool:
        return self.chain.startswith("ok") and not self.records and not self.policy


def verify_server(owner: Owner) -> ServerCheck:
    """The audit chain, every record against its latest event, and the security policy
    present on every table that needs it."""
    policy = _policy()
    engine = owner_engine(owner)
    try:
        with engine.connect() as conn:  # read only: closing rolls back
            server.check_schema(conn, server.parse_url(owner.url))
            with Session(bind=conn) as session:
                chain = audit.verify_chain(session)
                records = [str(p) for p in audit.verify_records(session)]
            missing = [str(p) for p in policy.problems(conn)]
        return ServerCheck(chain.summary, records, missing)
    finally:
        engine.dispose()


def users_without_login(owner: Owner) -> list[str]:
    """Accounts with no sign-in role on the server yet (e.g. brought by an import)."""
    engine = owner_engine(owner)
    try:
        with engine.connect() as conn:
            roles = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
            names = conn.execute(select(User.username).order_by(User.username)).scalars()
            return [n for n in names if n not in roles]
    finally:
        engine.dispose()
