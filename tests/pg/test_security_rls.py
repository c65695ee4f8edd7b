"""Row-level security on a real server, proved with raw SQL over each person's own
SCRAM/TLS login: what each role reads and may change is exactly what the app lets them,
an administrator reads no case rows, and a closed case refuses changes.

The world (built once per module, as the database owner):

- team A: young people a1, a2 and a3 (a3's case is closed); team B: b1 and b2; b2's
  closure was approved and carried out and later reopened, so it is open to closure
  audits across teams;
- ``pa``: a practitioner in team A; ``px``: a practitioner in team C (which has nobody),
  personal adviser to b1; ``lead``: a team lead who leads team A; ``admin``.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from casework.db import server_policy
from casework.db.models import (
    Base,
    ClosureRequest,
    Contact,
    PathwayPlan,
    PlanArea,
    Team,
    TeamLeadership,
    User,
    YoungPerson,
)
from casework.services.permissions import Actor, Relation, Role
from tests.pg.server import PgServer

NOW = datetime(2026, 3, 2, 10, 0)


@dataclass
class World:
    server: PgServer
    dbname: str
    users: dict[str, int] = field(default_factory=dict)  # short name -> users.id
    logins: dict[str, str] = field(default_factory=dict)  # short name -> role name
    passwords: dict[str, str] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)  # person -> one contact id
    requests: dict[str, int] = field(default_factory=dict)  # person -> closure request id

    def connect(self, who: str, **extra: Any) -> psycopg.Connection[Any]:
        """``who``'s own login, TLS verified, password checked by SCRAM."""
        return self.server.connect(  # type: ignore[no-any-return]
            self.dbname,
            user=self.logins[who],
            password=self.passwords[who],
            autocommit=extra.pop("autocommit", True),
            **extra,
        )

    def owner(self) -> psycopg.Connection[Any]:
        return self.server.connect(self.dbname)  # type: ignore[no-any-return]

    def engine_for(self, username: str, password: str) -> sa.Engine:
        return self.server.engine(self.dbname, user=username, password=password)  # type: ignore[no-any-return]

    def actor(self, who: str, role: Role, team: str | None, led: tuple[str, ...]) -> Actor:
        return Actor(
            self.users[who],
            self.logins[who],
            who,
            role,
            None if team is None else self.teams[team],
            frozenset(self.teams[t] for t in led),
        )


PEOPLE = {  # name: (team, personal adviser)
    "a1": ("A", None),
    "a2": ("A", None),
    "a3": ("A", None),
    "b1": ("B", "px"),
    "b2": ("B", None),
}


def _person(name: str, team_id: int, adviser: int | None, closed: bool) -> YoungPerson:
    return YoungPerson(
        child_uid=f"UID-{name}",
        first_name=name.upper(),
        last_name="Test",
        date_of_birth=date(2008, 5, 1),
        sex="female",
        ethnicity="WBRI",
        disability="no",
        eligibility="relevant",
        team_id=team_id,
        personal_adviser_id=adviser,
        closed_on=date(2026, 2, 1) if closed else None,
        closure_reason="RC7" if closed else None,
        created_at=NOW,
        updated_at=NOW,
    )


def _contact(person_id: int, author: int) -> Contact:
    return Contact(
        young_person_id=person_id,
        occurred_at=NOW,
        method="visit",
        successful=True,
        made_by="pa",
        status="final",
        author_id=author,
        created_at=NOW,
        updated_at=NOW,
    )


def _request(person_id: int, author: int, status: str) -> ClosureRequest:
    return ClosureRequest(
        young_person_id=person_id,
        status=status,
        reason="RC7",
        requested_by=author,
        requested_at=NOW,
        submitted_at=NOW,
        anchor_on=NOW.date(),
        closed_on=date(2026, 2, 1) if status == "closed" else None,
    )


