"""Closure audits: a period's sample of approved closures (its seed recorded), each sampled
closure's audit and why it was sampled, the auditors' judgements graded per domain, and
learning actions for workers.

New tables only: nothing existing changes, so there is nothing to backfill (a council's
first sample is drawn from the closures already recorded).

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("random_percent", sa.Integer(), nullable=False),
        sa.Column("moderation_percent", sa.Integer(), nullable=False),
        sa.Column("lookback_months", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_audit_samples_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_samples")),
        sa.UniqueConstraint("period_start", name=op.f("uq_audit_samples_period_start")),
    )
    op.create_table(
        "closure_audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("closure_request_id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.String(length=80), nullable=False),
        sa.Column("reason_detail", sa.Text(), nullable=False),
        sa.Column("moderated", sa.Boolean(), nullable=False),
        sa.Column("auditor_id", sa.Integer(), nullable=True),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_requested_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.Column("reopen_declined_by", sa.Integer(), nullable=True),
        sa.Column("reopen_declined_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_declined_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["users.id"], name=op.f("fk_closure_audits_assigned_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["auditor_id"], ["users.id"], name=op.f("fk_closure_audits_auditor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["closure_request_id"],
            ["closure_requests.id"],
            name=op.f("fk_closure_audits_closure_request_id_closure_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["users.id"], name=op.f("fk_closure_audits_moderator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reopen_declined_by"],
            ["users.id"],
            name=op.f("fk_closure_audits_reopen_declined_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_closure_audits_resolved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["audit_samples.id"],
            name=op.f("fk_closure_audits_sample_id_audit_samples"),
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_closure_audits_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_audits")),
        sa.UniqueConstraint(
            "closure_request_id", name=op.f("uq_closure_audits_closure_request_id")
        ),
    )
    with op.batch_alter_table("closure_audits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_closure_audits_sample_id"), ["sample_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_closure_audits_young_person_id"), ["young_person_id"], unique=False
        )

    op.create_table(
        "audit_judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("auditor_id", sa.Integer(), nullable=False),
        sa.Column("overall", sa.String(length=24), nullable=True),
        sa.Column("safe", sa.Boolean(), nullable=True),
        sa.Column("safety_note", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["closure_audits.id"],
            name=op.f("fk_audit_judgements_audit_id_closure_audits"),
        ),
        sa.ForeignKeyConstraint(
            ["auditor_id"], ["users.id"], name=op.f("fk_audit_judgements_auditor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_judgements")),
        sa.UniqueConstraint("audit_id", "kind", name=op.f("uq_audit_judgements_audit_id")),
    )
    with op.batch_alter_table("audit_judgements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_judgements_audit_id"), ["audit_id"], unique=False
        )

    op.create_table(
        "learning_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=False),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["closure_audits.id"],
            name=op.f("fk_learning_actions_audit_id_closure_audits"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_learning_actions_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["done_by"], ["users.id"], name=op.f("fk_learning_actions_done_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_learning_actions_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_actions")),
    )
    with op.batch_alter_table("learning_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_actions_audit_id"), ["audit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_learning_actions_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "audit_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("judgement_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=24), nullable=False),
        sa.Column("grade", sa.String(length=24), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["judgement_id"],
            ["audit_judgements.id"],
            name=op.f("fk_audit_grades_judgement_id_audit_judgements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_grades")),
        sa.UniqueConstraint("judgement_id", "domain", name=op.f("uq_audit_grades_judgement_id")),
    )
    with op.batch_alter_table("audit_grades", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_grades_judgement_id"), ["judgement_id"], unique=False
        )
