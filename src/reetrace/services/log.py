"""Use cases on the transparency log (docs/contract.md §8): its key, checkpoints and proofs.

When checkpoints are signed: every checkpoint covers the whole log and the head of every chain
(the receipt chain and the chained tables, reetrace.ledger.chains), and a new one is signed
whenever either moved since the latest, never otherwise:

- after every ingest that added events (the CLI's and the API's);
- after every command of the CLI, and every API request with a method that may change
  something (POST, PUT, PATCH, DELETE), that moved the log or a chain (`seal`: a few index
  look-ups when nothing moved);
- periodically while `reetrace serve` runs (reads leave entries in the access log);
- when the store is opened (the CLI's store, the server's application): a process that crashed
  between a commit and its checkpoint leaves the next one to cover what it committed;
- when a proof or the latest checkpoint is asked for.

The verification of the whole store (`log verify`) is reetrace.services.verify.
"""

from __future__ import annotations

import base64
import threading
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.errors import NotFound, ReetraceError, StoreError, UsageError
from reetrace.ledger import chains, merkle, receipts
from reetrace.ledger.note import Checkpoint, NoteError, sign_note
from reetrace.services import log_keys
from reetrace.services.access_log import note_change
from reetrace.services.verify import Verification, verify_store
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.log_repo import (
    checkpoint_extensions,
    checkpoint_note,
    event_leaf,
    frontier,
    heads_moved,
    log_size,
    node_hashes,
)
from reetrace.store.timefmt import from_utc_text, to_utc_text

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


def publish_checkpoint(store: Store, settings: Settings) -> str:
    """Sign a checkpoint of the log and the chains as they stand, unless the latest already
    covers them (same size, same extension lines); returns the latest signed note. A new
    checkpoint is signed only after proving it consistent with the previous one: the stored tree
    from the previous size, and each chain (and the receipt chain) still passing through the
    head the previous one signed. Checkpoints are the log's own housekeeping, signed whenever
    something moved, whoever asks: signing one is no one's change in the access log."""
    written = store.commits.count
    with store.reading() as conn:  # the common case, nothing moved, without the write lock
        latest = _latest(conn)
        if latest is not None and _covers(latest.note, log_size(conn), checkpoint_extensions(conn)):
            covered(store, written)
            return latest.note
    return _sign_now(store, settings)


def seal(
    store: Store, settings: Settings, spacing: timedelta | None = None, *, made: Sequence[int] | None = None
) -> str | None:
    """`publish_checkpoint` in passing, where a command or a request has changed the store, or
    the store is opened (after a crash, the last commit may not be checkpointed yet): nothing is
    signed for a store that holds nothing yet, and a checkpoint that cannot be signed (the key is
    out of reach, the store no longer agrees with the last checkpoint) is not the caller's
    failure: the reason is returned, for a warning.

    `spacing`: when only chains moved (the log did not grow) and the latest checkpoint is younger
    than this, nothing is signed now: the next one (the server's periodic one at the latest)
    covers them. A flood of requests that each leave an entry (failed logins, rejected
    submissions) then signs one checkpoint every `spacing`, not one each.

    `made`: only these commits of this process (`Store.commits`; the server's request) are to
    be sealed: when a checkpoint already covers them (that of the group they were written in),
    nothing is read. Other writes are sealed by their own process, or by a call without it."""
    if made is not None and sealed(store, made):
        return None
    written = store.commits.count  # what this process had committed before looking
    try:
        with store.reading() as conn:
            size = log_size(conn)
            extensions = checkpoint_extensions(conn)
            latest = _latest(conn)
            if latest is None and size == 0 and _lengths(extensions) == {0}:
                return None  # nothing committed yet
            if latest is not None and _covers(latest.note, size, extensions):
                covered(store, written)
                return None
            if spacing is not None and latest is not None and latest.size == size:
                if datetime.now(UTC) - from_utc_text(latest.signed_at) < spacing:
                    return None
        _sign_now(store, settings)
    except (ReetraceError, OSError) as exc:
        return f"no checkpoint signed: {exc}"
    return None


def sign_within(store: Store, conn: Connection, settings: Settings) -> int | None:
    """Sign a checkpoint in the caller's write transaction (`Store.writing`), covering what it
    wrote: a group of submissions and its checkpoint commit together, or neither. Returns the
    number the transaction will have once committed, for `covered` to be told after its commit
    (None: no checkpoint covers it, the log having fewer leaves than the latest one signed)."""
    ours = store.commits.count + 1  # the write lock is held until this transaction is numbered
    _, covers = _sign(conn, settings)
    return ours if covers else None


def covered(store: Store, written: int) -> None:
    """This process's commits up to `written` are covered by a checkpoint committed since."""
    with _sealed_lock:
        _sealed[store] = max(written, _sealed.get(store, 0))


def _sign_now(store: Store, settings: Settings) -> str:
    """`_sign` in a transaction of its own, noting which of this process's commits it covers."""
    with store.writing(numbered=False) as conn:
        written = store.commits.count  # under the write lock: every commit numbered is visible
        note, covers = _sign(conn, settings)
    if covers:
        covered(store, written)
    return note


# per store, the highest of this process's commits (`Store.commits`) that a checkpoint is known
# to cover: every commit numbered up to it committed before that checkpoint read the store
_sealed: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()
_sealed_lock = threading.Lock()