def build_world(server: PgServer) -> World:
    """A fresh database with the schema, the server policy and the world above."""
    dbname = server.create_database()
    world = World(server, dbname)
    tag = uuid.uuid4().hex[:8]
    engine = server.engine(dbname)
    try:
        with engine.begin() as conn:
            Base.metadata.create_all(conn)
            server_policy.install(conn)
            with Session(bind=conn) as session:
                for name in ("A", "B", "C"):
                    team = Team(name=f"Team {name}", created_at=NOW)
                    session.add(team)
                    session.flush()
                    world.teams[name] = team.id
                for who, role, team_name in (
                    ("pa", "practitioner", "A"),
                    ("px", "practitioner", "C"),
                    ("lead", "team_lead", None),
                    ("lead2", "team_lead", "C"),
                    ("admin", "admin", None),
                ):
                    login = f"cw_{who}_{tag}"
                    user = User(
                        username=login,
                        display_name=who,
                        role=role,
                        team_id=None if team_name is None else world.teams[team_name],
                        active=True,
                        created_at=NOW,
                    )
                    session.add(user)
                    session.flush()
                    world.users[who] = user.id
                    world.logins[who] = login
                    world.passwords[who] = secrets.token_urlsafe(12)
                    server_policy.create_login(conn, login, world.passwords[who], role)
                session.add(TeamLeadership(user_id=world.users["lead"], team_id=world.teams["A"]))
                for name, (team_name, adviser) in PEOPLE.items():
                    person = _person(
                        name,
                        world.teams[team_name],
                        None if adviser is None else world.users[adviser],
                        closed=name == "a3",
                    )
                    session.add(person)
                    session.flush()
                    world.people[name] = person.id
                    contact = _contact(person.id, world.users["pa"])
                    session.add(contact)
                    session.flush()
                    world.contacts[name] = contact.id
                    plan = PathwayPlan(
                        young_person_id=person.id,
                        started_on=date(2026, 1, 5),
                        created_by=world.users["pa"],
                        created_at=NOW,
                    )
                    session.add(plan)
                    session.flush()
                    session.add(PlanArea(plan_id=plan.id, area="health"))
                for name, status in (("a3", "closed"), ("b2", "closed"), ("a2", "pending")):
                    row = _request(world.people[name], world.users["pa"], status)
                    session.add(row)
                    session.flush()
                    world.requests[name] = row.id
                session.flush()
    finally:
        engine.dispose()
    return world


def drop_world(world: World) -> None:
    world.server.drop_database(world.dbname)
    with world.server.connect() as conn:
        for login in world.logins.values():
            conn.execute(
                psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(login))
            )


@pytest.fixture(scope="module")
def world(pg_server: PgServer) -> Iterator[World]:
    built = build_world(pg_server)
    try:
        yield built
    finally:
        drop_world(built)


def one(conn: psycopg.Connection[Any], query: str, *args: Any) -> Any:
    row = conn.execute(query, args or None).fetchone()
    assert row is not None
    return row[0]


# --- what the app shows each role ---------------------------------------------------

ROLES = {  # who: (Casework role, own team, led teams)
    "pa": (Role.PRACTITIONER, "A", ()),
    "px": (Role.PRACTITIONER, "C", ()),
    "lead": (Role.TEAM_LEAD, None, ("A",)),
}


def app_caseload(world: World, who: str) -> set[str]:
    """The young people the app lets ``who`` open: the one permission policy's relation."""
    role, team, led = ROLES[who]
    actor = world.actor(who, role, team, led)
    out = set()
    for name, (team_name, adviser) in PEOPLE.items():
        relation = actor.relation_to(
            world.teams[team_name], None, None if adviser is None else world.users[adviser]
        )
        if relation in (Relation.OWN_CASELOAD, Relation.OWN_TEAM):
            out.add(name)
    return out


