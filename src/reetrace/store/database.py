"""Opening a store: engine, connection settings per dialect, schema migration, write locking.

SQLite runs in WAL mode so that readers never block the one writer; a write transaction starts
with `BEGIN IMMEDIATE`, so two writers queue instead of failing half-way. Writers of one process
queue on a lock of the store before that: SQLite's own wait for a locked database is a sleep
that grows to 100 ms between tries, so a thread waiting there may sleep on while the database
is already free; on the lock it wakes when the writer before it is done. On PostgreSQL a write
transaction takes a transaction-scoped advisory lock: ledger appends are serialised (acceptance
order is total), while validation and signature checks run outside the lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from reetrace.errors import StoreError

_LEDGER_LOCK = 727_001  # advisory lock key for ledger appends on PostgreSQL
_MIGRATION_LOCK = 727_000
PAGE_SIZE = 32_768  # bytes per SQLite page in a new store
CACHE_MIB = 128  # SQLite's page cache per connection
# A full read of the ledger in event-time order (the audit) walks the time index and fetches
# each event from the table, stored in order of arrival: neighbours in time sit on pages a few
# hundred MiB apart. With the usual cache those pages are read again and again (measured on a
# national year: 15.5 s of the read's 44 s in the kernel copying pages; with 512 MiB, 1.2 s).
SCAN_CACHE_MIB = 512


@contextmanager
def scan_cache(conn: Connection) -> Iterator[None]:
    """A larger SQLite page cache on this connection while the whole ledger is read in time
    order; the usual one again after. Nothing on PostgreSQL (its buffers are the server's)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SCAN_CACHE_MIB * 1024}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_MIB * 1024}")


@dataclass(frozen=True)
class Store:
    engine: Engine
    # held by this process's writer on SQLite (see the module's note); re-entrant, as SQLite
    # itself would let a nested write of the same thread wait for its own lock rather than hang
    write_lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only unit of work (one consistent snapshot where the database gives one)."""
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction, holding the ledger's write lock; commits once at the end,
        rolls back entirely on any error."""
        queue = self.write_lock if self.dialect == "sqlite" else nullcontext()
        with queue, self.engine.connect() as conn:
            conn = conn.execution_options(reetrace_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LEDGER_LOCK})
                yield conn

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load. PostgreSQL never gathers them for a
        partitioned table by itself, and without them it plans a look-up by lot or event as a scan
        of the whole ledger. SQLite plans from its indexes and needs nothing."""
        if self.dialect == "postgresql":
            with self.engine.connect() as conn:
                with conn.begin():
                    for table in ("events", "event_ids", "lots", "lot_draws", "event_keys", "submissions"):
                        if conn.scalar(text("SELECT to_regclass(:t)"), {"t": table}):
                            conn.execute(text(f"ANALYZE {table}"))

    def dispose(self) -> None:
        self.engine.dispose()


# Connections an SQLite store keeps open for reuse. A new one costs a parse of the schema and
# starts with a cold page cache, so a server whose threads outnumber the kept connections
# (the pool's default keeps 5) opens and closes one for most requests.
SQLITE_POOL = 48


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 300}, pool_size=SQLITE_POOL, max_overflow=SQLITE_POOL)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        # Takes effect only on a new file (before its first table); an existing store keeps the
        # page size it was made with. A large ingest writes every index at random places: with
        # 32 KiB pages its B-trees are shallower and split less, and each commit and checkpoint
        # moves fewer, larger pages (measured: about a sixth less writer time than 4 KiB).
        cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=300000")
        cur.execute(f"PRAGMA cache_size=-{CACHE_MIB * 1024}")  # index inserts stay in memory
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("reetrace_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def open_store(url: str, migrate: bool = True) -> Store:
    """Open (and by default create or upgrade) the store at `url`."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = _sqlite_engine(url)
    elif parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True)
    else:
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://")
    store = Store(engine)
    if migrate:
        try:
            _migrate(store)
        except OperationalError as exc:
            raise StoreError(
                f"cannot open the store at {parsed.render_as_string(hide_password=True)}: {exc.orig}"
            ) from None
    return store


def _migrate(store: Store) -> None:
    from reetrace.store.migrate import current_revision, head_revision, upgrade

    with store.engine.connect() as conn:
        if current_revision(conn) == head_revision():
            return
    if store.dialect == "sqlite":
        upgrade(store.engine)
    else:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            try:
                upgrade(store.engine)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                conn.commit()
