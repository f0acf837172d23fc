"""Use cases: answer an EPCIS query (`GET /epcis/events`), find one event by its EPCIS eventID
(`GET /epcis/events/{eventID}`), and keep the index of eventIDs filled (docs/epcis.md).

Who sees what: staff see every event; an enterprise sees the events it is party to — it reported
them, or it is the receiver of a shipment or the sender of a receipt (contract §10). Any other
event answers as one that does not exist.

EventIDs: an event captured through EPCIS keeps the eventID it was captured with (`epcis_ids`,
written by the capture). Every other event's eventID is its event hash, worked out from its body
when it is returned; to find an event BY such an id, `epcis_ids` must hold the hash, so it is
filled lazily: a look-up that misses first hashes every event recorded since the index's
watermark (`fill_epcis_ids`, in batches, each its own transaction), then looks again.

Pages: a query reads one page more than it returns; when there is more, the answer says where
the next page starts, and the API hands that position out as an opaque `nextPageToken`, signed
with a MAC over the position and the query it belongs to (`PageTokens`): a token forged,
altered or carried to another query is refused, never read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from reetrace.epcis.document import Recorded, epcis_event, epcis_id, query_document
from reetrace.epcis.query import EventQuery, QueryParameterError
from reetrace.epcis.translate import Json
from reetrace.store import epcis_query_repo as repo
from reetrace.store.database import Store
from reetrace.store.lot_history import seqs_touching
from reetrace.store.timefmt import to_utc_text

FILL_BATCH = 5_000  # events hashed per transaction of the lazy fill
MOST_MATCHED = 100_000  # events a lot pattern may name
Position = repo.Position


@dataclass(frozen=True, slots=True)
class Answer:
    """A page of a query's events as an `EPCISQueryDocument`, and where the next page starts
    (None: this is the last)."""

    document: Json
    count: int
    next: Position | None


@dataclass(frozen=True, slots=True)
class FoundEvent:
    """An event looked up by its eventID: whose it is, and whether the asker may see it (then
    `document` is an `EPCISQueryDocument` holding it alone)."""

    reporter: str
    document: Json | None

    @property
    def visible(self) -> bool:
        return self.document is not None


def find_events(store: Store, query: EventQuery, party: str | None, after: Position | None, now: datetime) -> Answer:
    """A page of the events `query` asks for, in event-time order, after position `after`;
    `party`: the enterprise asking (None: staff)."""
    if query.matches_nothing:
        return Answer(query_document([], now), 0, None)
    by_id: frozenset[int] | None = None
    if query.event_ids is not None:
        by_id = frozenset(_seqs_of_ids(store, query.event_ids).values())
    with store.reading() as conn:
        seqs = by_id
        for role, patterns in query.lots:
            named = _lot_seqs(conn, [(p.lot, p.prefix) for p in patterns], role)
            seqs = named if seqs is None else seqs & named
        selection = repo.Selection(
            seqs=seqs,
            types=query.types,
            since=None if query.since is None else to_utc_text(query.since),
            until=None if query.until is None else to_utc_text(query.until),
        )
        rows = repo.page_of(conn, selection, after, query.per_page + 1, party)
    shown = rows[: query.per_page]
    events = [epcis_event(_recorded(row)) for row in shown]
    following = shown[-1].position if len(rows) > query.per_page else None
    return Answer(query_document(events, now), len(shown), following)


def _lot_seqs(conn: Connection, patterns: Sequence[repo.Pattern], role: str) -> frozenset[int]:
    if role == "any" and not any(prefix for _, prefix in patterns):
        return frozenset(seqs_touching(conn, [lot for lot, _ in patterns]))
    name = {"any": "MATCH_anyEPCClass", "input": "MATCH_inputEPCClass", "output": "MATCH_outputEPCClass"}[role]
    try:
        return repo.seqs_naming(conn, patterns, role, MOST_MATCHED)
    except repo.TooMany:
        raise QueryParameterError(
            name, f"its patterns name more than {MOST_MATCHED:,} events; name fewer lots, or longer prefixes"
        ) from None


def find_event(store: Store, event_id: str, party: str | None, now: datetime) -> FoundEvent | None:
    """The event `event_id` stands for (None: no event does), and, when `party` (None: staff)
    may see it, as a query document holding it alone."""
    seq = _seqs_of_ids(store, frozenset((event_id,))).get(event_id)
    if seq is None:
        return None
    with store.reading() as conn:
        row = repo.row_at(conn, seq)
    if row is None:  # pragma: no cover - an indexed event is recorded: the ledger is append-only
        return None
    body = json.loads(row.body)
    if party is not None and not party_to(party, row.reporter, row.type, body):
        return FoundEvent(row.reporter, None)
    recorded = Recorded(row.reporter, body, row.epcis_id)
    return FoundEvent(row.reporter, query_document([epcis_event(recorded)], now))


def party_to(uscc: str, reporter: str, type_: str, body: dict[str, Any]) -> bool:
    """Whether an enterprise is party to an event: it reported it, it is the receiver of a
    shipment or the sender of a receipt. The rule `epcis_query_repo.counterparty_seqs` answers for
    many events at once from the shipment keys."""
    return (
        reporter == uscc
        or (type_ == "ship" and body.get("to") == uscc)
        or (type_ == "receive" and body.get("from") == uscc)
    )


def _recorded(row: repo.RecordedRow) -> Recorded:
    return Recorded(row.reporter, json.loads(row.body), row.epcis_id)


# --- the eventID index ------------------------------------------------------------------------


def _seqs_of_ids(store: Store, event_ids: frozenset[str]) -> dict[str, int]:
    """The ledger position of each eventID found; when one is missing, the index is filled up to
    the ledger's end first and the missing ones looked up again."""
    with store.reading() as conn:
        found = repo.seqs_of_epcis_ids(conn, event_ids)
    missing = event_ids - set(found)
    if missing and fill_epcis_ids(store):
        with store.reading() as conn:
            found.update(repo.seqs_of_epcis_ids(conn, missing))
    return found


