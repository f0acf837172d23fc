"""Submissions as the ledger sees them: bytes received, authenticated and ready to record, or
rejected with a reason class (docs/contract.md §4, §7); and the bounds every submission keeps to.

The bounds (the contract's conventions): an event's time lies between `TIME_FLOOR` and
`AHEAD_OF_RECEIPT` after the submission was received; every number is finite; a mass is at most
`MAX_KG`; a document nests at most `MAX_DEPTH` levels; a submission is at most `MAX_BYTES`; an
event's `ext` is at most `MAX_EXT_BYTES` of canonical JSON. Outside them a submission is a
`schema` rejection; bytes that are not UTF-8 JSON, or repeat a member name, a `parse` one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from reetrace.domain.captures import CaptureEnvelope, CaptureFacts

REASON_CLASSES = ("parse", "schema", "reporter", "key", "signature", "conflict")

MAX_BYTES = 64 << 20  # one submission file or request body
MAX_DEPTH = 32  # levels of nesting in a document: `{"events": [{...}]}` is three
MAX_EXT_BYTES = 16 << 10  # an event's `ext`, as canonical JSON
MAX_KG = 1e9  # any mass, and the size of an adjustment
TIME_FLOOR = datetime(1990, 1, 1, tzinfo=timezone(timedelta(hours=8)))  # the start of 1990, China time
AHEAD_OF_RECEIPT = timedelta(hours=24)  # how far after its receipt an event may be dated


def size_text(size: int) -> str:
    """A number of bytes as a reader takes it in: `64 MiB`, `16 KiB`, `812 bytes`."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            value = size / (1 << shift)
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


@dataclass(frozen=True, slots=True)
class Delivery:
    """The bytes received as one submission, from a file, a request body or an upload: all of
    them when they are within `MAX_BYTES`; beyond it only their size and SHA-256, taken as they
    streamed past (an oversized body is never held whole)."""

    source: str
    raw: bytes | None
    size: int
    sha256: str | None = None  # given when `raw` is not kept; else worked out from it on demand
    capture: CaptureEnvelope | None = None  # the bytes are an EPCIS capture: what came with them

    @classmethod
    def of(cls, source: str, raw: bytes, capture: CaptureEnvelope | None = None) -> Delivery:
        return cls(source, raw, len(raw), capture=capture)

    @property
    def digest(self) -> str:
        if self.sha256 is not None:
            return self.sha256
        return hashlib.sha256(self.raw or b"").hexdigest()


@dataclass(frozen=True, slots=True)
class Rejection:
    source: str
    reason_class: str  # parse | schema | reporter | key | signature | conflict
    detail: str
    received_at: datetime
    reporter: str | None = None
    event: str | None = None  # "<USCC>:<event_id>"
    digest: str | None = None  # SHA-256 of the bytes received (of the signed message once it verified)
    raw: bytes | None = None  # the bytes received, when within the size bound
    size: int | None = None  # how many bytes were received
    capture: CaptureFacts | None = None  # an EPCIS capture's: what its job records

    @property
    def reason(self) -> str:
        return f"{self.reason_class}: {self.detail}"

    def as_contract(self) -> dict[str, str]:
        item = {"source": self.source, "reason": self.reason}
        if self.event:
            item["event"] = self.event
        return item


class PreparedEvent(NamedTuple):
    """An authenticated event, reduced to what the ledger writes (a tuple: it crosses process
    boundaries by the hundred thousand)."""

    event_id: str
    type: str
    time: str  # event time, UTC text as stored
    body: str  # canonical JSON of the event as submitted
    digest: str
    outputs: tuple[tuple[str, str, float, str, str | None], ...] = ()  # lot, form, mass_kg, composition JSON, hs
    draws: tuple[tuple[str, float], ...] = ()  # lot, mass_kg (transform inputs, consumption)
    leaf: bytes = b""  # its leaf hash in the transparency log (RFC 9162)
    keys: tuple[str, ...] = ()  # what it is filed under besides its lots' creation and draws (event_keys)


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A submission that passed every check that does not need the ledger."""

    source: str
    reporter: str
    key_id: str
    created_at: datetime
    received_at: datetime
    signature: str
    digest: str
    raw: bytes | None  # None once it has left the worker that read it: the source can be re-read
    events: list[PreparedEvent] = field(default_factory=list)
    capture: CaptureFacts | None = None  # an EPCIS capture's: what its job records

    def __reduce__(self) -> tuple[Any, ...]:
        # Workers send their submissions to the writer by the thousand, with hundreds of thousands
        # of events: as plain tuples those pickle and unpickle in C, with no call per event.
        return (
            _authenticated,
            (
                self.source,
                self.reporter,
                self.key_id,
                self.created_at,
                self.received_at,
                self.signature,
                self.digest,
                self.raw,
                [tuple(e) for e in self.events],
                self.capture,
            ),
        )

    def without_raw(self) -> Authenticated:
        return replace(self, raw=None)

    @property
    def event_count(self) -> int:
        return len(self.events)

    def rejected(self, reason_class: str, detail: str, event: str | None = None) -> Rejection:
        return Rejection(
            self.source,
            reason_class,
            detail,
            self.received_at,
            self.reporter,
            event,
            self.digest,
            self.raw,
            None if self.raw is None else len(self.raw),
            self.capture,
        )


def _authenticated(
    source: str,
    reporter: str,
    key_id: str,
    created_at: datetime,
    received_at: datetime,
    signature: str,
    digest: str,
    raw: bytes | None,
    events: list[tuple],
    capture: CaptureFacts | None = None,
) -> Authenticated:
    new = tuple.__new__
    return Authenticated(
        source,
        reporter,
        key_id,
        created_at,
        received_at,
        signature,
        digest,
        raw,
        [new(PreparedEvent, e) for e in events],
        capture,
    )
