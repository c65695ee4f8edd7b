"""Teams and user accounts. Only administrators (and casework-admin) manage them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from casework.clock import to_naive_utc
from casework.db.database import Database
from casework.db.models import Team, TeamLeadership, User
from casework.domain.passwords import password_problems
from casework.errors import NotFound, ValidationFailed
from casework.services import audit, concurrency
from casework.services.auth import find_user, hash_password
from casework.services.common import Changed, check, refuse_on_server, require
from casework.services.permissions import Action, Actor, Role

_USERNAME = re.compile(r"\A[a-z0-9][a-z0-9._-]{1,63}\Z")


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: Role
    password: str | None
    team: str | None = None  # team name: the team a practitioner or team lead belongs to
    leads: tuple[str, ...] = ()  # team names a team lead leads


@dataclass(frozen=True)
class UserSummary:
    id: int
    username: str
    display_name: str
    role: Role
    team: str | None
    leads: tuple[str, ...]
    active: bool
    version: int = 1  # as read: a change to the account passes it back


@dataclass(frozen=True)
class TeamSummary:
    id: int
    name: str


def _team_by_name(session: Session, name: str) -> Team | None:
    return session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))


def ensure_team(session: Session, actor: Actor, name: str, now: datetime) -> Team:
    team = _team_by_name(session, name)
    if team is not None:
        return team
    clean = " ".join(name.split())
    if not clean or len(clean) > 100:
        raise ValidationFailed(["A team name must be between 1 and 100 characters."])
    team = Team(name=clean, created_at=to_naive_utc(now))
    session.add(team)
    session.flush()
    audit.record(
        session,
        actor,
        "create_team",
        now=now,
        record_type="team",
        record_id=team.id,
        fields=["name"],
    )
    return team


def user_problems(session: Session, new: NewUser) -> list[str]:
    problems: list[str] = []
    name = new.username.strip().lower()
    if not _USERNAME.match(name):
        problems.append(
            f"User name '{new.username}' is not valid: use 2 to 64 lower-case letters, digits, "
            "dots, hyphens or underscores, starting with a letter or digit."
        )
    elif find_user(session, name) is not None:
        problems.append(f"User name '{name}' is already taken.")
    if not new.display_name.strip():
        problems.append("The person's name (as shown to colleagues) is required.")
    if new.password is not None:
        problems.extend(password_problems(new.password, name))
    if new.role in (Role.PRACTITIONER,) and not new.team:
        problems.append("A practitioner must belong to a team.")
    if new.role is Role.TEAM_LEAD and not (new.leads or new.team):
        problems.append("A team lead must lead at least one team.")
    if new.role is Role.SYSTEM:
        problems.append("The system role cannot be given to a person.")
    return problems


def add_user_in(session: Session, actor: Actor, new: NewUser, now: datetime) -> User:
    """Create a user inside the caller's transaction (used at database creation too)."""
    problems = user_problems(session, new)
    if problems:
        raise ValidationFailed(problems)
    team = ensure_team(session, actor, new.team, now) if new.team else None
    user = User(
        username=new.username.strip().lower(),
        display_name=" ".join(new.display_name.split()),
        role=str(new.role),
        team_id=team.id if team else None,
        password_hash=hash_password(new.password) if new.password is not None else None,
        active=new.password is not None,
        created_at=to_naive_utc(now),
        password_changed_at=to_naive_utc(now) if new.password is not None else None,
    )
    session.add(user)
    session.flush()
    leads = set(new.leads) | ({new.team} if new.role is Role.TEAM_LEAD and new.team else set())
    for team_name in sorted(leads):
        led = ensure_team(session, actor, team_name, now)
        session.add(TeamLeadership(user_id=user.id, team_id=led.id))
    audit.record(
        session,
        actor,
        "create_user",
        now=now,
        record_type="user",
        record_id=user.id,
        fields=["username", "display_name", "role", "team_id", "password_hash", "leads"],
    )
    session.flush()
    return user


NEW_LOGIN_ON_SERVER = (
    "On a team server a person signs in with their own login on the server, which only the "
    "council's IT can create: ask IT to run casework-admin server add-user (see "
    "docs/team-server.md). Nothing was changed."
)
PASSWORD_ON_SERVER = (
    "On a team server passwords are kept by the server, not by Casework, so they cannot be "
    "set here: ask IT to reset the password on the server (ALTER ROLE ... PASSWORD, as the "
    "database owner). Nothing was changed."
)


def add_user(db: Database, actor: Actor, new: NewUser, *, now: datetime) -> Changed:
    refuse_on_server(db, NEW_LOGIN_ON_SERVER)
    with db.unit_of_work() as session:
        check(session, actor, Action.MANAGE_USERS, now=now, record_type="user")
        user = add_user_in(session, actor, new, now)
        return Changed("user", (user.id,))


