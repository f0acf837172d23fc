"""Use cases joining the log and a witness: have the latest checkpoint cosigned and keep the
cosignature beside it, so certificates can carry it; read a checkpoint with its cosignatures.

The witness's key and state stay in its own directory; the store only receives the cosignature
lines it returned (append-only: a later cosignature by the same witness supersedes, never
replaces, the earlier row)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, insert, select

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.errors import NotFound, StoreError
from reetrace.ledger.note import Verifier, verify_cosignature
from reetrace.services import log
from reetrace.services.access_log import note_change
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.witness.witness import Clock, Witness, peek, unix_now


@dataclass(frozen=True)
class WitnessResult:
    note: str  # the checkpoint as the log signed it, with this witness's cosignature appended
    size: int
    previous_size: int | None  # the size the witness had cosigned before (None: its first)
    witness_key: str  # the witness's cosignature verifier key
    line: str  # the cosignature line, "— <name> <base64>\n"
    timestamp: int


def witness_log(
    store: Store, settings: Settings, witness_dir: Path, clock: Clock = unix_now, *, actor: Actor | None = None
) -> WitnessResult:
    """Sign a checkpoint of the log as it stands (if it grew), prove it extends the witness's last
    one, have the witness cosign it, and record the cosignature with the checkpoint, written to
    the access log with it, naming `actor`."""
    witness = Witness.open(witness_dir, clock)
    note = log.publish_checkpoint(store, settings)
    checkpoint = peek(note)
    previous = witness.last_size(checkpoint.origin)
    proof: list[bytes] = []
    if previous and previous < checkpoint.size:
        document = log.consistency_proof(store, previous, checkpoint.size)
        proof = [base64.b64decode(p) for p in document["proof"]]
    cosigned = witness.observe(note, proof, old_size=previous or 0)
    line = cosigned[len(note) :]
    witness_key = witness.verifier_key()
    timestamp = verify_cosignature(cosigned, Verifier.from_verifier_key(witness_key))
    with store.writing() as conn:
        checkpoint_id = _checkpoint_id(conn, checkpoint.size, note)
        conn.execute(
            insert(t.cosignatures).values(
                checkpoint_id=checkpoint_id, witness=witness_key, line=line, timestamp=timestamp
            )
        )
        note_change(conn, actor, "witness cosignature", None, f"size {checkpoint.size} by {witness_key}")
    return WitnessResult(cosigned, checkpoint.size, previous, witness_key, line, timestamp)


def cosigned_checkpoint(store: Store, size: int | None = None) -> str:
    """The checkpoint of `size` leaves (default: the latest) as the log signed it, followed by
    the latest cosignature line of every witness that cosigned it (signed-note format)."""
    with store.reading() as conn:
        query = select(t.checkpoints.c.id, t.checkpoints.c.note)
        if size is not None:
            query = query.where(t.checkpoints.c.size == size)
        row = conn.execute(query.order_by(t.checkpoints.c.size.desc(), t.checkpoints.c.id.desc())).first()
        if row is None:
            raise NotFound(
                "the log has signed no checkpoint"
                if size is None
                else f"the log has signed no checkpoint of size {size}"
            )
        lines: dict[str, str] = {}
        for cosignature in conn.execute(
            select(t.cosignatures.c.witness, t.cosignatures.c.line)
            .where(t.cosignatures.c.checkpoint_id == row.id)
            .order_by(t.cosignatures.c.id)
        ):
            lines[cosignature.witness] = cosignature.line
    return row.note + "".join(lines.values())


def _checkpoint_id(conn: Connection, size: int, note: str) -> int:
    checkpoint_id = conn.scalar(
        select(t.checkpoints.c.id)
        .where(t.checkpoints.c.size == size, t.checkpoints.c.note == note)
        .order_by(t.checkpoints.c.id.desc())
        .limit(1)
    )
    if checkpoint_id is None:
        raise StoreError(f"the checkpoint of size {size} the witness cosigned is no longer in the store")
    return checkpoint_id