def names_seen(world: World, conn: psycopg.Connection[Any]) -> set[str]:
    ids = {r[0] for r in conn.execute("SELECT id FROM young_people").fetchall()}
    return {name for name, pid in world.people.items() if pid in ids}


def test_the_policy_is_sound_after_install(world: World) -> None:
    engine = world.server.engine(world.dbname)
    try:
        with engine.begin() as conn:
            assert server_policy.problems(conn) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("who", ["pa", "px"])
def test_a_practitioner_reads_exactly_their_caseload(world: World, who: str) -> None:
    expected = app_caseload(world, who)
    assert expected  # the world gives everyone somebody
    with world.connect(who) as conn:
        assert names_seen(world, conn) == expected
        ids = [world.people[n] for n in expected]
        assert one(conn, "SELECT count(*) FROM contacts") == len(expected)
        assert one(conn, "SELECT count(*) FROM plan_areas") == len(expected)
        assert one(conn, "SELECT count(*) FROM contacts WHERE young_person_id = ANY(%s)", ids) == (
            len(expected)
        )


def test_a_team_lead_reads_their_teams_and_closures_open_to_audit(world: World) -> None:
    expected = app_caseload(world, "lead")
    assert expected == {"a1", "a2", "a3"}
    with world.connect("lead") as conn:
        # b2's closure was carried out: closure audits are made across teams
        assert names_seen(world, conn) == expected | {"b2"}
        assert one(conn, "SELECT count(*) FROM contacts") == 4
        assert one(conn, "SELECT count(*) FROM closure_requests") == 3


def test_an_administrator_reads_no_case_rows(world: World) -> None:
    with world.connect("admin") as conn:
        for table in sorted(server_policy.CASE_TABLES):
            assert one(conn, f'SELECT count(*) FROM "{table}"') == 0, table
        assert one(conn, "SELECT count(*) FROM users") == len(world.users)
        assert one(conn, "SELECT count(*) FROM teams") == 3


def test_an_administrator_changes_no_case_rows(world: World) -> None:
    with world.connect("admin") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "UPDATE young_people SET first_name = 'X' WHERE id = %s", (world.people["a1"],)
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO closed_case_notes (young_person_id, text, author_id, created_at) "
                "VALUES (%s, 'x', %s, now())",
                (world.people["a3"], world.users["admin"]),
            )


def test_a_practitioner_cannot_write_to_another_teams_young_person(world: World) -> None:
    with world.connect("pa") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO contacts (young_person_id, occurred_at, method, made_by, seen, "
                "seen_alone, views, discussed, draft_follow_ups, status, author_id, "
                "created_at, updated_at) VALUES (%s, now(), 'phone', 'pa', false, false, '', "
                "'', '[]', 'draft', %s, now(), now())",
                (world.people["b2"], world.users["pa"]),
            )
        cur = conn.execute(
            "UPDATE contacts SET discussed = 'overwritten' WHERE id = %s", (world.contacts["b2"],)
        )
        assert cur.rowcount == 0
        cur = conn.execute(
            "UPDATE young_people SET first_name = 'X' WHERE id = %s", (world.people["b1"],)
        )
        assert cur.rowcount == 0
        # moving one of their own young people's rows onto another team's is refused too
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "UPDATE contacts SET young_person_id = %s WHERE id = %s",
                (world.people["b2"], world.contacts["a1"]),
            )
        # and a young person cannot be handed to a team they are not in
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "UPDATE young_people SET team_id = %s WHERE id = %s",
                (world.teams["B"], world.people["a1"]),
            )
    with world.owner() as conn:
        assert one(conn, "SELECT discussed FROM contacts WHERE id = %s", world.contacts["b2"]) == ""


def test_an_allocated_adviser_writes_to_their_young_person_in_another_team(world: World) -> None:
    with world.connect("px", autocommit=False) as conn:
        cur = conn.execute(
            "UPDATE contacts SET discussed = 'by px' WHERE id = %s", (world.contacts["b1"],)
        )
        assert cur.rowcount == 1
        cur = conn.execute(
            "UPDATE contacts SET discussed = 'by px' WHERE id = %s", (world.contacts["b2"],)
        )
        assert cur.rowcount == 0
        conn.rollback()


