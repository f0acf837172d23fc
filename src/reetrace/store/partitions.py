"""The ledger's events partitioned by year on PostgreSQL (migration 0011); SQLite keeps one table.

`events` is range-partitioned on its `time` column (UTC text, fixed width, so text order is time
order), one partition per event year counted in China Standard Time (UTC+8), as audits, quotas,
reports and exports count years: partition `events_y2025` holds the events of
2025-01-01T00:00+08:00 up to, not including, 2026-01-01T00:00+08:00. A query bounded on `time`
(the audit's `until`, a year's quota, an export window) reads only the partitions it needs.

A year's partition is created by the append path, under the ledger lock, when a batch brings the
first event of that year: a new empty table is attached (ATTACH PARTITION takes only a SHARE UPDATE
EXCLUSIVE lock on `events`, so readers, a long audit included, neither block it nor are blocked).
There is no default partition: an event outside every partition is refused by the database
rather than filed somewhere a later partition would have to be carved out of.

PostgreSQL keeps a primary key or unique constraint on a partitioned table only if it includes
the partition key, so `events` has primary key (seq, time) and no unique (reporter, event_id).
The ledger's two global guarantees are held by `event_ids` (seq primary key, unique
(reporter, event_id), and the event's digest), a narrow table that is not partitioned, kept by
triggers on `events`: an insert, update or delete of events registers, moves or removes their
identities in the same statement, so a seq or a (reporter, event_id) used twice, in any two
years, fails the statement. `lots.seq` and `lot_draws.seq` refer to `event_ids.seq`. With its
digest, `event_ids` answers "is this event recorded, with what content?" in one index probe,
where `events` needs one a year.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection

from reetrace.store.timefmt import to_utc_text

YEAR_ZONE = timezone(timedelta(hours=8))  # the year of an event is counted in China Standard Time
FIRST_YEAR, LAST_YEAR = 2, 9998  # the extreme partitions run to MINVALUE / MAXVALUE
_YEAR_STARTS_UTC = "12-31T16:00:00"  # in UTC, the moment a year begins in UTC+8 (month-day and time)


def event_year(time_utc: str) -> int:
    """The UTC+8 year of an event time stored as UTC text (`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`)."""
    year = int(time_utc[:4])
    return year + 1 if time_utc[5:19] >= _YEAR_STARTS_UTC else year


def partition_name(year: int) -> str:
    return f"events_y{year:04d}"


def year_bounds(year: int) -> tuple[str, str]:
    """The FROM and TO bounds (SQL literals) of a year's partition."""

    def start(y: int) -> str:
        return "'" + to_utc_text(datetime(y, 1, 1, tzinfo=YEAR_ZONE)) + "'"

    return ("MINVALUE" if year <= FIRST_YEAR else start(year), "MAXVALUE" if year >= LAST_YEAR else start(year + 1))


def partition_year(year: int) -> int:
    """The year whose partition holds events of `year` (the extreme ones share a partition)."""
    return min(max(year, FIRST_YEAR), LAST_YEAR)


def existing_partitions(conn: Connection) -> set[str] | None:
    """The names of the partitions of `events`, or None where `events` is not partitioned
    (SQLite, or a PostgreSQL store before migration 0011)."""
    if conn.dialect.name != "postgresql":
        return None
    rows = conn.exec_driver_sql(
        "SELECT p.relkind, c.relname FROM pg_class p "
        "LEFT JOIN pg_inherits i ON i.inhparent = p.oid LEFT JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE p.oid = to_regclass('events')"
    ).all()
    if not rows or rows[0][0] != "p":
        return None
    return {name for _, name in rows if name is not None}


def create_partition(conn: Connection, year: int) -> str:
    """Create and attach the partition of `year` (empty); its indexes, primary key and foreign
    key come from `events` on attaching."""
    name = partition_name(year)
    low, high = year_bounds(year)
    conn.exec_driver_sql(f"CREATE TABLE {name} (LIKE events INCLUDING DEFAULTS INCLUDING STORAGE)")
    conn.exec_driver_sql(f"ALTER TABLE events ATTACH PARTITION {name} FOR VALUES FROM ({low}) TO ({high})")
    return name


def ensure_partitions(conn: Connection, times: Iterable[str]) -> list[int]:
    """Create the partitions the events at these times (UTC text) need and that do not exist
    yet; the years created. A no-op where `events` is not partitioned. Runs inside the caller's
    write transaction, before the events are inserted."""
    if conn.dialect.name != "postgresql":
        return []
    years = {partition_year(event_year(time)) for time in times}
    existing = existing_partitions(conn) if years else None
    if existing is None:
        return []
    created = sorted(y for y in years if partition_name(y) not in existing)
    for year in created:
        create_partition(conn, year)
    return created
