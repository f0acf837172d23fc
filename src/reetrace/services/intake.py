"""Authenticating one submission: parse, check against the contract, find the key, verify the
signature. Pure (no store access): the caller hands in the registered keys and the time of
receipt, so this work can run outside the ledger's write lock, and in parallel.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta

import orjson

from reetrace.contract.event_facts import EventFacts, validate_event_facts
from reetrace.contract.fields import is_uscc
from reetrace.contract.submission import InvalidDocument, validate_header
from reetrace.domain.event_keys import event_keys
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import Authenticated, PreparedEvent, Rejection
from reetrace.ledger.canonical import ParsedJson
from reetrace.ledger.merkle import leaf_data, leaf_hash
from reetrace.ledger.signing import b64url_decode, verify
from reetrace.ledger.submission import digest, signed_message

CLOCK_SKEW = timedelta(minutes=5)


def authenticate(
    raw: bytes,
    source: str,
    keys: Mapping[str, SigningKey],
    enterprises: set[str] | frozenset[str],
    received_at: datetime | None,
) -> Authenticated | Rejection:
    """Check one submission. `received_at=None` takes the signed `created_at` as the time of
    receipt (archived submissions)."""
    stamp = received_at or datetime.now().astimezone()

    def reject(cls: str, detail: str, reporter: str | None = None, event: str | None = None) -> Rejection:
        return Rejection(source, cls, detail, stamp, reporter, event, None, raw)

    try:
        parsed = ParsedJson(raw)
        doc = parsed.value
    except UnicodeDecodeError:
        return reject("parse", "not UTF-8 text")
    except ValueError as exc:
        return reject("parse", f"not JSON: {exc}")
    if not isinstance(doc, dict):
        return reject("parse", "a submission must be a JSON object")
    reporter = doc.get("reporter") if isinstance(doc.get("reporter"), str) else None
    try:
        header = validate_header(doc)
        events = validate_event_facts(doc["events"])
    except InvalidDocument as exc:
        ref = f"{reporter}:{exc.event}" if reporter and exc.event else None
        return reject("schema", str(exc), reporter, ref)
    if received_at is None:
        stamp = header.created_at
    elif header.created_at - stamp > CLOCK_SKEW:
        return reject(
            "schema",
            f"created_at {doc['created_at']} is more than 5 minutes ahead of the time of "
            f"receipt {stamp.isoformat(timespec='seconds')}",
            reporter,
        )
    if not is_uscc(header.reporter):
        return reject("reporter", f"{header.reporter!r} is not a valid Unified Social Credit Code", reporter)
    if header.reporter not in enterprises:
        return reject("reporter", f"enterprise {header.reporter} is not registered", reporter)

    key = keys.get(header.key_id)
    if key is None:
        return reject("key", f"key {header.key_id} is not registered", reporter)
    if key.uscc != header.reporter:
        return reject("key", f"key {header.key_id} belongs to {key.uscc}, not to the reporter", reporter)
    if header.created_at < key.valid_from:
        return reject(
            "key",
            f"key {header.key_id} is valid only from {key.valid_from.isoformat()}, after "
            f"created_at {doc['created_at']}",
            reporter,
        )
    if key.revoked_at is not None and key.revoked_at <= header.created_at:
        return reject(
            "key",
            f"key {header.key_id} was revoked at {key.revoked_at.isoformat()}, before created_at {doc['created_at']}",
            reporter,
        )

    try:
        bodies = [parsed.canonical(e) for e in doc["events"]]
        message = signed_message(doc, bodies)
    except ValueError as exc:
        return reject("schema", f"cannot be canonicalised (RFC 8785): {exc}", reporter)
    try:
        signature = b64url_decode(header.signature)
    except ValueError:
        return reject("signature", "not unpadded base64url", reporter)
    if not verify(key.public_key, message, signature):
        return reject("signature", "does not verify", reporter)

    return Authenticated(
        source=source,
        reporter=header.reporter,
        key_id=header.key_id,
        created_at=header.created_at,
        received_at=stamp,
        signature=header.signature,
        digest=digest(message),
        raw=raw,
        events=[_prepared(header.reporter, e, b, m) for e, b, m in zip(events, bodies, doc["events"], strict=True)],
    )


def _prepared(reporter: str, event: EventFacts, body: bytes, members: dict) -> PreparedEvent:
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
