"""Use cases of `reetrace epcis export` and `reetrace epcis import` (contract §10, docs/epcis.md).

Export: the recorded events a selection names — one enterprise's (`reporter`), one lot's
history (`lot`: every event creating, drawing on, moving, consuming or adjusting a lot of its
backward or forward lineage), an event-time window, or these together — as one `EPCISDocument`
in event-time order. It is written as it is read, one page of events at a time within one read
transaction (a consistent snapshot; a national year does not fit in memory), to a temporary
file renamed over the target once complete.

Import: an `EPCISDocument` file read back into the §4 events it reports, as one enterprise's
`reetrace/submission@1`: bounded (the size a submission may be), held to the EPCIS schema,
translated event by event, each event's reporter (when it names one) the enterprise's, each
event held to the contract; then signed with the enterprise's key, or left unsigned. The first
problem found stops it, said with its reason class (§7: parse, schema, reporter) and where it
is, as a JSON Pointer into the document. `import(export(x))` gives back the same §4 events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection

from reetrace.contract.submission import InvalidDocument, validate_model
from reetrace.domain import trace as tracing
from reetrace.domain.submissions import MAX_BYTES, MAX_DEPTH, size_text
from reetrace.epcis import vocabulary as v
from reetrace.epcis.document import Recorded, UnreadableDocument, epcis_document, epcis_event, read_document
from reetrace.epcis.hashing import document_namespaces
from reetrace.epcis.schema import schema_errors
from reetrace.errors import NotFound, UsageError
from reetrace.files import replace_atomically
from reetrace.ledger.canonical import NotJson, OutOfBounds, ParsedJson
from reetrace.ledger.submission import FORMAT, sign_submission
from reetrace.store import epcis_query_repo as repo
from reetrace.store.database import Store
from reetrace.store.lot_history import seqs_touching
from reetrace.store.lot_source import SqlLotSource
from reetrace.store.timefmt import to_utc_text

PAGE = 1_000  # events read from the store at a time
Progress = Callable[[int, int], None]  # events written, events to write


@dataclass(frozen=True, slots=True)
class ExportSelection:
    """Which events to export; every condition given narrows them."""

    reporter: str | None = None
    lot: str | None = None
    since: datetime | None = None  # event time at or after
    until: datetime | None = None  # event time before


def export_document(
    store: Store, wanted: ExportSelection, out: Path, created: datetime, progress: Progress | None = None
) -> int:
    """Write the selected events to `out` as an `EPCISDocument` created at `created`; how many.
    Raises NotFound for a lot the ledger does not hold."""
    with store.reading() as conn:
        seqs = None
        if wanted.lot is not None:
            if not seqs_touching(conn, [wanted.lot]):
                raise NotFound(f"lot {wanted.lot!r} is not in the ledger")
            seqs = frozenset(seqs_touching(conn, lineage(conn, wanted.lot)))
        selection = repo.Selection(
            seqs=seqs,
            reporter=wanted.reporter,
            since=None if wanted.since is None else to_utc_text(wanted.since),
            until=None if wanted.until is None else to_utc_text(wanted.until),
        )
        total = repo.count_of(conn, selection)
        replace_atomically(out, _written(conn, selection, created, total, progress))
    return total


def lineage(conn: Connection, lot: str) -> set[str]:
    """A lot, every lot it was made from (backward, through the transforms), and every lot made
    from it (forward), as `reetrace trace` follows them."""
    source = SqlLotSource(conn)
    lots = set(tracing.ancestry(lot, source))
    lots.update(d.lot for d in tracing.forward(lot, source).descendants)
    lots.add(lot)
    return lots


def _written(
    conn: Connection, selection: repo.Selection, created: datetime, total: int, progress: Progress | None
) -> Iterator[bytes]:
    """The document's bytes: its head, each event on a line of its own, its tail."""
    empty = json.dumps(epcis_document([], created), ensure_ascii=False, separators=(",", ":"))
    head, marker, tail = empty.partition('"eventList":[]')
    yield (head + '"eventList":[').encode()
    after: repo.Position | None = None
    done = 0
    while True:
        rows = repo.page_of(conn, selection, after, PAGE)
        for row in rows:
            event = epcis_event(Recorded(row.reporter, json.loads(row.body), row.epcis_id))
            yield (("\n" if done == 0 else ",\n") + json.dumps(event, ensure_ascii=False)).encode()
            done += 1
        if progress is not None:
            progress(done, total)
        if len(rows) < PAGE:
            break
        after = rows[-1].position
    yield ("\n]" + tail + "\n").encode()


