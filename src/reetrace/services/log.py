"""Use cases on the transparency log (docs/contract.md §8): checkpoints, proofs, full verification."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.errors import NotFound, StoreError, UsageError
from reetrace.ledger import merkle, receipts
from reetrace.ledger.note import Checkpoint, NoteError, open_checkpoint, sign_note
from reetrace.services import log_keys
from reetrace.services.access_log import note_change
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.log_repo import checkpoint_note, event_leaf, frontier, log_size, node_hashes, receipt_head
from reetrace.store.timefmt import to_utc_text

INCLUSION_FORMAT = "reetrace/inclusion-proof@1"
CONSISTENCY_FORMAT = "reetrace/consistency-proof@1"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def verifier_key(store: Store, settings: Settings) -> str:
    """The current verifier key, `<origin>+<hex id>+<base64(0x01 || public key)>` (made on first use)."""
    with store.writing() as conn:
        return log_keys.current_signer(conn, settings.log_keys_path(), settings.log_origin).verifier_key()


def rotate_key(store: Store, settings: Settings, *, actor: Actor | None = None) -> str:
    with store.writing() as conn:
        key = log_keys.rotate(conn, settings.log_keys_path(), settings.log_origin).verifier_key()
        note_change(conn, actor, "log key rotate", None, key)
        return key


def _latest(conn: Connection):
    return conn.execute(select(t.checkpoints).order_by(t.checkpoints.c.size.desc(), t.checkpoints.c.id.desc())).first()


def _proof_nodes(conn: Connection, requests: list[merkle.NodeRequest]) -> list[bytes]:
    return merkle.assemble(requests, node_hashes(conn, merkle.nodes_to_fetch(requests)))


def publish_checkpoint(store: Store, settings: Settings, *, actor: Actor | None = None) -> str:
    """Sign a checkpoint of the log as it stands, unless the latest already covers it; returns
    the latest signed note. A new checkpoint is signed only after its consistency with the
    previous one has been proven from the stored tree. One signed at `actor`'s request is
    written to the access log with it."""
    with store.writing() as conn:
        size = log_size(conn)
        latest = _latest(conn)
        if latest is not None and latest.size >= size:
            return latest.note
        root = frontier(conn, size).root()
        if latest is not None and latest.size > 0:
            proof = _proof_nodes(conn, merkle.consistency_proof_nodes(latest.size, size))
            try:
                merkle.verify_consistency(latest.size, size, proof, bytes(latest.root_hash), root)
            except merkle.ProofError as exc:
                raise StoreError(
                    f"refusing to sign: the log of {size} leaves is not consistent with the "
                    f"checkpoint of {latest.size} ({exc}); run `reetrace log verify`"
                ) from None
        signer = log_keys.current_signer(conn, settings.log_keys_path(), settings.log_origin)
        count, head = receipt_head(conn)
        checkpoint = Checkpoint(settings.log_origin, size, root, (receipts.extension_line(count, head),))
        note = sign_note(checkpoint.to_text(), signer)
        conn.execute(
            insert(t.checkpoints).values(
                size=size,
                root_hash=root,
                key_id=signer.key_id.hex(),
                signed_at=to_utc_text(datetime.now().astimezone()),
                note=note,
            )
        )
        note_change(conn, actor, "log checkpoint", None, f"size {size}")
        return note


def latest_checkpoint(store: Store, settings: Settings) -> str:
    with store.reading() as conn:
        latest = _latest(conn)
    return latest.note if latest is not None else publish_checkpoint(store, settings)


def inclusion_proof(store: Store, settings: Settings, event_ref: str, size: int | None = None) -> dict[str, Any]:
    """Inclusion proof of "<USCC>:<event_id>" in the tree of `size` leaves (default: the latest
    checkpoint), with the checkpoint of that size when the log signed one. One read
    transaction, O(log n) stored hashes."""
    reporter, sep, event_id = event_ref.partition(":")
    if not sep:
        raise UsageError(f"an event is named <USCC>:<event_id>, not {event_ref!r}")
    for attempt in (1, 2):
        with store.reading() as conn:
            found = event_leaf(conn, reporter, event_id)
            if found is None:
                raise NotFound(f"event {event_ref} is not in the ledger")
            seq, leaf = found
            checkpoint = checkpoint_note(conn, size)
            if size is None and checkpoint is None and attempt == 1:
                continue  # nothing signed yet: sign the log as it stands, then prove against it
            tree_size = size if size is not None else (checkpoint[0] if checkpoint is not None else 0)
            if size is not None and size > log_size(conn) or tree_size < seq or leaf is None:
                raise UsageError(f"event {event_ref} is leaf {seq - 1}, not in a tree of {tree_size} leaves")
            proof = _proof_nodes(conn, merkle.inclusion_proof_nodes(seq - 1, tree_size))
            leaf_hash = b64(leaf)
            break
        publish_checkpoint(store, settings)
    return {
        "format": INCLUSION_FORMAT,
        "event": event_ref,
        "leaf_index": seq - 1,
        "tree_size": tree_size,
        "leaf_hash": leaf_hash,
        "proof": [b64(p) for p in proof],
        "checkpoint": checkpoint[1] if checkpoint is not None else None,
    }


def consistency_proof(store: Store, size1: int, size2: int) -> dict[str, Any]:
    with store.reading() as conn:
        size = log_size(conn)
        if not 0 < size1 <= size2 <= size:
            raise UsageError(f"need 0 < OLD <= NEW <= {size} (the log's size), not {size1} and {size2}")
        proof = _proof_nodes(conn, merkle.consistency_proof_nodes(size1, size2))
    return {"format": CONSISTENCY_FORMAT, "size1": size1, "size2": size2, "proof": [b64(p) for p in proof]}


@dataclass
class LogVerification:
    leaves: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_log(store: Store, progress=None) -> LogVerification:
    """Recompute the tree from the stored events and check every stored leaf, subtree hash and
    signed checkpoint. Names the first leaf that differs."""
    result = LogVerification()
    with store.reading() as conn:
        keys = log_keys.verifiers(conn)
        stored_size = log_size(conn)
        total = conn.scalar(select(func.count()).select_from(t.events)) or 0
        checkpoints = list(conn.execute(select(t.checkpoints).order_by(t.checkpoints.c.size, t.checkpoints.c.id)))
        nodes = {(r.level, r.idx): bytes(r.hash) for r in conn.execute(select(t.log_nodes))}
        compact = merkle.CompactRange()
        pending = iter(checkpoints)
        due = next(pending, None)
        while due is not None and due.size == 0:
            _check_checkpoint(result, due, merkle.EMPTY_ROOT, keys)
            due = next(pending, None)
        expected_seq = 1
        rows = conn.execution_options(yield_per=20_000).execute(
            select(t.events.c.seq, t.events.c.reporter, t.events.c.event_id, t.events.c.body, t.events.c.leaf).order_by(
                t.events.c.seq
            )
        )
        for row in rows:
            index = expected_seq - 1
            if row.seq != expected_seq:
                result.problems.append(
                    f"leaf {index}: expected event number {expected_seq}, found {row.seq} "
                    f"({row.reporter}:{row.event_id}): an accepted event was removed or one was inserted"
                )
                break
            leaf = merkle.leaf_hash(merkle.leaf_data(row.reporter, row.body))
            if row.leaf is None:
                result.problems.append(
                    f"leaf {index} ({row.reporter}:{row.event_id}): the event has no leaf in "
                    "the log: it was inserted outside an ingest"
                )
                break
            if bytes(row.leaf) != leaf:
                result.problems.append(
                    f"leaf {index} ({row.reporter}:{row.event_id}): the event differs from "
                    "what was logged: it was changed or moved"
                )
                break
            for level, idx, digest in compact.append(leaf):
                if level and nodes.get((level, idx), digest) != digest:
                    first = idx << level
                    result.problems.append(
                        f"leaf {first}: the subtree of leaves {first}–{((idx + 1) << level) - 1} no longer hashes "
                        "to what was logged: events in it were changed, reordered or replaced"
                    )
                    break
            if result.problems:
                break
            expected_seq += 1
            while due is not None and due.size == compact.size:
                _check_checkpoint(result, due, compact.root(), keys)
                due = next(pending, None)
            if result.problems:
                break
            if progress and expected_seq % 10_000 == 0:
                progress(expected_seq - 1, total)
        result.leaves = compact.size
        result.checkpoints = len(checkpoints)
        if not result.problems:
            _verify_receipts(conn, checkpoints, keys, result)
        if not result.problems:
            if compact.size != stored_size:
                result.problems.append(
                    f"leaf {compact.size}: the log has {stored_size} leaves, the ledger "
                    f"{compact.size} events: accepted events were removed"
                )
            elif due is not None:
                result.problems.append(
                    f"checkpoint of size {due.size} is beyond the {compact.size} events held: "
                    f"leaf {compact.size} onward was removed"
                )
    return result


def _check_checkpoint(result: LogVerification, row, root: bytes, keys) -> None:
    verifier = keys.get(row.key_id)
    if verifier is None:
        result.problems.append(f"checkpoint of size {row.size}: signed by unknown key {row.key_id}")
        return
    try:
        checkpoint = open_checkpoint(row.note, verifier)
    except NoteError as exc:
        result.problems.append(f"checkpoint of size {row.size}: its signature does not verify ({exc})")
        return
    if checkpoint.size != row.size or checkpoint.root_hash != root or bytes(row.root_hash) != root:
        result.problems.append(
            f"checkpoint of size {row.size}: the tree recomputed from the events has another "
            "root: the log was rewritten before this size"
        )


def _verify_receipts(conn: Connection, checkpoints: list, keys, result: LogVerification) -> None:
    """Recompute the receipt chain, check it against every signed checkpoint, and check that
    every event carries its submission's time of receipt."""
    signed: dict[int, bytes] = {}
    for row in checkpoints:
        verifier = keys.get(row.key_id)
        checkpoint = open_checkpoint(row.note, verifier) if verifier else None
        found = receipts.parse_extension(checkpoint.extensions) if checkpoint else None
        if found:
            signed[found[0]] = found[1]
    chain, count = receipts.GENESIS, 0
    for sub in conn.execute(
        select(
            t.submissions.c.id,
            t.submissions.c.digest,
            t.submissions.c.reporter,
            t.submissions.c.received_at,
            t.submissions.c.chain,
        ).order_by(t.submissions.c.id)
    ):
        chain = receipts.link(chain, sub.digest, sub.reporter, sub.received_at)
        count += 1
        if sub.chain is None or bytes(sub.chain) != chain or signed.get(count, chain) != chain:
            result.problems.append(
                f"submission {sub.id} ({sub.reporter}, received {sub.received_at}): its receipt "
                "does not match the signed receipt chain: its time of receipt or the "
                "submissions before it were changed"
            )
            return
    moved = conn.execute(
        select(t.events.c.seq, t.events.c.reporter, t.events.c.event_id)
        .join(t.submissions, t.submissions.c.id == t.events.c.submission_id)
        .where(t.events.c.received_at != t.submissions.c.received_at)
        .order_by(t.events.c.seq)
        .limit(1)
    ).first()
    if moved is not None:
        result.problems.append(
            f"leaf {moved.seq - 1} ({moved.reporter}:{moved.event_id}): its time of receipt "
            "differs from its submission's: it was back-dated or post-dated"
        )
