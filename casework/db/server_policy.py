"""What PostgreSQL itself enforces in team mode: who sees and changes which rows, closed
cases refusing changes, the audit trail written only by the server, and approvals that
need the approver's password.

Everything here runs on the server, so a person who connects with ``psql`` as their own
role can read and change exactly what the app lets them, no more.

Roles. Three group roles (NOLOGIN) carry the privileges: ``casework_practitioner``,
``casework_team_lead`` and ``casework_admin``. Each person signs in as their own login
role, named as their Casework user name (``users.username``, compared case-insensitively)
and a member of exactly one group. The database owner (who runs migrations and
``install``) is not a member of any group: it is the command-line tool's ``system``.

Who is acting. Policies, triggers and the audit functions identify the person by
``session_user``: the role that authenticated with its password. (Inside a
security-definer function ``current_user`` is the function's owner, so it cannot say who
called; ``session_user`` can, and a client cannot change it.)

Visibility (mirrors ``casework.services.permissions``): a practitioner or team lead sees
the young people of their own team and of the teams they lead, and anyone they are the
allocated social worker or personal adviser of; they write to the same. A team lead also
reads (but does not change) every young person whose closure was approved and carried
out, because closure audits are made across teams; the closure-audit tables are theirs
to write for those. An administrator sees no case rows at all.

The audit trail. ``audit_events`` and ``audit_head`` are written only by the server:
AFTER ROW triggers on every tracked table (``casework.db.audit_rows``) append one event
per row written, with the row's hash computed by the server, and
``casework_audit_event`` appends explicit events (sign-in, refusal, opening a record).
The actor is always the users row of ``session_user``; the head row is locked so
concurrent writers keep one chain with ids that have no gaps. The action of a trigger's
event is the transaction's ``casework.action`` setting (``write`` when unset).

Server hashing (the SQLite chain keeps its Python hashing; each backend verifies its own):

- row hash: ``sha256(jsonb_build_array(table, jsonb_strip_nulls(to_jsonb(row)))::text)``
  in hex, or ``deleted`` for a deleted row;
- link: ``sha256(jsonb_build_array(id, occurred_at as YYYY-MM-DDTHH:MI:SS.US, actor_id,
  actor_role, action, record_type, record_id, fields, outcome, prev_hash,
  row_hash)::text)`` in hex.

Approvals. Approving a closure request needs an unused approval grant, made in the last
five minutes by the approver's own role on a second connection that authenticated with
the password they typed (SCRAM is the check): ``grant_approval``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from casework.db import audit_rows
from casework.db.models import Base
from casework.errors import PermissionDenied

PRACTITIONER = "casework_practitioner"
TEAM_LEAD = "casework_team_lead"
ADMIN = "casework_admin"
GROUPS = (PRACTITIONER, TEAM_LEAD, ADMIN)
CASE_GROUPS = (PRACTITIONER, TEAM_LEAD)
# Casework role (users.role) -> the group role that carries its privileges.
GROUP_OF_ROLE = {"practitioner": PRACTITIONER, "team_lead": TEAM_LEAD, "admin": ADMIN}

CLOSED_SQLSTATE = "CW001"  # a change to a closed case
APPROVAL_SQLSTATE = "CW002"  # an approval without a valid grant
AUDIT_SQLSTATE = "CW003"  # misuse of the audit functions
GRANT_MINUTES = 5

APPROVAL_KIND = "closure_request"

# --- the inventory of tables --------------------------------------------------------


@dataclass(frozen=True)
class CaseTable:
    """How a case table reaches its young person, and what clients may do to it.

    ``parent``: (foreign-key column, parent table) for a table reached through another;
    None when the table has ``young_person_id`` itself (or is ``young_people``).
    ``audit_scope``: a closure-audit table, written by team leads for any young person
    they may read (audits are made across teams) and open to changes on closed cases.
    ``derived``: rebuilt from the records (never a record): no closed-case guard.
    """

    name: str
    parent: tuple[str, str] | None = None
    update: bool = False
    delete: bool = False
    audit_scope: bool = False
    derived: bool = False
    writers: tuple[str, ...] = CASE_GROUPS


def _t(name: str, **kw: object) -> CaseTable:
    return CaseTable(name, **kw)  # type: ignore[arg-type]


# Every table holding a young person's facts. UPDATE and DELETE are granted only where a
# service changes or removes rows; the others are appended to and never changed.
CASE_TABLES: dict[str, CaseTable] = {
    t.name: t
    for t in (
        _t("young_people", update=True),
        _t("accommodation_periods", update=True),
        _t("activity_periods", update=True),
        _t("allegations", update=True),
        _t("care_arrangements"),
        _t("care_histories", update=True),
        _t("care_periods", update=True, delete=True),
        _t("case_reopenings"),
        _t("child_protection_plans", update=True),
        _t("child_protection_meetings", parent=("plan_id", "child_protection_plans")),
        _t("circumstance_changes"),
        _t("closed_case_notes"),
        _t("closure_requests", update=True),
        _t("closure_overrides", parent=("request_id", "closure_requests"), delete=True),
        _t("closure_request_versions", parent=("request_id", "closure_requests")),
        _t("contacts", update=True),
        _t("contact_addenda", parent=("contact_id", "contacts")),
        _t("eligibility_decisions"),
        _t("essential_items", update=True),
        _t("follow_up_actions", update=True),
        _t("in_touch_status_events", update=True),
        _t("missing_episodes", update=True),
        _t("needs_assessments", update=True),
        _t("pathway_plans", update=True),
        _t("plan_areas", parent=("plan_id", "pathway_plans"), update=True, delete=True),
        _t("plan_reviews", parent=("plan_id", "pathway_plans")),
        _t("referrals", update=True),
        _t("risk_screenings", update=True),
        _t("safeguarding_contacts", update=True),
        _t("service_referrals", update=True),
        _t("support_events"),
        # closure audits: team leads, across teams
        _t("closure_audits", update=True, audit_scope=True, writers=(TEAM_LEAD,)),
        _t(
            "audit_judgements",
            parent=("audit_id", "closure_audits"),
            update=True,
            delete=True,
            audit_scope=True,
            writers=(TEAM_LEAD,),
        ),
        _t(
            "audit_grades",
            parent=("judgement_id", "audit_judgements"),
            update=True,
            delete=True,
            audit_scope=True,
            writers=(TEAM_LEAD,),
        ),
        _t(
            "learning_actions",
            parent=("audit_id", "closure_audits"),
            update=True,
            audit_scope=True,
        ),
        # derived data, rebuilt by whoever reads or writes the records
        _t("due_snapshots", update=True, delete=True, derived=True),
        _t("contact_summaries", update=True, delete=True, derived=True),
        _t("summarised_contacts", update=True, delete=True, derived=True),
    )
}

# Writes the app accepts on a closed case (casework.services.closure and front_door): a
# closed-case note, a reopening, a new front-door concern and its decision (which may
# open a referral). The closure-audit tables are exempt as a whole (see CaseTable).
CLOSED_OK_INSERTS = frozenset(
    {"closed_case_notes", "case_reopenings", "safeguarding_contacts", "referrals"}
)
CLOSED_OK_UPDATES = frozenset({"safeguarding_contacts"})

# Tables without a young person's facts: who may do what (SELECT is granted to all three
# groups on each; the rest to the groups named).
OTHER_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "users": {"INSERT": (ADMIN,), "UPDATE": (ADMIN,)},
    "teams": {"INSERT": (ADMIN,), "UPDATE": (ADMIN,)},
    "team_leaderships": {"INSERT": (ADMIN,), "UPDATE": (ADMIN,), "DELETE": (ADMIN,)},
    "settings": {"INSERT": (ADMIN,), "UPDATE": (ADMIN,)},
    # A sample names a period and a seed, never a young person.
    "audit_samples": {"INSERT": (TEAM_LEAD,)},
    # Working state: the sign-in throttle and the snapshot generation counter.
    "login_throttle": {"INSERT": GROUPS, "UPDATE": GROUPS, "DELETE": GROUPS},
    "due_snapshot_generation": {"INSERT": GROUPS, "UPDATE": GROUPS},
    # Written by the server only.
    "audit_events": {},
    "audit_head": {},
    "alembic_version": {},
}
AUDIT_TABLES = ("audit_events", "audit_head")
SERVER_ONLY_TABLES = (
    "approval_grants",
    "casework_tracked",
    "casework_record_types",
    "casework_secret",
    "casework_visibility",
)

# Functions a client role may call; every other casework_ function is internal.
CLIENT_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "casework_my_id()": GROUPS,
    "casework_my_teams()": GROUPS,
    "casework_visible_people()": GROUPS,
    "casework_writable_people()": GROUPS,
    "casework_visible(integer)": GROUPS,
    "casework_audit_event(text, text, text, text, text)": GROUPS,
    "casework_grant_approval(text, text)": (TEAM_LEAD,),
    "casework_password_changed()": GROUPS,
    "casework_verify_chain()": (ADMIN, TEAM_LEAD),
    "casework_verify_records()": (ADMIN, TEAM_LEAD),
}
INTERNAL_FUNCTIONS = (
    "casework_actor()",
    "casework_visible_list()",
    "casework_visible_ids()",
    "casework_is_client()",
    "casework_append(integer, text, text, text, text, text, text, text)",
    "casework_row_hash(text, jsonb)",
    "casework_link(bigint, timestamp, integer, text, text, text, text, text, text, text, text)",
    "casework_audit_row()",
    "casework_refuse_closed()",
    "casework_check_approval()",
    "casework_visibility_changed()",
    "casework_closed_by_approval(integer)",
)


def tracked_tables() -> dict[str, tuple[str, ...]]:
    """Tables the trail vouches for, with their primary-key columns (as the models say)."""
    return {
        t.name: tuple(c.name for c in t.primary_key.columns)
        for t in Base.metadata.sorted_tables
        if t.name not in audit_rows.UNTRACKED
    }


def person_linked_tables() -> set[str]:
    """Every model table that holds a young person's facts: it has ``young_person_id``,
    is ``young_people``, or has a foreign key to such a table (other than users/teams)."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    linked = {"young_people"} | {n for n, t in tables.items() if "young_person_id" in t.c}
    grew = True
    while grew:
        grew = False
        for name, table in tables.items():
            if name in linked:
                continue
            if any(fk.column.table.name in linked for fk in table.foreign_keys):
                linked.add(name)
                grew = True
    return linked


