"""The log's batch append stores exactly the subtrees `CompactRange.append` completes, leaf by
leaf, and leaves the same frontier: the tree of a large ingest is the tree of small ones."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.ledger.merkle import CompactRange, ProofError, root
from reetrace.store.log_repo import STORED_FROM_LEVEL, completed_subtrees


def leaf(i: int) -> bytes:
    return hashlib.sha256(i.to_bytes(8, "big")).digest()


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 600), st.integers(0, 300), st.sampled_from([0, 1, STORED_FROM_LEVEL]))
def test_the_same_subtrees_and_frontier_as_appending_leaf_by_leaf(size, count, from_level):
    before = CompactRange()
    for i in range(size):
        before.append(leaf(i))
    new = [leaf(size + i) for i in range(count)]
    expected = CompactRange.from_nodes(size, before.hashes)
    nodes = [tuple(n) for x in new for n in expected.append(x) if n.level >= from_level]
    rows, frontier = completed_subtrees(size, before.hashes, new, from_level)
    assert rows == nodes
    assert tuple(frontier) == expected.hashes
    after = CompactRange.from_nodes(size + count, frontier)
    assert after.root() == root([leaf(i) for i in range(size + count)])


def test_a_leaf_that_is_not_a_hash_is_refused():
    with pytest.raises(ProofError):
        completed_subtrees(0, (), [leaf(0), b"short"])
    rows, frontier = completed_subtrees(1, (leaf(0),), [bytearray(leaf(1))], 1)
    assert rows == [(1, 0, CompactRange.from_nodes(1, [leaf(0)]).append(leaf(1))[1].hash)]
    assert all(type(h) is bytes for h in frontier)
