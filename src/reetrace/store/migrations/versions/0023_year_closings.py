"""years that close (docs/closing.md): each closing of a year, chained, and its opening's bytes

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 19:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "year_closings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("year", sa.Integer(), nullable=False, index=True),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("boundary", sa.String(32), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("state_digest", sa.String(64), nullable=False),
        sa.Column("blob_digest", sa.String(64), nullable=False),
        sa.Column("blob_bytes", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.String(32), nullable=False),
        sa.Column("closed_by", sa.Text(), nullable=False),
    )
    op.create_table(
        "year_closing_parts",
        sa.Column("closing_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("part", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("year_closing_parts")
    op.drop_table("year_closings")