# --- SQL ----------------------------------------------------------------------------


def q(name: str) -> str:
    """A quoted identifier (our own table and role names; quoted all the same)."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _functions_sql(schema: str) -> list[str]:
    path = f"SET search_path = {q(schema)}, pg_temp"
    groups = ", ".join(lit(g) for g in GROUPS)
    return [
        # who is acting: the users row of the role that authenticated
        f"""
CREATE OR REPLACE FUNCTION casework_actor(OUT actor_id integer, OUT actor_role text)
LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT a.actor_id, a.actor_role FROM (
    SELECT u.id AS actor_id, u.role::text AS actor_role, 0 AS o FROM users u
    WHERE lower(u.username) = lower(session_user::text)
    UNION ALL SELECT NULL::integer, 'system', 1) a
  ORDER BY a.o LIMIT 1
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_is_client() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_auth_members m
    JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
    JOIN pg_catalog.pg_roles u ON u.oid = m.member
    WHERE u.rolname = session_user AND g.rolname IN ({groups}))
$$""",
        # The helpers every policy calls are PL/pgSQL, not SQL: a SECURITY DEFINER SQL
        # function is never inlined and is planned again at every call (a few tenths of a
        # millisecond per query), where PL/pgSQL keeps its plans for the session.
        f"""
CREATE OR REPLACE FUNCTION casework_my_id() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
DECLARE
  me integer;
BEGIN
  SELECT u.id INTO me FROM users u
  WHERE lower(u.username) = lower(session_user::text) AND u.active
    AND u.role IN ('practitioner', 'team_lead');
  RETURN me;
END
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_my_teams() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
BEGIN
  RETURN QUERY
  SELECT u.team_id FROM users u
  WHERE lower(u.username) = lower(session_user::text) AND u.active
    AND u.role IN ('practitioner', 'team_lead') AND u.team_id IS NOT NULL
  UNION
  SELECT l.team_id FROM team_leaderships l JOIN users u ON u.id = l.user_id
  WHERE lower(u.username) = lower(session_user::text) AND u.active
    AND u.role IN ('practitioner', 'team_lead');
END
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_writable_people() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
DECLARE
  me integer := casework_my_id();
BEGIN
  RETURN QUERY
  SELECT p.id FROM young_people p WHERE p.team_id IN (SELECT casework_my_teams())
  UNION
  SELECT p.id FROM young_people p WHERE p.social_worker_id = me
  UNION
  SELECT p.id FROM young_people p WHERE p.personal_adviser_id = me;
END
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_visible_list() RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
-- casework_writable_people() and, for a team lead, every closed case (closure audits), in
-- one function whose plans PL/pgSQL keeps for the session: the nested SQL functions are
-- planned again at every call, which cost most of a millisecond per query.
DECLARE
  me integer;
  my_role text;
  teams integer[];
  ids integer[];
BEGIN
  SELECT u.id, u.role INTO me, my_role FROM users u
    WHERE lower(u.username) = lower(session_user::text) AND u.active
      AND u.role IN ('practitioner', 'team_lead');
  IF me IS NULL THEN
    RETURN '{{}}';
  END IF;
  SELECT coalesce(array_agg(t), '{{}}') INTO teams FROM (
    SELECT u.team_id AS t FROM users u WHERE u.id = me AND u.team_id IS NOT NULL
    UNION SELECT l.team_id FROM team_leaderships l WHERE l.user_id = me) led;
  SELECT coalesce(array_agg(v ORDER BY v), '{{}}') INTO ids FROM (
    SELECT p.id AS v FROM young_people p WHERE p.team_id = ANY (teams)
    UNION SELECT p.id FROM young_people p WHERE p.social_worker_id = me
    UNION SELECT p.id FROM young_people p WHERE p.personal_adviser_id = me
    UNION SELECT r.young_person_id FROM closure_requests r
      WHERE my_role = 'team_lead' AND r.status = 'closed') people;
  RETURN ids;
END
$$""",
        # Every read policy asks who this person may see; working it out costs about half a
        # millisecond, so a connection works it out once and keeps the answer in a session
        # setting, sealed with a key only the owner can read (a client can set the setting,
        # never forge the seal) and bound to this login, this backend and the allocations
        # it was worked out from: casework_visibility holds a number drawn afresh from a
        # sequence by every statement that changes anything the list depends on (written
        # by casework_visibility_changed in that same transaction), so a change is seen by
        # the next statement of the transaction that made it and by every transaction that
        # sees it committed. A sequence never gives a number twice, even after a rollback,
        # and the key also names the transaction that wrote the row, so a list worked out
        # from a change that was rolled back, or before a restore wound the sequence back,
        # never matches again.
        f"""
