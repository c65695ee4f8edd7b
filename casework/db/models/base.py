"""The declarative base (with the naming convention migrations rely on) and settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """A row two people may have on screen at once: ``version`` counts its changes.

    It is the mapper's ``version_id_col``, so every ORM UPDATE or DELETE of the row says
    ``WHERE version = <the version this session read>`` and bumps it. A write whose row
    changed underneath it (another connection committed first, as can happen on a
    PostgreSQL server) matches no row and raises ``StaleDataError``, which the unit of
    work turns into :class:`casework.errors.EditConflict`. A screen that shows the row keeps
    the version it showed and the use case compares it first (``services/concurrency``),
    so a change made after the screen read it is named, never overwritten."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Setting(Versioned, Base):
    """Key/value settings for this database (database id, idle lock, council options)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
