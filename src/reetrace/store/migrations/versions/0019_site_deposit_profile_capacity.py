"""a registered site may say its deposit (mines), the profile of its ore (element -> share of REO,
as JSON) and its yearly capacity in tonnes REO, for the findings that catch evasion
(docs/evasion.md); sites registered before have none of them

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("deposit", sa.String(16), nullable=True))
        batch.add_column(sa.Column("profile", sa.Text(), nullable=True))
        batch.add_column(sa.Column("capacity_t_reo", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("capacity_t_reo")
        batch.drop_column("profile")
        batch.drop_column("deposit")
