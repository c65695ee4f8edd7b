"""Care-leaver casework: contacts, drafts, addenda, follow-ups, in-touch statuses, care
history, eligibility decisions, needs assessments, pathway plans and reviews,
circumstance changes, essentials, accommodation, activity, support events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_summaries",
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("last_success_id", sa.Integer(), nullable=True),
        sa.Column("last_pa_success_id", sa.Integer(), nullable=True),
        sa.Column("last_visit_pa_id", sa.Integer(), nullable=True),
        sa.Column("last_visit_sw_id", sa.Integer(), nullable=True),
        sa.Column("last_visit_other_id", sa.Integer(), nullable=True),
        sa.Column("attempts_since", sa.Integer(), nullable=False),
        sa.Column("last_attempt_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_contact_summaries_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("young_person_id", name=op.f("pk_contact_summaries")),
    )
    op.create_table(
        "accommodation_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("letter", sa.String(length=1), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("suitable", sa.Boolean(), nullable=False),
        sa.Column("unsuitable_reason", sa.Text(), nullable=False),
        sa.Column("council_provided", sa.Boolean(), nullable=False),
        sa.Column("team_lead_reviewed_on", sa.Date(), nullable=True),
        sa.Column("team_lead_reviewed_by", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_lead_reviewed_by"],
            ["users.id"],
            name=op.f("fk_accommodation_periods_team_lead_reviewed_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_accommodation_periods_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accommodation_periods")),
    )
    op.create_index(
        op.f("ix_accommodation_periods_young_person_id"),
        "accommodation_periods",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "activity_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_activity_periods_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_periods")),
    )
    op.create_index(
        op.f("ix_activity_periods_young_person_id"),
        "activity_periods",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "care_histories",
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("date_entered_care", sa.Date(), nullable=True),
        sa.Column("weeks_looked_after_since_14", sa.Integer(), nullable=True),
        sa.Column("legal_status", sa.String(length=60), nullable=True),
        sa.Column("detained_or_in_hospital_at_16", sa.Boolean(), nullable=False),
        sa.Column("sgo_after_looked_after", sa.Boolean(), nullable=False),
        sa.Column("staying_put_until", sa.Date(), nullable=True),
        sa.Column("staying_close", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_care_histories_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("young_person_id", name=op.f("pk_care_histories")),
    )
    op.create_table(
        "circumstance_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_circumstance_changes_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_circumstance_changes_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circumstance_changes")),
    )
    op.create_index(
        op.f("ix_circumstance_changes_young_person_id"),
        "circumstance_changes",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("successful", sa.Boolean(), nullable=True),
        sa.Column("made_by", sa.String(length=24), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("seen", sa.Boolean(), nullable=False),
        sa.Column("seen_alone", sa.Boolean(), nullable=False),
        sa.Column("views", sa.Text(), nullable=False),
        sa.Column("discussed", sa.Text(), nullable=False),
        sa.Column("draft_follow_ups", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finalised_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_contacts_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_contacts_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(
        "ix_contacts_person_time", "contacts", ["young_person_id", "occurred_at"], unique=False
    )
    op.create_table(
        "eligibility_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("suggested", sa.String(length=24), nullable=False),
        sa.Column("decided", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_eligibility_decisions_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_eligibility_decisions_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_decisions")),
    )
    op.create_index(
        op.f("ix_eligibility_decisions_young_person_id"),
        "eligibility_decisions",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "essential_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=24), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_essential_items_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_essential_items")),
        sa.UniqueConstraint(
            "young_person_id", "item", name=op.f("uq_essential_items_young_person_id")
        ),
    )
    op.create_index(
        op.f("ix_essential_items_young_person_id"),
        "essential_items",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "in_touch_status_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_in_touch_status_events_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_in_touch_status_events_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_in_touch_status_events")),
    )
    op.create_index(
        op.f("ix_in_touch_status_events_young_person_id"),
        "in_touch_status_events",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "needs_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("eligible_from", sa.Date(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_needs_assessments_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs_assessments")),
    )
    op.create_index(
        op.f("ix_needs_assessments_young_person_id"),
        "needs_assessments",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "pathway_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("participation", sa.Text(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_pathway_plans_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_pathway_plans_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_plans")),
    )
    op.create_index(
        op.f("ix_pathway_plans_young_person_id"), "pathway_plans", ["young_person_id"], unique=False
    )
    op.create_table(
        "support_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_support_events_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_support_events_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_events")),
    )
    op.create_index(
        op.f("ix_support_events_young_person_id"),
        "support_events",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "contact_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_contact_addenda_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_addenda_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_addenda")),
    )
    op.create_index(
        op.f("ix_contact_addenda_contact_id"), "contact_addenda", ["contact_id"], unique=False
    )
    op.create_table(
        "follow_up_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_follow_up_actions_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_follow_up_actions_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_follow_up_actions_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_actions")),
    )
    op.create_index(
        op.f("ix_follow_up_actions_young_person_id"),
        "follow_up_actions",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "plan_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["pathway_plans.id"], name=op.f("fk_plan_areas_plan_id_pathway_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_areas")),
        sa.UniqueConstraint("plan_id", "area", name=op.f("uq_plan_areas_plan_id")),
    )
    op.create_index(op.f("ix_plan_areas_plan_id"), "plan_areas", ["plan_id"], unique=False)
    op.create_table(
        "plan_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("young_person_participated", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["pathway_plans.id"], name=op.f("fk_plan_reviews_plan_id_pathway_plans")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_plan_reviews_reviewed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_reviews")),
    )
    op.create_index(op.f("ix_plan_reviews_plan_id"), "plan_reviews", ["plan_id"], unique=False)


def downgrade() -> None:
    raise RuntimeError("Casework does not downgrade: restore the copy taken before upgrading.")
