"""EPCIS captures as the ledger sees them (contract §10, docs/epcis.md "Capture").

An EPCIS capture is a submission in another dress: the bytes of an `EPCISDocument`, signed by a
detached JWS that travels beside them (the `JWS-Signature` header, or a `.jws` file next to the
document). It is authenticated into the same `Authenticated` submission or `Rejection` as a §4
submission, recorded by the same pipeline, and in the same transaction gets a capture job: one
row saying what came in, by whom, and what became of it, with each error's reason class and
where in the document it is (a JSON Pointer).

`CaptureEnvelope` is what comes with the bytes; `CaptureFacts` what authenticating them found
that the job records (how many events, their EPCIS ids, where the errors are).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROLLBACK = "rollback"  # the one captureErrorBehaviour: a document is recorded whole or not at all
MAX_EVENT_ID = 255  # characters of an EPCIS eventID the ledger keeps (epcis_ids.epcis_id)


@dataclass(frozen=True, slots=True)
class CaptureEnvelope:
    """What comes with the bytes of one capture: its detached JWS (None when none came), and
    the enterprise that captures (the account's; None at the command line, where the key it is
    signed with says whose it is)."""

    jws: str | None
    enterprise: str | None = None


@dataclass(frozen=True, slots=True)
class CaptureFacts:
    """What a capture job records beside the submission or rejection it became: the events the
    document holds, the EPCIS id of each (in document order; an authenticated capture), the
    errors found, each `(JSON Pointer or None, problem)` (the first is the rejection's own),
    the size of the bytes, and whether they were signed (the signature verified): a capture
    that was not is refused at once, one that was becomes a job that failed."""

    event_count: int = 0
    event_ids: tuple[str | None, ...] = ()  # None: came without one (hashed when first looked up)
    errors: tuple[tuple[str | None, str], ...] = ()
    size: int = 0  # bytes received (an authenticated capture's bytes may leave its worker)
    signed: bool = False  # its signature verified with a registered key of its enterprise

    def at(self) -> str | None:
        """Where the (first) error is."""
        return self.errors[0][0] if self.errors else None


def pointer(path: Sequence[str | int]) -> str:
    """A place in a document, given as member names and list positions, as a JSON Pointer
    (RFC 6901): what EPCIS tools print."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def event_at(index: int, *rest: str | int) -> str:
    """The JSON Pointer of an event of a captured document, or of a place in it."""
    return pointer(["epcisBody", "eventList", index, *rest])
