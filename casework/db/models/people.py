"""Teams, user accounts and young people."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db.models.base import Base, Versioned


class Team(Versioned, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    members: Mapped[list[User]] = relationship(back_populates="team", foreign_keys="User.team_id")


class TeamLeadership(Base):
    """A team lead leads one or more teams."""

    __tablename__ = "team_leaderships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)


class User(Versioned, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    led_teams: Mapped[list[Team]] = relationship(secondary="team_leaderships", viewonly=True)


class LoginThrottle(Base):
    """Failed logins per user name, keyed by a digest so unknown names look the same."""

    __tablename__ = "login_throttle"

    name_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime)
    next_allowed_at: Mapped[datetime] = mapped_column(DateTime)


class YoungPerson(Versioned, Base):
    __tablename__ = "young_people"
    __table_args__ = (
        UniqueConstraint("child_uid"),
        Index("ix_young_people_last_name_lower", func.lower("last_name")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_uid: Mapped[str] = mapped_column(String(40))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16))
    ethnicity: Mapped[str] = mapped_column(String(8))
    disability: Mapped[str] = mapped_column(String(8))
    uasc: Mapped[bool] = mapped_column(Boolean, default=False)
    eligibility: Mapped[str] = mapped_column(String(24))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    personal_adviser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    date_ceased_looked_after: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)  # set while the case is closed
    closure_reason: Mapped[str | None] = mapped_column(String(8))
    # The day the case opened: a recorded fact (imports carry it), not the moment the row
    # was written. Older databases were backfilled from the earliest dated fact.
    opened_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    team: Mapped[Team] = relationship()
    social_worker: Mapped[User | None] = relationship(foreign_keys=[social_worker_id])
    personal_adviser: Mapped[User | None] = relationship(foreign_keys=[personal_adviser_id])
