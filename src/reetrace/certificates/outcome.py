"""The outcome of checking a certificate (`reetrace.certificates.verify`): what was established,
and every failure, each saying what and where."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reetrace.errors import ReetraceError
from reetrace.ledger.note import Checkpoint


class VerificationError(ReetraceError):
    """A certificate that does not verify; `failures` lists every reason."""

    def __init__(self, failures: list[str]):
        self.failures = list(failures)
        count = len(self.failures)
        super().__init__(
            f"the certificate does not verify ({count} problem{'s' if count != 1 else ''}): " + "; ".join(self.failures)
        )


@dataclass(frozen=True, slots=True)
class Cosigned:
    witness: str  # <name>+<hex key id>
    timestamp: int  # when the witness cosigned, Unix seconds


@dataclass
class Verification:
    """The outcome of checking a certificate: what was established, and every failure."""

    lot: str | None = None
    log_key: str | None = None  # <name>+<hex key id> of the key the checkpoint was checked with
    checkpoint: Checkpoint | None = None  # as signed by the log; None when its signature failed
    claimed_checkpoint: Checkpoint | None = None  # as written in the certificate
    cosigned: list[Cosigned] = field(default_factory=list)
    events: int = 0  # entries in the certificate
    included: int = 0  # entries proven included in the log
    trace: dict[str, Any] | None = None  # recomputed from the included events (docs/contract.md §6)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    redacted: bool = False  # a `reetrace/redacted-certificate@1`
    issued_to: str | None = None  # the enterprise whose own events it shows in full (redacted only)
    seen_in_full: list[str] = field(default_factory=list)  # <USCC>:<event_id> of each event shown whole
    redacted_leaves: list[int] = field(default_factory=list)  # leaf of each redacted event proven and signed

    @property
    def ok(self) -> bool:
        return not self.failures

    def raise_for_failures(self) -> None:
        if self.failures:
            raise VerificationError(self.failures)

    def as_json(self) -> dict[str, Any]:
        cp = self.checkpoint or self.claimed_checkpoint
        doc: dict[str, Any] = {
            "format": "reetrace/certificate-verification@1",
            "ok": self.ok,
            "lot": self.lot,
            "log_key": self.log_key,
            "checkpoint": None
            if cp is None
            else {
                "origin": cp.origin,
                "size": cp.size,
                "root_hash": base64.b64encode(cp.root_hash).decode(),
                "signature_verified": self.checkpoint is not None,
            },
            "cosignatures": [{"witness": c.witness, "timestamp": c.timestamp} for c in self.cosigned],
            "events": self.events,
            "included": self.included,
            "trace": self.trace,
            "warnings": list(self.warnings),
            "failures": list(self.failures),
        }
        if self.redacted:
            doc["redaction"] = {
                "issued_to": self.issued_to,
                "seen_in_full": list(self.seen_in_full),
                "redacted_leaves": list(self.redacted_leaves),
            }
        return doc


def check_members(obj: Mapping[str, Any], members: tuple[str, ...], where: str, result: Verification) -> bool:
    """Unknown and missing members are failures; True when none is missing."""
    unknown = [k for k in obj if k not in members]
    missing = [k for k in members if k not in obj]
    if unknown:
        result.failures.append(
            f"{where}: unknown member{'s' if len(unknown) > 1 else ''} " + ", ".join(map(repr, unknown))
        )
    if missing:
        result.failures.append(
            f"{where}: missing member{'s' if len(missing) > 1 else ''} " + ", ".join(map(repr, missing))
        )
    return not missing


__all__ = ["Cosigned", "Verification", "VerificationError", "check_members"]
