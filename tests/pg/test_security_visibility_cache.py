"""A connection works out once who a person may see and keeps the answer in a session
setting, sealed with a key only the owner can read and bound to the last change of anything
the answer depends on (casework_visibility). A client can set that setting with
``set_config``; it must never widen what they see. A change of allocation must be seen by
the next statement of the transaction that made it and by the next transaction of every
connection; a list kept from before a change is never accepted after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from tests.pg.test_security_rls import World, app_caseload, names_seen, one, world

__all__ = ["world"]  # the module-scoped fixture, shared

KEPT = "SELECT coalesce(current_setting('casework.visible', true), '')"


def seen(world: World, conn: psycopg.Connection[Any]) -> set[str]:
    """Whose contacts the connection reads: a contact's policy asks only the kept list (a
    young person's own row is also let through by its allocation columns)."""
    ids = {r[0] for r in conn.execute("SELECT young_person_id FROM contacts").fetchall()}
    people = {name for name, pid in world.people.items() if pid in ids}
    assert people == names_seen(world, conn)
    return people


def _everyone(world: World) -> str:
    return "{" + ",".join(str(i) for i in sorted(world.people.values())) + "}"


@contextmanager
def _b2_advised_by_pa(world: World) -> Iterator[None]:
    """b2 (team B) given to pa as their personal adviser by IT, committed; put back after."""
    with world.owner() as owner:
        owner.execute(
            "UPDATE young_people SET personal_adviser_id = %s WHERE id = %s",
            (world.users["pa"], world.people["b2"]),
        )
    try:
        yield
    finally:
        with world.owner() as owner:
            owner.execute(
                "UPDATE young_people SET personal_adviser_id = NULL WHERE id = %s",
                (world.people["b2"],),
            )


def test_a_forged_list_of_visible_people_widens_nothing(world: World) -> None:
    expected = app_caseload(world, "pa")
    everyone = _everyone(world)
    with world.connect("pa", autocommit=False) as conn:
        assert seen(world, conn) == expected  # works the list out and keeps it
        key = one(conn, KEPT).split("|")[0]
        for forged in (
            everyone,
            f"{key}|{everyone}|",
            f"{key}|{everyone}|{'0' * 64}",
        ):
            for local in (True, False):
                conn.execute("SELECT set_config('casework.visible', %s, %s)", (forged, local))
                assert seen(world, conn) == expected, forged
                assert one(conn, "SELECT count(*) FROM contacts") == len(expected)
        conn.rollback()


def test_the_kept_list_serves_the_next_transaction_on_the_same_connection(
    world: World,
) -> None:
    expected = app_caseload(world, "pa")
    with world.connect("pa", autocommit=False) as conn:
        assert seen(world, conn) == expected
        kept = one(conn, KEPT)
        assert kept.startswith(world.logins["pa"] + "/")
        conn.commit()
        assert one(conn, KEPT) == kept
        assert seen(world, conn) == expected
        assert one(conn, KEPT) == kept  # the same key: nothing changed since
        conn.rollback()


def test_a_change_of_allocation_is_seen_by_the_next_transaction(world: World) -> None:
    with world.connect("pa", autocommit=False) as conn:
        before = seen(world, conn)
        assert "b2" not in before
        conn.commit()
        with _b2_advised_by_pa(world):
            assert seen(world, conn) == before | {"b2"}
            conn.commit()
        assert seen(world, conn) == before
        conn.rollback()


def test_a_list_kept_from_before_a_change_is_not_accepted_after_it(world: World) -> None:
    """pa keeps the sealed list from while b2 was theirs and sets it again once b2 has been
    taken away: it no longer matches the last change, so it is worked out again."""
    with world.connect("pa", autocommit=False) as conn:
        with _b2_advised_by_pa(world):
            assert "b2" in seen(world, conn)
            kept = one(conn, KEPT)
            conn.commit()
        for local in (True, False):
            conn.execute("SELECT set_config('casework.visible', %s, %s)", (kept, local))
            assert "b2" not in seen(world, conn)
        conn.rollback()


def test_a_list_kept_from_before_a_restore_wound_the_number_back_is_not_accepted(
    world: World,
) -> None:
    """A restore of an older backup can put an older change number back; the row it
    writes is new, so a list sealed under that number before still does not match."""
    with world.connect("pa", autocommit=False) as conn:
        with _b2_advised_by_pa(world):
            assert "b2" in seen(world, conn)
            kept = one(conn, KEPT)
            conn.commit()
            with world.owner() as owner:
                number = one(owner, "SELECT changed FROM casework_visibility")
        with world.owner() as owner:  # b2 taken away, then the number wound back
            owner.execute("UPDATE casework_visibility SET changed = %s", (number,))
        conn.execute("SELECT set_config('casework.visible', %s, false)", (kept,))
        assert "b2" not in seen(world, conn)
        conn.rollback()


def test_a_change_in_the_same_transaction_is_seen_by_its_next_statement(world: World) -> None:
    """A write to an allocation column records a new latest change in its own transaction:
    the kept list no longer matches, and what was worked out inside a transaction that was
    then rolled back never matches again (the number it drew is never drawn again)."""
    with world.connect("pa", autocommit=False) as conn:
        seen(world, conn)
        before = one(conn, KEPT)
        conn.execute(
            "UPDATE young_people SET team_id = team_id WHERE id = %s", (world.people["a1"],)
        )
        seen(world, conn)
        inside = one(conn, KEPT)
        assert inside.split("|")[0] != before.split("|")[0]
        conn.rollback()
        with _b2_advised_by_pa(world):
            conn.execute("SELECT set_config('casework.visible', %s, false)", (inside,))
            assert "b2" in seen(world, conn)
            conn.rollback()


def test_the_seal_and_the_last_change_are_the_owners_alone(world: World) -> None:
    for statement in (
        "SELECT secret FROM casework_secret",
        "SELECT changed FROM casework_visibility",
        "UPDATE casework_visibility SET changed = 1",
        "SELECT nextval('casework_visibility_changes')",
        "SELECT casework_visibility_changed()",
    ):
        with world.connect("pa") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
