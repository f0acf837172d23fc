"""control changes: regulators' additions, suspensions and ends of control-list entries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 11:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "control_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("element", sa.String(length=4), nullable=True),
        sa.Column("groups", sa.Text(), nullable=True),
        sa.Column("effective", sa.String(length=10), nullable=False),
        sa.Column("until", sa.String(length=10), nullable=True),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_control_changes_code"), "control_changes", ["code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_control_changes_code"), table_name="control_changes")
    op.drop_table("control_changes")
