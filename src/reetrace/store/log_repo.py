"""The transparency log's storage: complete subtree hashes, appended with the events.

Every perfect subtree of 16 leaves or more the log completes is stored once (`log_nodes`), the
leaves with their events, so the root of any size and any inclusion or consistency proof is
assembled from O(log n) stored hashes in two queries, never by rebuilding the tree. Rows are
only ever inserted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, func, select

from reetrace.ledger import chains as formula
from reetrace.ledger import receipts
from reetrace.ledger.merkle import HASH_SIZE, NODE_PREFIX, CompactRange, NodeId, ProofError, perfect_subtrees
from reetrace.ledger.merkle import root as merkle_root
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.bulk import insert_rows
from reetrace.store.driver import driver_connection

NODE_COLUMNS = ("level", "idx", "hash")
# Subtrees of 16 leaves and more are stored; smaller ones are hashed again from their leaves
# when a proof needs them (at most 14 extra leaves a proof). A sixteenth of the rows to write.
STORED_FROM_LEVEL = 4


def log_size(conn: Connection) -> int:
    """Leaves in the log. Every event is written with its leaf, so this is the last event's
    number; only a store damaged outside an ingest makes it look further."""
    last = conn.execute(select(t.events.c.seq, t.events.c.leaf).order_by(t.events.c.seq.desc()).limit(1)).first()
    if last is None:
        return 0
    if last.leaf is not None:
        return last.seq
    return conn.scalar(select(func.max(t.events.c.seq)).where(t.events.c.leaf.is_not(None))) or 0


def node_hashes(conn: Connection, nodes: Iterable[NodeId]) -> dict[tuple[int, int], bytes]:
    """The hashes of these perfect subtrees: from `log_nodes` for the stored levels, computed
    from the (at most 2**STORED_FROM_LEVEL) leaves below for the lower ones. One statement for
    the leaves and one for the stored subtrees, sent straight to the driver: a proof needs
    O(log n) of them and comes in well under a millisecond."""
    wanted = sorted(set(nodes))
    found: dict[tuple[int, int], bytes] = {}
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    low = [n for n in wanted if n[0] < STORED_FROM_LEVEL]
    stored = [n for n in wanted if n[0] >= STORED_FROM_LEVEL]
    seqs = sorted({leaf + 1 for level, idx in low for leaf in range(idx << level, (idx + 1) << level)})
    leaves: dict[int, bytes] = {}
    cursor = driver_connection(conn).cursor()
    try:
        for i in range(0, len(seqs), 500):
            chunk = seqs[i : i + 500]
            cursor.execute(f"SELECT seq, leaf FROM events WHERE seq IN ({', '.join([mark] * len(chunk))})", chunk)
            leaves.update((seq - 1, bytes(leaf)) for seq, leaf in cursor.fetchall() if leaf is not None)
        for i in range(0, len(stored), 200):
            subtrees = stored[i : i + 200]
            where = " OR ".join([f"(level = {mark} AND idx = {mark})"] * len(subtrees))
            cursor.execute(
                f"SELECT level, idx, hash FROM log_nodes WHERE {where}",
                [v for node in subtrees for v in (node[0], node[1])],
            )
            found.update(((level, idx), bytes(h)) for level, idx, h in cursor.fetchall())
    finally:
        cursor.close()
    for level, idx in low:
        below = [leaves[leaf] for leaf in range(idx << level, (idx + 1) << level) if leaf in leaves]
        if len(below) == 1 << level:  # every leaf under it is stored
            found[(level, idx)] = below[0] if level == 0 else merkle_root(below)
    return found


def frontier(conn: Connection, size: int) -> CompactRange:
    nodes = perfect_subtrees(size)
    hashes = node_hashes(conn, nodes)
    missing = [n for n in nodes if (n.level, n.idx) not in hashes]
    if missing:
        raise LookupError(f"the log is missing subtree hashes {missing[:3]} of a tree of {size} leaves")
    return CompactRange.from_nodes(size, [hashes[(n.level, n.idx)] for n in nodes])


def append_leaves(conn: Connection, size: int, leaves: Sequence[bytes]) -> CompactRange:
    """Append leaf hashes to a log of `size` leaves (the leaves themselves are written with their
    events); store every subtree of STORED_FROM_LEVEL or more levels they complete."""
    start = frontier(conn, size)
    rows, hashes = completed_subtrees(size, start.hashes, leaves)
    insert_rows(conn, t.log_nodes, NODE_COLUMNS, rows)
    return CompactRange.from_nodes(size + len(leaves), hashes)


def completed_subtrees(
    size: int, frontier_hashes: Sequence[bytes], leaves: Sequence[bytes], from_level: int = STORED_FROM_LEVEL
) -> tuple[list[tuple[int, int, bytes]], list[bytes]]:
    """The (level, idx, hash) of every perfect subtree of `from_level` or more levels that
    appending `leaves` to a tree of `size` leaves (frontier `frontier_hashes`) completes, and the
    frontier after them: what `CompactRange.append` gives leaf by leaf, without an object per
    node (a large ingest appends hundreds of thousands)."""
    stack = list(frontier_hashes)
    rows: list[tuple[int, int, bytes]] = []
    sha256 = hashlib.sha256
    for leaf in leaves:
        if type(leaf) is not bytes or len(leaf) != HASH_SIZE:
            if not isinstance(leaf, bytearray) or len(leaf) != HASH_SIZE:
                raise ProofError(f"leaf hash must be {HASH_SIZE} bytes")
            leaf = bytes(leaf)
        if from_level == 0:
            rows.append((0, size, leaf))
        current, pending, level = leaf, size, 0
        while pending & 1:  # each trailing one of the old size is a merge
            current = sha256(NODE_PREFIX + stack.pop() + current).digest()
            pending >>= 1
            level += 1
            if level >= from_level:
                rows.append((level, size >> level, current))
        stack.append(current)
        size += 1
    return rows, stack


def event_leaf(conn: Connection, reporter: str, event_id: str) -> tuple[int, bytes | None] | None:
    """(seq, leaf) of an event, straight from the driver (the hot path of `log prove`)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = driver_connection(conn).cursor()
    try:
        cursor.execute(
            f"SELECT seq, leaf FROM events WHERE reporter = {mark} AND event_id = {mark}", (reporter, event_id)
        )
        row = cursor.fetchone()
    finally:
        cursor.close()
    return None if row is None else (row[0], None if row[1] is None else bytes(row[1]))


