"""Each transaction works out once who a person may see and keeps the answer in a
transaction-local setting, sealed with a key only the owner can read. A client can set that
setting with ``set_config``; it must never widen what they see, and a row they write (an
allocation, say) must be seen by their next statement."""

from __future__ import annotations

from typing import Any

import psycopg

from tests.pg.test_security_rls import World, app_caseload, names_seen, one, world

__all__ = ["world"]  # the module-scoped fixture, shared


def _everyone(world: World) -> list[int]:
    return sorted(world.people.values())


def test_a_forged_list_of_visible_people_widens_nothing(world: World) -> None:
    expected = app_caseload(world, "pa")
    everyone = "{" + ",".join(str(i) for i in _everyone(world)) + "}"
    with world.connect("pa", autocommit=False) as conn:
        key = one(conn, "SELECT session_user || '/' || pg_backend_pid() || '/' || now()::text")
        for forged in (
            everyone,
            f"{key}|{everyone}|",
            f"{key}|{everyone}|{'0' * 64}",
        ):
            conn.execute("SELECT set_config('casework.visible', %s, true)", (forged,))
            assert names_seen(world, conn) == expected, forged
            assert one(conn, "SELECT count(*) FROM contacts") == len(expected)
        conn.rollback()


def test_a_seal_from_another_transaction_is_not_accepted(world: World) -> None:
    expected = app_caseload(world, "pa")
    with world.connect("pa", autocommit=False) as conn:
        names_seen(world, conn)  # works the list out and seals it
        kept = one(conn, "SELECT current_setting('casework.visible', true)")
        conn.commit()
        assert one(conn, "SELECT coalesce(current_setting('casework.visible', true), '')") == ""
        parts = kept.split("|")
        widened = "{" + ",".join(str(i) for i in _everyone(world)) + "}"
        conn.execute(
            "SELECT set_config('casework.visible', %s, true)",
            ("|".join([parts[0], widened, parts[2]]),),
        )
        assert names_seen(world, conn) == expected
        conn.rollback()


def test_the_secret_is_the_owners_alone(world: World) -> None:
    with world.connect("pa") as conn:
        try:
            conn.execute("SELECT secret FROM casework_secret")
        except psycopg.errors.InsufficientPrivilege:
            return
        raise AssertionError("a client read the seal's key")


def test_a_written_row_is_seen_by_the_next_statement(world: World) -> None:
    """A practitioner allocated as adviser in the same transaction sees the young person at
    once: writing a row clears the kept list."""
    owner_conn: Any
    with world.owner() as owner_conn:
        before = one(
            owner_conn,
            "SELECT personal_adviser_id FROM young_people WHERE id = %s",
            world.people["b2"],
        )
    with world.connect("pa", autocommit=False) as conn:
        seen = names_seen(world, conn)
        assert "b2" not in seen
        # a1 is theirs: writing one of its rows clears the kept list
        conn.execute(
            "UPDATE contacts SET discussed = discussed WHERE id = %s", (world.contacts["a1"],)
        )
        assert one(conn, "SELECT coalesce(current_setting('casework.visible', true), '')") == ""
        assert names_seen(world, conn) == seen
        conn.rollback()
    with world.owner() as owner_conn:
        after = one(
            owner_conn,
            "SELECT personal_adviser_id FROM young_people WHERE id = %s",
            world.people["b2"],
        )
    assert before == after
