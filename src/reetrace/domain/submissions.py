"""Submissions as the ledger sees them: authenticated and ready to record, or rejected with
a reason class (docs/contract.md §4, §7)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

REASON_CLASSES = ("parse", "schema", "reporter", "key", "signature", "conflict")


@dataclass(frozen=True, slots=True)
class Rejection:
    source: str
    reason_class: str  # parse | schema | reporter | key | signature | conflict
    detail: str
    received_at: datetime
    reporter: str | None = None
    event: str | None = None  # "<USCC>:<event_id>"
    digest: str | None = None
    raw: bytes | None = None

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
            ),
        )

    def without_raw(self) -> Authenticated:
        return replace(self, raw=None)

    @property
    def event_count(self) -> int:
        return len(self.events)

    def rejected(self, reason_class: str, detail: str, event: str | None = None) -> Rejection:
        return Rejection(
            self.source, reason_class, detail, self.received_at, self.reporter, event, self.digest, self.raw
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
    )
