"""Use case: verify the whole store (`reetrace log verify`), in one snapshot, in bounded memory.

1. **The events** (docs/contract.md §8): the Merkle tree is recomputed from the stored events in their
   order of acceptance; every leaf, every stored subtree and every signed checkpoint must agree;
   the receipt chain over the submissions' times of receipt is recomputed and checked against
   the checkpoints, and every event must carry its submission's time of receipt. The first leaf
   that differs is named.
2. **What is derived from the events** (reetrace.services.verify_derived): the events' own
   type, time and digest columns, `lots`, `lot_draws`, `event_keys` (and on PostgreSQL the
   identities in `event_ids`) are derived again from the event bodies in the same pass and
   compared; any table and row that differs is named.
3. **The chains** (reetrace.services.verify_chains): every table whose rows must never change
   is checked against its hash chain and the chain against the heads the checkpoints signed.
4. **The stored findings** (reetrace.services.verify_findings), when supervision keeps them:
   compared with a fresh audit as of the same date and thresholds.

The events are read once, in acceptance order; every other table once in whatever order is
cheapest, compared through keyed per-range digests (reetrace.ledger.multiset), and read again
only where a range differs, to name its rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from reetrace.config import Settings
from reetrace.ledger import merkle, receipts
from reetrace.ledger.multiset import RowHasher
from reetrace.ledger.note import Checkpoint, NoteError, Verifier, open_checkpoint
from reetrace.ledger.signing import key_id as signing_key_id
from reetrace.services import log_keys
from reetrace.services.verify_chains import verify_chains
from reetrace.services.verify_derived import DerivedCheck
from reetrace.services.verify_findings import verify_findings
from reetrace.services.verify_helpers import HELP_FROM_EVENTS, Helpers, can_help
from reetrace.store import derived as stored
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.log_repo import STORED_FROM_LEVEL, log_size

Progress = Callable[[int, int], None]


@dataclass
class Verification:
    """What `log verify` checked, and every problem it found (none: the store verifies)."""

    leaves: int = 0
    checkpoints: int = 0
    derived: dict[str, int] = field(default_factory=dict)  # table → rows compared with the events
    chains: dict[str, int] = field(default_factory=dict)  # chained table → links verified
    keys: int = 0  # the registry's signing keys checked
    findings: int | None = None  # stored findings compared with a fresh audit
    notes: list[str] = field(default_factory=list)  # what was not checked, and why
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


LogVerification = Verification  # the name the log's callers know


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A stored checkpoint and what its signature vouches for (None: it does not verify)."""

    id: int
    size: int
    root_hash: bytes
    checkpoint: Checkpoint | None
    problem: str | None

    @property
    def label(self) -> str:
        return f"the checkpoint of size {self.size} (number {self.id})"


def verify_store(
    store: Store,
    settings: Settings | None = None,
    *,
    events_only: bool = False,
    progress: Progress | None = None,
    helpers: bool | None = None,
) -> Verification:
    """Verify the store; `events_only` checks the events, receipts and checkpoints alone (the
    transparency log), not the tables derived from them, the chains or the findings. `helpers`:
    read the derived tables and audit afresh in processes of their own, beside the pass over
    the events (reetrace.services.verify_helpers; default: on a large ledger, where possible)."""
    settings = settings or Settings()
    result = Verification()
    hasher = RowHasher()
    with stored.snapshot(store) as conn:
        signed = _signed_checkpoints(conn)
        result.checkpoints = len(signed)
        derived = None if events_only else DerivedCheck(conn, hasher)
        state = stored.state(conn)
        helping = None
        if derived is not None and (helpers if helpers is not None else _worth_helping(store, state)):
            helping = Helpers(store, settings, hasher.key, derived.tables, stored.share(conn))
        try:
            _verify_events(conn, signed, result, derived, progress)
            if not result.problems:
                _verify_receipts(conn, signed, result)
            if derived is None:
                return result
            _verify_the_rest(conn, settings, signed, result, derived, hasher, helping, state)
        finally:
            if helping is not None:
                helping.close()
    return result


def _worth_helping(store: Store, state: tuple[Any, ...]) -> bool:
    return can_help(store) and (state[0] or 0) >= HELP_FROM_EVENTS


