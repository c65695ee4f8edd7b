"""A referral imported from another system's Annex A workbook keeps that system's count
of the young person's referrals in the 12 months before it.

Annex A list 3 (Ofsted ILACS) gives each referral's ``Number of Referrals in Last 12
Months``; the earlier referrals it counts are not in the workbook (it covers 6 months), so
Casework cannot count them itself. ``referrals.legacy_referrals_12_months`` keeps the
imported figure (``NULL`` for a referral recorded in Casework). A nullable column: no
existing row changes, so no audit hash changes.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("referrals", sa.Column("legacy_referrals_12_months", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("legacy_referrals_12_months")
