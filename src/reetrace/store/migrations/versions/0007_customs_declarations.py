"""customs declarations, arrival reports and partner-country import statistics

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customs_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.String(length=10), nullable=False),
        sa.Column("period_to", sa.String(length=10), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_customs_imports_sha256"), "customs_imports", ["sha256"], unique=False)
    op.create_table(
        "customs_declarations",
        sa.Column("declaration_no", sa.String(length=64), nullable=False),
        sa.Column("item", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("exporter", sa.String(length=18), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("net_kg", sa.Float(), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("license_no", sa.String(length=64), nullable=True),
        sa.Column("lots", sa.Text(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["customs_imports.id"]),
        sa.PrimaryKeyConstraint("declaration_no", "item"),
    )
    op.create_index(op.f("ix_customs_declarations_date"), "customs_declarations", ["date"], unique=False)
    op.create_index(op.f("ix_customs_declarations_exporter"), "customs_declarations", ["exporter"], unique=False)
    op.create_table(
        "arrival_reports",
        sa.Column("export_ref", sa.String(length=160), nullable=False),
        sa.Column("arrived_on", sa.String(length=10), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("export_ref"),
    )
    op.create_table(
        "mirror_statistics",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("hs6", sa.String(length=6), nullable=False),
        sa.Column("kg", sa.Float(), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("loaded_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("year", "partner", "hs6"),
    )


def downgrade() -> None:
    op.drop_table("mirror_statistics")
    op.drop_table("arrival_reports")
    op.drop_index(op.f("ix_customs_declarations_exporter"), table_name="customs_declarations")
    op.drop_index(op.f("ix_customs_declarations_date"), table_name="customs_declarations")
    op.drop_table("customs_declarations")
    op.drop_index(op.f("ix_customs_imports_sha256"), table_name="customs_imports")
    op.drop_table("customs_imports")
