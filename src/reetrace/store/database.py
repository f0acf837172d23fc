"""Opening a store: engine, connection settings per dialect, schema migration, write locking.

SQLite runs in WAL mode so that readers never block the one writer; a write transaction starts
with `BEGIN IMMEDIATE`, so two writers queue instead of failing half-way. Writers of one process
queue on a lock of the store before that, and writers of several processes (the server's, an
ingest beside it) on a lock file beside the store (`FileLock`): SQLite's own wait for a locked
database is a sleep that grows to 100 ms between tries, so a writer waiting there may sleep on
while the database is already free; on the locks it wakes when the writer before it is done. On
PostgreSQL a write transaction takes a transaction-scoped advisory lock: ledger appends are
serialised (acceptance order is total), while validation and signature checks run outside the
lock. Each process numbers its own commits (`Commits`), which tells whether a checkpoint already
covers what a request wrote without asking the database.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from reetrace.errors import StoreError

_LEDGER_LOCK = 727_001  # advisory lock key for ledger appends on PostgreSQL
_QUEUE_LOCK = 727_002  # advisory lock key of the server processes' group writers on PostgreSQL
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


class Commits:
    """Numbers this process's write transactions to a store, in the order they commit (1, 2, 3 …;
    another process's are not counted). A commit is numbered once it has committed, still under
    the write lock: a reader that starts after reading `count` sees every commit numbered up to
    it, and a write transaction that reads `count` will be numbered `count + 1`."""

    __slots__ = ("count", "_lock")

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def add(self) -> int:
        with self._lock:
            self.count += 1
            made = self.count
        for numbers in _collecting.get():
            numbers.append(made)
        return made


# the lists collecting the numbers of the commits made in this context (`commits_made`): a thread
# that work is handed to (`run_in_threadpool` copies the context) adds to the same lists
_collecting: ContextVar[tuple[list[int], ...]] = ContextVar("reetrace_commits_made", default=())


def note_commits(numbers: Iterable[int]) -> None:
    """Count commits made elsewhere on this context's behalf (a group written together) as made
    here, for every `commits_made` around it."""
    for collected in _collecting.get():
        collected.extend(numbers)


@contextmanager
def commits_made() -> Iterator[list[int]]:
    """The numbers (`Commits`) of the write transactions committed within, here or in threads
    given work from here; an enclosing `commits_made` sees them too."""
    numbers: list[int] = []
    token = _collecting.set((*_collecting.get(), numbers))
    try:
        yield numbers
    finally:
        _collecting.reset(token)


@dataclass(frozen=True)
class Store:
    engine: Engine
    # held by this process's writer (see the module's note) until its commit is numbered in
    # `commits`, so that commits are numbered in the order they commit; re-entrant, as SQLite
    # itself would let a nested write of the same thread wait for its own lock rather than hang
    write_lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)
    commits: Commits = field(default_factory=Commits, compare=False, repr=False)
    # the queue of this store's writers across processes (see the module's note): on SQLite the
    # lock file every write transaction takes; on PostgreSQL a session's advisory lock that only
    # the writers deciding what to write first (`locked`) take, as every write transaction takes
    # the ledger's advisory lock already
    writers: AbstractContextManager[object] = field(default_factory=nullcontext, compare=False, repr=False)

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
    def writing(self, numbered: bool = True) -> Iterator[Connection]:
        """One write transaction, holding the ledger's write lock; commits once at the end,
        rolls back entirely on any error. Numbered in `commits` once committed, unless it moves
        nothing a checkpoint covers (`numbered=False`: the signing of a checkpoint)."""
        queued = self.writers if self.dialect == "sqlite" else nullcontext()
        with self.write_lock, queued, self.engine.connect() as conn:
            conn = conn.execution_options(reetrace_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LEDGER_LOCK})
                yield conn
            if numbered:
                self.commits.add()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """This process's write lock, then the queue shared with other processes (`writers`):
        taken by a writer that decides what to write only once no other process's writer can
        (a group of submissions); re-entrant for the thread holding them."""
        with self.write_lock, self.writers:
            yield

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


# Connections a PostgreSQL store keeps open per process. Beyond the pool's default five, every
# connection a busy server's threads opened was closed again on its return: a new server process
# (a backend forked, authenticated, its catalogue read) for most requests. With `serve --workers
# N`, N times this many stay open: well within the server's usual 100.
POSTGRES_POOL = 16


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


class FileLock:
    """An exclusive lock on a file beside an SQLite store (`flock`), held by one writing thread of
    one process at a time: the processes writing to one store (the server's workers, an ingest
    beside them) queue here, woken by the kernel as soon as the writer before them is done, where
    SQLite's own wait for its lock sleeps up to 100 ms between tries. Taken under the process's
    own lock (`Store.write_lock`), so one descriptor serves every thread of the process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._opened = threading.Lock()

    def __enter__(self) -> FileLock:
        fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _descriptor(self) -> int:
        with self._opened:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                weakref.finalize(self, os.close, self._fd)
            return self._fd


class SessionLock:
    """An advisory lock of a PostgreSQL session, held by one thread of one process at a time
    (the PostgreSQL counterpart of `FileLock`): the session is a connection of the pool kept
    for as long as the lock is held; should the process die, the server lets the lock go."""

    def __init__(self, engine: Engine, key: int) -> None:
        self.engine = engine
        self.key = key
        self._conn: Connection | None = None
        self._depth = 0

    def __enter__(self) -> SessionLock:
        if self._depth == 0:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": self.key})
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            finally:
                conn.close()


def _writers_of(database: str | None) -> AbstractContextManager[object]:
    """The lock that writers of an SQLite store's file queue on across processes (none for a
    store in memory, which only its own process sees)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return nullcontext()
    return FileLock(Path(database + ".write-lock"))


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
        engine = create_engine(parsed, pool_pre_ping=True, pool_size=POSTGRES_POOL, max_overflow=2 * POSTGRES_POOL)
    else:
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://")
    sqlite = parsed.get_backend_name() == "sqlite"
    store = Store(engine, writers=_writers_of(parsed.database) if sqlite else SessionLock(engine, _QUEUE_LOCK))
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