def _verify_the_rest(
    conn: Connection,
    settings: Settings,
    signed: list[SignedCheckpoint],
    result: Verification,
    derived: DerivedCheck,
    hasher: RowHasher,
    helping: Helpers | None,
    state: tuple[Any, ...],
) -> None:
    """The derived tables, the chains and the stored findings, once the events were read."""
    if result.problems:
        result.notes.append("the tables derived from the events were not compared: the events themselves differ")
    else:
        found = helping.digests(state, hasher) if helping is not None else None
        result.derived = derived.finish(result.problems, found)
    result.keys = _verify_keys(conn, result.problems)
    good = [(s.label, s.checkpoint) for s in signed if s.checkpoint is not None]
    if stored.has_table(conn, "chain_links"):
        result.chains = verify_chains(conn, good, hasher, result.problems)
    else:
        result.notes.append("no chains to check: the store is at a revision before them")
    if result.problems:
        result.notes.append("the stored findings were not compared: the store differs already")
        return
    audited = helping.findings(state) if helping is not None else None
    if audited is None:
        result.findings = verify_findings(conn, settings, result.problems, result.notes)
    else:
        problems, notes, result.findings = audited
        result.problems.extend(problems)
        result.notes.extend(notes)


def _verify_keys(conn: Connection, problems: list[str]) -> int:
    """The registry's signing keys: each is the key its id names (the id is a digest of the key,
    docs/contract.md §1), and every accepted submission's key is still registered to its reporter (keys
    are only ever added or revoked). Returns the keys checked."""
    keys = stored.signing_keys(conn)
    for key, uscc, public_key in keys:
        if signing_key_id(public_key) != key:
            problems.append(
                f"signing_keys: key {key} of {uscc}: its public key is not the one its id names: it was replaced"
            )
    for sub, reporter, key in stored.submissions_without_their_key(conn, limit=20):
        problems.append(
            f"signing_keys: submission {sub} of {reporter} was signed with key {key}, which the registry no "
            "longer holds for that enterprise: the key was deleted or given to another"
        )
    return len(keys)


def _signed_checkpoints(conn: Connection) -> list[SignedCheckpoint]:
    keys = log_keys.verifiers(conn)
    out = []
    for row in conn.execute(select(t.checkpoints).order_by(t.checkpoints.c.size, t.checkpoints.c.id)):
        checkpoint, problem = _open(row, keys.get(row.key_id))
        out.append(SignedCheckpoint(row.id, row.size, bytes(row.root_hash), checkpoint, problem))
    return out


def _open(row: Any, verifier: Verifier | None) -> tuple[Checkpoint | None, str | None]:
    if verifier is None:
        return None, f"checkpoint of size {row.size}: signed by unknown key {row.key_id}"
    try:
        return open_checkpoint(row.note, verifier), None
    except NoteError as exc:
        return None, f"checkpoint of size {row.size}: its signature does not verify ({exc})"


