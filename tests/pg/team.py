"""Casework databases on the throwaway server, and one face for both backends in tests.

Every person of a server database gets a login role with the tests' shared password, so a
test signs in as that person exactly as the app does (their own role, SCRAM, TLS).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework.db import server as server_db
from casework.db.database import Database
from casework.db.models import User
from casework.services import auth, demo, server_admin
from casework.services.permissions import Actor, Role
from casework.services.users import NewUser
from tests.conftest import NOW, PASSWORD, Opened
from tests.pg.server import PgServer


def policy_module() -> ModuleType:
    """The server's security policy."""
    return importlib.import_module("casework.db.server_policy")


ORIGINAL_POLICY = server_admin._policy


def owner(server: PgServer, dbname: str) -> server_admin.Owner:
    return server_admin.Owner(
        server.url(dbname), server.superuser, server.superpassword, server.ca_file
    )


def _login_for_everyone(server: PgServer, dbname: str) -> None:
    """A login role (the shared test password) for every account that has none yet."""
    policy = policy_module()
    engine = server.engine(dbname)
    try:
        with engine.begin() as conn:
            existing = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
            for username, role in conn.execute(select(User.username, User.role)).all():
                # Roles belong to the whole server: one made for an earlier template
                # database is already in its group.
                if username not in existing:
                    policy.create_login(conn, username, PASSWORD, role)
    finally:
        engine.dispose()


def build_empty(server: PgServer, name: str) -> str:
    server.create_database(name)
    server_admin.init_server(
        owner(server, name), NewUser("admin", "Ada Admin", Role.ADMIN, None), PASSWORD, now=NOW
    )
    lead = NewUser("lead", "Lee Lead", Role.TEAM_LEAD, None, team="North", leads=("North",))
    existing = _roles(server)
    if "lead" in existing:
        _add_row_only(server, name, lead)
    else:
        server_admin.add_user(owner(server, name), lead, PASSWORD, now=NOW)
    _login_for_everyone(server, name)
    return name


def _roles(server: PgServer) -> set[str]:
    with server.connect() as conn:
        return {r[0] for r in conn.execute("SELECT rolname FROM pg_roles").fetchall()}


def _add_row_only(server: PgServer, dbname: str, new: NewUser) -> None:
    from casework.services.permissions import SYSTEM_ACTOR
    from casework.services.users import add_user_in

    engine = server.engine(dbname)
    try:
        with engine.begin() as conn, Session(bind=conn) as session:
            add_user_in(session, SYSTEM_ACTOR, new, NOW)
            session.flush()
    finally:
        engine.dispose()


def build_demo(server: PgServer, name: str) -> str:
    """The 40-person demo, written as the owner (as the file's demo is written by its
    creator), then a login for each of its accounts."""
    server.create_database(name)
    server_admin.init_server(
        owner(server, name),
        NewUser("casework.it", "Casework IT", Role.ADMIN, None),
        PASSWORD,
        now=NOW,
    )
    engine = server.engine(name)
    try:
        with engine.begin() as conn, Session(bind=conn) as session:
            demo.populate(session, people=40, seed=7, password=PASSWORD, now=NOW)
            session.flush()
    finally:
        engine.dispose()
    _login_for_everyone(server, name)
    return name


# --- one face for both backends -----------------------------------------------------------


class Backend(Protocol):
    kind: str

    @property
    def db(self) -> Database: ...

    def login(self, username: str) -> Actor: ...

    def db_for(self, actor: Actor) -> Database: ...


@dataclass
class FileBackend:
    opened: Opened
    kind: str = "file"

    @property
    def db(self) -> Database:
        return self.opened.db

    def login(self, username: str) -> Actor:
        return self.opened.login(username)

    def db_for(self, actor: Actor) -> Database:
        return self.opened.db


@dataclass
class ServerBackend:
    """Each person signed in is connected as their own role; ``db`` is the last one's (or
    the owner's, before anyone signs in)."""

    server: PgServer
    dbname: str
    kind: str = "server"
    _by_user: dict[int | None, server_db.ServerDatabase] = field(default_factory=dict)
    _current: server_db.ServerDatabase | None = None
    _owner: server_db.ServerDatabase | None = None

    @property
    def owner_db(self) -> server_db.ServerDatabase:
        if self._owner is None:
            self._owner = server_db.connect(
                self.server.url(self.dbname),
                self.server.superuser,
                self.server.superpassword,
                ca_file=self.server.ca_file,
            )
        return self._owner

    @property
    def db(self) -> Database:
        return self._current or self.owner_db

    def login(self, username: str) -> Actor:
        db, actor = auth.server_login(
            self.server.url(self.dbname), username, PASSWORD, ca_file=self.server.ca_file, now=NOW
        )
        old = self._by_user.pop(actor.user_id, None)
        if old is not None:
            old.close()
        self._by_user[actor.user_id] = db
        self._current = db
        return actor

    def db_for(self, actor: Actor) -> Database:
        return self._by_user.get(actor.user_id) or self.owner_db

    def check_trail(self) -> None:
        from casework.services import audit

        with self.owner_db.reading() as session:
            assert audit.verify_chain(session).ok
            assert [str(p) for p in audit.verify_records(session)] == []

    def close(self) -> None:
        for db in self._by_user.values():
            db.close()
        if self._owner is not None:
            self._owner.close()
