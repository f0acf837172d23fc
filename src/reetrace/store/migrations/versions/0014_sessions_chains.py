"""server-side sessions, login throttling, second factors, account changes, hash chains

- `sessions`, `login_throttle`, `role_policies`, `account_changes` and `chain_links` are new;
- `users` gains the second factor's secret and when the password last changed;
- `access_log` gains the channel (api, console, cli), the client's address and the
  operating-system user, and its action widens to 16 characters;
- `rejections` gains the size of what was received;
- the rows of the chained tables written before this revision are linked, in key order
  (reetrace.store.chains.backfill).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 15:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.String(length=32), nullable=False),
        sa.Column("ended_at", sa.String(length=32), nullable=True),
        sa.Column("ended_why", sa.String(length=16), nullable=True),
        sa.Column("client", sa.Text(), nullable=True),
        sa.Column("second_factor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["users.username"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sessions_username"), "sessions", ["username"], unique=False)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.String(length=32), nullable=False),
        sa.Column("locked_until", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "role_policies",
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("totp_required", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.String(length=32), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("role"),
    )
    op.create_table(
        "account_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_account_changes_username"), "account_changes", ["username"], unique=False)
    op.create_table(
        "chain_links",
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("n", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("link", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("chain", "n"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.Text(), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.String(length=32), nullable=True))
    with op.batch_alter_table("access_log") as batch:
        batch.alter_column("action", existing_type=sa.String(length=8), type_=sa.String(length=16))
        batch.add_column(sa.Column("channel", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("client", sa.Text(), nullable=True))
        batch.add_column(sa.Column("os_user", sa.Text(), nullable=True))
    with op.batch_alter_table("rejections") as batch:
        batch.add_column(sa.Column("size", sa.BigInteger(), nullable=True))

    from reetrace.store.chains import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("rejections") as batch:
        batch.drop_column("size")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("os_user")
        batch.drop_column("client")
        batch.drop_column("channel")
        batch.alter_column("action", existing_type=sa.String(length=16), type_=sa.String(length=8))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("totp_secret")
    op.drop_table("chain_links")
    op.drop_index(op.f("ix_account_changes_username"), table_name="account_changes")
    op.drop_table("account_changes")
    op.drop_table("role_policies")
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_sessions_username"), table_name="sessions")
    op.drop_table("sessions")
