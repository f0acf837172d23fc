"""The provenance certificate, `reetrace/certificate@1`: all it takes to check a lot's origins
offline, with no access to the system.

    {
      "format": "reetrace/certificate@1",
      "lot": "MAG-1",
      "issued_at": "2026-11-05T10:00:00+08:00",
      "trace": {"format": "reetrace/trace@1", "lot": "MAG-1", "direction": "backward",
                "elements_kg": {"Nd": 271.2, "Dy": 6.1}, "reo_kg": 323.3,
                "origins": [{"lot": "C1", "event": "<USCC>:m1", "enterprise": "<USCC>", "type": "extract",
                             "elements_kg": {"Nd": 271.2, "Dy": 6.1}, "reo_kg": 323.3}]},
      "events": [
        {"reporter": "<USCC>", "event": {"event_id": "m1", "type": "extract", ...},
         "leaf_index": 0, "leaf_hash": "<base64>", "proof": ["<base64>", "..."]}
      ],
      "checkpoint": "reetrace.local/log\\n7\\n<root>\\nreceipts …\\n\\n— reetrace.local/log <sig>\\n…"
    }

- `trace` is the lot's backward trace as `reetrace trace LOT --direction backward --format json`
  prints it (docs/contract.md §6): every origin with the element mass it contributed.
- `events` holds every event the trace rests on: each creating event (`extract`, `import`,
  `transform`) of every lot in the backward closure — the lot, the lots the transform that made
  it drew from, theirs, and so on up to the origins — in log order. `event` is the JSON object the
  reporter signed, member for member; its RFC 8785 bytes with the reporter give the leaf data
  (docs/contract.md §8), so the leaf hash is recomputed, never trusted. `leaf_hash` (base64) repeats it so
  that a changed event is told apart from a broken proof. `proof` is the RFC 9162 inclusion proof
  of `leaf_index` in the tree the checkpoint commits to.
- `checkpoint` is one signed note (C2SP `tlog-checkpoint` / `signed-note`): origin, tree size and
  root hash, the log's signature and, where witnesses cosigned it, their `tlog-cosignature` lines.
  Every proof is anchored to it.
- `issued_at` (RFC 3339) is when the certificate was made; nothing depends on it.

What it proves: each event is, byte for byte, in the log whose key signed the checkpoint (and
that the witnesses saw), and the trace follows from those events. What it cannot prove alone:
that the log holds no *other* event touching the same lots (a lot created twice is an audit
finding); anyone with the full log checks that with `reetrace log verify` and an audit.

The certificate an enterprise receives, `reetrace/redacted-certificate@1`, carries its own
events as above and every other enterprise's event redacted (`reetrace.certificates.redaction`,
docs/certificates.md):

    {"format": "reetrace/redacted-certificate@1", "lot": …, "issued_at": …, "issued_to": "<USCC>",
     "trace": {… an origin of a redacted event: "event": "leaf:41", "enterprise": null …},
     "events": [<the issued_to enterprise's own events, as above>],
     "redacted": [{"leaf_index": 41, "leaf_hash": "<base64>", "proof": [...],
                   "projection": {"type": "extract", "time": …, "deposit": …, "outputs": [...]},
                   "commitments": {"/reporter": "<base64>", "/event/event_id": "<base64>", …},
                   "signature": "<base64 of the log key's id and Ed25519 signature>"}],
     "checkpoint": …}

Its trace is recomputed from the full events and the projections alone, as a verifier does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reetrace.certificates.redaction import creation_of, redact
from reetrace.contract.submission import validate_event
from reetrace.domain.trace import CREATING_TYPES, Creation, InMemoryLotSource, LotSource, backward
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.merkle import leaf_data, leaf_hash
from reetrace.ledger.note import Signer

FORMAT = "reetrace/certificate@1"
REDACTED_FORMAT = "reetrace/redacted-certificate@1"
MEMBERS = ("format", "lot", "issued_at", "trace", "events", "checkpoint")
REDACTED_MEMBERS = ("format", "lot", "issued_at", "issued_to", "trace", "events", "redacted", "checkpoint")
EVENT_MEMBERS = ("reporter", "event", "leaf_index", "leaf_hash", "proof")
REDACTED_EVENT_MEMBERS = ("leaf_index", "leaf_hash", "proof", "projection", "commitments", "signature")


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as the log holds it, with its inclusion proof in the checkpoint's tree."""

    reporter: str
    body: str  # the event's RFC 8785 JSON, exactly as stored
    leaf_index: int
    proof: Sequence[bytes]

    @property
    def ref(self) -> str:
        return f"{self.reporter}:{json.loads(self.body)['event_id']}"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def ancestry(lot: str, source: LotSource) -> list[str]:
    """The lot and every lot it was made from, however far back: through the creation of each
    lot that counts (the earliest), read one level at a time."""
    seen: dict[str, None] = {}
    frontier = [lot]
    while frontier:
        seen.update(dict.fromkeys(frontier))
        found = source.creations(frontier)
        following: dict[str, None] = {}
        for each in frontier:
            creation = found.get(each)
            if creation is not None and creation.type == "transform":
                following.update((d.lot, None) for d in creation.inputs)
        frontier = [p for p in following if p not in seen]
    return list(seen)