def test_a_team_lead_reads_but_does_not_change_a_closure_in_another_team(world: World) -> None:
    with world.connect("lead") as conn:
        cur = conn.execute(
            "UPDATE contacts SET discussed = 'x' WHERE id = %s", (world.contacts["b2"],)
        )
        assert cur.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO case_reopenings (young_person_id, reason, reopened_by, reopened_at) "
                "VALUES (%s, 'x', %s, now())",
                (world.people["b2"], world.users["lead"]),
            )


def test_rows_only_appended_to_cannot_be_changed_or_deleted(world: World) -> None:
    with world.connect("pa") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE closed_case_notes SET text = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM contacts WHERE id = %s", (world.contacts["a1"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE users SET role = 'admin'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE contacts")


# --- closed cases -------------------------------------------------------------------


def test_a_closed_case_refuses_changes_in_the_database(world: World) -> None:
    a3 = world.people["a3"]
    with world.connect("pa") as conn:
        with pytest.raises(psycopg.DatabaseError, match=rf"Young person {a3} is closed") as caught:
            conn.execute(
                "UPDATE contacts SET discussed = 'late edit' WHERE id = %s",
                (world.contacts["a3"],),
            )
        assert caught.value.sqlstate == server_policy.CLOSED_SQLSTATE
        with pytest.raises(psycopg.DatabaseError, match="closed"):
            conn.execute("UPDATE young_people SET first_name = 'X' WHERE id = %s", (a3,))
        with pytest.raises(psycopg.DatabaseError, match="closed") as caught:
            conn.execute(
                "INSERT INTO plan_areas (plan_id, area, needs, actions, owner) "
                "SELECT id, 'money', '', '', '' FROM pathway_plans WHERE young_person_id = %s",
                (a3,),
            )
        assert caught.value.sqlstate == server_policy.CLOSED_SQLSTATE


def test_a_closed_case_accepts_what_the_app_allows(world: World) -> None:
    a3 = world.people["a3"]
    with world.connect("pa", autocommit=False) as conn:
        conn.execute(
            "INSERT INTO closed_case_notes (young_person_id, text, author_id, created_at) "
            "VALUES (%s, 'a note', %s, now())",
            (a3, world.users["pa"]),
        )
        conn.execute(
            "INSERT INTO safeguarding_contacts (young_person_id, received_at, source, "
            "referrer_name, referrer_contact, reported, factors, already_known, recorded_by, "
            "rationale) VALUES (%s, now(), '1A', '', '', 'worry', '', true, %s, '')",
            (a3, world.users["pa"]),
        )
        # reopening: the case opens, then anything goes
        conn.execute("UPDATE young_people SET closed_on = NULL WHERE id = %s", (a3,))
        conn.execute(
            "INSERT INTO case_reopenings (young_person_id, reason, reopened_by, reopened_at) "
            "VALUES (%s, 'new worry', %s, now())",
            (a3, world.users["pa"]),
        )
        conn.execute("UPDATE contacts SET discussed = 'x' WHERE id = %s", (world.contacts["a3"],))
        conn.rollback()


