"""Separation of duties and an audit trail that vouches for the records: who wrote each
version of a closure request, a hash of the row as written on each audit event, and an
index to find a record's events.

Existing databases are backfilled: each closure request gets its first version (from the
request) and one version per resubmission (from the audit trail), and every existing row
gets one baseline audit event carrying its hash, so ``verify-audit --records`` has
something to check every row against from the moment of the upgrade.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from casework.db import audit_rows

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closure_request_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_closure_request_versions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["closure_requests.id"],
            name=op.f("fk_closure_request_versions_request_id_closure_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_request_versions")),
        sa.UniqueConstraint(
            "request_id", "version", name=op.f("uq_closure_request_versions_request_id")
        ),
    )
    op.create_index(
        op.f("ix_closure_request_versions_request_id"),
        "closure_request_versions",
        ["request_id"],
        unique=False,
    )
    # A plain ADD COLUMN: rebuilding audit_events would drop its guard triggers.
    op.add_column("audit_events", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_audit_events_record", "audit_events", ["record_type", "record_id"], unique=False
    )
    conn = op.get_bind()
    _backfill_versions(conn)
    audit_rows.append_row_events(
        conn,
        audit_rows.unvouched_rows(conn),
        occurred_at=datetime.now(UTC).replace(tzinfo=None),
        actor_id=None,
        actor_role="system",
        action="baseline_records",
    )


def _backfill_versions(conn: sa.engine.Connection) -> None:
    requests = conn.exec_driver_sql(
        "SELECT id, requested_by, requested_at FROM closure_requests ORDER BY id"
    ).all()
    resubmits: dict[str, list[tuple[int | None, str]]] = {}
    for record_id, actor_id, at in conn.exec_driver_sql(
        "SELECT record_id, actor_id, occurred_at FROM audit_events "
        "WHERE record_type = 'closure_request' AND action = 'resubmit_closure' "
        "AND outcome = 'ok' ORDER BY id"
    ):
        resubmits.setdefault(str(record_id), []).append((actor_id, at))
    rows = []
    for request_id, requested_by, requested_at in requests:
        rows.append((request_id, 1, "request", requested_by, requested_at))
        for n, (actor_id, at) in enumerate(resubmits.get(str(request_id), []), start=2):
            rows.append((request_id, n, "resubmit", actor_id, at))
    if rows:
        conn.exec_driver_sql(
            "INSERT INTO closure_request_versions "
            "(request_id, version, kind, author_id, written_at) VALUES (?, ?, ?, ?, ?)",
            rows,
        )


def downgrade() -> None:
    raise RuntimeError("Casework does not downgrade: restore the copy taken before upgrading.")
