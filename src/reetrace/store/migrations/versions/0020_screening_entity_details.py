"""a listed entity keeps what supports or contradicts a match besides its names: the list property
each name came from (name, alias, weakAlias, previousName), its birth dates and its name parts
(firstName, lastName …), as JSON; lists loaded before have none, and are read as before

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screening_entities") as batch:
        batch.add_column(sa.Column("details", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screening_entities") as batch:
        batch.drop_column("details")
