"""What a team server refuses in plain words rather than doing quietly wrong: returns that
read every team's records (an administrator sees no case rows there), and a write whose
row moved on underneath it (named as someone else's change, never overwritten)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from casework.errors import EditConflict, ServerSetupProblem
from casework.returns import annex_a_export, ssda903
from tests.conftest import NOW
from tests.pg.team import Backend


def test_returns_on_a_team_server_are_refused_not_empty(both_backends: Backend) -> None:
    admin = both_backends.login("admin")
    db = both_backends.db_for(admin)
    if both_backends.kind == "file":
        made = annex_a_export.export_annex_a(db, admin, as_of=NOW.date(), now=NOW)
        assert made.lists
        return
    with pytest.raises(ServerSetupProblem, match="cannot be produced from a team server"):
        annex_a_export.export_annex_a(db, admin, as_of=NOW.date(), now=NOW)
    with pytest.raises(ServerSetupProblem, match="SSDA903"):
        ssda903.build_extract(db, admin, 2026, now=NOW)


def test_a_stale_write_is_an_edit_conflict_on_both_backends(both_backends: Backend) -> None:
    lead = both_backends.login("lead")
    db = both_backends.db_for(lead)
    with pytest.raises(EditConflict, match=r"(?i)someone else saved a change"), db.unit_of_work():
        raise StaleDataError("UPDATE statement on table 'young_people' matched 0 rows")


def test_logins_and_passwords_on_a_team_server_are_for_it(both_backends: Backend) -> None:
    from casework.services import users
    from casework.services.permissions import Role
    from casework.services.users import NewUser

    admin = both_backends.login("admin")
    db = both_backends.db_for(admin)
    new = NewUser("sam.worker", "Sam Worker", Role.PRACTITIONER, "a-long-pass-2026", team="North")
    if both_backends.kind == "file":
        assert users.add_user(db, admin, new, now=NOW).ids
        return
    with pytest.raises(ServerSetupProblem, match="server add-user"):
        users.add_user(db, admin, new, now=NOW)
    with pytest.raises(ServerSetupProblem, match="passwords are kept by the server"):
        users.set_password(db, admin, "lead", "another-long-pass-2026", now=NOW)
