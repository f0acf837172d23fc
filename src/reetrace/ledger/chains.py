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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from reetrace.ledger.canonical import canonical_bytes

GENESIS = bytes(32)
_MAX_SAFE_INT = 2**53 - 1
_BEYOND_BMP = re.compile(rb"[\xf0-\xf4]")  # the lead bytes of UTF-8 characters beyond the BMP
EXTENSION = "chain"


def row_digest(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a row's RFC 8785 bytes: its columns by name, bytes as base64, and
    numbers as the database gives them back."""
    return hashlib.sha256(_row_bytes({k: _plain(v) for k, v in values.items()})).hexdigest()


def _row_bytes(row: dict[str, Any]) -> bytes:
    """`canonical_bytes` of a row, without its walk of every value when each is text or an
    integer JCS writes as is (most rows): `canonical_bytes` would hand such a row to orjson
    unchanged, so this is its very result."""
    for value in row.values():
        kind = type(value)
        if not (kind is str or kind is dict or (kind is int and -_MAX_SAFE_INT <= value <= _MAX_SAFE_INT)):
            return canonical_bytes(row)
    out = orjson.dumps(row, option=orjson.OPT_SORT_KEYS)
    if not out.isascii() and _BEYOND_BMP.search(out):
        return canonical_bytes(row)  # keys sort by UTF-16 code units in JCS: its own path
    return out


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


@dataclass(frozen=True, slots=True)
class SignedHead:
    """A chain's length and head as one signed checkpoint carries them."""

    length: int
    head: bytes
    checkpoint: str  # which checkpoint, for messages ("the checkpoint of size 33 signed at …")


class ChainWalk:
    """One chain's links, walked in order from the genesis: each must follow from the one before
    (link numbers without gaps, the stored link equal to the one recomputed), and the head at
    each length a checkpoint signed must be the signed one.

    A chain rewritten consistently (a row changed, its digest and every later link recomputed)
    passes the first check and fails the second: the rows rewritten lie between the last
    checkpoint whose head still matches and the first that does not, and are named so."""

    def __init__(self, name: str, signed: Iterable[SignedHead]) -> None:
        self.name = name
        self.length = 0
        self.head = GENESIS
        self.problems: list[str] = []
        self._signed = sorted(signed, key=lambda s: s.length)
        self._next = 0
        self._broken = False  # a link did not follow: later heads are not compared
        self._matched = 0  # the longest signed length whose head matched
        self._after_matched: str | None = None  # the row key of the link after it
        self._check_signed()

    def add(self, n: int, row_key: str, digest: str, stored_link: bytes) -> None:
        if n != self.length + 1 and not self._broken:
            self._broken = True
            self.problems.append(
                f"chain {self.name}: link {self.length + 1} is missing (the next is link {n}, row {row_key}): "
                "links were deleted"
            )
        if self.length == self._matched:
            self._after_matched = row_key
        self.head = link(self.head, self.name, row_key, digest)
        self.length = n
        if self.head != stored_link and not self._broken:
            self._broken = True
            self.problems.append(
                f"chain {self.name}: link {n} (row {row_key}) does not follow from the links before it: "
                "a link, its row key or its digest was changed"
            )
        self._check_signed(row_key)

    def finish(self) -> list[str]:
        """The problems found, once every link was added."""
        beyond = [s for s in self._signed[self._next :] if s.length > self.length]
        if beyond and not self._broken:
            last = beyond[-1]
            self.problems.append(
                f"chain {self.name}: {last.checkpoint} signed {last.length} links, the store holds {self.length}: "
                f"rows {self.length + 1}–{last.length} of the chain were removed with their links"
            )
        return self.problems

    def _check_signed(self, row_key: str | None = None) -> None:
        while self._next < len(self._signed) and self._signed[self._next].length == self.length:
            signed = self._signed[self._next]
            self._next += 1
            if self._broken:
                continue
            if signed.head == self.head:
                self._matched = self.length
                continue
            self._broken = True
            first = f"row {self._after_matched}" if self._after_matched else "its first row"
            earlier = (
                f"the last signed head that still matches is at length {self._matched}"
                if self._matched
                else "no earlier signed head matches"
            )
            self.problems.append(
                f"chain {self.name}: rewritten between link {self._matched + 1} ({first}) and link {self.length} "
                f"(row {row_key}): the links follow from one another but {signed.checkpoint} signed another head "
                f"at length {self.length}; {earlier}"
            )