CREATE OR REPLACE FUNCTION casework_visible_ids() RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
DECLARE
  kept text := coalesce(current_setting('casework.visible', true), '');
  changed text;
  key text;
  seal text;
  ids integer[];
BEGIN
  -- the number, and the transaction that wrote this version of the row: a restore that
  -- winds the sequence back writes the row afresh, so an older seal still does not match
  SELECT s.secret, v.changed::text || '/' || v.xmin::text INTO seal, changed
    FROM casework_secret s, casework_visibility v WHERE s.id = 1 AND v.id = 1;
  IF changed IS NULL THEN
    RETURN casework_visible_list();  -- nothing to bind a kept list to: never kept
  END IF;
  key := session_user || '/' || pg_backend_pid() || '/' || changed;
  IF kept <> '' AND split_part(kept, '|', 1) = key THEN
    IF split_part(kept, '|', 3) = encode(sha256(convert_to(
         seal || '|' || key || '|' || split_part(kept, '|', 2), 'UTF8')), 'hex') THEN
      RETURN split_part(kept, '|', 2)::integer[];
    END IF;
  END IF;
  ids := casework_visible_list();
  PERFORM set_config('casework.visible', key || '|' || ids::text || '|' || encode(sha256(
    convert_to(seal || '|' || key || '|' || ids::text, 'UTF8')), 'hex'), false);
  RETURN ids;
END
$$""",
        # Anything casework_visible_list reads changed: a statement trigger on each table
        # it reads (see _trigger_sql) writes a fresh number as the latest change.
        f"""
CREATE OR REPLACE FUNCTION casework_visibility_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
BEGIN
  UPDATE casework_visibility SET changed = nextval('casework_visibility_changes')
    WHERE id = 1;
  RETURN NULL;
END
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_visible_people() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
BEGIN
  RETURN QUERY SELECT unnest(casework_visible_ids());
END
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_visible(person_id integer) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
BEGIN
  RETURN person_id = ANY (casework_visible_ids());
END
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_closed_by_approval(person_id integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
  SELECT EXISTS (SELECT 1 FROM closure_requests r
                 WHERE r.young_person_id = person_id AND r.status = 'closed')
$$""",
        # hashing
        f"""
CREATE OR REPLACE FUNCTION casework_row_hash(table_name text, row_data jsonb) RETURNS text
LANGUAGE sql IMMUTABLE {path} AS $$
  SELECT encode(sha256(convert_to(
    jsonb_build_array(table_name, jsonb_strip_nulls(row_data))::text, 'UTF8')), 'hex')
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_link(
  event_id bigint, occurred_at timestamp, actor_id integer, actor_role text, action text,
  record_type text, record_id text, fields text, outcome text, prev_hash text,
  row_hash text) RETURNS text
LANGUAGE sql IMMUTABLE {path} AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    event_id, to_char(occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.US'), actor_id, actor_role,
    action, record_type, record_id, fields, outcome, prev_hash, row_hash)::text,
    'UTF8')), 'hex')
$$""",
        # the one way into the chain: lock the head, append, move the head
        f"""