def checkpoint_note(conn: Connection, size: int | None) -> tuple[int, str] | None:
    """(size, note) of the latest checkpoint, or of the latest one of exactly `size` leaves."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = driver_connection(conn).cursor()
    try:
        if size is None:
            cursor.execute("SELECT size, note FROM checkpoints ORDER BY size DESC, id DESC LIMIT 1")
        else:
            cursor.execute(f"SELECT size, note FROM checkpoints WHERE size = {mark} ORDER BY id DESC LIMIT 1", (size,))
        row = cursor.fetchone()
    finally:
        cursor.close()
    return None if row is None else (row[0], row[1])


def receipt_head(conn: Connection) -> tuple[int, bytes]:
    """(number of accepted submissions, head of their receipt chain). The ledger's append numbers
    submissions 1, 2, 3 … and never removes one, so the last one's id is their number (a count
    would read every row, and this is asked after every changing request); `log verify` walks
    the chain and says so should a submission be missing."""
    row = conn.execute(
        select(t.submissions.c.id, t.submissions.c.chain).order_by(t.submissions.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return 0, receipts.GENESIS
    return int(row.id), bytes(row.chain) if row.chain else receipts.GENESIS


def checkpoint_extensions(conn: Connection) -> tuple[str, ...]:
    """What a checkpoint signs beside the tree: the receipt chain's line, then one line per
    chained table (reetrace.ledger.chains.extension_lines)."""
    count, head = receipt_head(conn)
    return (receipts.extension_line(count, head), *formula.extension_lines(chains.heads(conn)))


def heads_moved(conn: Connection, extensions: tuple[str, ...]) -> str | None:
    """Whether the receipt chain and every chain still pass through the heads that a checkpoint's
    extension lines carry (they may have grown since); if not, which one no longer does."""
    signed = receipts.parse_extension(extensions)
    if signed is not None and signed[0] > 0:
        count, head = signed
        at = conn.scalar(select(t.submissions.c.chain).where(t.submissions.c.id == count))
        if at is None or bytes(at) != head:
            return f"the receipt chain no longer passes through the head of its {count} receipts"
    signed_heads = {name: at for name, at in formula.parse_extensions(extensions).items() if at[0]}
    found = chains.links_at(conn, {name: length for name, (length, _) in signed_heads.items()})  # one look-up
    for name, (length, head) in signed_heads.items():
        if found.get(name) != head:
            return f"chain {name} no longer passes through the head of its first {length} rows"
    return None
