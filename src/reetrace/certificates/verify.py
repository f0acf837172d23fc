"""Checking a provenance certificate offline: with the certificate and the keys, nothing else.

No store, no network. What is checked, and in this order:

1. the certificate's shape (`reetrace/certificate@1`, or `reetrace/redacted-certificate@1`;
   unknown members are an error);
2. the checkpoint: signed by the given log key (C2SP signed-note, its origin being the key's name),
   and cosigned by *every* given witness key (C2SP tlog-cosignature);
3. each event: a valid contract event (§4); its leaf recomputed from its reporter and its RFC 8785
   bytes (§8) equals its `leaf_hash`; its inclusion proof leads from that leaf at `leaf_index` to
   the checkpoint's root (RFC 9162 §2.1.3.2);
4. each redacted event (a redacted certificate): its inclusion proof leads from its `leaf_hash`
   to the root; the log key's signature binds its projection and commitments to that leaf; its
   projection is a valid creating event's (`reetrace.certificates.redaction`);
5. the trace: recomputed from the included events and projections alone
   (`reetrace.certificates.figures`) and compared figure by figure with the certificate's.

Every failure is collected with what and where ("event 3 (<USCC>:e7): inclusion proof does not
verify …", "trace: origin C1 Dy 12.3 kg in the certificate, 10.1 kg recomputed"), so one run
lists them all. Origins of unknown type are not failures — the certificate says so openly — but
each is reported as a warning. Nothing verifies by default: a log key is required.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reetrace.certificates import redaction
from reetrace.certificates.bundle import (
    EVENT_MEMBERS,
    FORMAT,
    MEMBERS,
    REDACTED_EVENT_MEMBERS,
    REDACTED_FORMAT,
    REDACTED_MEMBERS,
    event_ref,
)
from reetrace.certificates.figures import KG_TOLERANCE, check_trace
from reetrace.certificates.outcome import Cosigned, Verification, VerificationError, check_members
from reetrace.contract.fields import is_uscc
from reetrace.contract.submission import InvalidDocument, validate_event
from reetrace.domain.events import Event
from reetrace.domain.trace import CREATING_TYPES, Creation
from reetrace.errors import UsageError
from reetrace.ledger import merkle
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.note import ED25519, Checkpoint, NoteError, Verifier, open_checkpoint, verify_cosignature


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
    """Check a parsed certificate, complete or redacted, against the log's key and each witness
    key given."""
    log = verifier(log_key, "the log key")
    if log.key_type != ED25519:
        raise UsageError(f"the log key {_label(log)} is a cosignature (witness) key, not a log key")
    witnesses = [verifier(k, "the witness key") for k in witness_keys]
    result = Verification(log_key=_label(log))
    if not isinstance(certificate, dict):
        result.failures.append("certificate: not a JSON object")
        return result
    result.redacted = certificate.get("format") == REDACTED_FORMAT
    check_members(certificate, REDACTED_MEMBERS if result.redacted else MEMBERS, "certificate", result)
    if certificate.get("format") not in (FORMAT, REDACTED_FORMAT):
        result.failures.append(f"certificate: format is {certificate.get('format')!r}, not {FORMAT!r}")
    lot = certificate.get("lot")
    if isinstance(lot, str) and lot:
        result.lot = lot
    else:
        result.failures.append("certificate: `lot` is not a lot id")
    if "issued_at" in certificate and not isinstance(certificate["issued_at"], str):
        result.failures.append("certificate: `issued_at` is not a time")
    if result.redacted:
        issued_to = certificate.get("issued_to")
        if isinstance(issued_to, str) and is_uscc(issued_to):
            result.issued_to = issued_to
        else:
            result.failures.append("certificate: `issued_to` is not a valid USCC")
    _check_checkpoint(certificate.get("checkpoint"), log, witnesses, result)
    events = _check_events(certificate.get("events"), result)
    result.seen_in_full = [e.ref for e in events]
    if result.issued_to is not None:
        strangers = [e.ref for e in events if e.reporter != result.issued_to]
        if strangers:
            result.failures.append(
                f"certificate: events of other enterprises than {result.issued_to} are shown whole: {strangers[0]}"
            )
    creations = [Creation.of(e) for e in events if e.type in CREATING_TYPES]
    if result.redacted:
        full = {e.get("leaf_index") for e in certificate.get("events") or () if isinstance(e, dict)}
        creations += _check_redacted(certificate.get("redacted"), log, full, result)
    if result.lot is not None:
        check_trace(result.lot, certificate.get("trace"), creations, {c.ref for c in creations}, result)
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
        if not check_members(entry, EVENT_MEMBERS, where, result):
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
        merkle.verify_inclusion(leaf, index, checkpoint.size, [p for p in path if p is not None], checkpoint.root_hash)
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
    return redaction.unb64(value, merkle.HASH_SIZE)


# --- redacted events ------------------------------------------------------------------------


def _check_redacted(entries: Any, log: Verifier, full: set[Any], result: Verification) -> list[Creation]:
    """Every redacted entry checked; returns the creations of the valid projections (proven or
    not) to recompute the trace from. `full`: the leaves of the events shown whole."""
    if not isinstance(entries, list):
        result.failures.append("certificate: `redacted` is not a list")
        return []
    result.events += len(entries)
    checkpoint = result.claimed_checkpoint
    creations: list[Creation] = []
    leaves: set[int] = set()
    for n, entry in enumerate(entries, 1):
        where = f"redacted event {n}"
        if not isinstance(entry, dict):
            result.failures.append(f"{where}: not a JSON object")
            continue
        if not check_members(entry, REDACTED_EVENT_MEMBERS, where, result):
            continue
        index = entry["leaf_index"]
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            result.failures.append(f"{where}: leaf_index {index!r} is not a leaf number")
            continue
        where = f"redacted event {n} (leaf {index})"
        if index in leaves or index in full:
            result.failures.append(f"{where}: repeats another event of the certificate")
            continue
        leaves.add(index)
        try:
            creation = redaction.creation_of(entry["projection"], index)
        except InvalidDocument as exc:
            result.failures.append(f"{where}: not the projection of a creating event: {exc}")
            continue
        creations.append(creation)
        commitments = entry["commitments"]
        if not isinstance(commitments, dict) or not all(
            isinstance(p, str) and redaction.unb64(c, 32) is not None for p, c in commitments.items()
        ):
            result.failures.append(f"{where}: commitments are not JSON Pointers to base64 SHA-256 digests")
            continue
        if "/reporter" not in commitments or "/event/event_id" not in commitments:
            result.failures.append(f"{where}: commits to no reporter or event id")
            continue
        leaf = redaction.unb64(entry["leaf_hash"], merkle.HASH_SIZE)
        if leaf is None:
            result.failures.append(f"{where}: leaf_hash is not base64 of a 32-byte hash")
            continue
        if not _proven_leaf(where, leaf, index, entry["proof"], checkpoint, result):
            continue
        if not redaction.signature_holds(entry, result.issued_to or "", log):
            result.failures.append(
                f"{where}: the log key's signature does not bind this projection and these commitments to the leaf"
            )
            continue
        result.included += 1
        result.redacted_leaves.append(index)
    return creations


def _proven_leaf(
    where: str, leaf: bytes, index: int, proof: Any, checkpoint: Checkpoint | None, result: Verification
) -> bool:
    path = [redaction.unb64(p, merkle.HASH_SIZE) for p in proof] if isinstance(proof, list) else None
    if path is None or any(p is None for p in path):
        result.failures.append(f"{where}: proof is not a list of base64 32-byte hashes")
        return False
    if checkpoint is None:
        return False  # nothing to prove against; the checkpoint's failure is reported
    try:
        merkle.verify_inclusion(leaf, index, checkpoint.size, [p for p in path if p is not None], checkpoint.root_hash)
    except merkle.ProofError as exc:
        result.failures.append(
            f"{where}: inclusion proof does not verify: leaf {index} in the checkpoint's tree of "
            f"{checkpoint.size} ({exc})"
        )
        return False
    return True


__all__ = ["KG_TOLERANCE", "Cosigned", "Verification", "VerificationError", "verifier", "verify"]
