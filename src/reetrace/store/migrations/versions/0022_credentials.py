"""provenance credentials (docs/credentials.md): the GTINs an enterprise registered for its
lots' forms, the issuer's signing keys (public halves), and every credential issued, with the
lineage it rests on and, once revoked, when and why

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise_gtins",
        sa.Column("uscc", sa.String(18), sa.ForeignKey("enterprises.uscc"), primary_key=True),
        sa.Column("form", sa.String(16), primary_key=True),
        sa.Column("gtin", sa.String(14), nullable=False),
    )
    op.create_table(
        "issuer_keys",
        sa.Column("key_id", sa.String(16), primary_key=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("retired_at", sa.String(32)),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("credential_id", sa.String(36), nullable=False, unique=True),
        sa.Column("lot", sa.String(80), index=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("securing", sa.String(8), nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("issued_to", sa.String(18)),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("lineage", sa.Text(), nullable=False),
        sa.Column("blocking", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.String(32)),
        sa.Column("revoked_reason", sa.Text()),
    )


def downgrade() -> None:
    op.drop_table("credentials")
    op.drop_table("issuer_keys")
    op.drop_table("enterprise_gtins")