def _entry(event: LoggedEvent) -> dict[str, Any]:
    parsed = json.loads(event.body)
    if canonical_bytes(parsed).decode("utf-8") != event.body:
        raise ValueError(f"event {event.ref} is not stored as RFC 8785 JSON: it would not hash to its leaf")
    return {
        "reporter": event.reporter,
        "event": parsed,
        "leaf_index": event.leaf_index,
        "leaf_hash": b64(leaf_hash(leaf_data(event.reporter, event.body))),
        "proof": [b64(p) for p in event.proof],
    }


def assemble(
    lot: str, trace: Mapping[str, Any], events: Iterable[LoggedEvent], checkpoint: str, issued_at: datetime
) -> dict[str, Any]:
    """The certificate. Each event body must be canonical JSON (as the ledger stores it), so
    that the object written here canonicalises back to the very bytes that were logged."""
    return {
        "format": FORMAT,
        "lot": lot,
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "trace": dict(trace),
        "events": [_entry(e) for e in sorted(events, key=lambda e: e.leaf_index)],
        "checkpoint": checkpoint,
    }


def assemble_redacted(
    lot: str, issued_to: str, events: Iterable[LoggedEvent], signer: Signer, checkpoint: str, issued_at: datetime
) -> dict[str, Any]:
    """The certificate for enterprise `issued_to`: its own events in full, every other one
    redacted and signed by `signer` (the key that signed `checkpoint`); the trace recomputed
    from what the certificate shows."""
    ordered = sorted(events, key=lambda e: e.leaf_index)
    own = [_entry(e) for e in ordered if e.reporter == issued_to]
    redacted = [
        redact(signer, issued_to, e.reporter, e.body, e.leaf_index, list(e.proof))
        for e in ordered
        if e.reporter != issued_to
    ]
    shown = [validate_event(e["event"], e["reporter"]) for e in own]
    creations = [Creation.of(e) for e in shown if e.type in CREATING_TYPES]
    creations += [creation_of(r["projection"], r["leaf_index"]) for r in redacted]
    return {
        "format": REDACTED_FORMAT,
        "lot": lot,
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "issued_to": issued_to,
        "trace": recomputed_trace(lot, creations),
        "events": own,
        "redacted": redacted,
        "checkpoint": checkpoint,
    }


def recomputed_trace(lot: str, creations: Iterable[Creation]) -> dict[str, Any]:
    """The lot's backward trace (docs/contract.md §6) from these creations alone."""
    return backward(lot, InMemoryLotSource.from_creations(creations)).as_contract()


def dumps(certificate: Mapping[str, Any]) -> str:
    """The certificate as a file: indented JSON, UTF-8 text, ending in a newline."""
    return json.dumps(certificate, ensure_ascii=False, indent=2) + "\n"


def event_ref(entry: Any) -> str:
    """`<USCC>:<event_id>` of an entry of `events`, as far as it can be read."""
    if not isinstance(entry, dict):
        return "?"
    event = entry.get("event")
    event_id = event.get("event_id") if isinstance(event, dict) else None
    return f"{entry.get('reporter', '?')}:{event_id if isinstance(event_id, str) else '?'}"


__all__ = [
    "EVENT_MEMBERS",
    "FORMAT",
    "MEMBERS",
    "REDACTED_EVENT_MEMBERS",
    "REDACTED_FORMAT",
    "REDACTED_MEMBERS",
    "LoggedEvent",
    "ancestry",
    "assemble",
    "assemble_redacted",
    "b64",
    "dumps",
    "event_ref",
    "recomputed_trace",
]
