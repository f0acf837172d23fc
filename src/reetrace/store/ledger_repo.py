"""The append-only ledger: submissions, events and the indexes derived from them (lots created,
lots drawn, and the keys of reetrace.domain.event_keys).

`append` runs inside the caller's write transaction (which holds the ledger lock), so the
checks it makes (submission already recorded? event id already used, with what content?) and
the rows it writes see one consistent ledger. It never updates or deletes a ledger row.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError

from reetrace.domain.event_keys import MOVING_TYPES, event_keys
from reetrace.domain.problems import Problem
from reetrace.domain.submissions import Authenticated, Rejection
from reetrace.errors import StoreError
from reetrace.ledger import receipts
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.bulk import insert_rows, select_in
from reetrace.store.driver import driver_connection
from reetrace.store.log_repo import append_leaves, log_size
from reetrace.store.partitions import ensure_partitions
from reetrace.store.timefmt import to_utc_text

SUBMISSION_COLUMNS = (
    "id",
    "digest",
    "reporter",
    "key_id",
    "created_at",
    "received_at",
    "signature",
    "source",
    "event_count",
    "chain",
)
EVENT_COLUMNS = (
    "seq",
    "reporter",
    "event_id",
    "type",
    "time",
    "submission_id",
    "received_at",
    "digest",
    "body",
    "leaf",
)
LOT_COLUMNS = ("seq", "lot", "position", "form", "mass_kg", "composition", "hs_code")
DRAW_COLUMNS = ("seq", "position", "lot", "mass_kg")
KEY_COLUMNS = ("key", "seq")


@dataclass(slots=True)
class AppendOutcome:
    accepted: list[Authenticated]
    duplicate: list[Authenticated]
    rejected: list[Rejection]
    events_accepted: int = 0
    events_duplicate: int = 0
    seqs: range = range(0)  # the ledger positions of the events appended
    # of each submission appended, by digest: its id and how many of its events were new
    appended: dict[str, tuple[int, int]] = field(default_factory=dict)


def _recorded_submissions(conn: Connection, digests: Sequence[str]) -> set[str]:
    rows = select_in(conn, "SELECT digest FROM submissions WHERE digest IN_LIST", (), sorted(set(digests)))
    return {digest for (digest,) in rows}


def _identities(conn: Connection) -> str:
    """Where event identities are looked up: on PostgreSQL events are partitioned by year and
    their identities kept in a table of their own (migration 0011), so a check does not probe
    every year; elsewhere, and on a store not yet migrated, the events themselves."""
    if conn.dialect.name != "postgresql":
        return "events"
    table = conn.info.get("reetrace_identities")
    if table is None:
        table = "event_ids" if conn.scalar(text("SELECT to_regclass('event_ids')")) else "events"
        conn.info["reetrace_identities"] = table
    return table


def _recorded_events(conn: Connection, batch: Sequence[Authenticated]) -> dict[tuple[str, str], str]:
    """The digest of every event of `batch` the ledger already holds, by (reporter, event_id)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for sub in batch:
        wanted[sub.reporter].update(e.event_id for e in sub.events)
    found: dict[tuple[str, str], str] = {}
    table = _identities(conn)
    for reporter, ids in wanted.items():
        rows = select_in(
            conn,
            f"SELECT event_id, digest FROM {table} WHERE reporter = %s AND event_id IN_LIST",
            (reporter,),
            sorted(ids),
        )
        found.update(((reporter, event_id), digest) for event_id, digest in rows)
    return found


def append(conn: Connection, batch: Sequence[Authenticated], with_log: bool = True) -> AppendOutcome:
    """Record each submission of `batch` whole, count it as a duplicate, or reject it for a
    conflict (the caller records the rejections, in the same transaction). `with_log=False`
    leaves the transparency log out: for measuring its cost only, as such a store cannot be
    verified.

    Nearly every event arrives once, so the batch is first written as if none of its events were
    recorded yet: the unique index on (reporter, event_id) checks that as the rows go in, at no
    cost beyond the insert. Only if it finds one already there is the attempt rolled back, to
    its savepoint, and the batch written again against the events it names that the ledger
    holds. (Looking them up first costs a probe of that index per event: on PostgreSQL a sixth
    of the writer's time.)"""
    done = _recorded_submissions(conn, [s.digest for s in batch])
    try:
        with conn.begin_nested():
            return _append(conn, batch, with_log, done, {})
    except (IntegrityError, conn.dialect.loaded_dbapi.IntegrityError):  # rows go in through the driver
        return _append(conn, batch, with_log, done, _recorded_events(conn, batch))


