"""The same services, the same answers, on a local file and on the team server.

Each test runs twice (``both_backends`` / ``both_demos``): once on an encrypted file, once
on the throwaway PostgreSQL server signed in as each person's own role. After each server
test the server's audit chain and records are checked (``ServerBackend.check_trail``)."""

from __future__ import annotations

from casework.services import due
from tests.conftest import NOW
from tests.pg.team import Backend


def test_my_work_for_a_team_lead(both_demos: Backend) -> None:
    lead = both_demos.login("lead.north")
    items = due.my_work(both_demos.db_for(lead), lead, now=NOW, team=True)
    assert len(items) > 5
    assert {type(i).__name__ for i in items} == {"WorkItem"}
