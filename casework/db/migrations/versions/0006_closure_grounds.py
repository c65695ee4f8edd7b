"""Lawful closure grounds and accommodation suitability: arrangements recorded alongside a
care leaver's case (another council, adult social care), and on each accommodation period
why bed and breakfast or emergency accommodation is suitable, whether supported
accommodation for an under 18 is registered, and who recorded it (backfilled from the
audit trail, so a team lead's review can be by someone else).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_arrangements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("with_whom", sa.String(length=200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_care_arrangements_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_care_arrangements_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_arrangements")),
    )
    with op.batch_alter_table("care_arrangements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_arrangements_young_person_id"), ["young_person_id"], unique=False
        )
    # A batch rebuild (foreign keys are off during upgrades; nothing references this
    # table), since SQLite cannot add a column with a foreign key in place.
    with op.batch_alter_table("accommodation_periods", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suitable_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("registered", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("recorded_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_accommodation_periods_recorded_by_users"),
            "users",
            ["recorded_by"],
            ["id"],
        )
    # Backfill who recorded each period from the audit trail (the add_accommodation event
    # names the period's id); periods imported or generated without one stay unknown.
    op.execute(
        """
        UPDATE accommodation_periods SET recorded_by = (
            SELECT e.actor_id FROM audit_events e
            WHERE e.action = 'add_accommodation'
              AND e.record_type = 'accommodation'
              AND e.record_id = CAST(accommodation_periods.id AS VARCHAR(64))
            ORDER BY e.id LIMIT 1
        )
        """
    )


def downgrade() -> None:
    raise RuntimeError("Casework does not downgrade: restore the copy taken before upgrading.")
