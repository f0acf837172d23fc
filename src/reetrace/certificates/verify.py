"""Checking a provenance certificate offline: with the certificate and the keys, nothing else.

No store, no network. What is checked, and in this order:

1. the certificate's shape (`reetrace/certificate@1`; unknown members are an error);
2. the checkpoint: signed by the given log key (C2SP signed-note, its origin being the key's name),
   and cosigned by *every* given witness key (C2SP tlog-cosignature);
3. each event: a valid contract event (§4); its leaf recomputed from its reporter and its RFC 8785
   bytes (§8) equals its `leaf_hash`; its inclusion proof leads from that leaf at `leaf_index` to
   the checkpoint's root (RFC 9162 §2.1.3.2);
4. the trace: recomputed from the included events alone (`reetrace.domain.trace.backward`) and
   compared figure by figure with the certificate's, within `KG_TOLERANCE`; each origin is an
   `extract` or an `import` proven by an included event, or is reported as of unknown origin.

Every failure is collected with what and where ("event 3 (<USCC>:e7): inclusion proof does not
verify …", "trace: origin C1 Dy 12.3 kg in the certificate, 10.1 kg recomputed"), so one run
lists them all. Origins of unknown type are not failures — the certificate says so openly — but
each is reported as a warning. Nothing verifies by default: a log key is required.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reetrace.certificates.bundle import EVENT_MEMBERS, FORMAT, MEMBERS, event_ref
from reetrace.contract.fields import is_uscc
from reetrace.contract.submission import InvalidDocument, validate_event
from reetrace.domain.events import Event
from reetrace.domain.trace import FORMAT as TRACE_FORMAT
from reetrace.domain.trace import InMemoryLotSource, backward
from reetrace.errors import ReetraceError, UsageError
from reetrace.ledger import merkle
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.note import ED25519, Checkpoint, NoteError, Verifier, open_checkpoint, verify_cosignature

KG_TOLERANCE = 1e-6
_SLACK = 1e-9  # both sides are rounded to 6 decimals: a true 1e-6 difference may print as a hair more
LEGAL_ORIGINS = ("extract", "import")
TRACE_MEMBERS = ("format", "lot", "direction", "elements_kg", "reo_kg", "origins")
ORIGIN_MEMBERS = ("lot", "event", "enterprise", "type", "elements_kg", "reo_kg")


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

    @property
    def ok(self) -> bool:
        return not self.failures

    def raise_for_failures(self) -> None:
        if self.failures:
            raise VerificationError(self.failures)

    def as_json(self) -> dict[str, Any]:
        cp = self.checkpoint or self.claimed_checkpoint
        return {
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


def verifier(key: str | Verifier, what: str) -> Verifier:
    """A verifier key given as text (`<name>+<hex id>+<base64(type || key)>`), or as is."""
    if isinstance(key, Verifier):
        return key
    try:
        return Verifier.from_verifier_key(key.strip())
    except NoteError as exc:
        raise UsageError(f"{what} {key.strip()!r} is not a verifier key: {exc}") from None


def _label(key: Verifier) -> str:
    return f"{key.name}+{key.key_id.hex()}"


def verify(certificate: Any, log_key: str | Verifier, witness_keys: Iterable[str | Verifier] = ()) -> Verification:
    """Check a parsed certificate against the log's key and each witness key given."""
    log = verifier(log_key, "the log key")
    if log.key_type != ED25519:
        raise UsageError(f"the log key {_label(log)} is a cosignature (witness) key, not a log key")
    witnesses = [verifier(k, "the witness key") for k in witness_keys]
    result = Verification(log_key=_label(log))
    if not isinstance(certificate, dict):
        result.failures.append("certificate: not a JSON object")
        return result
    _check_members(certificate, MEMBERS, "certificate", result)
    if certificate.get("format") != FORMAT:
        result.failures.append(f"certificate: format is {certificate.get('format')!r}, not {FORMAT!r}")
    lot = certificate.get("lot")
    if isinstance(lot, str) and lot:
        result.lot = lot
    else:
        result.failures.append("certificate: `lot` is not a lot id")
    if "issued_at" in certificate and not isinstance(certificate["issued_at"], str):
        result.failures.append("certificate: `issued_at` is not a time")
    _check_checkpoint(certificate.get("checkpoint"), log, witnesses, result)
    events = _check_events(certificate.get("events"), result)
    if result.lot is not None:
        _check_trace(result.lot, certificate.get("trace"), events, result)
    return result


# --- the checkpoint -------------------------------------------------------------------------


