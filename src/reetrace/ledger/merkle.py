"""RFC 9162 §2.1 Merkle trees over SHA-256: hashes, proofs and their verification.

Pure functions and one small class. Trees are addressed by *perfect subtrees*: the node
``(level, index)`` is the root of the perfect subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 is a leaf hash. Once complete such a node
never changes, so a store can persist each one as it completes (`CompactRange.append`) and answer
any proof with O(log n) reads (`inclusion_proof_nodes`, `consistency_proof_nodes`, `assemble`)
without rebuilding the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof that does not verify, or a proof asked for something the tree does not hold."""


class NodeId(NamedTuple):
    """The perfect subtree over leaves [idx * 2**level, (idx + 1) * 2**level). (Not `index`:
    that would hide the tuple's own method.)"""

    level: int
    idx: int


class NodeHash(NamedTuple):
    level: int
    idx: int
    hash: bytes


# One proof element: the perfect subtrees whose hashes, folded right to left with `node_hash`,
# give the element (a single node when the element is itself a perfect subtree).
NodeRequest = tuple[NodeId, ...]


def leaf_data(reporter: str, event_json: str) -> bytes:
    """The log's leaf for an event (docs/contract.md §8): the RFC 8785 bytes of {"reporter", "event"}.
    `event_json` is the event's canonical JSON and a USCC needs no escaping, so the object is
    written directly, keys in JCS order."""
    return b'{"event":' + event_json.encode("utf-8") + b',"reporter":"' + reporter.encode("ascii") + b'"}'


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the leaves, level by level: an unpaired last node moves up unchanged."""
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def perfect_subtrees(size: int) -> list[NodeId]:
    """The perfect subtrees making up a tree of `size` leaves, left to right (its frontier)."""
    return list(_range_nodes(0, _check_size(size)))


class CompactRange:
    """The frontier of a tree: the hashes of its perfect subtrees, enough to append and hash it."""

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @classmethod
    def from_nodes(cls, size: int, hashes: Sequence[bytes]) -> CompactRange:
        """Rebuild from stored frontier hashes, in the order of `perfect_subtrees(size)`."""
        expected = len(perfect_subtrees(size))
        if len(hashes) != expected:
            raise ProofError(f"a tree of {size} leaves has {expected} frontier nodes, got {len(hashes)}")
        compact = cls()
        compact._size = size
        compact._hashes = [_check_hash(h, "frontier hash") for h in hashes]
        return compact

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    def nodes(self) -> list[NodeHash]:
        return [NodeHash(n.level, n.idx, h) for n, h in zip(perfect_subtrees(self._size), self._hashes, strict=True)]

    def append(self, leaf: bytes) -> list[NodeHash]:
        """Add a leaf hash; return every perfect subtree it completes, the leaf itself first."""
        _check_hash(leaf, "leaf hash")
        completed = [NodeHash(0, self._size, leaf)]
        current, index = leaf, self._size
        level = 0
        while (self._size >> level) & 1:  # each trailing one of the old size is a merge
            current = node_hash(self._hashes.pop(), current)
            level, index = level + 1, index >> 1
            completed.append(NodeHash(level, index, current))
        self._hashes.append(current)
        self._size += 1
        return completed

    def root(self) -> bytes:
        if not self._hashes:
            return EMPTY_ROOT
        return _fold(self._hashes)


# --- proof generation ----------------------------------------------------------------------


def inclusion_proof_nodes(index: int, size: int) -> list[NodeRequest]:
    """What to fetch for the inclusion proof of leaf `index` in a tree of `size` (RFC 9162 PATH)."""
    _check_size(size)
    if not isinstance(index, int) or not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of {size} leaves")
    top_down = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            top_down.append((lo + k, hi))
            hi = lo + k
        else:
            top_down.append((lo, lo + k))
            lo += k
    return [_range_nodes(a, b) for a, b in reversed(top_down)]


def consistency_proof_nodes(size1: int, size2: int) -> list[NodeRequest]:
    """What to fetch for the consistency proof from `size1` to `size2` (RFC 9162 SUBPROOF)."""
    _check_size(size1)
    _check_size(size2)
    if size1 > size2:
        raise ProofError(f"size1 {size1} is greater than size2 {size2}")
    if size1 == 0 or size1 == size2:
        return []
    top_down = []
    lo, hi, whole = 0, size2, True
    while size1 - lo != hi - lo:
        k = _split(hi - lo)
        if size1 - lo <= k:
            top_down.append((lo + k, hi))
            hi = lo + k
        else:
            top_down.append((lo, lo + k))
            lo, whole = lo + k, False
    if not whole:
        top_down.append((lo, hi))
    return [_range_nodes(a, b) for a, b in reversed(top_down)]


def nodes_to_fetch(requests: Iterable[NodeRequest]) -> list[NodeId]:
    """The distinct nodes behind a list of requests, for one batched read."""
    return sorted({node for request in requests for node in request})


def assemble(requests: Sequence[NodeRequest], hashes: Mapping[tuple[int, int], bytes]) -> list[bytes]:
    """The proof: each request's node hashes folded right to left."""
    proof = []
    for request in requests:
        try:
            parts = [_check_hash(hashes[node], f"hash of node {tuple(node)}") for node in request]
        except KeyError as missing:
            raise ProofError(f"no hash supplied for node {tuple(missing.args[0])}") from None
        proof.append(_fold(parts))
    return proof