def test_closing_a_case_is_allowed_in_either_order(world: World) -> None:
    a1 = world.people["a1"]
    with world.connect("lead", autocommit=False) as conn:
        request = one(
            conn,
            "INSERT INTO closure_requests (young_person_id, status, reason, receiving_body, "
            "why_open, what_changed, agencies_involved, if_concerns_return, "
            "young_person_views, requested_by, requested_at, submitted_at, anchor_on, "
            "risk_holder, risk_review, accommodation_decision, review_comments, void_note) "
            "VALUES (%s, 'approved', 'RC7', '', '', '', '', '', '', %s, now(), now(), "
            "current_date, '', '', '', '', '') RETURNING id",
            a1,
            world.users["pa"],
        )
        conn.execute("UPDATE young_people SET closed_on = current_date WHERE id = %s", (a1,))
        conn.execute(
            "UPDATE closure_requests SET status = 'closed', closed_on = current_date WHERE id = %s",
            (request,),
        )
        with pytest.raises(psycopg.DatabaseError, match="closed"):
            conn.execute("UPDATE closure_requests SET reason = 'RC8' WHERE id = %s", (request,))
        conn.rollback()


# --- the inventory ------------------------------------------------------------------


def test_every_table_with_a_person_link_has_a_policy() -> None:
    """Fails when a new table holding a young person's facts is added to the models
    without a row-level-security entry (and when any table is left unclassified)."""
    linked = server_policy.person_linked_tables()
    missing = sorted(linked - set(server_policy.CASE_TABLES))
    assert missing == [], f"case tables without a server policy: {missing}"
    stale = sorted(set(server_policy.CASE_TABLES) - linked)
    assert stale == [], f"policies for tables that hold no person's facts: {stale}"
    every = {t.name for t in Base.metadata.sorted_tables}
    unclassified = sorted(every - set(server_policy.CASE_TABLES) - set(server_policy.OTHER_TABLES))
    assert unclassified == [], f"tables the server policy does not know: {unclassified}"


def test_child_tables_name_their_real_parent() -> None:
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    for spec in server_policy.CASE_TABLES.values():
        table = tables[spec.name]
        if spec.parent is None:
            assert spec.name == "young_people" or "young_person_id" in table.c, spec.name
            continue
        column, parent = spec.parent
        targets = {fk.column.table.name for fk in table.c[column].foreign_keys}
        assert targets == {parent}, spec.name


def test_verify_names_what_is_missing(world: World) -> None:
    engine = world.server.engine(world.dbname)
    try:
        with engine.connect() as conn, conn.begin() as tx:
            conn.exec_driver_sql("ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY")
            conn.exec_driver_sql("DROP POLICY cw_read ON plan_areas")
            conn.exec_driver_sql("GRANT INSERT ON audit_events TO casework_practitioner")
            conn.exec_driver_sql("DROP TRIGGER cw_audit ON referrals")
            conn.exec_driver_sql("DROP TRIGGER cw_closed ON contacts")
            conn.exec_driver_sql("DROP TRIGGER cw_visibility ON team_leaderships")
            conn.exec_driver_sql(
                "GRANT EXECUTE ON FUNCTION casework_append(integer, text, text, text, "
                "text, text, text, text) TO casework_team_lead"
            )
            found = server_policy.problems(conn)
            tx.rollback()
    finally:
        engine.dispose()
    text = "\n".join(found)
    assert "Row-level security is not enabled and forced on contacts." in text
    assert "plan_areas has no read policy for casework_practitioner, casework_team_lead." in text
    assert "casework_practitioner may INSERT on audit_events" in text
    assert "referrals has no audit trigger" in text
    assert "contacts has no closed-case guard" in text
    assert "team_leaderships has no visibility trigger" in text
    assert "casework_team_lead may call the internal function casework_append" in text


def test_verify_names_a_login_out_of_step_with_its_account(world: World) -> None:
    engine = world.server.engine(world.dbname)
    login = world.logins["px"]
    try:
        with engine.connect() as conn, conn.begin() as tx:
            server_policy.set_login_role(conn, login, "team_lead")
            conn.exec_driver_sql(f"UPDATE users SET active = false WHERE username = '{login}'")
            found = server_policy.problems(conn)
            tx.rollback()
    finally:
        engine.dispose()
    assert found == [
        f"The login {login} is in casework_team_lead, but their Casework role is practitioner.",
        f"The account {login} is disabled but its login can still sign in.",
    ]
