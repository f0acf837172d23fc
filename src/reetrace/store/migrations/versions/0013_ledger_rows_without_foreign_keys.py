"""ledger rows without foreign-key checks on PostgreSQL

On PostgreSQL a foreign key is checked by a trigger that runs a query for every row inserted: for
`events.submission_id`, `lots.seq` and `lot_draws.seq` that is three look-ups for most events of
a bulk load, measured at about 9 µs an event (a third of the writer's time on 1.6M events).
Those rows are written only by the ledger's append, in the one transaction that wrote the rows
they name and under the ledger's lock (reetrace.store.ledger_repo), and never updated or deleted;
the transparency log, not the constraint, is what shows a changed or removed row. The checks
only repeat what that transaction did, so they go. SQLite checks a key with one look-up in the
parent's primary key at no measurable cost, and keeps them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 18:20:00.000000
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# (table, constraint, its definition as 0011 made it)
FOREIGN_KEYS = (
    ("events", "events_submission_id_fkey", "FOREIGN KEY (submission_id) REFERENCES submissions (id)"),
    ("lots", "lots_seq_fkey", "FOREIGN KEY (seq) REFERENCES event_ids (seq)"),
    ("lot_draws", "lot_draws_seq_fkey", "FOREIGN KEY (seq) REFERENCES event_ids (seq)"),
)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table, name, _ in FOREIGN_KEYS:
        conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table, name, definition in FOREIGN_KEYS:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