def _append(
    conn: Connection,
    batch: Sequence[Authenticated],
    with_log: bool,
    done: set[str],
    recorded: dict[tuple[str, str], str],
) -> AppendOutcome:
    """`append`, knowing which submissions (`done`) and which of the batch's events
    (`recorded`: their digests) the ledger holds already."""
    outcome = AppendOutcome([], [], [])
    done = set(done)
    next_seq = (conn.scalar(select(func.max(t.events.c.seq))) or 0) + 1
    first_seq = next_seq
    logged = log_size(conn) if with_log else next_seq - 1
    if logged != next_seq - 1:
        raise StoreError(
            f"the ledger holds {next_seq - 1} events but its log {logged} leaves; run `reetrace log verify`"
        )
    last = conn.execute(
        select(t.submissions.c.id, t.submissions.c.chain).order_by(t.submissions.c.id.desc()).limit(1)
    ).first()
    next_sub = (last.id if last else 0) + 1
    chain = bytes(last.chain) if last and last.chain else receipts.GENESIS
    sub_rows, event_rows, lot_rows, draw_rows, leaves = [], [], [], [], []
    key_rows: list[tuple[str, int]] = []

    for sub in batch:
        if sub.digest in done:
            outcome.duplicate.append(sub)
            outcome.events_duplicate += sub.event_count
            continue
        new, conflict = [], None
        for pe in sub.events:
            key = (sub.reporter, pe.event_id)
            known = recorded.get(key)
            if known is None:
                new.append(pe)
            elif known != pe.digest:
                conflict = pe
                break
        if conflict is not None:
            outcome.rejected.append(
                sub.rejected(
                    "conflict",
                    Problem(
                        "conflict",
                        f"event {conflict.event_id!r} is already recorded with different content",
                        event_id=conflict.event_id,
                    ),
                    f"{sub.reporter}:{conflict.event_id}",
                )
            )
            continue
        outcome.events_duplicate += sub.event_count - len(new)
        if not new:  # everything in it is already recorded: a no-op
            outcome.duplicate.append(sub)
            continue
        done.add(sub.digest)
        sub_id = next_sub
        next_sub += 1
        received = to_utc_text(sub.received_at)
        chain = receipts.link(chain, sub.digest, sub.reporter, received)
        sub_rows.append(
            (
                sub_id,
                sub.digest,
                sub.reporter,
                sub.key_id,
                to_utc_text(sub.created_at),
                received,
                sub.signature,
                sub.source,
                sub.event_count,
                chain,
            )
        )
        for pe in new:
            recorded[(sub.reporter, pe.event_id)] = pe.digest
            event_rows.append(
                (
                    next_seq,
                    sub.reporter,
                    pe.event_id,
                    pe.type,
                    pe.time,
                    sub_id,
                    received,
                    pe.digest,
                    pe.body,
                    pe.leaf if with_log else None,
                )
            )
            leaves.append(pe.leaf)
            for i, (lot, form, mass, composition, hs_code) in enumerate(pe.outputs):
                lot_rows.append((next_seq, lot, i, form, mass, composition, hs_code))
            for i, (lot, mass) in enumerate(pe.draws):
                draw_rows.append((next_seq, i, lot, mass))
            if pe.type in MOVING_TYPES:  # keys worked out by the worker, or from the body when absent
                keys = pe.keys or event_keys(sub.reporter, pe.type, json.loads(pe.body))
                key_rows.extend((key, next_seq) for key in keys)
            next_seq += 1
        outcome.accepted.append(sub)
        outcome.events_accepted += len(new)
        outcome.appended[sub.digest] = (sub_id, len(new))

    insert_rows(conn, t.submissions, SUBMISSION_COLUMNS, sub_rows)
    ensure_partitions(conn, (row[4] for row in event_rows))  # PostgreSQL: the partition of a new year
    insert_rows(conn, t.events, EVENT_COLUMNS, event_rows)
    if with_log:
        append_leaves(conn, logged, leaves)  # no event without its leaf, in the same transaction
    insert_rows(conn, t.lots, LOT_COLUMNS, lot_rows)
    insert_rows(conn, t.lot_draws, DRAW_COLUMNS, draw_rows)
    insert_rows(conn, t.event_keys, KEY_COLUMNS, key_rows)
    outcome.seqs = range(first_seq, next_seq)
    return outcome


