"""The throwaway PostgreSQL server, once per test session.

Without PostgreSQL 15+ on the machine the team-server tests skip locally, and fail in CI
(``CI=true``), where the server is part of the job."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pg.server import PgServer, ServerUnavailableForTests, start_server


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        server = start_server()
    except ServerUnavailableForTests as exc:
        if _in_ci():
            pytest.fail(f"the throwaway PostgreSQL server could not start: {exc}", pytrace=False)
        pytest.skip(f"no throwaway PostgreSQL server: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_database(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database on the throwaway server, dropped after the test."""
    name = pg_server.create_database()
    try:
        yield name
    finally:
        pg_server.drop_database(name)
