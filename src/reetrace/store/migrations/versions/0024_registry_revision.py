"""the registry's revision: one number that every registry load moves, so that a process can keep
what it read of the registry (the signing keys) until the registry changes

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 03:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "registry_revision",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    op.drop_table("registry_revision")
