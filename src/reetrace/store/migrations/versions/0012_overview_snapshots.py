"""snapshots of the dashboard's national overview

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 15:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "overview_snapshots",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("ledger_size", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("year", "as_of"),
    )


def downgrade() -> None:
    op.drop_table("overview_snapshots")
