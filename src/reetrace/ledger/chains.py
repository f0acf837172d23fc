"""Hash chains over the records that must never change once written.

The Merkle log holds the events; the decisions and traces around them (the access log, review
steps, licenses issued, triage actions, control-list changes, rejections, account changes …)
live in ordinary tables that someone with access to the database could edit. Each such table is
a chain: every row, as it is inserted, is digested (SHA-256 of the RFC 8785 bytes of its
columns) and linked to the chain's previous link,

    link_n = SHA-256("reetrace/chain\\n" || name || "\\n" || link_{n-1} || key || "\\n" || digest)

with link_0 = 32 zero bytes, and every signed checkpoint carries each chain's length and head as
an extension line (`chain <name> <length> <base64 head>`). A row changed afterwards no longer
matches its digest; a row removed leaves its link without a row; links rewritten to cover either
no longer lead to the head a checkpoint signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from reetrace.ledger.canonical import canonical_bytes

GENESIS = bytes(32)
EXTENSION = "chain"


def row_digest(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a row's RFC 8785 bytes: its columns by name, bytes as base64, and
    numbers as the database gives them back."""
    return hashlib.sha256(canonical_bytes({k: _plain(v) for k, v in values.items()})).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def link(previous: bytes, name: str, key: str, digest: str) -> bytes:
    return hashlib.sha256(
        b"reetrace/chain\n" + name.encode() + b"\n" + previous + key.encode() + b"\n" + digest.encode()
    ).digest()


def extension_lines(heads: Mapping[str, tuple[int, bytes]]) -> tuple[str, ...]:
    """One extension line per chain, in name order: `chain <name> <length> <base64 head>`."""
    return tuple(
        f"{EXTENSION} {name} {length} {base64.b64encode(head).decode('ascii')}"
        for name, (length, head) in sorted(heads.items())
    )


def parse_extensions(lines: Iterable[str]) -> dict[str, tuple[int, bytes]]:
    """The chain heads a checkpoint's extension lines carry (lines of other kinds are skipped)."""
    heads: dict[str, tuple[int, bytes]] = {}
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 4 or parts[0] != EXTENSION or not parts[2].isdigit():
            continue
        try:
            head = base64.b64decode(parts[3], validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(head) == 32:
            heads[parts[1]] = (int(parts[2]), head)
    return heads
