"""The throwaway PostgreSQL server, once per test session.

Without PostgreSQL 15+ on the machine the team-server tests skip locally, and fail in CI
(``CI=true``), where the server is part of the job."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pg.server import PgServer, ServerUnavailableForTests, start_server
from tests.pg.team import Backend


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


# --- Casework databases on the server: built once as templates, copied per test --------


@pytest.fixture(scope="session")
def server_templates(pg_server: PgServer) -> dict[str, str]:
    """Two template databases: "empty" (an administrator and a team lead, as the file
    tests' empty database) and "demo" (the 40-person demo, seed 7)."""
    from tests.pg import team

    return {
        "empty": team.build_empty(pg_server, "cw_empty_tpl"),
        "demo": team.build_demo(pg_server, "cw_demo_tpl"),
    }


@pytest.fixture(params=["file", "server"])
def both_backends(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """An empty database (an administrator "admin", a team lead "lead" of team North) on a
    local file and on the team server."""
    yield from _backend(request, "empty")


@pytest.fixture(params=["file", "server"])
def both_demos(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """The 40-person demo (seed 7) on a local file and on the team server."""
    yield from _backend(request, "demo")


def _backend(request: pytest.FixtureRequest, kind: str) -> Iterator[Backend]:
    from tests.pg import team

    if request.param == "file":
        opened = request.getfixturevalue("empty_db" if kind == "empty" else "demo_db")
        yield team.FileBackend(opened)
        return
    server: PgServer = request.getfixturevalue("pg_server")
    templates = request.getfixturevalue("server_templates")
    name = server.create_database(template=templates[kind])
    backend = team.ServerBackend(server, name)
    try:
        yield backend
        backend.check_trail()
    finally:
        backend.close()
        server.drop_database(name)
