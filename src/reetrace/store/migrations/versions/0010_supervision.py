"""event keys (lot moves, shipments, licenses, declarations), supervised findings

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 15:30:00.000000
"""

import json

import sqlalchemy as sa
from alembic import op

from reetrace.domain.event_keys import MOVING_TYPES, event_keys

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "seq"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_events_reporter_time", "events", ["reporter", "time"], unique=False)
    op.create_table(
        "supervised_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=240), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("enterprise", sa.String(length=18), nullable=True),
        sa.Column("lot", sa.String(length=80), nullable=True),
        sa.Column("event", sa.String(length=160), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("sort_kind", sa.Integer(), nullable=False),
        sa.Column("sort_time", sa.String(length=40), nullable=False),
        sa.Column("sort_order", sa.Text(), nullable=False),
        sa.Column("nth", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("subject", "code", "enterprise"):
        op.create_index(f"ix_supervised_findings_{column}", "supervised_findings", [column], unique=False)
    op.create_table(
        "supervision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("thresholds", sa.String(length=64), nullable=False),
        sa.Column("ledger_size", sa.Integer(), nullable=False),
        sa.Column("stale", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index_recorded_events()


def _index_recorded_events() -> None:
    """Key the events already in the ledger (a store created before this revision)."""
    conn = op.get_bind()
    events = sa.table("events", sa.column("seq"), sa.column("reporter"), sa.column("type"), sa.column("body"))
    keys = sa.table("event_keys", sa.column("key"), sa.column("seq"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(events.c.seq, events.c.reporter, events.c.type, events.c.body)
            .where(events.c.seq > last, events.c.type.in_(sorted(MOVING_TYPES)))
            .order_by(events.c.seq)
            .limit(20_000)
        ).all()
        if not rows:
            return
        batch = [
            {"key": key, "seq": seq}
            for seq, reporter, type_, body in rows
            for key in event_keys(reporter, type_, json.loads(body))
        ]
        if batch:
            conn.execute(sa.insert(keys), batch)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("supervision")
    for column in ("enterprise", "code", "subject"):
        op.drop_index(f"ix_supervised_findings_{column}", table_name="supervised_findings")
    op.drop_table("supervised_findings")
    op.drop_index("ix_events_reporter_time", table_name="events")
    op.drop_table("event_keys")
