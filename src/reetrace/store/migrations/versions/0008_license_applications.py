"""license applications, their review steps and the licenses issued

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 12:00:00.000000
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officials",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("enterprise", sa.String(length=18), nullable=True),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "license_applications",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("exporter", sa.String(length=18), nullable=False),
        sa.Column("license_type", sa.String(length=8), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("submitted_at", sa.String(length=32), nullable=False),
        sa.Column("submitted_by", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_index(op.f("ix_license_applications_exporter"), "license_applications", ["exporter"], unique=False)
    tables: tuple[tuple[str, list[sa.Column[Any]]], ...] = (
        (
            "application_documents",
            [
                sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
                sa.Column("application", sa.String(length=32), nullable=False),
                sa.Column("kind", sa.String(length=32), nullable=False),
                sa.Column("filename", sa.Text(), nullable=False),
                sa.Column("sha256", sa.String(length=64), nullable=False),
                sa.Column("size", sa.Integer(), nullable=False),
                sa.Column("content", sa.LargeBinary(), nullable=False),
                sa.Column("added_at", sa.String(length=32), nullable=False),
            ],
        ),
        (
            "application_steps",
            [
                sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
                sa.Column("application", sa.String(length=32), nullable=False),
                sa.Column("action", sa.String(length=16), nullable=False),
                sa.Column("state", sa.String(length=16), nullable=False),
                sa.Column("by", sa.Text(), nullable=False),
                sa.Column("at", sa.String(length=32), nullable=False),
                sa.Column("why", sa.Text(), nullable=False),
                sa.Column("detail", sa.Text(), nullable=False),
            ],
        ),
        (
            "prereviews",
            [
                sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
                sa.Column("application", sa.String(length=32), nullable=False),
                sa.Column("run_at", sa.String(length=32), nullable=False),
                sa.Column("ledger_size", sa.Integer(), nullable=False),
                sa.Column("verdict", sa.String(length=12), nullable=False),
                sa.Column("report", sa.Text(), nullable=False),
            ],
        ),
    )
    for name, columns in tables:
        op.create_table(
            name,
            *columns,
            sa.ForeignKeyConstraint(["application"], ["license_applications.number"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f(f"ix_{name}_application"), name, ["application"], unique=False)
    with op.batch_alter_table("licenses") as batch:
        batch.add_column(sa.Column("license_type", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("issued_on", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("application", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("licenses") as batch:
        batch.drop_column("application")
        batch.drop_column("issued_on")
        batch.drop_column("license_type")
    for name in ("prereviews", "application_steps", "application_documents"):
        op.drop_index(op.f(f"ix_{name}_application"), table_name=name)
        op.drop_table(name)
    op.drop_index(op.f("ix_license_applications_exporter"), table_name="license_applications")
    op.drop_table("license_applications")
    op.drop_table("officials")