def record_rejections(conn: Connection, rejections: Iterable[Rejection]) -> list[int]:
    """Keep each rejection, chained, with the bytes received (rejections are never changed):
    their digest and size always, the bytes themselves when they were kept (within the size
    bound). Texts taken from the bytes are written so that any store can hold them. Returns
    their ids, in order."""
    ids = []
    for r in rejections:
        digest = r.digest
        if digest is None and r.raw is not None:
            digest = hashlib.sha256(r.raw).hexdigest()
        row = chains.append(
            conn,
            t.rejections,
            {
                "received_at": to_utc_text(r.received_at),
                "source": storable(r.source),
                "reason": storable(r.reason),
                "reason_class": r.reason_class,
                "reporter": r.reporter if r.reporter is not None and len(r.reporter) == 18 else None,
                "event": None if r.event is None else storable(r.event),
                "digest": digest,
                "raw": r.raw,
                "size": r.size if r.size is not None else (len(r.raw) if r.raw is not None else None),
                **_said(r.detail),
            },
        )
        ids.append(row["id"])
    return ids


def _said(detail: str) -> dict[str, str]:
    """The message id and parameters (JSON) of a rejection's reason, when it has them."""
    if not isinstance(detail, Problem) or len(detail.id) > 80:
        return {}
    params = json.dumps(detail.params, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return {"message": detail.id, "params": storable(params)}


def storable(text: str) -> str:
    """Text any store can keep: U+0000 (which PostgreSQL refuses in text) and lone surrogates
    (which UTF-8 cannot write) as escapes."""
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def list_rejections(conn: Connection, limit: int | None = None, reason_class: str | None = None):
    stmt = select(
        t.rejections.c.id,
        t.rejections.c.received_at,
        t.rejections.c.source,
        t.rejections.c.reason,
        t.rejections.c.reporter,
        t.rejections.c.event,
    ).order_by(t.rejections.c.id.desc())
    if reason_class:
        stmt = stmt.where(t.rejections.c.reason_class == reason_class)
    if limit:
        stmt = stmt.limit(limit)
    return list(conn.execute(stmt))


def iter_events(
    conn: Connection,
    until: str | None = None,
    batch: int = 20_000,
    types: tuple[str, ...] | None = None,
    since: str | None = None,
):
    """Accepted events in event-time order (time, reporter, event_id), inside the caller's
    transaction: plain tuples (seq, reporter, time, received_at, body).

    The full audit reads every event of the ledger, so rows come straight from the driver's
    cursor, in batches of `batch`, with only the columns it uses (the body holds the rest):
    building a SQLAlchemy Row for each, or a string for each unused column, costs a large part
    of what the database takes to read it. On PostgreSQL the cursor is a named (server-side)
    one, so memory holds one batch, not the ledger; SQLite steps through its result as it is
    fetched."""
    stmt = select(
        t.events.c.seq, t.events.c.reporter, t.events.c.time, t.events.c.received_at, t.events.c.body
    ).order_by(t.events.c.time, t.events.c.reporter, t.events.c.event_id)
    if until is not None:
        stmt = stmt.where(t.events.c.time <= until)
    if types is not None:
        stmt = stmt.where(t.events.c.type.in_(types))
    if since is not None:
        stmt = stmt.where(t.events.c.time >= since)
    # the statement in the driver's own SQL and parameter style (IN lists expanded)
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    driver = driver_connection(conn)
    if conn.dialect.name == "postgresql":
        # named after an object that lives as long as the cursor: no other open cursor of the
        # session can have the name
        cursor = driver.cursor(f"reetrace_events_{id(compiled):x}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def counts(conn: Connection) -> dict[str, int]:
    return {
        "submissions": conn.scalar(select(func.count()).select_from(t.submissions)) or 0,
        "events": conn.scalar(select(func.count()).select_from(t.events)) or 0,
        "rejections": conn.scalar(select(func.count()).select_from(t.rejections)) or 0,
    }
