"""The transparency log's storage: complete subtree hashes, appended with the events.

Every perfect subtree the log completes is stored once (`log_nodes`), so the root of any size
and any inclusion or consistency proof is assembled from O(log n) stored hashes read in one
query, never by rebuilding the tree. Rows are only ever inserted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, func, or_, select

from reetrace.ledger.merkle import CompactRange, NodeId, perfect_subtrees
from reetrace.store import tables as t
from reetrace.store.bulk import insert_rows

NODE_COLUMNS = ("level", "idx", "hash")


def log_size(conn: Connection) -> int:
    """Leaves in the log: the events that have one."""
    last = conn.scalar(select(func.max(t.events.c.seq)).where(t.events.c.leaf.is_not(None)))
    return last or 0


def node_hashes(conn: Connection, nodes: Iterable[NodeId]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of these perfect subtrees (leaves from `events`), in at most two queries."""
    wanted = sorted(set(nodes))
    found: dict[tuple[int, int], bytes] = {}
    leaves = [n for n in wanted if n[0] == 0]
    inner = [n for n in wanted if n[0] > 0]
    for i in range(0, len(leaves), 500):
        seqs = [n[1] + 1 for n in leaves[i:i + 500]]
        for seq, leaf in conn.execute(select(t.events.c.seq, t.events.c.leaf).where(t.events.c.seq.in_(seqs))):
            if leaf is not None:
                found[(0, seq - 1)] = bytes(leaf)
    for i in range(0, len(inner), 200):
        chunk = inner[i:i + 200]
        condition = or_(*(and_(t.log_nodes.c.level == n[0], t.log_nodes.c.idx == n[1]) for n in chunk))
        for row in conn.execute(select(t.log_nodes.c.level, t.log_nodes.c.idx, t.log_nodes.c.hash).where(condition)):
            found[(row.level, row.idx)] = bytes(row.hash)
    return found


def frontier(conn: Connection, size: int) -> CompactRange:
    nodes = perfect_subtrees(size)
    hashes = node_hashes(conn, nodes)
    missing = [n for n in nodes if (n.level, n.index) not in hashes]
    if missing:
        raise LookupError(f"the log is missing subtree hashes {missing[:3]} of a tree of {size} leaves")
    return CompactRange.from_nodes(size, [hashes[(n.level, n.index)] for n in nodes])


def append_leaves(conn: Connection, size: int, leaves: Sequence[bytes]) -> CompactRange:
    """Append leaf hashes to a log of `size` leaves (the leaves themselves are written with their
    events); store every larger subtree they complete."""
    compact = frontier(conn, size)
    rows = []
    for leaf in leaves:
        rows.extend(node for node in compact.append(leaf) if node.level)
    insert_rows(conn, t.log_nodes, NODE_COLUMNS, rows)
    return compact