def fill_epcis_ids(store: Store, batch: int = FILL_BATCH, progress: Callable[[int, int], None] | None = None) -> int:
    """Hash every event recorded past the index's watermark into `epcis_ids`; how many were
    hashed. Each batch is hashed outside any transaction, then written with the watermark in a
    write transaction of its own (the ledger's write lock held only for the insert): fillers
    running at once hash the same batch twice at worst, never write a wrong row (a row already
    there stays; the watermark only moves up)."""
    hashed = 0
    while True:
        with store.reading() as conn:
            mark, top = repo.epcis_watermark(conn), repo.ledger_size(conn)
            if mark >= top:
                return hashed
            upto = min(top, mark + batch)
            pending = repo.unindexed(conn, mark, upto)
        rows = [
            (epcis_id(reporter, json.loads(body)), reporter, event_id, 0) for _, reporter, event_id, body in pending
        ]
        with store.writing() as conn:
            repo.record_epcis_ids(conn, rows, upto)
        hashed += len(rows)
        if progress is not None:
            progress(upto, top)


# --- page tokens ------------------------------------------------------------------------------

MAX_TOKEN = 200  # characters of a token this server writes at most


class PageTokens:
    """Opaque `nextPageToken`s: base64url of the position the next page starts at, a dot, and
    base64url of an HMAC-SHA-256 (16 bytes) over the position and the query's scope — its
    parameters but the page's own, and who asked — under a key derived from the server's
    secret. A token read back is refused unless this server made it for this very query."""

    def __init__(self, secret: bytes):
        self._key = hmac.new(secret, b"reetrace epcis nextPageToken", hashlib.sha256).digest()

    def issue(self, scope: str, position: Position) -> str:
        payload = _b64(json.dumps([position[0], position[1]], separators=(",", ":")).encode())
        return f"{payload}.{_b64(self._mac(scope, payload))}"

    def read(self, scope: str, token: str) -> Position:
        """The position `token` carries. Raises `QueryParameterError` naming nextPageToken."""
        refused = QueryParameterError("nextPageToken", "is not a token this server gave for this query")
        payload, dot, mac = token.partition(".")
        if len(token) > MAX_TOKEN or not dot or not payload.isascii() or not mac.isascii():
            raise refused
        try:
            given = _unb64(mac)
            if not hmac.compare_digest(given, self._mac(scope, payload)):
                raise refused
            time, seq = json.loads(_unb64(payload))
        except (ValueError, TypeError, binascii.Error):
            raise refused from None
        if not isinstance(time, str) or type(seq) is not int:
            raise refused
        return (time, seq)

    def _mac(self, scope: str, payload: str) -> bytes:
        return hmac.new(self._key, f"{scope}\n{payload}".encode(), hashlib.sha256).digest()[:16]


def query_scope(items: Sequence[tuple[str, str]], asker: str) -> str:
    """What a page token is bound to: the query's parameters (but `perPage` and
    `nextPageToken`, which may change from page to page), in a canonical order, and who asks."""
    kept = sorted((name, value) for name, value in items if name not in ("perPage", "nextPageToken"))
    text = json.dumps([asker, kept], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
