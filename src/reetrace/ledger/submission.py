"""Signing and checking `reetrace/submission@1` documents (docs/contract.md §4).

The signature is Ed25519 over the RFC 8785 bytes of the submission without its `signature`
member. `signed_message` assembles those bytes from the events' own canonical bytes, which the
ledger needs anyway, so each event is canonicalised once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.signing import key_id, raw_public_key, sign

FORMAT = "reetrace/submission@1"


def signed_message(doc: dict[str, Any], event_bytes: Sequence[bytes] | None = None) -> bytes:
    """The bytes the signature covers. `event_bytes`, when given, are the canonical bytes of
    `doc["events"]` in order."""
    header = {k: v for k, v in doc.items() if k not in ("signature", "events")}
    if event_bytes is None:
        event_bytes = [canonical_bytes(e) for e in doc["events"]]
    header["events"] = []
    head = canonical_bytes(header)
    marker = b'"events":[]'
    at = head.index(marker) + len(marker) - 1
    return head[:at] + b",".join(event_bytes) + head[at:]


def digest(message: bytes) -> str:
    return hashlib.sha256(message).hexdigest()


def sign_submission(
    reporter: str, private_key: Ed25519PrivateKey, created_at: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """A complete signed submission of `events` by `reporter`."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "reporter": reporter,
        "key_id": key_id(raw_public_key(private_key)),
        "created_at": created_at,
        "events": events,
    }
    doc["signature"] = sign(private_key, signed_message(doc))
    return doc