# --- import -----------------------------------------------------------------------------------


class DocumentRefused(UsageError):
    """An EPCIS document that does not make a submission: `reason` (a §7 reason class), where
    (`pointer`, RFC 6901) and why."""

    def __init__(self, reason: str, at: Sequence[str | int], text: str):
        self.reason = reason
        self.pointer = pointer(at)
        super().__init__(f"{reason}: {text} (at {self.pointer or '/'})")


def read_epcis_file(path: Path) -> Any:
    """The JSON value in an EPCIS document file, within the bounds a submission keeps (size,
    nesting, finite numbers, no repeated member). Raises DocumentRefused or UsageError."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise DocumentRefused("schema", [], f"the file is larger than the {size_text(MAX_BYTES)} a document may be")
    try:
        return ParsedJson(raw, MAX_DEPTH).value
    except NotJson as exc:
        raise DocumentRefused("parse", [], str(exc)) from None
    except OutOfBounds as exc:
        raise DocumentRefused("schema", [], str(exc)) from None


def submission_events(document: Any, reporter: str, received_at: datetime) -> list[dict[str, Any]]:
    """The §4 events an EPCISDocument reports for `reporter`, each held to the contract as if
    received at `received_at`. Raises DocumentRefused at the first problem."""
    errors = schema_errors(document, limit=1)
    if errors:
        raise DocumentRefused("schema", errors[0].at, errors[0].message)
    try:
        captured = read_document(document)
    except UnreadableDocument as exc:
        raise DocumentRefused("schema", exc.at, str(exc.problem)) from None
    if not captured:
        raise DocumentRefused("schema", ["epcisBody", "eventList"], "the document holds no event")
    raw_events = _raw_events(document)
    namespaces = document_namespaces(document.get("@context", []))
    seen: set[str] = set()
    events = []
    for index, (raw, item) in enumerate(zip(raw_events, captured, strict=True)):
        at: list[str | int] = ["epcisBody", "eventList", index]
        if item.reporter is not None and item.reporter != reporter:
            said = f"the event is reported by {item.reporter}, not by {reporter}"
            raise DocumentRefused("reporter", [*at, _member(raw, namespaces, "reporter")], said)
        try:
            validate_model(item.event, received_at)
        except InvalidDocument as exc:
            raise DocumentRefused("schema", at, str(exc)) from None
        if item.event["event_id"] in seen:
            raise DocumentRefused("schema", at, f"event_id {item.event['event_id']!r} appears twice")
        seen.add(item.event["event_id"])
        events.append(item.event)
    return events


def submission(
    events: list[dict[str, Any]], reporter: str, created_at: str, key: Ed25519PrivateKey | None
) -> dict[str, Any]:
    """A `reetrace/submission@1` of the events, signed with `key`; without one, unsigned (no
    `key_id`, no `signature`), for the enterprise to sign with its own tools."""
    if key is not None:
        return sign_submission(reporter, key, created_at, events)
    return {"format": FORMAT, "reporter": reporter, "created_at": created_at, "events": events}


def _raw_events(document: dict[str, Any]) -> list[Any]:
    body = document.get("epcisBody", {})
    return list(body["eventList"]) if "eventList" in body else [body.get("event")]


def _member(event: Any, namespaces: dict[str, str], name: str) -> str:
    """The name an event gives the project's member `name` (whatever prefix it declared)."""
    prefixes = {prefix for prefix, uri in namespaces.items() if uri == v.NS} | {v.PREFIX}
    for key in event if isinstance(event, dict) else ():
        head, sep, tail = key.partition(":")
        if key == v.NS + name or (sep and tail == name and head in prefixes):
            return str(key)
    return f"{v.PREFIX}:{name}"


def pointer(at: Sequence[str | int]) -> str:
    """A path of member names and list positions as a JSON Pointer (RFC 6901)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in at)
