"""Two people, one record: every row a person may have on screen while someone else
changes it counts its changes in a ``version`` column.

``young_people`` already had one. Each other table gets ``version`` (NOT NULL, 1 for every
existing row) as a plain ADD COLUMN with a server default, the same on SQLite and
PostgreSQL. A non-null value joins each row's audit hash, so every row of these tables
now hashes differently: the upgrade appends one ``baseline_records`` event per such row
with its new hash, as 0008 did, and ``verify-audit --records`` passes straight after it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from casework.db import audit_rows

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

VERSIONED = (
    "accommodation_periods",
    "activity_periods",
    "allegations",
    "audit_judgements",
    "care_histories",
    "care_periods",
    "child_protection_plans",
    "closure_audits",
    "closure_requests",
    "contacts",
    "essential_items",
    "follow_up_actions",
    "in_touch_status_events",
    "learning_actions",
    "missing_episodes",
    "needs_assessments",
    "pathway_plans",
    "plan_areas",
    "referrals",
    "risk_screenings",
    "safeguarding_contacts",
    "service_referrals",
    "settings",
    "teams",
    "users",
)


def upgrade() -> None:
    for table in VERSIONED:
        # A plain ADD COLUMN on both dialects (no table rebuild: nothing else changes).
        op.add_column(
            table,
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        )
    conn = op.get_bind()
    audit_rows.append_row_events(
        conn,
        audit_rows.unvouched_rows(conn),
        occurred_at=datetime.now(UTC).replace(tzinfo=None),
        actor_id=None,
        actor_role="system",
        action="baseline_records",
    )


def downgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
