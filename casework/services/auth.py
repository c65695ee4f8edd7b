"""Passwords (Argon2id) and signing in, with a growing delay after repeated failures.

The failure message is the same whether or not the user name exists, and unknown
names cost the same Argon2 work and build up the same delay as known ones.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casework.clock import to_naive_utc
from casework.db import server
from casework.db.database import Database
from casework.db.models import LoginThrottle, User
from casework.errors import LoginRefused, PermissionDenied, Refusal
from casework.services import audit
from casework.services.permissions import Actor, Role

# OWASP's Argon2id floor: 19 MiB of memory, 2 passes, 1 lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
FREE_FAILURES = 3  # failures allowed before any delay
MAX_DELAY_SECONDS = 300
REFUSED = "That user name and password do not match an active account."


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("casework-no-such-user-placeholder")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures: 0, 0, 0, 2, 4, 8 ... 300."""
    if failures <= FREE_FAILURES:
        return 0
    return int(min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def _digest(username: str) -> str:
    return hashlib.sha256(b"casework-login\x00" + username.strip().casefold().encode()).hexdigest()


def actor_for(session: Session, user: User) -> Actor:
    led = frozenset(t.id for t in user.led_teams)
    return Actor(user.id, user.username, user.display_name, Role(user.role), user.team_id, led)


def find_user(session: Session, username: str) -> User | None:
    name = username.strip().casefold()
    return session.scalar(select(User).where(func.lower(User.username) == name))


GLOBAL_KEY = "casework-login-every-account"
GLOBAL_FREE_FAILURES = 20  # failures across all user names before the shared delay starts
GLOBAL_WINDOW = timedelta(minutes=15)  # a quiet spell this long forgets earlier failures
_NOBODY = Actor(None, "", "", Role.SYSTEM)


def global_delay_after(failures: int) -> int:
    """Seconds every sign-in waits after ``failures`` recent failures on this database,
    whatever the user name: 0 up to 20, then 2, 4, 8 ... 300. Stops a guesser using each
    account's free failures to try every account."""
    if failures <= GLOBAL_FREE_FAILURES:
        return 0
    return int(min(2 ** (failures - GLOBAL_FREE_FAILURES), MAX_DELAY_SECONDS))


def _waiting(throttle: LoginThrottle | None, moment: datetime) -> float:
    if throttle is None or throttle.next_allowed_at <= moment:
        return 0.0
    return (throttle.next_allowed_at - moment).total_seconds()


def _count_global_failure(session: Session, moment: datetime) -> int:
    """Count one failure against every account; returns the shared wait in seconds."""
    row = session.get(LoginThrottle, GLOBAL_KEY)
    if row is None:
        row = LoginThrottle(name_digest=GLOBAL_KEY, failures=0)
        session.add(row)
    elif moment - row.last_failure_at > GLOBAL_WINDOW:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = moment
    wait = global_delay_after(row.failures)
    row.next_allowed_at = moment + timedelta(seconds=wait)
    return wait


def login(db: Database, username: str, password: str, *, now: datetime) -> Actor:
    """Sign in. Every attempt is audited: successes, failures, and attempts refused
    unchecked because a delay (for this user name, or for every account) is running."""
    moment = to_naive_utc(now)
    digest = _digest(username)
    with db.unit_of_work() as session:
        throttle = session.get(LoginThrottle, digest)
        user = find_user(session, username)
        shared = session.get(LoginThrottle, GLOBAL_KEY)
        recent = shared is not None and shared.failures > GLOBAL_FREE_FAILURES
        everyone = _waiting(shared, moment) if recent else 0.0
        mine = _waiting(throttle, moment)
        if everyone or mine:
            wait = max(everyone, mine)
            scope = "this user name" if mine >= everyone else "this database"
            user_id = user.id if user else None
            raise Refusal(
                LoginRefused(
                    f"Too many failed sign-ins for {scope}. Try again in {int(wait) + 1} seconds.",
                    retry_after_seconds=wait,
                ),
                lambda audited: audit.record(
                    audited,
                    _NOBODY,
                    "login_delayed",
                    now=moment,
                    record_type="user",
                    record_id=user_id,
                    outcome="denied",
                ),
            )
        ok = check_password(user.password_hash if user else None, password)
        if ok and user is not None and user.active:
            if throttle is not None:
                session.delete(throttle)
            actor = actor_for(session, user)
            audit.record(session, actor, "login", now=moment, record_type="user", record_id=user.id)
            return actor
        failures = (throttle.failures if throttle else 0) + 1
        wait_s = delay_after(failures)
        if throttle is None:
            throttle = LoginThrottle(name_digest=digest)
            session.add(throttle)
        throttle.failures = failures
        throttle.last_failure_at = moment
        throttle.next_allowed_at = moment + timedelta(seconds=wait_s)
        wait_s = max(wait_s, _count_global_failure(session, moment))
        who = actor_for(session, user) if user else _NOBODY
        audit.record(
            session,
            who,
            "login_failed",
            now=moment,
            record_type="user",
            record_id=user.id if user else None,
            outcome="denied",
        )
    suffix = f" Wait {wait_s} seconds before trying again." if wait_s else ""
    raise LoginRefused(REFUSED + suffix, retry_after_seconds=float(wait_s))


def confirm_password(
    db: Database,
    actor: Actor,
    password: str,
    *,
    now: datetime,
    grant: tuple[str, object] | None = None,
) -> bool:
    """Re-check a signed-in user's password (for approvals and the like). Wrong guesses
    share the login's growing delay for the user name, so a session left open cannot be
    used to try passwords quickly; raises LoginRefused while the delay runs.

    On a team server the server checks it: a second connection signs in as the person
    with the password typed and, for an approval (``grant``: its kind and record id),
    records a grant the server's own check on the approval requires."""
    if isinstance(db, server.ServerDatabase):
        return _server_confirm(db, actor, password, grant)
    moment = to_naive_utc(now)
    digest = _digest(actor.username)
    with db.unit_of_work() as session:
        throttle = session.get(LoginThrottle, digest)
        wait = _waiting(throttle, moment)
        if wait:
            raise Refusal(
                LoginRefused(
                    f"Too many wrong passwords. Try again in {int(wait) + 1} seconds.",
                    retry_after_seconds=wait,
                ),
                lambda audited: audit.record(
                    audited,
                    actor,
                    "password_check_delayed",
                    now=moment,
                    record_type="user",
                    record_id=actor.user_id,
                    outcome="denied",
                ),
            )
        user = session.get(User, actor.user_id) if actor.user_id else None
        if user and user.active and check_password(user.password_hash, password):
            if throttle is not None:
                session.delete(throttle)
            return True
        if throttle is None:
            throttle = LoginThrottle(name_digest=digest, failures=0)
            session.add(throttle)
        throttle.failures += 1
        throttle.last_failure_at = moment
        throttle.next_allowed_at = moment + timedelta(seconds=delay_after(throttle.failures))
        return False


def logout(db: Database, actor: Actor, *, now: datetime, reason: str = "logout") -> None:
    with db.unit_of_work() as session:
        audit.record(session, actor, reason, now=now, record_type="user", record_id=actor.user_id)


def server_login(
    url: str,
    username: str,
    password: str,
    *,
    ca_file: Path | None = None,
    now: datetime,
) -> tuple[server.ServerDatabase, Actor]:
    """Sign in to a team server as the person's own PostgreSQL role: the server checks the
    password (SCRAM-SHA-256), and the account is the users row named like the role. A
    refused password, an unknown or disabled account all get the local sign-in's message;
    the server's audit trail records the sign-in (or the refusal of a disabled account).
    Repeated failures are slowed by the server (see docs/team-server.md), since nothing can
    be written before the password is accepted."""
    name = username.strip().casefold()
    if server.role_name_problem(name) is not None:
        raise LoginRefused(REFUSED)
    db = server.connect(url, name, password, ca_file=ca_file)
    try:
        actor = _server_account(db, now)
    except BaseException:
        db.close()
        raise
    return db, actor


def _server_account(db: server.ServerDatabase, now: datetime) -> Actor:
    moment = to_naive_utc(now)
    with db.unit_of_work() as session:
        user = session.scalar(select(User).where(func.lower(User.username) == func.current_user()))
        if user is None or not user.active:
            user_id = user.id if user else None
            raise Refusal(
                LoginRefused(REFUSED),
                lambda audited: audit.record(
                    audited,
                    _NOBODY,
                    "login_failed",
                    now=moment,
                    record_type="user",
                    record_id=user_id,
                    outcome="denied",
                ),
            )
        actor = actor_for(session, user)
        audit.record(session, actor, "login", now=moment, record_type="user", record_id=user.id)
        return actor


def _server_confirm(
    db: server.ServerDatabase, actor: Actor, password: str, grant: tuple[str, object] | None
) -> bool:
    from casework.db import server_policy

    if not password:
        return False
    if grant is None:
        engine = db.engine_as(actor.username, password)
        try:
            with engine.connect():
                return True
        except DBAPIError as exc:
            if isinstance(server.connect_error(exc, db.address), LoginRefused):
                return False
            raise server.connect_error(exc, db.address) from None
        finally:
            engine.dispose()
    kind, record_id = grant
    try:
        server_policy.grant_approval(db.engine_as, actor.username, password, kind, record_id)
    except PermissionDenied:
        return False
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42501":
            return False  # not someone who may approve: the use case's own check says so
        raise server.connect_error(exc, db.address) from exc
    return True
