"""EPCIS capture: capture jobs, the EPCIS eventID of each recorded event, and how far those ids
are filled in; a submission's signature may be an EPCIS capture's detached JWS (longer than an
Ed25519 signature)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 08:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _signature(length: int, was: int) -> None:
    # SQLite does not hold text to its declared length (and rebuilding `submissions` there would
    # break the events' foreign keys): only PostgreSQL's column is widened
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("submissions", "signature", type_=sa.String(length), existing_type=sa.String(was))


def upgrade() -> None:
    _signature(200, 100)
    op.create_table(
        "epcis_captures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("enterprise", sa.String(18), index=True),
        sa.Column("username", sa.String(64)),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id")),
        sa.Column("rejection_id", sa.Integer(), sa.ForeignKey("rejections.id")),
        sa.Column("success", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
    )
    op.create_table(
        "epcis_ids",
        sa.Column("epcis_id", sa.String(255), primary_key=True),
        sa.Column("reporter", sa.String(18), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("captured", sa.Integer(), nullable=False),
        sa.UniqueConstraint("reporter", "event_id", name="uq_epcis_ids_reporter_event_id"),
    )
    op.create_table(
        "epcis_index",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("epcis_index")
    op.drop_table("epcis_ids")
    op.drop_table("epcis_captures")
    _signature(100, 200)
