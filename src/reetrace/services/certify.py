"""Use case: a provenance certificate for a lot (`reetrace/certificate@1`, see
`reetrace.certificates.bundle`), complete for the authority, redacted for an enterprise
(`reetrace/redacted-certificate@1`: the other enterprises' events redacted and signed by the key
that signed the checkpoint; docs/certificates.md).

The log first signs a checkpoint covering every accepted event (unless the latest already does).
Then one read transaction takes the lot's backward trace, every creating event of every lot in
its backward closure, and their inclusion proofs — all in the tree of one checkpoint: of those
covering the events, the one cosigned by the most witnesses, then the largest. The checkpoint's
note comes with its witnesses' cosignatures (`witnessing.cosigned_checkpoint`). Before it is
handed out, the certificate is verified exactly as a buyer would, with the log's key; a redacted
one must also give the very figures of the complete trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reetrace.certificates.bundle import LoggedEvent, ancestry, assemble, assemble_redacted
from reetrace.certificates.redaction import opening, unb64
from reetrace.certificates.verify import verify
from reetrace.config import Settings
from reetrace.domain import trace as tracing
from reetrace.domain.trace import RememberingSource
from reetrace.errors import InvalidInput, NotFound, StoreError, UsageError
from reetrace.ledger import merkle
from reetrace.ledger.note import NoteError, Verifier, open_checkpoint
from reetrace.services import log_keys
from reetrace.services.log import publish_checkpoint
from reetrace.services.witnessing import cosigned_checkpoint
from reetrace.store import certify_repo as repo
from reetrace.store.database import Store
from reetrace.store.log_repo import log_size, node_hashes
from reetrace.store.lot_source import SqlLotSource

ATTEMPTS = 3  # an ingest may land between the checkpoint and the read; sign again and retry


@dataclass(frozen=True)
class _Gathered:
    trace: dict[str, Any]
    events: list[LoggedEvent]
    size: int
    log_key: Verifier


def certify(
    store: Store, settings: Settings, lot: str, now: datetime | None = None, for_enterprise: str | None = None
) -> dict[str, Any]:
    """The certificate for `lot`, anchored to a signed (and, where witnessed, cosigned) checkpoint:
    complete, or as enterprise `for_enterprise` receives it (its own events whole, every other
    redacted)."""
    for _ in range(ATTEMPTS):
        publish_checkpoint(store, settings)
        gathered = _gather(store, lot)
        if gathered is not None:
            break
    else:
        raise StoreError(
            f"no signed checkpoint covers the events of lot {lot!r}: the log grew while certifying; try again"
        )
    note = cosigned_checkpoint(store, gathered.size)
    issued_at = now or datetime.now().astimezone()
    try:
        if for_enterprise is None:
            certificate = assemble(lot, gathered.trace, gathered.events, note, issued_at)
        else:
            signer = log_keys.signer_of(settings.log_keys_path(), gathered.log_key.key_id.hex(), gathered.log_key.name)
            certificate = assemble_redacted(lot, for_enterprise, gathered.events, signer, note, issued_at)
    except ValueError as exc:
        raise StoreError(f"cannot certify lot {lot!r}: {exc}; run `reetrace log verify`") from None
    result = verify(certificate, gathered.log_key)
    if not result.ok:
        raise StoreError(
            f"the certificate for lot {lot!r} would not verify ({result.failures[0]}); run `reetrace log verify`"
        )
    if for_enterprise is not None and _figures(certificate["trace"]) != _figures(gathered.trace):
        raise StoreError(f"the redacted certificate for lot {lot!r} does not give the figures of its trace")
    return certificate


def _figures(trace: Mapping[str, Any]) -> tuple[Any, ...]:
    """A trace's figures, whoever reported each origin."""
    origins = sorted((o["lot"], o["type"], sorted(o["elements_kg"].items()), o["reo_kg"]) for o in trace["origins"])
    return (sorted(trace["elements_kg"].items()), trace["reo_kg"], origins)


def _gather(store: Store, lot: str) -> _Gathered | None:
    """Trace, events and proofs in one read; None when no signed checkpoint covers the events yet."""
    with store.reading() as conn:
        if not repo.lot_known(conn, lot):
            raise NotFound(f"lot {lot!r} is not in the ledger")
        source = RememberingSource(SqlLotSource(conn))
        trace = tracing.backward(lot, source).as_contract()
        rows = repo.creating_events(conn, ancestry(lot, source))
        anchor = repo.anchor(conn, max((r.seq for r in rows), default=0))
        if anchor is None:
            return None
        size, key_id = anchor
        if size > log_size(conn):
            raise StoreError(f"the checkpoint of size {size} is beyond the log's leaves; run `reetrace log verify`")
        requests = {r.seq: merkle.inclusion_proof_nodes(r.seq - 1, size) for r in rows}
        hashes = node_hashes(conn, merkle.nodes_to_fetch(q for each in requests.values() for q in each))
        try:
            events = [
                LoggedEvent(r.reporter, r.body, r.seq - 1, merkle.assemble(requests[r.seq], hashes)) for r in rows
            ]
        except merkle.ProofError as exc:
            raise StoreError(
                f"cannot prove the events of lot {lot!r} included: {exc}; run `reetrace log verify`"
            ) from None
        log_key = log_keys.verifiers(conn).get(key_id)
        if log_key is None:
            raise StoreError(f"the checkpoint of size {size} is signed by key {key_id}, which the store does not know")
    return _Gathered(trace, events, size, log_key)


def enterprise_names(store: Store, usccs: Iterable[str]) -> dict[str, str]:
    """Registered names (English where given, then the legal name) for a printable certificate."""
    with store.reading() as conn:
        return repo.enterprise_names(conn, usccs)


def signing_key(store: Store, certificate: Mapping[str, Any]) -> str | None:
    """The verifier key of the log key that signed a certificate's checkpoint, if the store knows it."""
    with store.reading() as conn:
        keys = list(log_keys.verifiers(conn).values())
    for key in keys:
        try:
            open_checkpoint(certificate["checkpoint"], key)
        except NoteError:
            continue
        return key.verifier_key()
    return None


def open_redacted(
    store: Store, settings: Settings, certificate: Mapping[str, Any], leaf_index: int, paths: list[str] | None = None
) -> dict[str, Any]:
    """For an auditor: the values and salts behind the commitments of one redacted event of a
    certificate (all of them, or those of `paths`), `reetrace/redaction-opening@1`. Only the
    log's operator can make one: the salts come from the key that signed the redaction."""
    entry = next(
        (e for e in certificate.get("redacted") or () if isinstance(e, dict) and e.get("leaf_index") == leaf_index),
        None,
    )
    if entry is None:
        raise UsageError(f"the certificate redacts no event at leaf {leaf_index}")
    signature = unb64(entry.get("signature"))
    if signature is None or len(signature) < 4:
        raise UsageError(f"the redacted event at leaf {leaf_index} carries no signature")
    with store.reading() as conn:
        logged = repo.event_at_leaf(conn, leaf_index)
        key = log_keys.verifiers(conn).get(signature[:4].hex())
    if logged is None or key is None:
        raise NotFound(f"the log holds no event at leaf {leaf_index} redacted by one of its keys")
    signer = log_keys.signer_of(settings.log_keys_path(), key.key_id.hex(), key.name)
    try:
        document = opening(signer, logged[0], logged[1], leaf_index, paths)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if document["leaf_hash"] != entry.get("leaf_hash"):
        raise InvalidInput(f"leaf {leaf_index} of the log is not the event the certificate redacts")
    return document
