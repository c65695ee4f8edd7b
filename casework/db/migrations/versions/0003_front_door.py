"""The front door: safeguarding contacts and referrals.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=24), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("assessment_started_on", sa.Date(), nullable=True),
        sa.Column("assessment_child_seen", sa.Boolean(), nullable=False),
        sa.Column("assessment_seen_alone", sa.Boolean(), nullable=False),
        sa.Column("assessment_completed_on", sa.Date(), nullable=True),
        sa.Column("assessment_authorised_by", sa.Integer(), nullable=True),
        sa.Column("strategy_discussion_on", sa.Date(), nullable=True),
        sa.Column("s47_outcome", sa.Text(), nullable=False),
        sa.Column("icpc_on", sa.Date(), nullable=True),
        sa.Column("icpc_not_required_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_authorised_by"],
            ["users.id"],
            name=op.f("fk_referrals_assessment_authorised_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_referrals_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_referrals_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_referrals_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index("ix_referrals_open", "referrals", ["decided_at", "received_at"], unique=False)
    op.create_index(
        op.f("ix_referrals_young_person_id"), "referrals", ["young_person_id"], unique=False
    )
    op.create_table(
        "safeguarding_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=4), nullable=False),
        sa.Column("referrer_name", sa.String(length=200), nullable=False),
        sa.Column("referrer_contact", sa.String(length=200), nullable=False),
        sa.Column("reported", sa.Text(), nullable=False),
        sa.Column("factors", sa.String(length=200), nullable=False),
        sa.Column("already_known", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=24), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_safeguarding_contacts_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_safeguarding_contacts_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_safeguarding_contacts_referral_id_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_safeguarding_contacts_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_contacts")),
    )
    op.create_index(
        "ix_safeguarding_contacts_open",
        "safeguarding_contacts",
        ["decided_at", "received_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_safeguarding_contacts_young_person_id"),
        "safeguarding_contacts",
        ["young_person_id"],
        unique=False,
    )


def downgrade() -> None:
    raise RuntimeError("Casework does not downgrade: restore the copy taken before upgrading.")
