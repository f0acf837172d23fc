"""event keys as long as the texts they are made of

An event is filed under the keys of reetrace.domain.event_keys, made of a shipment, license or
customs-declaration text: `S|<sender>|<receiver>|<shipment>` is up to 540 characters, the
contract allowing 500 for the shipment. The column held 200, which PostgreSQL enforces: a longer
shipment (a valid event) failed the whole batch that carried it. It becomes `text`. SQLite never
enforced the length, and its table stays as it is (rebuilding it would rewrite every key).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 18:00:00.000000
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":  # varchar to text: no rewrite of the table or its index
        conn.exec_driver_sql("ALTER TABLE event_keys ALTER COLUMN key TYPE text")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE event_keys ALTER COLUMN key TYPE varchar(200)")
