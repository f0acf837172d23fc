"""events partitioned by year on PostgreSQL; event identities in event_ids

On PostgreSQL, `events` becomes a table range-partitioned on `time`, one partition per UTC+8 year
(reetrace.store.partitions explains the layout), and its rows move there. The primary key becomes
(seq, time), as PostgreSQL requires the partition key in it; the guarantees that no seq and no
(reporter, event_id) is used twice, across all years, move to `event_ids`, which triggers on
`events` keep; `lots.seq` and `lot_draws.seq` now refer to `event_ids.seq`. The migration runs
in the one transaction of the upgrade: a store holding data either moves whole or not at all.
SQLite keeps its single table: nothing changes there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00.000000
"""

from alembic import op

from reetrace.store.partitions import create_partition, partition_year

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EVENTS_TABLE = """CREATE TABLE events (
    seq integer NOT NULL DEFAULT nextval('events_seq_seq'), reporter varchar(18) NOT NULL,
    event_id varchar(128) NOT NULL, type varchar(16) NOT NULL, time varchar(32) NOT NULL,
    submission_id integer NOT NULL, received_at varchar(32) NOT NULL, digest varchar(64) NOT NULL,
    body text NOT NULL, leaf bytea)"""
COLUMNS = "seq, reporter, event_id, type, time, submission_id, received_at, digest, body, leaf"

# PostgreSQL has no unique index across the partitions of a table: `event_ids` is that index.
# Statement-level triggers see every row a statement inserted, updated or deleted (all
# partitions) and apply the same change to the identities in one set-based statement each.
TRIGGER_NAMES = ("events_ids_inserted", "events_ids_updated", "events_ids_deleted")
TRIGGERS = (
    """CREATE FUNCTION events_ids_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO event_ids (seq, reporter, event_id, digest) SELECT seq, reporter, event_id, digest FROM inserted;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER events_ids_inserted AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION events_ids_inserted()""",
    """CREATE FUNCTION events_ids_updated() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM event_ids WHERE seq IN (SELECT seq FROM before_update EXCEPT SELECT seq FROM after_update);
    INSERT INTO event_ids (seq, reporter, event_id, digest) SELECT seq, reporter, event_id, digest FROM after_update
        ON CONFLICT (seq) DO UPDATE SET reporter = excluded.reporter, event_id = excluded.event_id,
            digest = excluded.digest
        WHERE (event_ids.reporter, event_ids.event_id, event_ids.digest)
            IS DISTINCT FROM (excluded.reporter, excluded.event_id, excluded.digest);
    RETURN NULL;
END $$""",
    """CREATE TRIGGER events_ids_updated AFTER UPDATE ON events
    REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
    FOR EACH STATEMENT EXECUTE FUNCTION events_ids_updated()""",
    """CREATE FUNCTION events_ids_deleted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM event_ids WHERE seq IN (SELECT seq FROM deleted);
    RETURN NULL;
END $$""",
    """CREATE TRIGGER events_ids_deleted AFTER DELETE ON events REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION events_ids_deleted()""",
)

DROP_TRIGGERS = tuple(f"DROP TRIGGER {name} ON events" for name in TRIGGER_NAMES) + tuple(
    f"DROP FUNCTION {name}()" for name in TRIGGER_NAMES
)

# the indexes of every partition: seq (primary key, with the partition key), the look-up of an
# event by its id, the audit's time order, a reporter's events over time, a submission's events
INDEXES = """
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (seq, time);
CREATE INDEX ix_events_reporter_event_id ON events (reporter, event_id);
CREATE INDEX ix_events_time ON events (time);
CREATE INDEX ix_events_reporter_time ON events (reporter, time);
CREATE INDEX ix_events_submission_id ON events (submission_id);
ALTER TABLE events ADD CONSTRAINT events_submission_id_fkey FOREIGN KEY (submission_id) REFERENCES submissions (id);
"""


def _run(script: str | tuple[str, ...]) -> None:
    """Run SQL statements: a tuple of them, or a script of statements each ending a line with `;`."""
    conn = op.get_bind()
    for statement in script if isinstance(script, tuple) else script.split(";\n"):
        if statement.strip():
            conn.exec_driver_sql(statement.strip())


