"""screening lists: restricted-party lists and their entities

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_lists",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.String(length=32), nullable=False),
        sa.Column("loaded_by", sa.Text(), nullable=True),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Text(), nullable=False),
        sa.Column("keys_version", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "screening_entities",
        sa.Column("list_name", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("entity_schema", sa.String(length=32), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("countries", sa.Text(), nullable=False),
        sa.Column("name_keys", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["list_name"], ["screening_lists.name"]),
        sa.PrimaryKeyConstraint("list_name", "entity_id"),
    )
    op.create_table(
        "screening_loads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.String(length=32), nullable=False),
        sa.Column("loaded_by", sa.Text(), nullable=True),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Text(), nullable=False),
        sa.Column("replaced_version", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_screening_loads_list_name"), "screening_loads", ["list_name"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_screening_loads_list_name"), table_name="screening_loads")
    op.drop_table("screening_loads")
    op.drop_table("screening_entities")
    op.drop_table("screening_lists")