CREATE OR REPLACE FUNCTION casework_append(
  p_actor_id integer, p_actor_role text, p_action text, p_record_type text,
  p_record_id text, p_fields text, p_outcome text, p_row_hash text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
DECLARE
  head_id bigint;
  head_hash text;
  at timestamp := clock_timestamp() AT TIME ZONE 'UTC';
  link text;
BEGIN
  SELECT h.last_event_id, h.last_hash INTO head_id, head_hash
    FROM audit_head h WHERE h.id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'The audit trail has no head row: run casework-admin server migrate.'
      USING ERRCODE = '{AUDIT_SQLSTATE}';
  END IF;
  head_id := head_id + 1;
  link := casework_link(head_id, at, p_actor_id, p_actor_role, p_action, p_record_type,
                        p_record_id, coalesce(p_fields, ''), p_outcome, head_hash,
                        p_row_hash);
  INSERT INTO audit_events (id, occurred_at, actor_id, actor_role, action, record_type,
                            record_id, fields, outcome, prev_hash, hash, row_hash)
  VALUES (head_id, at, p_actor_id, p_actor_role, p_action, p_record_type, p_record_id,
          coalesce(p_fields, ''), p_outcome, head_hash, link, p_row_hash);
  UPDATE audit_head SET last_event_id = head_id, last_hash = link WHERE id = 1;
  RETURN head_id;
END
$$""",
        # explicit events: the actor is always the caller's own users row
        f"""
CREATE OR REPLACE FUNCTION casework_audit_event(
  action text, record_type text, record_id text, fields text, outcome text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
DECLARE
  me record;
  tbl text;
  keys text[];
  found_row jsonb;
  hashed text;
BEGIN
  IF action IS NULL OR btrim(action) = '' OR length(action) > 40 THEN
    RAISE EXCEPTION 'An audit event needs an action of 1 to 40 characters.'
      USING ERRCODE = '{AUDIT_SQLSTATE}';
  END IF;
  IF outcome IS NULL OR outcome NOT IN ('ok', 'denied', 'failed') THEN
    RAISE EXCEPTION 'An audit event''s outcome is ok, denied or failed, not %.', outcome
      USING ERRCODE = '{AUDIT_SQLSTATE}';
  END IF;
  SELECT * INTO me FROM casework_actor();
  SELECT r.table_name INTO tbl FROM casework_record_types r
    WHERE r.record_type = casework_audit_event.record_type;
  IF tbl IS NOT NULL AND record_id IS NOT NULL AND outcome = 'ok' THEN
    SELECT t.key_columns INTO keys FROM casework_tracked t WHERE t.table_name = tbl;
    EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE %s = $1', tbl,
                   (SELECT string_agg(format('%I::text', k), ' || ''/'' || ')
                      FROM unnest(keys) k))
      INTO found_row USING record_id;
    hashed := CASE WHEN found_row IS NULL THEN 'deleted'
                   ELSE casework_row_hash(tbl, found_row) END;
  END IF;
  RETURN casework_append(me.actor_id, me.actor_role, action, record_type, record_id,
                         coalesce(fields, ''), outcome, hashed);
END
$$""",
        # one event per row written, from the row as the server stored it
        f"""
CREATE OR REPLACE FUNCTION casework_audit_row() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
DECLARE
  me record;
  data jsonb;
  rid text;
  hashed text;
  act text := coalesce(nullif(current_setting('casework.action', true), ''), 'write');
BEGIN
  IF TG_OP = 'DELETE' THEN
    data := to_jsonb(OLD);
    hashed := 'deleted';
  ELSE
    data := to_jsonb(NEW);
    hashed := casework_row_hash(TG_TABLE_NAME, data);
  END IF;
  SELECT string_agg(coalesce(data ->> k, ''), '/' ORDER BY o) INTO rid
    FROM unnest(TG_ARGV) WITH ORDINALITY AS a(k, o);
  SELECT * INTO me FROM casework_actor();
  PERFORM casework_append(me.actor_id, me.actor_role, left(act, 40), TG_TABLE_NAME, rid,
                          '', 'ok', hashed);
  RETURN NULL;
END
$$""",
        # closed cases refuse changes, except what the app allows on them
        f"""
CREATE OR REPLACE FUNCTION casework_refuse_closed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
  data jsonb := coalesce(new_row, old_row);
  person integer;
  closed date;
BEGIN
  IF NOT casework_is_client() THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_TABLE_NAME = 'young_people' THEN
    -- closing (open before) and reopening (open after) are the changes a case accepts
    IF (old_row ->> 'closed_on') IS NOT NULL AND TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'Young person % is closed (closed on %): it cannot be deleted.',
        old_row ->> 'id', old_row ->> 'closed_on' USING ERRCODE = '{CLOSED_SQLSTATE}';
    ELSIF (old_row ->> 'closed_on') IS NOT NULL AND (new_row ->> 'closed_on') IS NOT NULL THEN
      RAISE EXCEPTION 'Young person % is closed (closed on %): reopen the case to change it.',
        old_row ->> 'id', old_row ->> 'closed_on' USING ERRCODE = '{CLOSED_SQLSTATE}';
    ELSIF TG_OP = 'INSERT' AND (new_row ->> 'closed_on') IS NOT NULL THEN
      RAISE EXCEPTION 'Young person % cannot be added already closed.', new_row ->> 'id'
        USING ERRCODE = '{CLOSED_SQLSTATE}';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  -- the closing step itself: an approved request becoming closed
  IF TG_TABLE_NAME = 'closure_requests' AND TG_OP = 'UPDATE'
     AND old_row ->> 'status' = 'approved' AND new_row ->> 'status' = 'closed' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' AND TG_ARGV[2] = 'insert_ok' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND TG_ARGV[3] = 'update_ok' THEN
    RETURN NEW;
  END IF;
  IF TG_ARGV[0] = '' THEN
    person := (data ->> 'young_person_id')::integer;
  ELSE
    EXECUTE format('SELECT young_person_id FROM %I WHERE id = $1', TG_ARGV[1])
      INTO person USING (data ->> TG_ARGV[0])::integer;
  END IF;
  SELECT p.closed_on INTO closed FROM young_people p WHERE p.id = person;
  IF closed IS NULL AND TG_OP = 'UPDATE' AND TG_ARGV[0] = '' THEN
    -- moving a row off a closed case is a change to the closed case too
    person := (old_row ->> 'young_person_id')::integer;
    SELECT p.closed_on INTO closed FROM young_people p WHERE p.id = person;
  END IF;
  IF closed IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = '{CLOSED_SQLSTATE}', MESSAGE = format(
      'Young person %s is closed (closed on %s): %s on %s refused; '
      'add a note to the closed case or reopen it.',
      person, closed, lower(TG_OP), TG_TABLE_NAME);
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$""",
        # approvals need a grant made with the approver's password
        f"""
CREATE OR REPLACE FUNCTION casework_grant_approval(kind text, record_id text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
DECLARE
  me record;
  made bigint;
BEGIN
  SELECT u.id, u.role INTO me FROM users u
    WHERE lower(u.username) = lower(session_user::text) AND u.active;
  IF NOT FOUND OR me.role <> 'team_lead' OR NOT casework_is_client() THEN
    RAISE EXCEPTION 'Only an active team lead signed in as themselves can approve.'
      USING ERRCODE = '{APPROVAL_SQLSTATE}';
  END IF;
  IF kind IS DISTINCT FROM '{APPROVAL_KIND}' OR record_id IS NULL THEN
    RAISE EXCEPTION 'Nothing of kind % can be approved.', kind
      USING ERRCODE = '{APPROVAL_SQLSTATE}';
  END IF;
  INSERT INTO approval_grants (approver, kind, record_id, granted_at)
    VALUES (session_user, kind, record_id, clock_timestamp() AT TIME ZONE 'UTC')
    RETURNING id INTO made;
  PERFORM casework_append(me.id, me.role, 'grant_approval', kind, record_id, '', 'ok', NULL);
  RETURN made;
END
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_check_approval() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
DECLARE
  grant_id bigint;
  me integer;
BEGIN
  IF NOT casework_is_client() THEN
    RETURN NEW;
  END IF;
  IF NEW.status = 'approved' AND OLD.status IS DISTINCT FROM 'approved' THEN
    SELECT u.id INTO me FROM users u WHERE lower(u.username) = lower(session_user::text);
    IF NEW.reviewed_by IS DISTINCT FROM me THEN
      RAISE EXCEPTION 'Closure request % can only be approved in the approver''s own name.',
        NEW.id USING ERRCODE = '{APPROVAL_SQLSTATE}';
    END IF;
    -- separation of duties: nobody approves what they wrote, rewrote or justified
    IF me = NEW.requested_by
       OR EXISTS (SELECT 1 FROM closure_request_versions v
                  WHERE v.request_id = NEW.id AND v.author_id = me)
       OR EXISTS (SELECT 1 FROM closure_overrides o
                  WHERE o.request_id = NEW.id AND o.recorded_by = me) THEN
      RAISE EXCEPTION USING ERRCODE = '{APPROVAL_SQLSTATE}', MESSAGE = format(
        'Closure request %s was not approved: its approver wrote or changed it, and '
        'another team lead must approve it.', NEW.id);
    END IF;
    SELECT g.id INTO grant_id FROM approval_grants g
      WHERE lower(g.approver) = lower(session_user::text) AND g.kind = '{APPROVAL_KIND}'
        AND g.record_id = NEW.id::text AND g.used_at IS NULL
        AND g.granted_at > (clock_timestamp() AT TIME ZONE 'UTC')
                           - interval '{GRANT_MINUTES} minutes'
      ORDER BY g.id DESC LIMIT 1 FOR UPDATE;
    IF grant_id IS NULL THEN
      RAISE EXCEPTION USING ERRCODE = '{APPROVAL_SQLSTATE}', MESSAGE = format(
        'Closure request %s was not approved: the approver''s password was not '
        'confirmed in the last {GRANT_MINUTES} minutes.', NEW.id);
    END IF;
    UPDATE approval_grants SET used_at = clock_timestamp() AT TIME ZONE 'UTC'
      WHERE id = grant_id;
  END IF;
  RETURN NEW;
END
$$""",
        # a person changed their own password (ALTER ROLE CURRENT_USER): note the day
        f"""
CREATE OR REPLACE FUNCTION casework_password_changed() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER {path} AS $$
  UPDATE users SET password_changed_at = clock_timestamp() AT TIME ZONE 'UTC'
  WHERE lower(username) = lower(session_user::text)
$$""",
        # verification, as the server hashes
        f"""
CREATE OR REPLACE FUNCTION casework_verify_chain()
RETURNS TABLE (ref text, problem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
DECLARE
  e record;
  expect_id bigint := 0;
  prev text := repeat('0', 64);
  head record;
BEGIN
  FOR e IN SELECT * FROM audit_events ORDER BY id LOOP
    IF e.id <> expect_id + 1 THEN
      ref := e.id::text;
      problem := format('ids jump from %s to %s: events are missing', expect_id, e.id);
      RETURN NEXT;
    END IF;
    IF e.prev_hash <> prev THEN
      ref := e.id::text;
      problem := 'its link to the previous event is broken';
      RETURN NEXT;
    END IF;
    IF e.hash <> casework_link(e.id, e.occurred_at, e.actor_id, e.actor_role, e.action,
                               e.record_type, e.record_id, e.fields, e.outcome,
                               e.prev_hash, e.row_hash) THEN
      ref := e.id::text;
      problem := 'its contents do not match its hash: it was changed';
      RETURN NEXT;
    END IF;
    expect_id := e.id;
    prev := e.hash;
  END LOOP;
  SELECT * INTO head FROM audit_head WHERE id = 1;
  IF NOT FOUND THEN
    ref := 'head';
    problem := 'the audit trail has no head row';
    RETURN NEXT;
  ELSIF head.last_event_id <> expect_id OR head.last_hash <> prev THEN
    ref := 'head';
    problem := format('the head names event %s but the last event is %s: the tail was cut '
                      'off or the head was changed', head.last_event_id, expect_id);
    RETURN NEXT;
  END IF;
END
$$""",
        f"""
CREATE OR REPLACE FUNCTION casework_verify_records()
RETURNS TABLE (ref text, problem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER {path} AS $$
DECLARE
  t record;
  r record;
BEGIN
  FOR t IN SELECT * FROM casework_tracked ORDER BY table_name LOOP
    FOR r IN EXECUTE format(
      $q$
      WITH latest AS (
        SELECT DISTINCT ON (e.record_id) e.record_id, e.row_hash, e.id
        FROM audit_events e JOIN casework_record_types k ON k.record_type = e.record_type
        WHERE k.table_name = %L AND e.row_hash IS NOT NULL
        ORDER BY e.record_id, e.id DESC),
      stored AS (
        SELECT %s AS record_id, casework_row_hash(%L, to_jsonb(x)) AS row_hash
        FROM %I x)
      SELECT coalesce(s.record_id, l.record_id) AS record_id, s.row_hash AS stored,
             l.row_hash AS recorded, l.id AS event_id
      FROM stored s FULL JOIN latest l ON l.record_id = s.record_id
      WHERE s.row_hash IS DISTINCT FROM l.row_hash
        AND NOT (s.row_hash IS NULL AND l.row_hash = 'deleted')
      ORDER BY 1
      $q$,
      t.table_name,
      (SELECT string_agg(format('x.%I::text', k), ' || ''/'' || ')
         FROM unnest(t.key_columns) k),
      t.table_name, t.table_name)
    LOOP
      ref := t.table_name || ' ' || r.record_id;
      problem := CASE
        WHEN r.recorded IS NULL THEN 'the audit trail never recorded this row'
        WHEN r.stored IS NULL THEN format('the row is missing, but event %s recorded it',
                                          r.event_id)
        WHEN r.recorded = 'deleted' THEN format('event %s recorded this row deleted, but it '
                                                'is there', r.event_id)
        ELSE format('the row differs from what event %s recorded: it was changed outside '
                    'Casework', r.event_id) END;
      RETURN NEXT;
    END LOOP;
  END LOOP;
END
$$""",
    ]


def _roles_sql() -> list[str]:
    out = []
    for group in GROUPS:
        out.append(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = "
            f"{lit(group)}) THEN CREATE ROLE {q(group)} NOLOGIN; END IF; END $$"
        )
        # Created with no powers (the default). Changing a role's powers needs a superuser,
        # so an existing group role is left as it is and problems() reports any power.
    return out


def _read_scope(spec: CaseTable) -> str:
    if spec.name == "young_people":
        # The row's own columns first: a new row (INSERT ... RETURNING) must pass this too,
        # and the function's list was read before the row existed.
        return f"({_write_scope(spec)} OR id IN (SELECT casework_visible_people()))"
    if spec.parent is None:
        base = "young_person_id IN (SELECT casework_visible_people())"
    else:
        column, parent = spec.parent
        base = f"{q(column)} IN (SELECT id FROM {q(parent)})"  # the parent's own policy
    if spec.name == "learning_actions":
        base = f"({base} OR owner_id = (SELECT casework_my_id()))"
    return base


def _write_scope(spec: CaseTable) -> str:
    if spec.audit_scope:
        return _read_scope(spec)
    if spec.name == "young_people":
        return (
            "(team_id IN (SELECT casework_my_teams()) "
            "OR social_worker_id = (SELECT casework_my_id()) "
            "OR personal_adviser_id = (SELECT casework_my_id()))"
        )
    if spec.parent is None:
        return "young_person_id IN (SELECT casework_writable_people())"
    column, parent = spec.parent
    return (
        f"{q(column)} IN (SELECT id FROM {q(parent)} "
        "WHERE young_person_id IN (SELECT casework_writable_people()))"
    )


def _policy_sql(spec: CaseTable, owner: str) -> list[str]:
    t = q(spec.name)
    readers = ", ".join(q(g) for g in CASE_GROUPS)
    writers = ", ".join(q(g) for g in spec.writers)
    out = [
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
    ]
    names = ("cw_owner", "cw_read", "cw_insert", "cw_update", "cw_delete")
    out += [f"DROP POLICY IF EXISTS {n} ON {t}" for n in names]
    out.append(f"CREATE POLICY cw_owner ON {t} TO {q(owner)} USING (true) WITH CHECK (true)")
    out.append(f"CREATE POLICY cw_read ON {t} FOR SELECT TO {readers} USING ({_read_scope(spec)})")
    write = _write_scope(spec)
    out.append(f"CREATE POLICY cw_insert ON {t} FOR INSERT TO {writers} WITH CHECK ({write})")
    if spec.update:
        out.append(
            f"CREATE POLICY cw_update ON {t} FOR UPDATE TO {writers} "
            f"USING ({write}) WITH CHECK ({write})"
        )
    if spec.delete:
        out.append(f"CREATE POLICY cw_delete ON {t} FOR DELETE TO {writers} USING ({write})")
    return out


def _grants_sql(existing: set[str], schema: str) -> list[str]:
    everyone = ", ".join(q(g) for g in GROUPS)
    out = [
        f"REVOKE CREATE ON SCHEMA {q(schema)} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {q(schema)} TO {everyone}",
    ]
    all_tables = sorted(existing)
    for name in all_tables:
        out.append(f"REVOKE ALL ON {q(name)} FROM PUBLIC, {everyone}")
    for name, spec in CASE_TABLES.items():
        if name not in existing:
            continue
        out.append(f"GRANT SELECT ON {q(name)} TO {everyone}")
        writers = ", ".join(q(g) for g in spec.writers)
        granted = [
            "INSERT",
            *(["UPDATE"] if spec.update else []),
            *(["DELETE"] if spec.delete else []),
        ]
        out.append(f"GRANT {', '.join(granted)} ON {q(name)} TO {writers}")
    for name, rights in OTHER_TABLES.items():
        if name not in existing:
            continue
        out.append(f"GRANT SELECT ON {q(name)} TO {everyone}")
        for right, groups in rights.items():
            out.append(f"GRANT {right} ON {q(name)} TO {', '.join(q(g) for g in groups)}")
    out.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {everyone}")
    # ... but the numbers that mark a change of who sees what are the server's alone
    out.append(f"REVOKE ALL ON SEQUENCE casework_visibility_changes FROM PUBLIC, {everyone}")
    for name in SERVER_ONLY_TABLES:
        out.append(f"REVOKE ALL ON {q(name)} FROM PUBLIC, {everyone}")
    for fn in (*CLIENT_FUNCTIONS, *INTERNAL_FUNCTIONS):
        out.append(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC, {everyone}")
    for fn, groups in CLIENT_FUNCTIONS.items():
        out.append(f"GRANT EXECUTE ON FUNCTION {fn} TO {', '.join(q(g) for g in groups)}")
    return out


def _trigger_sql(existing: set[str]) -> list[str]:
    out = []
    for name, key in tracked_tables().items():
        if name not in existing:
            continue
        args = ", ".join(lit(k) for k in key)
        out.append(f"DROP TRIGGER IF EXISTS cw_audit ON {q(name)}")
        out.append(
            f"CREATE TRIGGER cw_audit AFTER INSERT OR UPDATE OR DELETE ON {q(name)} "
            f"FOR EACH ROW EXECUTE FUNCTION casework_audit_row({args})"
        )
    for name in closed_guarded():
        if name not in existing:
            continue
        spec = CASE_TABLES[name]
        column, parent = spec.parent or ("", "")
        args = ", ".join(
            lit(a)
            for a in (
                column,
                parent,
                "insert_ok" if name in CLOSED_OK_INSERTS else "",
                "update_ok" if name in CLOSED_OK_UPDATES else "",
            )
        )
        out.append(f"DROP TRIGGER IF EXISTS cw_closed ON {q(name)}")
        out.append(
            f"CREATE TRIGGER cw_closed BEFORE INSERT OR UPDATE OR DELETE ON {q(name)} "
            f"FOR EACH ROW EXECUTE FUNCTION casework_refuse_closed({args})"
        )
    for name, columns in VISIBILITY_INPUTS.items():
        if name not in existing:
            continue
        update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
        out.append(f"DROP TRIGGER IF EXISTS cw_visibility ON {q(name)}")
        out.append(
            f"CREATE TRIGGER cw_visibility AFTER INSERT OR {update} OR DELETE OR TRUNCATE "
            f"ON {q(name)} FOR EACH STATEMENT EXECUTE FUNCTION casework_visibility_changed()"
        )
    out.append("DROP TRIGGER IF EXISTS cw_approval ON closure_requests")
    out.append(
        "CREATE TRIGGER cw_approval BEFORE UPDATE ON closure_requests "
        "FOR EACH ROW EXECUTE FUNCTION casework_check_approval()"
    )
    return out


# What casework_visible_list reads to work out who a person may see: each table, and the
# columns whose change can change the answer (none listed: any change).
VISIBILITY_INPUTS: dict[str, tuple[str, ...]] = {
    "users": ("username", "role", "team_id", "active"),
    "team_leaderships": (),
    "young_people": ("team_id", "social_worker_id", "personal_adviser_id"),
    "closure_requests": ("young_person_id", "status"),
}


def closed_guarded() -> list[str]:
    """Case tables whose rows a closed case refuses to change."""
    return sorted(n for n, s in CASE_TABLES.items() if not (s.audit_scope or s.derived))


_SERVER_TABLES = [
    """CREATE TABLE IF NOT EXISTS approval_grants (
      id bigserial PRIMARY KEY,
      approver text NOT NULL,
      kind text NOT NULL,
      record_id text NOT NULL,
      granted_at timestamp NOT NULL,
      used_at timestamp)""",
    "CREATE INDEX IF NOT EXISTS ix_approval_grants_open ON approval_grants "
    "(approver, kind, record_id) WHERE used_at IS NULL",
    """CREATE TABLE IF NOT EXISTS casework_tracked (
      table_name text PRIMARY KEY, key_columns text[] NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS casework_record_types (
      record_type text PRIMARY KEY, table_name text NOT NULL)""",
    # The key that seals each transaction's list of visible people (see
    # casework_visible_ids): random, made once, readable by the owner only.
    """CREATE TABLE IF NOT EXISTS casework_secret (
      id integer PRIMARY KEY CHECK (id = 1), secret text NOT NULL)""",
    "INSERT INTO casework_secret (id, secret) VALUES "
    "(1, gen_random_uuid()::text || gen_random_uuid()::text) ON CONFLICT (id) DO NOTHING",
    # The last change to who anyone may see (see casework_visible_ids).
    "CREATE SEQUENCE IF NOT EXISTS casework_visibility_changes",
    """CREATE TABLE IF NOT EXISTS casework_visibility (
      id integer PRIMARY KEY CHECK (id = 1), changed bigint NOT NULL)""",
    "INSERT INTO casework_visibility (id, changed) "
    "VALUES (1, nextval('casework_visibility_changes')) ON CONFLICT (id) DO NOTHING",
]


def _run(conn: Connection, stmt: str) -> sa.CursorResult[Any]:
    """Run one statement as written: no parameters, so a ``%`` in it is just a ``%``."""
    return conn.exec_driver_sql(stmt, execution_options={"no_parameters": True})


def _existing_tables(conn: Connection) -> set[str]:
    rows = _run(
        conn, "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
    )
    return {str(r[0]) for r in rows}


def install(conn: Connection) -> None:
    """Create or bring up to date every server-side rule, as the database owner, inside
    the caller's transaction once the schema is at HEAD. Safe to run again: everything is
    replaced, never added twice. The owner needs CREATEROLE for the group roles."""
    schema = str(_run(conn, "SELECT current_schema()").scalar_one())
    owner = str(_run(conn, "SELECT current_user").scalar_one())
    for stmt in _roles_sql() + _SERVER_TABLES:
        _run(conn, stmt)
    existing = _existing_tables(conn)
    _fill_inventory(conn, existing)
    statements = _functions_sql(schema)
    for name, spec in CASE_TABLES.items():
        if name in existing:
            statements += _policy_sql(spec, owner)
    statements += _grants_sql(existing, schema)
    statements += _trigger_sql(existing)
    for stmt in statements:
        _run(conn, stmt)
    vouch_for_unrecorded(conn, "server_install")


def _fill_inventory(conn: Connection, existing: set[str]) -> None:
    """The tracked tables (with their keys) and the record types naming each, for the
    server's functions; and the head of the chain."""
    _run(conn, "DELETE FROM casework_tracked")
    _run(conn, "DELETE FROM casework_record_types")
    for name, key in tracked_tables().items():
        if name not in existing:
            continue
        conn.execute(
            sa.text("INSERT INTO casework_tracked VALUES (:t, :k)"), {"t": name, "k": list(key)}
        )
        for record_type in audit_rows.record_types_of(name):
            conn.execute(
                sa.text("INSERT INTO casework_record_types VALUES (:r, :t)"),
                {"r": record_type, "t": name},
            )
    _run(
        conn,
        "INSERT INTO audit_head (id, last_event_id, last_hash) "
        "SELECT 1, coalesce((SELECT max(id) FROM audit_events), 0), "
        "coalesce((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), "
        f"{lit(audit_rows.GENESIS)}) WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1)",
    )


def vouch_for_unrecorded(conn: Connection, action: str) -> int:
    """One event (as the command-line tool) for every row the trail has never recorded:
    rows written before the triggers existed. A row whose content differs from its latest
    event is left for ``casework_verify_records`` to report, never vouched for again here.
    Returns how many events were appended."""
    count = 0
    tables = _rows(conn, "SELECT table_name, key_columns FROM casework_tracked ORDER BY 1")
    for table, keys in tables:
        rid = " || '/' || ".join(f"x.{q(k)}::text" for k in keys)
        rows = _rows(
            conn,
            f"SELECT {rid}, casework_row_hash({lit(table)}, to_jsonb(x)) FROM {q(table)} x "
            f"WHERE NOT EXISTS (SELECT 1 FROM audit_events e JOIN casework_record_types k "
            f"ON k.record_type = e.record_type WHERE k.table_name = {lit(table)} "
            f"AND e.row_hash IS NOT NULL AND e.record_id = {rid}) ORDER BY 1",
        )
        for record_id, hashed in rows:
            conn.execute(
                sa.text("SELECT casework_append(NULL, 'system', :a, :t, :r, '', 'ok', :h)"),
                {"a": action, "t": table, "r": record_id, "h": hashed},
            )
            count += 1
    return count


# --- people's login roles -----------------------------------------------------------


def _group(role: str) -> str:
    try:
        return GROUP_OF_ROLE[role]
    except KeyError:
        raise ValueError(
            f"{role!r} is not a Casework role: expected one of {', '.join(GROUP_OF_ROLE)}."
        ) from None


def _psycopg(conn: Connection) -> object:
    return conn.connection.driver_connection


def _quiet_logging(conn: Connection) -> bool:
    """Keep the next statement (which carries a password's SCRAM verifier, never the
    password) out of the server log. Needs a superuser; returns False when the server
    does not allow it, and then the server's own ``log_statement`` decides ('ddl' and
    'all' log role statements, verifier included)."""
    savepoint = conn.begin_nested()
    try:
        _run(conn, "SET LOCAL log_statement = 'none'")
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _role_sql(conn: Connection, template: str, username: str, secret: str | None) -> str:
    from psycopg import sql

    parts: dict[str, sql.Composable] = {"name": sql.Identifier(username)}
    if secret is not None:
        parts["secret"] = sql.Literal(secret)
    return sql.SQL(template).format(**parts).as_string(_psycopg(conn))  # type: ignore[arg-type]


def scram_verifier(conn: Connection, username: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of a password, computed here by libpq (as psql's
    ``\\password`` does): the server, and so its log, only ever sees the verifier."""
    driver: Any = _psycopg(conn)
    verifier = driver.pgconn.encrypt_password(
        password.encode(), username.encode(), b"scram-sha-256"
    )
    return bytes(verifier).decode("ascii")


def _check_username(username: str) -> None:
    if not username or len(username) > 63:
        raise ValueError("A user name is 1 to 63 characters (PostgreSQL's limit on role names).")
    if username.lower() != username:
        raise ValueError(
            f"{username!r}: team-mode user names are lower case, so that signing in as "
            "the name the server knows is never a matter of capitals."
        )
    if username.startswith("pg_") or username.startswith("casework_"):
        raise ValueError(f"{username!r}: names starting pg_ or casework_ are reserved.")


def create_login(conn: Connection, username: str, password: str, role: str) -> None:
    """A person's own login role, with a SCRAM-SHA-256 password, in the group of their
    Casework role. Never a superuser, never able to create roles or databases or to bypass
    row-level security."""
    _check_username(username)
    group = _group(role)
    if not password:
        raise ValueError("A password is needed.")
    _quiet_logging(conn)
    _run(
        conn,
        _role_sql(
            conn,
            "CREATE ROLE {name} LOGIN PASSWORD {secret} NOSUPERUSER NOCREATEDB "
            "NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT",
            username,
            scram_verifier(conn, username, password),
        ),
    )
    _run(conn, _role_sql(conn, f"GRANT {q(group)} TO {{name}}", username, None))


def set_password(conn: Connection, username: str, password: str) -> None:
    """A new SCRAM-SHA-256 password for a person's login role (by the owner: a reset)."""
    _check_username(username)
    _quiet_logging(conn)
    verifier = scram_verifier(conn, username, password)
    _run(conn, _role_sql(conn, "ALTER ROLE {name} PASSWORD {secret}", username, verifier))


def change_own_password(conn: Connection, password: str) -> None:
    """The signed-in person changes their own password (any role may change its own), and
    the day is noted on their users row. Only the SCRAM verifier reaches the server."""
    if not password:
        raise ValueError("A password is needed.")
    me = str(_run(conn, "SELECT session_user").scalar_one())
    verifier = scram_verifier(conn, me, password)
    _run(conn, _role_sql(conn, "ALTER ROLE CURRENT_USER PASSWORD {secret}", me, verifier))
    _run(conn, "SELECT casework_password_changed()")


def set_login_role(conn: Connection, username: str, role: str) -> None:
    """Move a person to the group of their new Casework role (and out of every other)."""
    _check_username(username)
    group = _group(role)
    for other in GROUPS:
        if other != group:
            _run(conn, _role_sql(conn, f"REVOKE {q(other)} FROM {{name}}", username, None))
    _run(conn, _role_sql(conn, f"GRANT {q(group)} TO {{name}}", username, None))


def disable_login(conn: Connection, username: str) -> None:
    """The person can no longer sign in (their sessions already open end at the next
    check, which reads ``users.active``)."""
    _check_username(username)
    _run(conn, _role_sql(conn, "ALTER ROLE {name} NOLOGIN", username, None))


def enable_login(conn: Connection, username: str) -> None:
    _check_username(username)
    _run(conn, _role_sql(conn, "ALTER ROLE {name} LOGIN", username, None))


# --- the app's side of the audit trail and approvals --------------------------------


def set_action(conn: Connection, action: str) -> None:
    """Name the action the rest of this transaction's row events are written under."""
    conn.execute(sa.text("SELECT set_config('casework.action', :a, true)"), {"a": action})


def audit_event(
    conn: Connection,
    action: str,
    *,
    record_type: str | None = None,
    record_id: object = None,
    fields: Iterable[str] = (),
    outcome: str = "ok",
) -> int:
    """Append an explicit event (the server decides who is acting and hashes the row)."""
    return int(
        conn.execute(
            sa.text("SELECT casework_audit_event(:a, :t, :r, :f, :o)"),
            {
                "a": action,
                "t": record_type,
                "r": None if record_id is None else str(record_id),
                "f": ",".join(sorted(set(fields))),
                "o": outcome,
            },
        ).scalar_one()
    )


def grant_approval(
    engine_for: Callable[[str, str], Engine],
    username: str,
    password: str,
    kind: str,
    record_id: object,
) -> int:
    """Have the server check the approver's password: a second connection signs in as
    them with the password they typed and records a grant, good once for five minutes.
    ``engine_for(username, password)`` builds an engine to the same database (with the
    same TLS settings). A wrong password is a PermissionDenied."""
    engine = engine_for(username, password)
    try:
        with engine.begin() as conn:
            return int(
                conn.execute(
                    sa.text("SELECT casework_grant_approval(:k, :r)"),
                    {"k": kind, "r": str(record_id)},
                ).scalar_one()
            )
    except sa.exc.OperationalError as exc:
        if "password authentication failed" in str(exc):
            raise PermissionDenied("That password is not right, so nothing was approved.") from None
        raise
    finally:
        engine.dispose()


# --- checking what is installed -----------------------------------------------------


def problems(conn: Connection) -> list[str]:
    """What is missing or wrong in the server-side rules, in words; empty when sound."""
    existing = _existing_tables(conn)
    roles = _group_roles(conn)
    return [
        *_role_problems(roles),
        *_inventory_problems(existing),
        *_rls_problems(conn, existing),
        *_audit_table_problems(conn, existing, roles),
        *_trigger_problems(conn, existing),
        *_function_problems(conn, roles),
        *_login_problems(conn),
    ]


def _rows(conn: Connection, stmt: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in _run(conn, stmt)]


def _allowed(conn: Connection, stmt: str, **params: str) -> bool:
    return bool(conn.execute(sa.text(stmt), params).scalar_one())


def _group_roles(conn: Connection) -> dict[str, bool]:
    """The group roles that exist, and whether each can log in."""
    return {
        str(name): bool(login)
        for name, login in _rows(
            conn,
            "SELECT rolname, rolcanlogin OR rolsuper OR rolbypassrls OR rolcreaterole "
            "OR rolcreatedb OR rolreplication FROM pg_catalog.pg_roles "
            "WHERE rolname IN ('casework_practitioner', 'casework_team_lead', 'casework_admin')",
        )
    }


def _role_problems(roles: dict[str, bool]) -> list[str]:
    out = []
    for group in GROUPS:
        if group not in roles:
            out.append(f"The group role {group} does not exist.")
        elif roles[group]:
            out.append(
                f"The group role {group} can log in or has powers (superuser, bypassing "
                "row-level security, creating roles or databases, replication): it must "
                "have none."
            )
    return out


def _inventory_problems(existing: set[str]) -> list[str]:
    known = set(CASE_TABLES) | set(OTHER_TABLES) | set(SERVER_ONLY_TABLES)
    return [
        f"The table {name} is not in the server policy's inventory."
        for name in sorted(existing - known)
    ]


def _rls_problems(conn: Connection, existing: set[str]) -> list[str]:
    out = []
    rls = {
        str(name): bool(enabled) and bool(forced)
        for name, enabled, forced in _rows(
            conn,
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_catalog.pg_class "
            "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'",
        )
    }
    covered: set[tuple[str, str, str]] = set()  # (table, group, command)
    for table, cmd, roles_of in _rows(
        conn,
        "SELECT tablename, cmd, roles FROM pg_catalog.pg_policies "
        "WHERE schemaname = current_schema()",
    ):
        for role in roles_of:
            for command in ("SELECT", "INSERT") if cmd == "ALL" else (str(cmd),):
                covered.add((str(table), str(role), command))
    for name, spec in sorted(CASE_TABLES.items()):
        if name not in existing:
            continue
        if not rls.get(name, False):
            out.append(f"Row-level security is not enabled and forced on {name}.")
        readers = [g for g in CASE_GROUPS if (name, g, "SELECT") not in covered]
        if readers:
            out.append(f"{name} has no read policy for {', '.join(readers)}.")
        writers = [g for g in spec.writers if (name, g, "INSERT") not in covered]
        if writers:
            out.append(f"{name} has no insert policy for {', '.join(writers)}.")
    return out


def _audit_table_problems(
    conn: Connection, existing: set[str], roles: dict[str, bool]
) -> list[str]:
    out = []
    for name in (*AUDIT_TABLES, *SERVER_ONLY_TABLES):
        if name not in existing:
            out.append(f"The table {name} is missing.")
            continue
        for group in (g for g in GROUPS if g in roles):
            for right in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                if _allowed(
                    conn, "SELECT has_table_privilege(:g, :t, :p)", g=group, t=name, p=right
                ):
                    out.append(f"{group} may {right} on {name}: only the server writes it.")
    if "audit_head" in existing and not _rows(conn, "SELECT 1 FROM audit_head WHERE id = 1"):
        out.append("The audit trail has no head row.")
    return out


def _trigger_problems(conn: Connection, existing: set[str]) -> list[str]:
    out = []
    triggers = {
        (str(table), str(name))
        for table, name in _rows(
            conn,
            "SELECT c.relname, t.tgname FROM pg_catalog.pg_trigger t "
            "JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' "
            "AND c.relnamespace = current_schema()::regnamespace",
        )
    }
    for name in tracked_tables():
        if name in existing and (name, "cw_audit") not in triggers:
            out.append(f"{name} has no audit trigger: its writes would not reach the trail.")
    for name in closed_guarded():
        if name in existing and (name, "cw_closed") not in triggers:
            out.append(f"{name} has no closed-case guard.")
    for name in VISIBILITY_INPUTS:
        if name in existing and (name, "cw_visibility") not in triggers:
            out.append(
                f"{name} has no visibility trigger: a change to it might not change who "
                "sees what until people sign in again."
            )
    if "closure_requests" in existing and ("closure_requests", "cw_approval") not in triggers:
        out.append("closure_requests has no approval check.")
    return out


def _function_problems(conn: Connection, roles: dict[str, bool]) -> list[str]:
    out = []
    functions = {
        str(r[0])
        for r in _rows(
            conn,
            "SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p "
            "WHERE p.pronamespace = current_schema()::regnamespace "
            "AND p.proname LIKE 'casework%'",
        )
    }
    check = "SELECT has_function_privilege(:g, :f, 'EXECUTE')"
    for fn in INTERNAL_FUNCTIONS:
        if _normal(fn) not in functions:
            out.append(f"The function {fn} is missing.")
            continue
        for grantee in ("public", *(g for g in GROUPS if g in roles)):
            if _allowed(conn, check, g=grantee, f=fn):
                out.append(f"{grantee} may call the internal function {fn}.")
    for fn in CLIENT_FUNCTIONS:
        if _normal(fn) not in functions:
            out.append(f"The function {fn} is missing.")
        elif _allowed(conn, check, g="public", f=fn):
            out.append(f"Everyone (PUBLIC) may call {fn}.")
    return out


def _login_problems(conn: Connection) -> list[str]:
    return [*_powerful_logins(conn), *_mismatched_logins(conn)]


def _mismatched_logins(conn: Connection) -> list[str]:
    """Each person's login is in exactly the group of their Casework role, and a disabled
    account's login cannot sign in."""
    out: list[str] = []
    if "users" not in _existing_tables(conn):
        return out
    rows = _rows(
        conn,
        "SELECT u.username, u.role, u.active, r.rolcanlogin, "
        "ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m "
        "      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid "
        "      WHERE m.member = r.oid AND g.rolname IN "
        "      ('casework_practitioner', 'casework_team_lead', 'casework_admin')) "
        "FROM users u JOIN pg_catalog.pg_roles r ON r.rolname = lower(u.username) "
        "ORDER BY u.username",
    )
    for username, role, active, can_login, groups in rows:
        wanted = GROUP_OF_ROLE.get(str(role))
        if sorted(groups) != ([wanted] if wanted else []):
            out.append(
                f"The login {username} is in {', '.join(sorted(groups)) or 'no group'}, "
                f"but their Casework role is {role}."
            )
        if not active and can_login:
            out.append(f"The account {username} is disabled but its login can still sign in.")
    return out


def _powerful_logins(conn: Connection) -> list[str]:
    return [
        f"The login {member} is too powerful for a Casework person's role."
        for (member,) in _rows(
            conn,
            "SELECT u.rolname FROM pg_catalog.pg_auth_members m "
            "JOIN pg_catalog.pg_roles g ON g.oid = m.roleid "
            "JOIN pg_catalog.pg_roles u ON u.oid = m.member "
            "WHERE g.rolname IN ('casework_practitioner', 'casework_team_lead', "
            "'casework_admin') "
            "AND (u.rolsuper OR u.rolbypassrls OR u.rolcreaterole OR u.rolcreatedb)",
        )
    ]


def _normal(signature: str) -> str:
    """A signature as regprocedure prints it (no argument names, ', ' separators)."""
    name, args = signature.split("(", 1)
    types = [a.strip() for a in args.rstrip(")").split(",") if a.strip()]
    mapped = {"timestamp": "timestamp without time zone"}
    return f"{name}({','.join(mapped.get(t, t) for t in types)})"
