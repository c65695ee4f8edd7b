"""Lists read the summarised contacts without touching the contacts table.

``summarised_contacts`` holds, for each contact that ``contact_summaries`` names, the few
columns the rules read (when, successful, method, seen, seen alone, made by). It is derived
data like the summary itself, and is filled here from the existing summaries and contacts,
so an upgraded database gives the same answers from its first list.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "summarised_contacts",
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("successful", sa.Boolean(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("seen", sa.Boolean(), nullable=False),
        sa.Column("seen_alone", sa.Boolean(), nullable=False),
        sa.Column("made_by", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_summarised_contacts_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint(
            "young_person_id", "contact_id", name=op.f("pk_summarised_contacts")
        ),
    )
    op.execute(
        "INSERT INTO summarised_contacts (young_person_id, contact_id, occurred_at, successful,"
        " method, seen, seen_alone, made_by)"
        " SELECT DISTINCT s.young_person_id, c.id, c.occurred_at, c.successful, c.method,"
        " c.seen, c.seen_alone, c.made_by"
        " FROM contacts c JOIN contact_summaries s ON c.id IN (s.last_success_id,"
        " s.last_pa_success_id, s.last_visit_pa_id, s.last_visit_sw_id, s.last_visit_other_id,"
        " s.last_attempt_id)"
    )


def downgrade() -> None:
    op.drop_table("summarised_contacts")