def _check_checkpoint(note: Any, log: Verifier, witnesses: list[Verifier], result: Verification) -> None:
    if not isinstance(note, str):
        result.failures.append("checkpoint: not a signed note")
        return
    result.claimed_checkpoint = _claimed(note)
    where = f"checkpoint (size {result.claimed_checkpoint.size})" if result.claimed_checkpoint else "checkpoint"
    try:
        result.checkpoint = open_checkpoint(note, log)
    except NoteError as exc:
        reason = str(exc)
        if reason.startswith("note has no verifiable signatures"):
            reason = "it carries no signature by that key (signed by another log, or by a rotated key?)"
        elif reason.startswith("invalid signature"):
            reason = (
                "the signature does not verify: the checkpoint's origin, size or root hash, or the signature, "
                "was changed"
            )
        result.failures.append(f"{where}: not signed by the log key {_label(log)}: {reason}")
    for witness in witnesses:
        try:
            timestamp = verify_cosignature(note, witness)
        except NoteError as exc:
            reason = str(exc)
            if reason.startswith("no cosignature"):
                reason = "the checkpoint carries no cosignature by this witness"
            elif reason.startswith("invalid cosignature"):
                reason = "its cosignature does not verify: the checkpoint or the cosignature was changed"
            result.failures.append(f"{where}: witness {_label(witness)}: {reason}")
        else:
            result.cosigned.append(Cosigned(_label(witness), timestamp))


def _claimed(note: str) -> Checkpoint | None:
    """The checkpoint a note claims, its signatures unchecked."""
    split = note.rfind("\n\n")
    try:
        return Checkpoint.parse(note[: split + 1]) if split >= 0 else None
    except NoteError:
        return None


# --- the events -----------------------------------------------------------------------------


def _check_events(entries: Any, result: Verification) -> list[Event]:
    """Every entry checked; returns the valid events (proven or not) to recompute the trace from."""
    if not isinstance(entries, list):
        result.failures.append("certificate: `events` is not a list")
        return []
    result.events = len(entries)
    checkpoint = result.claimed_checkpoint
    valid: list[Event] = []
    first: dict[str, int] = {}
    for n, entry in enumerate(entries, 1):
        where = f"event {n} ({event_ref(entry)})"
        if not isinstance(entry, dict):
            result.failures.append(f"{where}: not a JSON object")
            continue
        if not _check_members(entry, EVENT_MEMBERS, where, result):
            continue
        reporter, raw = entry["reporter"], entry["event"]
        if not isinstance(reporter, str) or not is_uscc(reporter):
            result.failures.append(f"{where}: reporter {reporter!r} is not a valid USCC")
            continue
        try:
            event = validate_event(raw, reporter)
        except InvalidDocument as exc:
            result.failures.append(f"{where}: not a valid event: {exc}")
            continue
        if event.ref in first:
            result.failures.append(f"{where}: repeats event {first[event.ref]}")
            continue
        first[event.ref] = n
        valid.append(event)
        if _proven(where, reporter, raw, entry, checkpoint, result):
            result.included += 1
    return valid


def _proven(
    where: str, reporter: str, raw: Any, entry: Mapping[str, Any], checkpoint: Checkpoint | None, result: Verification
) -> bool:
    index = entry["leaf_index"]
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        result.failures.append(f"{where}: leaf_index {index!r} is not a leaf number")
        return False
    claimed = _hash(entry["leaf_hash"])
    if claimed is None:
        result.failures.append(f"{where}: leaf_hash is not base64 of a 32-byte hash")
        return False
    proof = entry["proof"]
    if not isinstance(proof, list):
        result.failures.append(f"{where}: proof is not a list")
        return False
    path = [_hash(p) for p in proof]
    bad = [i for i, p in enumerate(path, 1) if p is None]
    if bad:
        result.failures.append(f"{where}: proof element {bad[0]} is not base64 of a 32-byte hash")
        return False
    try:
        body = canonical_bytes(raw).decode("utf-8")
    except ValueError as exc:
        result.failures.append(f"{where}: cannot be written as RFC 8785 JSON: {exc}")
        return False
    leaf = merkle.leaf_hash(merkle.leaf_data(reporter, body))
    if checkpoint is None:
        if leaf != claimed:
            result.failures.append(f"{where}: the event does not hash to its leaf_hash: it was changed")
        return False  # nothing to prove against; the checkpoint's failure is reported
    try:
        hashes = [p for p in path if p is not None]  # all of them: checked above
        merkle.verify_inclusion(leaf, index, checkpoint.size, hashes, checkpoint.root_hash)
    except merkle.ProofError as exc:
        if leaf != claimed:
            result.failures.append(
                f"{where}: the event was changed: it does not hash to its leaf_hash, and is "
                f"not the event the log holds at leaf {index}"
            )
        else:
            result.failures.append(
                f"{where}: inclusion proof does not verify: leaf {index} in the checkpoint's "
                f"tree of {checkpoint.size} ({exc})"
            )
        return False
    if leaf != claimed:
        result.failures.append(
            f"{where}: leaf_hash is not the hash of the event (the event itself is proven included at leaf {index})"
        )
        return False
    return True