def _verify_events(
    conn: Connection,
    signed: list[SignedCheckpoint],
    result: Verification,
    derived: DerivedCheck | None,
    progress: Progress | None,
) -> None:
    """Recompute the tree from the stored events and check every stored leaf, subtree hash and
    signed checkpoint; names the first leaf that differs. Each event also goes to `derived`."""
    problems = result.problems
    stored_size = log_size(conn)
    total = conn.scalar(select(func.max(t.events.c.seq))) or 0
    nodes = stored.tree_nodes(conn)  # in the order the leaves complete them, as they are met here
    node = next(nodes, None)
    frontier: list[bytes] = []  # the hashes of the tree's perfect subtrees, as in merkle.CompactRange
    size = 0
    pending = iter(signed)
    due = next(pending, None)
    while due is not None and due.size == 0:
        _check_checkpoint(problems, due, merkle.EMPTY_ROOT)
        due = next(pending, None)
    sha256, leaf_prefix, node_prefix = hashlib.sha256, merkle.LEAF_PREFIX, merkle.NODE_PREFIX
    for seq, reporter, event_id, type_, time, digest, body, leaf in stored.events(conn):
        if seq != size + 1:
            problems.append(
                f"leaf {size}: expected event number {size + 1}, found {seq} "
                f"({reporter}:{event_id}): an accepted event was removed or one was inserted"
            )
            break
        try:
            recomputed = sha256(leaf_prefix + merkle.leaf_data(reporter, body)).digest()
        except (AttributeError, TypeError, UnicodeError):  # not text where text belongs
            problems.append(f"leaf {size} ({reporter!r}:{event_id!r}): the event's row cannot be read: it was changed")
            break
        if leaf is None:
            problems.append(
                f"leaf {size} ({reporter}:{event_id}): the event has no leaf in "
                "the log: it was inserted outside an ingest"
            )
            break
        if bytes(leaf) != recomputed:
            problems.append(
                f"leaf {size} ({reporter}:{event_id}): the event differs from what was logged: it was changed or moved"
            )
            break
        # append the leaf: each trailing one bit of the size merges two subtrees into one, which
        # must be the one stored when it is of a stored level
        current, bits, level = recomputed, size, 0
        while bits & 1:
            current = sha256(node_prefix + frontier.pop() + current).digest()
            bits >>= 1
            level += 1
            if level < STORED_FROM_LEVEL:
                continue
            while node is not None and (node[1] + 1 << node[0], node[0]) < (size + 1, level):
                node = next(nodes, None)  # a node of no such subtree: never read by a proof
            first = (size >> level) << level
            if node is None or (node[0], node[1]) != (level, size >> level):
                problems.append(
                    f"leaf {first}: the stored hash of the subtree of leaves {first}–{first + (1 << level) - 1} "
                    "is missing: it was deleted, and no proof through it can be made"
                )
                break
            if bytes(node[2]) != current:
                problems.append(
                    f"leaf {first}: the subtree of leaves {first}–{first + (1 << level) - 1} no longer hashes "
                    "to what was logged: events in it were changed, reordered or replaced"
                )
                break
        if problems:
            break
        frontier.append(current)
        size += 1
        if derived is not None:
            derived.add_event(seq, reporter, event_id, type_, time, digest, body)
        while due is not None and due.size == size:
            _check_checkpoint(problems, due, merkle.CompactRange.from_nodes(size, frontier).root())
            due = next(pending, None)
        if problems:
            break
        if progress and size % 10_000 == 0:
            progress(size, total)
    result.leaves = size
    if problems:
        return
    if size != stored_size:
        problems.append(
            f"leaf {size}: the log has {stored_size} leaves, the ledger {size} events: accepted events were removed"
        )
    elif due is not None:
        problems.append(
            f"checkpoint of size {due.size} is beyond the {size} events held: leaf {size} onward was removed"
        )


def _check_checkpoint(problems: list[str], signed: SignedCheckpoint, root: bytes) -> None:
    if signed.checkpoint is None:
        problems.append(signed.problem or f"checkpoint of size {signed.size}: does not verify")
        return
    if signed.checkpoint.size != signed.size or signed.checkpoint.root_hash != root or signed.root_hash != root:
        problems.append(
            f"checkpoint of size {signed.size}: the tree recomputed from the events has another "
            "root: the log was rewritten before this size"
        )


def _verify_receipts(conn: Connection, signed: Iterable[SignedCheckpoint], result: Verification) -> None:
    """Recompute the receipt chain, check it against every signed checkpoint, and check that
    every event carries its submission's time of receipt."""
    heads: dict[int, bytes] = {}
    for s in signed:
        found = receipts.parse_extension(s.checkpoint.extensions) if s.checkpoint else None
        if found:
            heads[found[0]] = found[1]
    chain, count = receipts.GENESIS, 0
    c = t.submissions.c
    for sub in conn.execute(select(c.id, c.digest, c.reporter, c.received_at, c.chain).order_by(c.id)):
        chain = receipts.link(chain, sub.digest, sub.reporter, sub.received_at)
        count += 1
        if sub.chain is None or bytes(sub.chain) != chain or heads.get(count, chain) != chain:
            result.problems.append(
                f"submission {sub.id} ({sub.reporter}, received {sub.received_at}): its receipt "
                "does not match the signed receipt chain: its time of receipt or the "
                "submissions before it were changed"
            )
            return
    beyond = [n for n in heads if n > count]
    if beyond:
        result.problems.append(
            f"submission {count + 1}: a checkpoint signed {max(beyond)} receipts, the store holds {count}: "
            "accepted submissions were removed"
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
