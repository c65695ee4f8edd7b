"""A per-young-person snapshot of what is due today, so "My work" opens without rerunning
the due engine for a whole team.

``due_snapshots`` is derived data: empty after the upgrade (the first list of the day fills
it). ``due_snapshot_generation`` holds one counter, raised whenever a snapshot is
invalidated, so a snapshot computed from an older read is never stored.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "due_snapshots",
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_due_snapshots_young_person_id_young_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("young_person_id", name=op.f("pk_due_snapshots")),
    )
    table = op.create_table(
        "due_snapshot_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_snapshot_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    op.drop_table("due_snapshot_generation")
    op.drop_table("due_snapshots")