def set_password(
    db: Database,
    actor: Actor,
    username: str,
    password: str,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Set (or reset) a password; activates an account imported without one."""
    refuse_on_server(db, PASSWORD_ON_SERVER)
    with db.unit_of_work() as session:
        check(session, actor, Action.MANAGE_USERS, now=now, record_type="user")
        user = find_user(session, username)
        if user is None:
            raise NotFound(f"There is no user named '{username}'.")
        _as_shown(session, user, expected_version)
        problems = password_problems(password, user.username)
        if problems:
            raise ValidationFailed(problems)
        user.password_hash = hash_password(password)
        user.password_changed_at = to_naive_utc(now)
        user.active = True
        audit.record(
            session,
            actor,
            "set_password",
            now=now,
            record_type="user",
            record_id=user.id,
            fields=["password_hash", "active"],
        )
        return Changed("user", (user.id,), ("password_hash", "active"))


def set_active(
    db: Database,
    actor: Actor,
    username: str,
    active: bool,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    with db.unit_of_work() as session:
        check(session, actor, Action.MANAGE_USERS, now=now, record_type="user")
        user = find_user(session, username)
        if user is None:
            raise NotFound(f"There is no user named '{username}'.")
        _as_shown(session, user, expected_version)
        if actor.user_id == user.id and not active:
            raise ValidationFailed(["You cannot deactivate your own account."])
        user.active = active
        audit.record(
            session,
            actor,
            "activate_user" if active else "deactivate_user",
            now=now,
            record_type="user",
            record_id=user.id,
            fields=["active"],
        )
        return Changed("user", (user.id,), ("active",))


def change_access(
    db: Database,
    actor: Actor,
    username: str,
    *,
    role: Role,
    team: str | None,
    leads: tuple[str, ...] = (),
    now: datetime,
    expected_version: int | None = None,
) -> Changed:
    """Change an account's role and teams. Any session it has open ends at its next
    action (``casework.services.common.require_current``)."""
    with db.unit_of_work() as session:
        check(session, actor, Action.MANAGE_USERS, now=now, record_type="user")
        user = find_user(session, username)
        if user is None:
            raise NotFound(f"There is no user named '{username}'.")
        _as_shown(session, user, expected_version)
        problems = []
        if role is Role.SYSTEM:
            problems.append("The system role cannot be given to a person.")
        if role is Role.PRACTITIONER and not team:
            problems.append("A practitioner must belong to a team.")
        if role is Role.TEAM_LEAD and not (leads or team):
            problems.append("A team lead must lead at least one team.")
        if actor.user_id == user.id and role is not Role(user.role):
            problems.append("You cannot change your own role.")
        if problems:
            raise ValidationFailed(problems)
        home = ensure_team(session, actor, team, now) if team else None
        user.role, user.team_id = str(role), home.id if home else None
        flag_modified(user, "role")  # the teams led live in their own table: still a change
        for old in session.scalars(select(TeamLeadership).where(TeamLeadership.user_id == user.id)):
            session.delete(old)
        session.flush()
        led = set(leads) | ({team} if role is Role.TEAM_LEAD and team else set())
        for name in sorted(led):
            session.add(
                TeamLeadership(user_id=user.id, team_id=ensure_team(session, actor, name, now).id)
            )
        session.flush()
        audit.record(
            session,
            actor,
            "change_access",
            now=now,
            record_type="user",
            record_id=user.id,
            fields=["role", "team_id", "leads"],
        )
        return Changed("user", (user.id,), ("role", "team_id"))


def _as_shown(session: Session, user: User, expected_version: int | None) -> None:
    concurrency.expect(session, user, expected_version, record_type="user", what="account")


def list_users(db: Database, actor: Actor, *, now: datetime) -> list[UserSummary]:
    require(db, actor, Action.MANAGE_USERS, now=now, record_type="user")
    with db.reading() as session:
        users = session.scalars(select(User).order_by(User.role, User.display_name)).all()
        return [
            UserSummary(
                u.id,
                u.username,
                u.display_name,
                Role(u.role),
                u.team.name if u.team else None,
                tuple(sorted(t.name for t in u.led_teams)),
                u.active,
                u.version,
            )
            for u in users
        ]


def list_teams(db: Database) -> list[TeamSummary]:
    """Team names are not personal data: anyone signed in may list them."""
    with db.reading() as session:
        return [
            TeamSummary(t.id, t.name) for t in session.scalars(select(Team).order_by(Team.name))
        ]


@dataclass(frozen=True)
class WorkerOption:
    id: int
    display_name: str
    team_id: int | None
    role: Role


def workers(db: Database, team_ids: frozenset[int] | None = None) -> list[WorkerOption]:
    """Active practitioners and team leads who can hold a case (for allocation lists)."""
    with db.reading() as session:
        stmt = select(User).where(
            User.active.is_(True), User.role.in_([str(Role.PRACTITIONER), str(Role.TEAM_LEAD)])
        )
        if team_ids is not None:
            stmt = stmt.where(User.team_id.in_(team_ids))
        return [
            WorkerOption(u.id, u.display_name, u.team_id, Role(u.role))
            for u in session.scalars(stmt.order_by(User.display_name))
        ]