def sealed(store: Store, made: Sequence[int]) -> bool:
    """Whether a checkpoint is known to cover these commits of this process (`Store.commits`),
    without reading anything."""
    return not made or max(made) <= _sealed.get(store, 0)


def _lengths(extensions: tuple[str, ...]) -> set[int]:
    """The lengths of the receipt chain and of every chain that extension lines carry."""
    found = receipts.parse_extension(extensions)
    lengths = {length for length, _ in chains.parse_extensions(extensions).values()}
    return lengths | ({found[0]} if found else set())


def _covers(note: str, size: int, extensions: tuple[str, ...]) -> bool:
    """Whether a checkpoint the log signed says this size and these extension lines."""
    checkpoint = peek(note)
    return checkpoint.size == size and checkpoint.extensions == extensions


def peek(note: str) -> Checkpoint:
    """The checkpoint in a note this log signed and stored (its signature is not checked here)."""
    try:
        return Checkpoint.parse(note[: note.rfind("\n\n") + 1])
    except NoteError as exc:
        raise StoreError(f"the latest stored checkpoint is not one ({exc}); run `reetrace log verify`") from None


def _sign(conn: Connection, settings: Settings) -> tuple[str, bool]:
    """Under the write lock: sign a checkpoint of the store as it stands unless the latest covers
    it. The latest signed note, and whether it covers the store as it stands."""
    size = log_size(conn)
    extensions = checkpoint_extensions(conn)
    latest = _latest(conn)
    if latest is not None and latest.size > size:
        return latest.note, False  # never a smaller tree: `log verify` says what was removed
    if latest is not None and _covers(latest.note, size, extensions):
        return latest.note, True
    root = frontier(conn, size).root()
    if latest is not None:
        if latest.size > 0:
            proof = _proof_nodes(conn, merkle.consistency_proof_nodes(latest.size, size))
            try:
                merkle.verify_consistency(latest.size, size, proof, bytes(latest.root_hash), root)
            except merkle.ProofError as exc:
                raise StoreError(
                    f"refusing to sign: the log of {size} leaves is not consistent with the "
                    f"checkpoint of {latest.size} ({exc}); run `reetrace log verify`"
                ) from None
        moved = heads_moved(conn, peek(latest.note).extensions)
        if moved:
            raise StoreError(
                f"refusing to sign: {moved}, unlike what the checkpoint of size {latest.size} signed; "
                "run `reetrace log verify`"
            )
    signer = log_keys.current_signer(conn, settings.log_keys_path(), settings.log_origin)
    note = sign_note(Checkpoint(settings.log_origin, size, root, extensions).to_text(), signer)
    conn.execute(
        insert(t.checkpoints).values(
            size=size,
            root_hash=root,
            key_id=signer.key_id.hex(),
            signed_at=to_utc_text(datetime.now().astimezone()),
            note=note,
        )
    )
    return note, True


def latest_checkpoint(store: Store, settings: Settings) -> str:
    """The latest signed checkpoint, signed first if the log or a chain moved since."""
    return publish_checkpoint(store, settings)


def inclusion_proof(store: Store, settings: Settings, event_ref: str, size: int | None = None) -> dict[str, Any]:
    """Inclusion proof of "<USCC>:<event_id>" in the tree of `size` leaves (default: the latest
    checkpoint), with the checkpoint of that size when the log signed one. One read
    transaction, O(log n) stored hashes."""
    if ":" not in event_ref:
        raise UsageError(f"an event is named <USCC>:<event_id>, not {event_ref!r}")
    with store.reading() as conn:
        document = _inclusion(conn, event_ref, size, wait_for_checkpoint=size is None)
    if document is None:  # nothing signed yet, or a crash before signing: sign one, then prove
        publish_checkpoint(store, settings)
        with store.reading() as conn:
            document = _inclusion(conn, event_ref, size, wait_for_checkpoint=False)
    if document is None:
        raise StoreError(f"no signed checkpoint covers event {event_ref}; run `reetrace log verify`")
    return document


def _inclusion(conn: Connection, event_ref: str, size: int | None, wait_for_checkpoint: bool) -> dict[str, Any] | None:
    """The proof document, or None when `wait_for_checkpoint` and no checkpoint covers the event."""
    reporter, _, event_id = event_ref.partition(":")
    found = event_leaf(conn, reporter, event_id)
    if found is None:
        raise NotFound(f"event {event_ref} is not in the ledger")
    seq, leaf = found
    checkpoint = checkpoint_note(conn, size)
    if wait_for_checkpoint and (checkpoint is None or checkpoint[0] < seq):
        return None
    tree_size = size if size is not None else checkpoint[0] if checkpoint is not None else 0
    if size is not None and size > log_size(conn) or tree_size < seq or leaf is None:
        raise UsageError(f"event {event_ref} is leaf {seq - 1}, not in a tree of {tree_size} leaves")
    proof = _proof_nodes(conn, merkle.inclusion_proof_nodes(seq - 1, tree_size))
    return {
        "format": INCLUSION_FORMAT,
        "event": event_ref,
        "leaf_index": seq - 1,
        "tree_size": tree_size,
        "leaf_hash": b64(leaf),
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


def verify_log(store: Store, progress=None, settings: Settings | None = None) -> Verification:
    """`log verify`: the whole store (reetrace.services.verify)."""
    return verify_store(store, settings, progress=progress)
