"""The audit trail on a real server, proved with raw SQL over each person's own login: no
client role can write, change, delete or forge events; every row written is recorded by
the server with the writer as actor; concurrent writers keep one intact chain; a row
changed behind the server's back is reported; an approval needs a grant made with the
approver's password, once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from casework.db import server_policy
from casework.errors import PermissionDenied
from tests.pg.server import PgServer
from tests.pg.test_security_rls import World, build_world, drop_world, one

CLIENTS = ("pa", "px", "lead", "admin")


@pytest.fixture(scope="module")
def world(pg_server: PgServer) -> Iterator[World]:
    built = build_world(pg_server)
    try:
        yield built
    finally:
        drop_world(built)


def problems_in_chain(world: World) -> list[tuple[str, str]]:
    with world.owner() as conn:
        return [tuple(r) for r in conn.execute("SELECT * FROM casework_verify_chain()")]


def problems_in_records(world: World) -> list[tuple[str, str]]:
    with world.owner() as conn:
        return [tuple(r) for r in conn.execute("SELECT * FROM casework_verify_records()")]


def new_contact(conn: psycopg.Connection[Any], person: int, author: int) -> int:
    return int(
        one(
            conn,
            "INSERT INTO contacts (young_person_id, occurred_at, method, made_by, seen, "
            "seen_alone, views, discussed, draft_follow_ups, status, author_id, created_at, "
            "updated_at) VALUES (%s, now(), 'phone', 'pa', false, false, '', '', '[]', "
            "'draft', %s, now(), now()) RETURNING id",
            person,
            author,
        )
    )


def test_the_world_starts_with_an_intact_chain_vouching_for_every_row(world: World) -> None:
    assert problems_in_chain(world) == []
    assert problems_in_records(world) == []


@pytest.mark.parametrize("who", CLIENTS)
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO audit_events (id, occurred_at, actor_role, action, fields, outcome, "
        "prev_hash, hash) VALUES (999999, now(), 'x', 'x', '', 'ok', 'x', 'x')",
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "INSERT INTO audit_head (id, last_event_id, last_hash) VALUES (2, 0, 'x')",
        "UPDATE audit_head SET last_event_id = 0",
        "DELETE FROM audit_head",
        "TRUNCATE audit_head",
        "INSERT INTO approval_grants (approver, kind, record_id, granted_at) "
        "VALUES (session_user, 'closure_request', '1', now())",
        "UPDATE approval_grants SET used_at = NULL",
        "SELECT casework_append(NULL, 'system', 'forged', NULL, NULL, '', 'ok', NULL)",
        "SELECT casework_link(1, now()::timestamp, 1, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x')",
        "SELECT casework_closed_by_approval(1)",
        "DELETE FROM casework_record_types",
    ],
)
def test_no_client_role_writes_the_trail_or_calls_its_internals(
    world: World, who: str, statement: str
) -> None:
    with (
        world.connect(who) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"),
    ):
        conn.execute(statement)


@pytest.mark.parametrize("who", CLIENTS)
def test_an_explicit_event_is_always_in_the_callers_own_name(world: World, who: str) -> None:
    victim = world.users["lead" if who != "lead" else "pa"]
    with world.connect(who) as conn:
        event = one(
            conn,
            "SELECT casework_audit_event('sign_in', 'user', %s, '', 'ok')",
            str(victim),
        )
        actor, role, row_hash = conn.execute(
            "SELECT actor_id, actor_role, row_hash FROM audit_events WHERE id = %s", (event,)
        ).fetchone() or (None, None, None)
    assert actor == world.users[who]
    assert role in ("practitioner", "team_lead", "admin")
    assert row_hash is not None and len(row_hash) == 64  # the server hashed the users row
    assert problems_in_chain(world) == []


def test_a_row_written_is_recorded_by_the_server_as_its_writer(world: World) -> None:
    with world.connect("pa", autocommit=False) as conn:
        conn.execute("SELECT set_config('casework.action', 'record_contact', true)")
        contact = new_contact(conn, world.people["a1"], world.users["pa"])
        conn.commit()
    with world.owner() as conn:
        rows = conn.execute(
            "SELECT actor_id, actor_role, action, record_type, row_hash FROM audit_events "
            "WHERE record_type = 'contacts' AND record_id = %s",
            (str(contact),),
        ).fetchall()
    assert len(rows) == 1
    actor, role, action, record_type, row_hash = rows[0]
    assert (actor, role, action, record_type) == (
        world.users["pa"],
        "practitioner",
        "record_contact",
        "contacts",
    )
    assert row_hash is not None and row_hash != "deleted"
    assert problems_in_records(world) == []


def test_the_action_defaults_to_write_and_a_delete_is_recorded_as_deleted(world: World) -> None:
    with world.connect("pa") as conn:
        period = one(
            conn,
            "INSERT INTO care_periods (young_person_id, started_on, legal_status, recorded_at) "
            "VALUES (%s, '2024-01-01', 'C2', now()) RETURNING id",
            world.people["a1"],
        )
        conn.execute("DELETE FROM care_periods WHERE id = %s", (period,))
    with world.owner() as conn:
        rows = conn.execute(
            "SELECT action, row_hash FROM audit_events "
            "WHERE record_type = 'care_periods' AND record_id = %s ORDER BY id",
            (str(period),),
        ).fetchall()
    assert [r[0] for r in rows] == ["write", "write"]
    assert rows[-1][1] == "deleted"
    assert problems_in_records(world) == []


def test_concurrent_writers_keep_one_intact_chain(world: World) -> None:
    with world.owner() as conn:
        before = one(conn, "SELECT last_event_id FROM audit_head")
    errors: list[BaseException] = []
    writes = 25

    def work(who: str, person: str) -> None:
        try:
            with world.connect(who, autocommit=False) as conn:
                for _ in range(writes):
                    contact = new_contact(conn, world.people[person], world.users[who])
                    conn.execute(
                        "UPDATE contacts SET discussed = 'second thoughts' WHERE id = %s",
                        (contact,),
                    )
                    conn.execute(
                        "SELECT casework_audit_event('open_record', 'young_person', %s, '', 'ok')",
                        (str(world.people[person]),),
                    )
                    conn.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=args)
        for args in (("pa", "a1"), ("px", "b1"), ("lead", "a2"), ("pa", "a2"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with world.owner() as conn:
        after = one(conn, "SELECT last_event_id FROM audit_head")
        ids = [r[0] for r in conn.execute("SELECT id FROM audit_events ORDER BY id")]
    assert after - before == len(threads) * writes * 3
    assert ids == list(range(1, after + 1))  # strictly increasing, no gaps
    assert problems_in_chain(world) == []
    assert problems_in_records(world) == []


def test_a_row_changed_behind_the_servers_back_is_reported(world: World) -> None:
    contact = world.contacts["b2"]
    with world.owner() as conn:
        # a superuser switching the triggers off is the only way round them
        conn.execute("SET session_replication_role = replica")
        conn.execute("UPDATE contacts SET discussed = 'rewritten' WHERE id = %s", (contact,))
        conn.execute("SET session_replication_role = origin")
    try:
        found = problems_in_records(world)
        assert len(found) == 1
        ref, problem = found[0]
        assert ref == f"contacts {contact}"
        assert "changed outside Casework" in problem
        assert problems_in_chain(world) == []
    finally:
        with world.owner() as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute("UPDATE contacts SET discussed = '' WHERE id = %s", (contact,))
    assert problems_in_records(world) == []


def test_an_edited_event_or_a_cut_tail_is_reported(world: World) -> None:
    with world.server.connect(world.dbname, autocommit=False) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("UPDATE audit_events SET action = 'innocent' WHERE id = 2")
        edited = [tuple(r) for r in conn.execute("SELECT * FROM casework_verify_chain()")]
        conn.rollback()
        conn.execute("SET LOCAL session_replication_role = replica")
        last = one(conn, "SELECT max(id) FROM audit_events")
        conn.execute("DELETE FROM audit_events WHERE id = %s", (last,))
        cut = [tuple(r) for r in conn.execute("SELECT * FROM casework_verify_chain()")]
        conn.rollback()
    assert edited == [("2", "its contents do not match its hash: it was changed")]
    assert [r[0] for r in cut] == ["head"]


def test_verification_is_for_team_leads_and_administrators(world: World) -> None:
    for who in ("lead", "admin"):
        with world.connect(who) as conn:
            assert conn.execute("SELECT * FROM casework_verify_chain()").fetchall() == []
    with (
        world.connect("pa") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT * FROM casework_verify_records()")


# --- approvals ----------------------------------------------------------------------


def approve(conn: psycopg.Connection[Any], world: World, request: int) -> None:
    conn.execute(
        "UPDATE closure_requests SET status = 'approved', reviewed_by = %s, "
        "reviewed_at = now() WHERE id = %s",
        (world.users["lead"], request),
    )


def test_an_approval_needs_a_grant_made_with_the_approvers_password(world: World) -> None:
    request = world.requests["a2"]
    lead = world.logins["lead"]
    with world.connect("lead") as conn:
        with pytest.raises(psycopg.DatabaseError, match="password was not confirmed") as caught:
            approve(conn, world, request)
        assert caught.value.sqlstate == server_policy.APPROVAL_SQLSTATE
        with pytest.raises(PermissionDenied, match="password is not right"):
            server_policy.grant_approval(
                world.engine_for, lead, "not the password", "closure_request", request
            )
        with pytest.raises(psycopg.DatabaseError, match="password was not confirmed"):
            approve(conn, world, request)
        grant = server_policy.grant_approval(
            world.engine_for, lead, world.passwords["lead"], "closure_request", request
        )
        assert grant > 0
        approve(conn, world, request)
        assert one(conn, "SELECT status FROM closure_requests WHERE id = %s", request) == (
            "approved"
        )
        # the grant is spent: returning it and approving again needs the password again
        conn.execute("UPDATE closure_requests SET status = 'pending' WHERE id = %s", (request,))
        with pytest.raises(psycopg.DatabaseError, match="password was not confirmed"):
            approve(conn, world, request)
    with world.owner() as conn:
        used = one(conn, "SELECT used_at IS NOT NULL FROM approval_grants WHERE id = %s", grant)
        assert used is True
        actions = [
            r[0]
            for r in conn.execute(
                "SELECT action FROM audit_events WHERE record_type = 'closure_request' "
                "AND record_id = %s ORDER BY id",
                (str(request),),
            )
        ]
    assert "grant_approval" in actions


def test_a_grant_is_for_one_request_and_one_approver(world: World) -> None:
    request = world.requests["a2"]
    other = world.requests["a3"]
    server_policy.grant_approval(
        world.engine_for, world.logins["lead"], world.passwords["lead"], "closure_request", other
    )
    with (
        world.connect("lead") as conn,
        pytest.raises(psycopg.DatabaseError, match="password was not confirmed"),
    ):
        approve(conn, world, request)
    # a practitioner cannot grant at all
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        server_policy.grant_approval(
            world.engine_for, world.logins["pa"], world.passwords["pa"], "closure_request", request
        )


def test_an_approval_in_someone_elses_name_is_refused(world: World) -> None:
    request = world.requests["a2"]
    server_policy.grant_approval(
        world.engine_for, world.logins["lead"], world.passwords["lead"], "closure_request", request
    )
    with world.connect("lead") as conn:
        conn.execute("UPDATE closure_requests SET status = 'pending' WHERE id = %s", (request,))
        with pytest.raises(psycopg.DatabaseError, match="approver's own name"):
            conn.execute(
                "UPDATE closure_requests SET status = 'approved', reviewed_by = %s WHERE id = %s",
                (world.users["lead2"], request),
            )


def test_nobody_approves_a_request_they_wrote(world: World) -> None:
    request = world.requests["a2"]
    with world.owner() as conn:
        conn.execute(
            "INSERT INTO closure_request_versions (request_id, version, kind, author_id, "
            "written_at) VALUES (%s, 2, 'resubmit', %s, now())",
            (request, world.users["lead"]),
        )
    try:
        server_policy.grant_approval(
            world.engine_for,
            world.logins["lead"],
            world.passwords["lead"],
            "closure_request",
            request,
        )
        with world.connect("lead") as conn:
            conn.execute("UPDATE closure_requests SET status = 'pending' WHERE id = %s", (request,))
            with pytest.raises(psycopg.DatabaseError, match="its approver wrote or changed it"):
                approve(conn, world, request)
    finally:
        with world.owner() as conn:
            conn.execute("DELETE FROM closure_request_versions WHERE request_id = %s", (request,))


# --- passwords ----------------------------------------------------------------------


def test_a_password_reaches_the_server_only_as_a_scram_verifier(world: World) -> None:
    with world.owner() as conn:
        stored = one(
            conn, "SELECT rolpassword FROM pg_authid WHERE rolname = %s", world.logins["px"]
        )
    assert stored.startswith("SCRAM-SHA-256$4096:")
    assert world.passwords["px"] not in stored


def test_a_person_changes_their_own_password_and_nobody_elses(world: World) -> None:
    old = world.passwords["px"]
    engine = world.engine_for(world.logins["px"], old)
    try:
        with engine.begin() as conn:
            server_policy.change_own_password(conn, "a brand new passphrase")
    finally:
        engine.dispose()
    world.passwords["px"] = "a brand new passphrase"
    with world.connect("px") as conn:
        changed = one(
            conn,
            "SELECT password_changed_at IS NOT NULL FROM users WHERE id = %s",
            world.users["px"],
        )
        assert changed is True
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        world.server.connect(world.dbname, user=world.logins["px"], password=old).close()
    with world.connect("px") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            psycopg.sql.SQL("ALTER ROLE {} PASSWORD 'x'").format(
                psycopg.sql.Identifier(world.logins["pa"])
            )
        )
    assert problems_in_records(world) == []


def test_a_disabled_login_cannot_sign_in_and_a_role_change_moves_groups(world: World) -> None:
    engine = world.server.engine(world.dbname)
    login = world.logins["lead2"]
    member_of = (
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :login"
    )
    try:
        with engine.begin() as conn:
            server_policy.disable_login(conn, login)
        with pytest.raises(psycopg.OperationalError):
            world.connect("lead2").close()
        with engine.begin() as conn:
            server_policy.enable_login(conn, login)
            server_policy.set_login_role(conn, login, "practitioner")
            groups = set(conn.execute(sa.text(member_of), {"login": login}).scalars())
            assert groups == {"casework_practitioner"}
            server_policy.set_login_role(conn, login, "team_lead")
    finally:
        engine.dispose()
    with world.connect("lead2") as conn:
        assert one(conn, "SELECT 1") == 1


def test_login_names_are_checked_before_anything_is_created(world: World) -> None:
    engine = world.server.engine(world.dbname)
    try:
        with engine.begin() as conn:
            for bad, why in (
                ("Alice", "lower case"),
                ("casework_admin", "reserved"),
                ("pg_monitor", "reserved"),
                ("x" * 64, "1 to 63"),
            ):
                with pytest.raises(ValueError, match=why):
                    server_policy.create_login(conn, bad, "pw", "practitioner")
            with pytest.raises(ValueError, match="not a Casework role"):
                server_policy.create_login(conn, "someone", "pw", "superuser")
    finally:
        engine.dispose()
