"""Case closure: closure requests and their overrides, reopenings, notes appended to a
closed case, and the closed state on each young person.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "closed_case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_closed_case_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_closed_case_notes_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_case_notes")),
    )
    with op.batch_alter_table("closed_case_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_closed_case_notes_young_person_id"), ["young_person_id"], unique=False
        )

    op.create_table(
        "closure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=8), nullable=False),
        sa.Column("reason_date", sa.Date(), nullable=True),
        sa.Column("receiving_body", sa.String(length=200), nullable=False),
        sa.Column("why_open", sa.Text(), nullable=False),
        sa.Column("what_changed", sa.Text(), nullable=False),
        sa.Column("agencies_involved", sa.Text(), nullable=False),
        sa.Column("if_concerns_return", sa.Text(), nullable=False),
        sa.Column("young_person_views", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("anchor_on", sa.Date(), nullable=False),
        sa.Column("risk_holder", sa.Text(), nullable=False),
        sa.Column("risk_review", sa.Text(), nullable=False),
        sa.Column("accommodation_decision", sa.Text(), nullable=False),
        sa.Column("decisions_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_comments", sa.Text(), nullable=False),
        sa.Column("approved_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("approved_snapshot", sa.Text(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.Column("void_note", sa.Text(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_closure_requests_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["decisions_by"], ["users.id"], name=op.f("fk_closure_requests_decisions_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_closure_requests_requested_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_closure_requests_reviewed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_closure_requests_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_requests")),
    )
    with op.batch_alter_table("closure_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_closure_requests_status", ["status", "submitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_closure_requests_young_person_id"), ["young_person_id"], unique=False
        )

    op.create_table(
        "case_reopenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("closure_request_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reopened_by", sa.Integer(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closure_request_id"],
            ["closure_requests.id"],
            name=op.f("fk_case_reopenings_closure_request_id_closure_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by"], ["users.id"], name=op.f("fk_case_reopenings_reopened_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_case_reopenings_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reopenings")),
    )
    with op.batch_alter_table("case_reopenings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_reopenings_young_person_id"), ["young_person_id"], unique=False
        )

    op.create_table(
        "closure_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=60), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_closure_overrides_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["closure_requests.id"],
            name=op.f("fk_closure_overrides_request_id_closure_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_overrides")),
        sa.UniqueConstraint("request_id", "check_id", name=op.f("uq_closure_overrides_request_id")),
    )
    with op.batch_alter_table("closure_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_closure_overrides_request_id"), ["request_id"], unique=False
        )

    # Plain ADD COLUMN: nullable columns need no table rebuild (which would drop the
    # expression index on last names).
    op.add_column("young_people", sa.Column("closed_on", sa.Date(), nullable=True))
    op.add_column("young_people", sa.Column("closure_reason", sa.String(length=8), nullable=True))


def downgrade() -> None:
    raise RuntimeError("Casework does not downgrade: restore the copy taken before upgrading.")
