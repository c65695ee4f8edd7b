"""Front-door clocks as the law sets them: a referral keeps its contact's receipt time and
factors; the assessment clock stops at the team lead's authorisation (its date); the LADO's
strategy-meeting decision; return interviews held, not only offered; a lowered risk level
awaiting sign-off; child protection plans with their review conferences and core groups.

Backfills: each referral made from a contact takes the contact's receipt time and factors;
an authorised assessment takes its completion date as the authorisation date (the earliest
it can have been authorised; the old schema kept no date); an allegation whose strategy
meeting was held is recorded as meeting the criteria; a return interview the young person
accepted is recorded as held when it was offered.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "referrals",
        sa.Column("factors", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column("referrals", sa.Column("assessment_authorised_on", sa.Date(), nullable=True))
    op.add_column("allegations", sa.Column("strategy_criteria_met", sa.Boolean(), nullable=True))
    op.add_column(
        "allegations",
        sa.Column("strategy_not_required_reason", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column("risk_screenings", sa.Column("lowered_from", sa.String(length=8), nullable=True))
    op.add_column("missing_episodes", sa.Column("interview_held_at", sa.DateTime(), nullable=True))

    op.create_table(
        "child_protection_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_child_protection_plans_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_child_protection_plans_referral_id_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_child_protection_plans_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_protection_plans")),
    )
    with op.batch_alter_table("child_protection_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_child_protection_plans_young_person_id"),
            ["young_person_id"],
            unique=False,
        )
    op.create_table(
        "child_protection_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["child_protection_plans.id"],
            name=op.f("fk_child_protection_meetings_plan_id_child_protection_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_child_protection_meetings_recorded_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_protection_meetings")),
    )
    with op.batch_alter_table("child_protection_meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_child_protection_meetings_plan_id"), ["plan_id"], unique=False
        )

    # A referral made from a contact was received when the contact was (Working Together
    # 2023: the clocks run from receipt), and carries the contact's factors.
    op.execute(
        """
        UPDATE referrals SET received_at = (
            SELECT MIN(c.received_at) FROM safeguarding_contacts c
            WHERE c.referral_id = referrals.id
        )
        WHERE EXISTS (
            SELECT 1 FROM safeguarding_contacts c
            WHERE c.referral_id = referrals.id AND c.received_at < referrals.received_at
        )
        """
    )
    op.execute(
        """
        UPDATE referrals SET factors = (
            SELECT MAX(c.factors) FROM safeguarding_contacts c
            WHERE c.referral_id = referrals.id
        )
        WHERE EXISTS (
            SELECT 1 FROM safeguarding_contacts c
            WHERE c.referral_id = referrals.id AND c.factors <> ''
        )
        """
    )
    op.execute(
        "UPDATE referrals SET assessment_authorised_on = assessment_completed_on "
        "WHERE assessment_authorised_by IS NOT NULL"
    )
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE allegations SET strategy_criteria_met = :yes "
            "WHERE strategy_meeting_at IS NOT NULL"
        ),
        {"yes": True},
    )
    bind.execute(
        sa.text(
            "UPDATE missing_episodes SET interview_held_at = interview_offered_at "
            "WHERE interview_accepted = :yes AND interview_offered_at IS NOT NULL"
        ),
        {"yes": True},
    )
