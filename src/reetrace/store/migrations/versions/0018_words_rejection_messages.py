"""a rejection keeps its reason as a message id and parameters, for the pages to say it in the
reader's language; rows recorded before have none and are shown by their English reason

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 21:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rejections") as batch:
        batch.add_column(sa.Column("message", sa.String(80), nullable=True))
        batch.add_column(sa.Column("params", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rejections") as batch:
        batch.drop_column("params")
        batch.drop_column("message")
