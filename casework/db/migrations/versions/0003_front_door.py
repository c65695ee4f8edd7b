"""The front door and risk: safeguarding contacts, referrals, allegations, risk
screenings, missing episodes and referrals out to services.

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
        "allegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("subject_role", sa.String(length=24), nullable=False),
        sa.Column("subject_description", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("lado_notified_at", sa.DateTime(), nullable=True),
        sa.Column("strategy_meeting_at", sa.DateTime(), nullable=True),
        sa.Column("police_involved", sa.Boolean(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_rationale", sa.Text(), nullable=False),
        sa.Column("outcome_by", sa.Integer(), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_by"], ["users.id"], name=op.f("fk_allegations_outcome_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_allegations_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_allegations_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allegations")),
    )
    op.create_index(
        op.f("ix_allegations_young_person_id"), "allegations", ["young_person_id"], unique=False
    )
    op.create_table(
        "missing_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("reported_to_police", sa.Boolean(), nullable=False),
        sa.Column("interview_offered_at", sa.DateTime(), nullable=True),
        sa.Column("interview_accepted", sa.Boolean(), nullable=True),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_missing_episodes_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_missing_episodes_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_episodes")),
    )
    op.create_index(
        op.f("ix_missing_episodes_young_person_id"),
        "missing_episodes",
        ["young_person_id"],
        unique=False,
    )
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
        "risk_screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("risk_type", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("screened_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("screened_by", sa.Integer(), nullable=False),
        sa.Column("signed_off_by", sa.Integer(), nullable=True),
        sa.Column("signed_off_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["screened_by"], ["users.id"], name=op.f("fk_risk_screenings_screened_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_by"], ["users.id"], name=op.f("fk_risk_screenings_signed_off_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_risk_screenings_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_screenings")),
    )
    op.create_index(
        op.f("ix_risk_screenings_young_person_id"),
        "risk_screenings",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "service_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=20), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("expected_by", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("last_chased_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_service_referrals_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_service_referrals_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_referrals")),
    )
    op.create_index(
        op.f("ix_service_referrals_young_person_id"),
        "service_referrals",
        ["young_person_id"],
        unique=False,
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