def _refer_lot_tables_to(target: str) -> None:
    _run(
        "".join(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_seq_fkey FOREIGN KEY (seq) REFERENCES {target} (seq);\n"
            for table in ("lots", "lot_draws")
        )
    )


def _drop_lot_table_references() -> None:
    _run("ALTER TABLE lots DROP CONSTRAINT lots_seq_fkey;\nALTER TABLE lot_draws DROP CONSTRAINT lot_draws_seq_fkey;\n")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    years = sorted(
        {
            partition_year(year)
            for (year,) in conn.exec_driver_sql(
                "SELECT DISTINCT left(time, 4)::integer + (substr(time, 6, 14) >= '12-31T16:00:00')::integer "
                "FROM events"
            )
        }
    )

    # set the unpartitioned table aside, freeing the names its constraints and indexes hold
    _drop_lot_table_references()
    _run(
        """
ALTER SEQUENCE events_seq_seq OWNED BY NONE;
ALTER TABLE events RENAME TO events_0010;
ALTER TABLE events_0010 DROP CONSTRAINT uq_events_reporter_event_id;
ALTER TABLE events_0010 RENAME CONSTRAINT events_pkey TO events_0010_pkey;
DROP INDEX ix_events_time;
DROP INDEX ix_events_reporter_time;
DROP INDEX ix_events_submission_id;
CREATE TABLE event_ids (seq integer NOT NULL, reporter varchar(18) NOT NULL, event_id varchar(128) NOT NULL,
    digest varchar(64) NOT NULL);
"""
        + EVENTS_TABLE
        + """ PARTITION BY RANGE (time);
ALTER SEQUENCE events_seq_seq OWNED BY events.seq;
"""
    )
    for year in years:
        create_partition(conn, year)

    # move the rows in their order of acceptance, then build the indexes and constraints once
    _run(
        f"""
INSERT INTO events ({COLUMNS}) SELECT {COLUMNS} FROM events_0010 ORDER BY seq;
INSERT INTO event_ids (seq, reporter, event_id, digest) SELECT seq, reporter, event_id, digest FROM events_0010
    ORDER BY seq;
ALTER TABLE event_ids ADD CONSTRAINT event_ids_pkey PRIMARY KEY (seq);
ALTER TABLE event_ids ADD CONSTRAINT uq_event_ids_reporter_event_id UNIQUE (reporter, event_id);
"""
        + INDEXES
    )
    _refer_lot_tables_to("event_ids")
    _run(TRIGGERS)
    _run("DROP TABLE events_0010;\nANALYZE events;\nANALYZE event_ids;\n")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run(DROP_TRIGGERS)
    _drop_lot_table_references()
    _run(
        """
ALTER SEQUENCE events_seq_seq OWNED BY NONE;
ALTER TABLE events RENAME TO events_0011;
ALTER TABLE events_0011 DROP CONSTRAINT events_submission_id_fkey;
ALTER TABLE events_0011 DROP CONSTRAINT events_pkey;
DROP INDEX ix_events_reporter_event_id;
DROP INDEX ix_events_time;
DROP INDEX ix_events_reporter_time;
DROP INDEX ix_events_submission_id;
"""
        + EVENTS_TABLE
        + f""";
ALTER SEQUENCE events_seq_seq OWNED BY events.seq;
INSERT INTO events ({COLUMNS}) SELECT {COLUMNS} FROM events_0011 ORDER BY seq;
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (seq);
ALTER TABLE events ADD CONSTRAINT uq_events_reporter_event_id UNIQUE (reporter, event_id);
ALTER TABLE events ADD CONSTRAINT events_submission_id_fkey FOREIGN KEY (submission_id) REFERENCES submissions (id);
CREATE INDEX ix_events_submission_id ON events (submission_id);
CREATE INDEX ix_events_time ON events (time);
CREATE INDEX ix_events_reporter_time ON events (reporter, time);
DROP TABLE events_0011;
"""
    )
    _refer_lot_tables_to("events")
    _run("DROP TABLE event_ids;\n")