def _hash(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        digest = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return digest if len(digest) == merkle.HASH_SIZE else None


# --- the trace ------------------------------------------------------------------------------


def _check_trace(lot: str, claimed: Any, events: list[Event], result: Verification) -> None:
    recomputed = backward(lot, InMemoryLotSource.from_events(events)).as_contract()
    result.trace = recomputed
    _warn_unknown(lot, recomputed, result)
    if not isinstance(claimed, dict):
        result.failures.append("trace: not a JSON object")
        return
    _check_members(claimed, TRACE_MEMBERS, "trace", result)
    if claimed.get("format") != TRACE_FORMAT:
        result.failures.append(f"trace: format is {claimed.get('format')!r}, not {TRACE_FORMAT!r}")
    if claimed.get("lot") != lot:
        result.failures.append(f"trace: it is the trace of lot {claimed.get('lot')!r}, the certificate is for {lot!r}")
    if claimed.get("direction") != "backward":
        result.failures.append(f"trace: direction is {claimed.get('direction')!r}, not 'backward'")
    _compare_kg(f"trace: lot {lot}", claimed.get("elements_kg"), recomputed["elements_kg"], result)
    _compare_number(f"trace: lot {lot} REO", claimed.get("reo_kg"), recomputed["reo_kg"], result)
    origins = claimed.get("origins")
    if not isinstance(origins, list):
        result.failures.append("trace: `origins` is not a list")
        return
    included = {e.ref for e in events}
    computed = {o["lot"]: o for o in recomputed["origins"]}
    listed: set[str] = set()
    for n, origin in enumerate(origins, 1):
        if not isinstance(origin, dict) or not isinstance(origin.get("lot"), str):
            result.failures.append(f"trace: origin {n} is not an origin with a lot id")
            continue
        key = origin["lot"]
        label = f"trace: origin {key}"
        if key in listed:
            result.failures.append(f"{label} is listed twice")
            continue
        listed.add(key)
        _check_members(origin, ORIGIN_MEMBERS, label, result)
        kind, ref = origin.get("type"), origin.get("event")
        if kind not in (*LEGAL_ORIGINS, "unknown"):
            result.failures.append(
                f"{label}: type {kind!r} is neither a legal origin (extract, import) nor reported as unknown"
            )
        if isinstance(ref, str) and ref not in included:
            result.failures.append(f"{label}: it rests on event {ref}, which the certificate does not include")
        other = computed.get(key)
        if other is None:
            result.failures.append(
                f"{label} is in the certificate but not among the origins recomputed from the included events"
            )
            continue
        for member in ("type", "event", "enterprise"):
            if origin.get(member) != other[member]:
                result.failures.append(
                    f"{label}: {member} {origin.get(member)!r} in the certificate, {other[member]!r} recomputed"
                )
        _compare_kg(label, origin.get("elements_kg"), other["elements_kg"], result)
        _compare_number(f"{label} REO", origin.get("reo_kg"), other["reo_kg"], result)
    for key, other in computed.items():
        if key not in listed:
            cause = ": no included event creates it" if other["type"] == "unknown" else ""
            result.failures.append(
                f"trace: origin {key} ({other['type']}, {_kg(other['reo_kg'])} kg REO), "
                f"recomputed from the included events, is not in the certificate{cause}"
            )


def _warn_unknown(lot: str, trace: Mapping[str, Any], result: Verification) -> None:
    total = trace["reo_kg"]
    for origin in trace["origins"]:
        if origin["type"] == "unknown":
            share = f" ({origin['reo_kg'] / total:.1%} of the lot)" if total > 0 else ""
            what = (
                "the lot itself: no included event creates it"
                if origin["lot"] == lot
                else f"lot {origin['lot']}: no included event creates it"
            )
            result.warnings.append(f"unknown origin: {what}; {_kg(origin['reo_kg'])} kg REO{share}")


def _compare_kg(label: str, claimed: Any, recomputed: Mapping[str, float], result: Verification) -> None:
    if not isinstance(claimed, dict):
        result.failures.append(f"{label}: elements_kg is not an object of element masses")
        return
    for element in [*recomputed, *(e for e in claimed if e not in recomputed)]:
        _compare_number(f"{label} {element}", claimed.get(element, 0.0), recomputed.get(element, 0.0), result)


def _compare_number(label: str, claimed: Any, recomputed: float, result: Verification) -> None:
    if not _is_number(claimed):
        result.failures.append(f"{label}: {claimed!r} in the certificate is not a number of kilograms")
    elif abs(claimed - recomputed) > KG_TOLERANCE + _SLACK:
        result.failures.append(f"{label} {_kg(claimed)} kg in the certificate, {_kg(recomputed)} kg recomputed")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _kg(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _check_members(obj: Mapping[str, Any], members: tuple[str, ...], where: str, result: Verification) -> bool:
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


__all__ = ["KG_TOLERANCE", "Cosigned", "Verification", "VerificationError", "verifier", "verify"]
