"""Care-leaver law: care periods as a list, the case's opening date as a recorded fact, and
reg 8 visits counted only at the accommodation.

- ``care_periods``: one row per spell of being looked after (started, ended, legal status).
  Backfilled with one period from each care history's date entered care to the date the
  young person ceased to be looked after (open when none is recorded).
- ``young_people.opened_on``: backfilled from the earliest dated fact on the record
  (contacts, statuses, accommodation, activity, plans, assessments, changes, support
  milestones, eligibility decisions, front-door contacts and referrals), and only where
  there is none from the day the row was written.
- ``contact_summaries``: the latest visit by each kind of worker is recomputed so only a
  visit at the young person's accommodation counts (Care Leavers (England) Regulations
  2010 reg 8); the summary is derived data.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_DATED = (
    ("contacts", "occurred_at", sa.DateTime()),
    ("in_touch_status_events", "effective_on", sa.Date()),
    ("accommodation_periods", "started_on", sa.Date()),
    ("activity_periods", "started_on", sa.Date()),
    ("pathway_plans", "started_on", sa.Date()),
    ("needs_assessments", "started_on", sa.Date()),
    ("needs_assessments", "completed_on", sa.Date()),
    ("circumstance_changes", "occurred_on", sa.Date()),
    ("support_events", "occurred_on", sa.Date()),
    ("eligibility_decisions", "decided_at", sa.DateTime()),
    ("safeguarding_contacts", "received_at", sa.DateTime()),
    ("referrals", "received_at", sa.DateTime()),
)


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _backfill_opened_on(bind: sa.engine.Connection) -> None:
    earliest: dict[int, date] = {}
    for name, column, kind in _DATED:
        t = sa.table(name, sa.column("young_person_id", sa.Integer()), sa.column(column, kind))
        stmt = sa.select(t.c.young_person_id, sa.func.min(t.c[column])).group_by(
            t.c.young_person_id
        )
        for pid, first in bind.execute(stmt):
            day = _day(first)
            if day is not None and (pid not in earliest or day < earliest[pid]):
                earliest[pid] = day
    people = sa.table(
        "young_people",
        sa.column("id", sa.Integer()),
        sa.column("created_at", sa.DateTime()),
        sa.column("opened_on", sa.Date()),
    )
    for pid, created in bind.execute(sa.select(people.c.id, people.c.created_at)).all():
        opened = earliest.get(pid, _day(created))
        bind.execute(sa.update(people).where(people.c.id == pid).values(opened_on=opened))


def _backfill_care_periods(bind: sa.engine.Connection) -> None:
    histories = sa.table(
        "care_histories",
        sa.column("young_person_id", sa.Integer()),
        sa.column("date_entered_care", sa.Date()),
        sa.column("legal_status", sa.String()),
    )
    people = sa.table(
        "young_people",
        sa.column("id", sa.Integer()),
        sa.column("date_ceased_looked_after", sa.Date()),
    )
    periods = sa.table(
        "care_periods",
        sa.column("young_person_id", sa.Integer()),
        sa.column("started_on", sa.Date()),
        sa.column("ended_on", sa.Date()),
        sa.column("legal_status", sa.String()),
        sa.column("recorded_at", sa.DateTime()),
    )
    stmt = (
        sa.select(
            histories.c.young_person_id,
            histories.c.date_entered_care,
            people.c.date_ceased_looked_after,
            histories.c.legal_status,
        )
        .join(people, people.c.id == histories.c.young_person_id)
        .where(histories.c.date_entered_care.is_not(None))
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "young_person_id": pid,
            "started_on": entered,
            "ended_on": ceased if ceased is not None and ceased >= entered else None,
            "legal_status": status or "",
            "recorded_at": now,
        }
        for pid, entered, ceased, status in bind.execute(stmt)
    ]
    if rows:
        bind.execute(sa.insert(periods), rows)


def _recount_visits() -> None:
    summaries = sa.table(
        "contact_summaries",
        sa.column("young_person_id", sa.Integer()),
        sa.column("last_visit_pa_id", sa.Integer()),
        sa.column("last_visit_sw_id", sa.Integer()),
        sa.column("last_visit_other_id", sa.Integer()),
    )
    c = sa.table(
        "contacts",
        sa.column("id", sa.Integer()),
        sa.column("young_person_id", sa.Integer()),
        sa.column("occurred_at", sa.DateTime()),
        sa.column("status", sa.String()),
        sa.column("successful", sa.Boolean()),
        sa.column("method", sa.String()),
        sa.column("seen", sa.Boolean()),
        sa.column("made_by", sa.String()),
    )

    def latest(made_by: str) -> sa.ScalarSelect[int]:
        return (
            sa.select(c.c.id)
            .where(
                c.c.young_person_id == summaries.c.young_person_id,
                c.c.status == "final",
                c.c.successful.is_(True),
                c.c.method == "face_to_face_accommodation",
                c.c.seen.is_(True),
                c.c.made_by == made_by,
            )
            .order_by(c.c.occurred_at.desc(), c.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    op.execute(
        sa.update(summaries).values(
            last_visit_pa_id=latest("personal_adviser"),
            last_visit_sw_id=latest("social_worker"),
            last_visit_other_id=latest("other"),
        )
    )


def upgrade() -> None:
    op.create_table(
        "care_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("legal_status", sa.String(length=60), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_care_periods_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_people.id"],
            name=op.f("fk_care_periods_young_person_id_young_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_periods")),
    )
    with op.batch_alter_table("care_periods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_periods_young_person_id"), ["young_person_id"], unique=False
        )
    op.add_column("young_people", sa.Column("opened_on", sa.Date(), nullable=True))
    bind = op.get_bind()
    _backfill_opened_on(bind)
    _backfill_care_periods(bind)
    _recount_visits()


def downgrade() -> None:
    raise RuntimeError("Casework does not downgrade: restore the copy taken before upgrading.")
