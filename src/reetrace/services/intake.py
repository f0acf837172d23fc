"""Authenticating one submission: read its bytes within the size bound, parse, check against
the contract and its bounds, find the key, verify the signature. Pure (no store access): the
caller hands in the registered keys and the time of receipt, so this work can run outside the
ledger's write lock, and in parallel.

`authenticate` never raises for what it is given: whatever the bytes, the answer is an
`Authenticated` submission or a `Rejection` with its reason class, the bytes' digest and size,
and the bytes themselves when they are within the bound.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import orjson

from reetrace.contract.event_facts import EventFacts, validate_event_facts
from reetrace.contract.fields import is_uscc, text_problem
from reetrace.contract.submission import InvalidDocument, validate_header
from reetrace.domain.event_keys import event_keys
from reetrace.domain.problems import Problem
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import (
    MAX_BYTES,
    Authenticated,
    Delivery,
    PreparedEvent,
    Rejection,
    size_text,
)
from reetrace.ledger.canonical import NotJson, OutOfBounds, ParsedJson
from reetrace.ledger.merkle import leaf_data, leaf_hash
from reetrace.ledger.signing import b64url_decode, verify
from reetrace.ledger.submission import digest, signed_message

CLOCK_SKEW = timedelta(minutes=5)
CHUNK = 1 << 20  # bytes read at a time beyond the size bound, only to be counted and digested
log = logging.getLogger(__name__)


# --- reading the bytes of one submission, never more than the bound in memory -----------------


class _Reader:
    """Takes the bytes of one submission as they come: keeps them up to `MAX_BYTES`; past it,
    keeps only their count and SHA-256."""

    def __init__(self, source: str, limit: int = MAX_BYTES):
        self.source, self.limit = source, limit
        self.kept: list[bytes] | None = []
        self.size = 0
        self.sha256 = hashlib.sha256()

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.kept is None:
            self.sha256.update(chunk)
            return
        self.kept.append(chunk)
        if self.size > self.limit:  # from here on: digest and size only
            for part in self.kept:
                self.sha256.update(part)
            self.kept = None

    def delivery(self) -> Delivery:
        if self.kept is None:
            return Delivery(self.source, None, self.size, self.sha256.hexdigest())
        return Delivery.of(self.source, b"".join(self.kept))


def read_delivery(source: str, chunks: Iterable[bytes], limit: int = MAX_BYTES) -> Delivery:
    reader = _Reader(source, limit)
    for chunk in chunks:
        reader.feed(chunk)
    return reader.delivery()


async def read_stream(source: str, chunks: AsyncIterable[bytes], limit: int = MAX_BYTES) -> Delivery:
    """A request body as it streams in (an oversized one is never held whole)."""
    reader = _Reader(source, limit)
    async for chunk in chunks:
        reader.feed(chunk)
    return reader.delivery()


def read_file(path: Path, source: str | None = None, limit: int = MAX_BYTES) -> Delivery:
    """A submission file: read at once when within the bound. Raises OSError."""
    with path.open("rb") as file:
        head = file.read(limit + 1)
        if len(head) <= limit:
            return Delivery.of(source or str(path), head)
        return read_delivery(source or str(path), _chain(head, iter(lambda: file.read(CHUNK), b"")), limit)


def _chain(head: bytes, rest: Iterable[bytes]) -> Iterable[bytes]:
    yield head
    yield from rest


# --- authenticating it -------------------------------------------------------------------------


def authenticate(
    raw: bytes | Delivery,
    source: str,
    keys: Mapping[str, SigningKey],
    enterprises: set[str] | frozenset[str],
    received_at: datetime | None,
) -> Authenticated | Rejection:
    """Check one submission (its bytes, or a `Delivery` of them). `received_at=None` takes the
    signed `created_at` as the time of receipt (archived submissions)."""
    delivery = raw if isinstance(raw, Delivery) else Delivery.of(source, raw)
    stamp = received_at or datetime.now().astimezone()
    try:
        return _authenticate(delivery, keys, enterprises, received_at, stamp)
    except Exception as exc:  # a last guard: no input may end as an error; the suite's fuzzing finds these
        log.exception("a submission could not be checked: %s", delivery.source)
        said = f"cannot be checked ({type(exc).__name__})"
        return rejection_of(delivery, stamp, "schema", Problem("unchecked", said))


def rejection_of(
    delivery: Delivery,
    stamp: datetime,
    reason_class: str,
    detail: str,
    reporter: str | None = None,
    event: str | None = None,
) -> Rejection:
    return Rejection(
        delivery.source, reason_class, detail, stamp, reporter, event, delivery.digest, delivery.raw, delivery.size
    )


def _authenticate(
    delivery: Delivery,
    keys: Mapping[str, SigningKey],
    enterprises: set[str] | frozenset[str],
    received_at: datetime | None,
    stamp: datetime,
) -> Authenticated | Rejection:
    def reject(cls: str, detail: str, reporter: str | None = None, event: str | None = None) -> Rejection:
        return rejection_of(delivery, stamp, cls, detail, reporter, event)

    if delivery.raw is None or delivery.size > MAX_BYTES:
        return reject("schema", too_large(delivery))
    try:
        parsed = ParsedJson(delivery.raw)
    except NotJson as exc:
        return reject("parse", exc.args[0])
    except OutOfBounds as exc:
        return reject("schema", exc.args[0])
    doc = parsed.value
    if not isinstance(doc, dict):
        return reject("parse", Problem("submission_not_object", "a submission must be a JSON object"))
    claimed = doc.get("reporter")
    reporter = claimed if isinstance(claimed, str) and is_uscc(claimed) else None  # kept only when it can be one
    try:
        header = validate_header(doc)
    except InvalidDocument as exc:
        return reject("schema", exc.problem, reporter)
    if received_at is None:
        stamp = header.created_at
    else:
        ahead = created_ahead("created_at", header.created_at, doc["created_at"], stamp)
        if ahead is not None:
            return reject("schema", ahead, reporter)
    try:
        events = validate_event_facts(doc["events"], stamp)
    except InvalidDocument as exc:
        return reject("schema", exc.problem, reporter, event_ref(reporter, exc.event))
    if reporter is None:
        said = f"{header.reporter!r} is not a valid Unified Social Credit Code"
        return reject("reporter", Problem("uscc_invalid", said, value=header.reporter))
    if header.reporter not in enterprises:
        said = f"enterprise {header.reporter} is not registered"
        return reject("reporter", Problem("reporter_unregistered", said, uscc=header.reporter), reporter)

    key = keys.get(header.key_id)
    if key is None:
        said = f"key {header.key_id} is not registered"
        return reject("key", Problem("key_unregistered", said, key=header.key_id), reporter)
    if key.uscc != header.reporter:
        said = f"key {header.key_id} belongs to {key.uscc}, not to the reporter"
        return reject("key", Problem("key_foreign", said, key=header.key_id, owner=key.uscc), reporter)
    out_of_time = key_out_of_time(key, header.key_id, "created_at", header.created_at, doc["created_at"])
    if out_of_time is not None:
        return reject("key", out_of_time, reporter)

    try:
        bodies = [parsed.canonical(e) for e in doc["events"]]
        message = signed_message(doc, bodies)
    except ValueError as exc:
        return reject("schema", Problem("not_canonical", f"cannot be canonicalised (RFC 8785): {exc}"), reporter)
    try:
        signature = b64url_decode(header.signature)
    except ValueError:
        return reject("signature", Problem("signature_encoding", "not unpadded base64url"), reporter)
    if not verify(key.public_key, message, signature):
        return reject("signature", Problem("signature_invalid", "does not verify"), reporter)

    return Authenticated(
        source=delivery.source,
        reporter=header.reporter,
        key_id=header.key_id,
        created_at=header.created_at,
        received_at=stamp,
        signature=header.signature,
        digest=digest(message),
        raw=delivery.raw,
        events=[prepare_event(header.reporter, e, b, m) for e, b, m in zip(events, bodies, doc["events"], strict=True)],
    )


def too_large(delivery: Delivery) -> Problem:
    """What is said of bytes beyond the size bound."""
    bound = f"{MAX_BYTES:,} ({size_text(MAX_BYTES)})"
    said = f"{delivery.size:,} bytes received, more than the {bound} a submission may be"
    return Problem("too_large", said, size=delivery.size, bound=MAX_BYTES)


def created_ahead(member: str, created: datetime, written: str, stamp: datetime) -> Problem | None:
    """A document created (`member`, as `written`) more than `CLOCK_SKEW` after it was received."""
    if created - stamp <= CLOCK_SKEW:
        return None
    received = stamp.isoformat(timespec="seconds")
    said = f"{member} {written} is more than 5 minutes ahead of the time of receipt {received}"
    return Problem("created_ahead", said, created=written, received_at=received)


def key_out_of_time(key: SigningKey, key_id: str, member: str, created: datetime, written: str) -> Problem | None:
    """Whether a registered key could sign a document created at `created` (the document's
    `member`, as `written`): not before the key was valid, not once it was revoked."""
    if created < key.valid_from:
        said = f"key {key_id} is valid only from {key.valid_from.isoformat()}, after {member} {written}"
        return Problem("key_not_yet", said, key=key_id, valid_from=key.valid_from.isoformat(), created=written)
    if key.revoked_at is not None and key.revoked_at <= created:
        said = f"key {key_id} was revoked at {key.revoked_at.isoformat()}, before {member} {written}"
        return Problem("key_revoked", said, key=key_id, revoked_at=key.revoked_at.isoformat(), created=written)
    return None


def event_ref(reporter: str | None, event_id: str | None) -> str | None:
    """`<USCC>:<event_id>` of an offending event, when both can be written down as they are."""
    if reporter is None or not isinstance(event_id, str) or not 0 < len(event_id) <= 128 or text_problem(event_id):
        return None
    try:
        event_id.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return f"{reporter}:{event_id}"


def prepare_event(reporter: str, event: EventFacts, body: bytes, members: dict) -> PreparedEvent:
    """An event that passed every check, as the ledger writes it (`body`: its canonical bytes)."""
    outputs = tuple(
        (lot, form, mass, _composition_json(composition), hs_code)
        for lot, form, mass, composition, hs_code in event.outputs
    )
    text = body.decode("utf-8")
    # the event's index keys are worked out here, in the worker, where its members are at hand
    return PreparedEvent(
        event.event_id,
        event.type,
        event.time,
        text,
        digest(body),
        outputs,
        event.draws,
        leaf_hash(leaf_data(reporter, text)),
        event_keys(reporter, event.type, members),
    )


_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def _composition_json(composition: dict[str, float]) -> str:
    """A lot's composition as stored: `_dumps`'s text. orjson writes the same for element keys
    and fractions of 1e-4 and more (shortest round-trip digits, `.0` on whole numbers); smaller
    ones Python writes with an exponent."""
    if composition and min(composition.values()) >= 1e-4:
        return orjson.dumps(composition, option=orjson.OPT_SORT_KEYS).decode()
    return _dumps(composition)
