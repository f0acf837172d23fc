"""Use case: a provenance certificate for a lot (`reetrace/certificate@1`, see
`reetrace.certificates.bundle`).

The log first signs a checkpoint covering every accepted event (unless the latest already does).
Then one read transaction takes the lot's backward trace, every creating event of every lot in
its backward closure, and their inclusion proofs — all in the tree of one checkpoint: of those
covering the events, the one cosigned by the most witnesses, then the largest. The checkpoint's
note comes with its witnesses' cosignatures (`witnessing.cosigned_checkpoint`). Before it is
handed out, the certificate is verified exactly as a buyer would, with the log's key.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, distinct, exists, func, or_, select

from reetrace.certificates.bundle import LoggedEvent, ancestry, assemble
from reetrace.certificates.verify import verify
from reetrace.config import Settings
from reetrace.domain import trace as tracing
from reetrace.domain.trace import CREATING_TYPES, Creation, LotSource
from reetrace.errors import NotFound, StoreError
from reetrace.ledger import merkle
from reetrace.ledger.note import NoteError, Verifier, open_checkpoint
from reetrace.services import log_keys
from reetrace.services.log import publish_checkpoint
from reetrace.services.witnessing import cosigned_checkpoint
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.log_repo import log_size, node_hashes
from reetrace.store.lot_source import SqlLotSource

ATTEMPTS = 3  # an ingest may land between the checkpoint and the read; sign again and retry
_CHUNK = 500


@dataclass(frozen=True)
class _Gathered:
    trace: dict[str, Any]
    events: list[LoggedEvent]
    size: int
    log_key: Verifier


def certify(store: Store, settings: Settings, lot: str, now: datetime | None = None) -> dict[str, Any]:
    """The certificate for `lot`, anchored to a signed (and, where witnessed, cosigned) checkpoint."""
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
    try:
        certificate = assemble(lot, gathered.trace, gathered.events, note, now or datetime.now().astimezone())
    except ValueError as exc:
        raise StoreError(f"cannot certify lot {lot!r}: {exc}; run `reetrace log verify`") from None
    result = verify(certificate, gathered.log_key)
    if not result.ok:
        raise StoreError(
            f"the certificate for lot {lot!r} would not verify ({result.failures[0]}); run `reetrace log verify`"
        )
    return certificate


def _gather(store: Store, lot: str) -> _Gathered | None:
    """Trace, events and proofs in one read; None when no signed checkpoint covers the events yet."""
    with store.reading() as conn:
        known = conn.scalar(select(or_(exists().where(t.lots.c.lot == lot), exists().where(t.lot_draws.c.lot == lot))))
        if not known:
            raise NotFound(f"lot {lot!r} is not in the ledger")
        source = _Remembering(SqlLotSource(conn))
        trace = tracing.backward(lot, source).as_contract()
        rows = _creating_events(conn, ancestry(lot, source))
        anchor = _anchor(conn, max((r.seq for r in rows), default=0))
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


def _creating_events(conn: Connection, lots: Collection[str]) -> list[Any]:
    """Every extract, import and transform that created one of these lots, in log order."""
    found: dict[int, Any] = {}
    unique = list(lots)
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        seqs = select(t.lots.c.seq).where(t.lots.c.lot.in_(chunk))
        for row in conn.execute(
            select(t.events.c.seq, t.events.c.reporter, t.events.c.body).where(
                t.events.c.seq.in_(seqs), t.events.c.type.in_(CREATING_TYPES)
            )
        ):
            found[row.seq] = row
    return [found[seq] for seq in sorted(found)]


def _anchor(conn: Connection, needed: int) -> tuple[int, str] | None:
    """(size, key id) of the checkpoint to anchor to: covering leaf `needed`, cosigned by the most
    witnesses, then the largest."""
    witnesses = func.count(distinct(t.cosignatures.c.witness))
    row = conn.execute(
        select(t.checkpoints.c.size, t.checkpoints.c.key_id, witnesses.label("witnesses"))
        .select_from(t.checkpoints.outerjoin(t.cosignatures, t.cosignatures.c.checkpoint_id == t.checkpoints.c.id))
        .where(t.checkpoints.c.size >= needed)
        .group_by(t.checkpoints.c.id, t.checkpoints.c.size, t.checkpoints.c.key_id)
        .order_by(witnesses.desc(), t.checkpoints.c.size.desc(), t.checkpoints.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.size, row.key_id)


class _Remembering:
    """A `LotSource` that reads each lot's creation once, for the trace and the closure alike."""

    def __init__(self, source: LotSource) -> None:
        self._source = source
        self._creations: dict[str, Creation | None] = {}

    def creations(self, lots: Collection[str]) -> dict[str, Creation]:
        wanted = [lot for lot in lots if lot not in self._creations]
        if wanted:
            found = self._source.creations(wanted)
            self._creations.update((lot, found.get(lot)) for lot in wanted)
        return {lot: c for lot in lots if (c := self._creations[lot]) is not None}

    def uses(self, lots: Collection[str]) -> dict[str, list[Creation]]:
        return self._source.uses(lots)


def enterprise_names(store: Store, usccs: Iterable[str]) -> dict[str, str]:
    """Registered names (English where given, then the legal name) for a printable certificate."""
    wanted = sorted(set(usccs))
    names: dict[str, str] = {}
    with store.reading() as conn:
        for start in range(0, len(wanted), _CHUNK):
            for row in conn.execute(
                select(t.enterprises.c.uscc, t.enterprises.c.name, t.enterprises.c.name_en).where(
                    t.enterprises.c.uscc.in_(wanted[start : start + _CHUNK])
                )
            ):
                names[row.uscc] = row.name_en or row.name
    return names


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
