"""A minimal stand-in for the server's security policy (``casework.db.server_policy``),
used by these tests only while that module is absent: the server-written audit event and
chain check the services call, and plain login roles with every right on the tables. It
enforces nothing; the real policy is tested in test_security_*.py.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from sqlalchemy import Connection, text

SQL = """
CREATE OR REPLACE FUNCTION casework_audit_event(
    p_action text, p_record_type text, p_record_id text, p_fields text, p_outcome text
) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    v_uid integer; v_role text; v_last integer; v_prev text; v_id integer; v_hash text;
    v_at timestamp := clock_timestamp() AT TIME ZONE 'UTC';
BEGIN
    SELECT id, role INTO v_uid, v_role FROM users WHERE lower(username) = session_user;
    SELECT last_event_id, last_hash INTO v_last, v_prev FROM audit_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        v_last := 0; v_prev := repeat('0', 64);
        INSERT INTO audit_head (id, last_event_id, last_hash) VALUES (1, 0, v_prev);
    END IF;
    v_id := v_last + 1;
    v_hash := encode(sha256(convert_to(jsonb_build_array(v_id, v_at::text, v_uid,
        coalesce(v_role, 'system'), p_action, p_record_type, p_record_id, p_fields,
        p_outcome, v_prev)::text, 'UTF8')), 'hex');
    INSERT INTO audit_events (id, occurred_at, actor_id, actor_role, action, record_type,
        record_id, fields, outcome, prev_hash, hash)
    VALUES (v_id, v_at, v_uid, coalesce(v_role, 'system'), p_action, p_record_type,
        p_record_id, coalesce(p_fields, ''), p_outcome, v_prev, v_hash);
    UPDATE audit_head SET last_event_id = v_id, last_hash = v_hash WHERE id = 1;
    RETURN v_id;
END $$;

CREATE OR REPLACE FUNCTION casework_verify_chain() RETURNS TABLE (ref text, problem text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE e record; v_expected integer := 1; v_prev text := repeat('0', 64);
BEGIN
    FOR e IN SELECT * FROM audit_events ORDER BY id LOOP
        IF e.id <> v_expected OR e.prev_hash <> v_prev THEN
            ref := e.id::text; problem := 'it does not link to the event before it';
            RETURN NEXT; RETURN;
        END IF;
        v_expected := e.id + 1; v_prev := e.hash;
    END LOOP;
    IF EXISTS (SELECT 1 FROM audit_head WHERE last_hash <> v_prev) THEN
        ref := 'head'; problem := 'the head does not match the last event'; RETURN NEXT;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION casework_verify_records() RETURNS TABLE (ref text, problem text)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT NULL::text, NULL::text WHERE false
$$;
"""


def install(conn: Connection) -> None:
    conn.exec_driver_sql(SQL)


def create_login(conn: Connection, username: str, password: str, role: str) -> None:
    """A login role with every right on the tables (the stand-in enforces nothing)."""
    raw: Any = conn.connection.driver_connection
    name = sql.Identifier(username)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": username})
    verb = "ALTER" if exists.first() else "CREATE"
    with raw.cursor() as cur:
        cur.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password))
        )
        cur.execute(sql.SQL("GRANT ALL ON ALL TABLES IN SCHEMA public TO {}").format(name))
        cur.execute(sql.SQL("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {}").format(name))


def problems(_conn: Connection) -> list[str]:
    return []