def inclusion_proof(index: int, size: int, get_node: Callable[[int, int], bytes]) -> list[bytes]:
    requests = inclusion_proof_nodes(index, size)
    return assemble(requests, {node: get_node(*node) for node in nodes_to_fetch(requests)})


def consistency_proof(size1: int, size2: int, get_node: Callable[[int, int], bytes]) -> list[bytes]:
    requests = consistency_proof_nodes(size1, size2)
    return assemble(requests, {node: get_node(*node) for node in nodes_to_fetch(requests)})


# --- verification --------------------------------------------------------------------------


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root a tree of `size` must have for `proof` to place `leaf` at `index` (RFC 9162 §2.1.3.2)."""
    _check_size(size)
    if not isinstance(index, int) or not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of {size} leaves")
    _check_hash(leaf, "leaf hash")
    inner = (index ^ (size - 1)).bit_length()
    expected = inner + (index >> inner).bit_count()
    if len(proof) != expected:
        raise ProofError(f"wrong inclusion proof length {len(proof)}, expected {expected}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p, "proof element")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> None:
    if root_from_inclusion_proof(leaf, index, size, proof) != expected_root:
        raise ProofError(f"inclusion proof for leaf {index} does not lead to the root of tree size {size}")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """RFC 9162 §2.1.4.2. A proof from the empty tree is refused as meaningless."""
    _check_size(size1)
    _check_size(size2)
    if size1 > size2:
        raise ProofError(f"size1 {size1} is greater than size2 {size2}")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if size1 == size2:
        if proof:
            raise ProofError("equal tree sizes need an empty consistency proof")
        if root1 != root2:
            raise ProofError(f"two different roots for tree size {size1}")
        return
    shift = (size1 & -size1).bit_length() - 1  # trailing zeros: size1 - 1 shares them with the path
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length() - shift
    border = ((size1 - 1) >> (inner + shift)).bit_count()
    seeded = size1 == 1 << shift  # size1 a power of two: root1 is the first element
    expected = inner + border + (0 if seeded else 1)
    if len(proof) != expected:
        raise ProofError(f"wrong consistency proof length {len(proof)}, expected {expected}")
    path = [_check_hash(p, "proof element") for p in proof]
    if seeded:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != root1:
        raise ProofError(f"consistency proof does not lead to the root of tree size {size1}")
    if sr != root2:
        raise ProofError(f"consistency proof does not lead to the root of tree size {size2}")


# --- helpers -------------------------------------------------------------------------------


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _range_nodes(lo: int, hi: int) -> NodeRequest:
    """The perfect subtrees of the aligned range [lo, hi), largest first; MTH folds them right to left."""
    nodes = []
    for level in reversed(range((hi - lo).bit_length())):
        if (hi - lo) >> level & 1:
            assert lo % (1 << level) == 0, "range is not aligned"
            nodes.append(NodeId(level, lo >> level))
            lo += 1 << level
    return tuple(nodes)


def _fold(hashes: Sequence[bytes]) -> bytes:
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _check_size(size: int) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ProofError(f"tree size must be a non-negative integer, got {size!r}")
    return size


def _check_hash(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} must be {HASH_SIZE} bytes")
    return bytes(value)
