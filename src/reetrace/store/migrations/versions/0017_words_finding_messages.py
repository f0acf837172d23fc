"""a stored finding keeps its explanation as a message id and parameters, for the pages to say it
in the reader's language; rows stored before have none and are shown by their detail

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 19:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supervised_findings") as batch:
        batch.add_column(sa.Column("message", sa.String(80), nullable=True))
        batch.add_column(sa.Column("params", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("supervised_findings") as batch:
        batch.drop_column("params")
        batch.drop_column("message")
