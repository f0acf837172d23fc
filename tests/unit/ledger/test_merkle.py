"""Merkle trees, proofs and verification (RFC 9162 §2.1).

The transparency-dev vectors decide what a verifier accepts; a spec-literal MTH written here
decides what a root is; proofs built from stored perfect subtrees must verify against it.
"""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    NodeId,
    ProofError,
    assemble,
    consistency_proof,
    consistency_proof_nodes,
    inclusion_proof,
    inclusion_proof_nodes,
    leaf_data,
    leaf_hash,
    node_hash,
    nodes_to_fetch,
    perfect_subtrees,
    root,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[2] / "data" / "merkle-vectors"  # tests/data, see its README


def vector_files(kind: str) -> list[Path]:
    files = sorted((VECTORS / kind).glob("**/*.json"))
    # A missing folder must fail, not collect zero tests: hand the test a path that cannot be read.
    return files or [VECTORS / kind / "MISSING"]


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def vector_id(path: Path) -> str:
    return str(path.relative_to(VECTORS)) if path.is_relative_to(VECTORS) else str(path)


def test_the_vectors_are_there():
    assert len(vector_files("inclusion")) > 50 and vector_files("inclusion")[0].exists()
    assert len(vector_files("consistency")) > 50 and vector_files("consistency")[0].exists()


@pytest.mark.parametrize("path", vector_files("inclusion"), ids=vector_id)
def test_inclusion_vector(path: Path):
    v = json.loads(path.read_text())
    args = (b64(v["leafHash"]), v["leafIdx"], v["treeSize"], [b64(p) for p in v["proof"] or []], b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        assert verify_inclusion(*args) is None


@pytest.mark.parametrize("path", vector_files("consistency"), ids=vector_id)
def test_consistency_vector(path: Path):
    v = json.loads(path.read_text())
    args = (v["size1"], v["size2"], [b64(p) for p in v["proof"] or []], b64(v["root1"]), b64(v["root2"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        assert verify_consistency(*args) is None


# --- the standard 8-leaf Certificate Transparency tree --------------------------------------

CT_LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
CT_ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def spec_mth(hashes: list[bytes]) -> bytes:
    """MTH exactly as RFC 9162 §2.1.1 writes it, over leaf hashes."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(spec_mth(hashes[:k]), spec_mth(hashes[k:]))


def build(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete perfect subtree, as a store persists them from `CompactRange.append`."""
    compact, nodes = CompactRange(), {}
    for leaf in leaves:
        for level, index, digest in compact.append(leaf):
            assert (level, index) not in nodes
            nodes[(level, index)] = digest
    return nodes


def reader(nodes: dict[tuple[int, int], bytes], size: int, reads: list | None = None):
    def get_node(level: int, index: int) -> bytes:
        assert (index + 1) << level <= size, f"node ({level}, {index}) is not complete at size {size}"
        if reads is not None:
            reads.append((level, index))
        return nodes[(level, index)]

    return get_node


CT_HASHES = [leaf_hash(d) for d in CT_LEAVES]
CT_NODES = build(CT_HASHES)


def test_roots_of_the_ct_tree():
    assert root([]) == EMPTY_ROOT == bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    for n in range(1, 9):
        assert root(CT_HASHES[:n]) == spec_mth(CT_HASHES[:n]) == CT_ROOTS[n - 1]


@pytest.mark.parametrize(
    ("index", "size", "proof"),
    [
        (
            0,
            8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            1,
            5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (0, 1, []),
    ],
)
def test_inclusion_proofs_of_the_ct_tree(index, size, proof):
    assert inclusion_proof(index, size, reader(CT_NODES, size)) == [bytes.fromhex(p) for p in proof]


@pytest.mark.parametrize(
    ("size1", "size2", "proof"),
    [
        (
            1,
            8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (1, 1, []),
    ],
)
def test_consistency_proofs_of_the_ct_tree(size1, size2, proof):
    assert consistency_proof(size1, size2, reader(CT_NODES, size2)) == [bytes.fromhex(p) for p in proof]


# --- random trees ---------------------------------------------------------------------------

MAX = 300
LEAVES = [leaf_hash(b"leaf %d" % i) for i in range(MAX)]
NODES = build(LEAVES)
ROOTS = [spec_mth(LEAVES[:n]) for n in range(MAX + 1)]

sizes = st.integers(1, MAX)
leaf_in_tree = sizes.flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n)))
size_pairs = sizes.flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n)))


def bound(size: int) -> int:
    """O(log n): at most two perfect subtrees per level."""
    return 2 * max(1, math.ceil(math.log2(size))) + 1


def test_compact_range_matches_the_spec_for_every_prefix():
    compact = CompactRange()
    assert compact.root() == EMPTY_ROOT
    for n, leaf in enumerate(LEAVES, start=1):
        completed = compact.append(leaf)
        assert completed[0] == (0, n - 1, leaf)
        for level, index, digest in completed:
            assert digest == spec_mth(LEAVES[index << level : (index + 1) << level])
        assert compact.size == n
        assert compact.root() == root(LEAVES[:n]) == ROOTS[n]
        assert [tuple(node[:2]) for node in compact.nodes()] == perfect_subtrees(n)


@settings(max_examples=150, deadline=None)
@given(sizes, st.integers(0, 40))
def test_compact_range_restarts_from_its_stored_frontier(size, more):
    frontier = [NODES[node] for node in perfect_subtrees(size)]
    compact = CompactRange.from_nodes(size, frontier)
    assert compact.root() == ROOTS[size]
    for leaf in LEAVES[size : size + more]:
        for level, index, digest in compact.append(leaf):
            assert NODES[(level, index)] == digest
    assert compact.root() == ROOTS[min(size + more, MAX)]


def test_perfect_subtrees_is_the_binary_decomposition():
    assert perfect_subtrees(0) == []
    assert perfect_subtrees(1) == [(0, 0)]
    assert perfect_subtrees(6) == [(2, 0), (1, 2)]
    assert perfect_subtrees(13) == [(3, 0), (2, 2), (0, 12)]
    assert perfect_subtrees(16) == [(4, 0)]


def test_from_nodes_refuses_a_frontier_of_the_wrong_shape():
    with pytest.raises(ProofError, match="frontier"):
        CompactRange.from_nodes(6, [LEAVES[0]])
    with pytest.raises(ProofError, match="32 bytes"):
        CompactRange.from_nodes(1, [b"short"])


@settings(max_examples=300, deadline=None)
@given(leaf_in_tree)
def test_inclusion_proofs_from_stored_nodes_verify(case):
    index, size = case
    reads: list = []
    proof = inclusion_proof(index, size, reader(NODES, size, reads))
    assert len(reads) == len(set(reads)) <= bound(size)
    assert root_from_inclusion_proof(LEAVES[index], index, size, proof) == ROOTS[size]
    verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


@settings(max_examples=300, deadline=None)
@given(size_pairs)
def test_consistency_proofs_from_stored_nodes_verify(case):
    size1, size2 = case
    reads: list = []
    proof = consistency_proof(size1, size2, reader(NODES, size2, reads))
    assert len(reads) == len(set(reads)) <= bound(size2)
    verify_consistency(size1, size2, proof, ROOTS[size1], ROOTS[size2])


@settings(max_examples=300, deadline=None)
@given(leaf_in_tree, st.data())
def test_tampering_any_inclusion_proof_byte_fails(case, data):
    index, size = case
    proof = inclusion_proof(index, size, reader(NODES, size))
    if not proof:
        return
    i = data.draw(st.integers(0, len(proof) - 1))
    at = data.draw(st.integers(0, 31))
    bit = data.draw(st.integers(0, 7))
    tampered = list(proof)
    tampered[i] = proof[i][:at] + bytes([proof[i][at] ^ (1 << bit)]) + proof[i][at + 1 :]
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index], index, size, tampered, ROOTS[size])


@settings(max_examples=300, deadline=None)
@given(size_pairs, st.data())
def test_tampering_any_consistency_proof_byte_fails(case, data):
    size1, size2 = case
    proof = consistency_proof(size1, size2, reader(NODES, size2))
    if not proof:
        return
    i = data.draw(st.integers(0, len(proof) - 1))
    at = data.draw(st.integers(0, 31))
    bit = data.draw(st.integers(0, 7))
    tampered = list(proof)
    tampered[i] = proof[i][:at] + bytes([proof[i][at] ^ (1 << bit)]) + proof[i][at + 1 :]
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, tampered, ROOTS[size1], ROOTS[size2])


@settings(max_examples=200, deadline=None)
@given(leaf_in_tree)
def test_an_inclusion_proof_holds_for_its_own_leaf_and_index_only(case):
    # Not for its size only: leaf 0's proofs in trees of 3 and 4 leaves take the same path, so
    # the size is bound by the signed checkpoint that carries the root, not by the proof.
    index, size = case
    proof = inclusion_proof(index, size, reader(NODES, size))
    for other_index in (index - 1, index + 1):
        with pytest.raises(ProofError):
            verify_inclusion(LEAVES[index], other_index, size, proof, ROOTS[size])
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[(index + 1) % MAX], index, size, proof, ROOTS[size])


def test_batched_requests_name_each_node_once_and_assemble_the_same_proof():
    requests = inclusion_proof_nodes(41, 239)
    # The one element for a non-aligned right part is the fold of several perfect subtrees.
    assert requests[-1] == (NodeId(6, 2), NodeId(5, 6), NodeId(3, 28), NodeId(2, 58), NodeId(1, 118), NodeId(0, 238))
    fetched = {node: NODES[node] for node in nodes_to_fetch(requests)}
    assert assemble(requests, fetched) == inclusion_proof(41, 239, reader(NODES, 239))
    assert assemble(requests[-1:], fetched) == [spec_mth(LEAVES[128:239])]
    consistency = consistency_proof_nodes(120, 239)
    assert assemble(consistency, {n: NODES[n] for n in nodes_to_fetch(consistency)}) == consistency_proof(
        120, 239, reader(NODES, 239)
    )


def test_assemble_refuses_a_missing_or_malformed_hash():
    requests = inclusion_proof_nodes(0, 2)
    with pytest.raises(ProofError, match=r"no hash supplied for node \(0, 1\)"):
        assemble(requests, {})
    with pytest.raises(ProofError, match="32 bytes"):
        assemble(requests, {(0, 1): b"x"})


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda: inclusion_proof_nodes(5, 5), "not in a tree of 5"),
        (lambda: inclusion_proof_nodes(0, 0), "not in a tree of 0"),
        (lambda: inclusion_proof_nodes(-1, 5), "not in a tree"),
        (lambda: consistency_proof_nodes(6, 5), "greater than size2"),
        (lambda: consistency_proof_nodes(-1, 5), "non-negative"),
        (lambda: verify_inclusion(LEAVES[0], 3, 3, [], ROOTS[3]), "not in a tree of 3"),
        (lambda: verify_inclusion(LEAVES[0], 0, 3, [], ROOTS[3]), "wrong inclusion proof length 0, expected 2"),
        (lambda: verify_inclusion(b"short", 0, 1, [], ROOTS[1]), "leaf hash must be 32 bytes"),
        (lambda: verify_inclusion(LEAVES[0], 0, 2, [b"short"], ROOTS[2]), "proof element must be 32 bytes"),
        (lambda: verify_inclusion(LEAVES[0], 0, 2, [LEAVES[0]], ROOTS[2]), "does not lead to the root"),
        (lambda: verify_consistency(3, 2, [], ROOTS[3], ROOTS[2]), "size1 3 is greater than size2 2"),
        (lambda: verify_consistency(0, 2, [], EMPTY_ROOT, ROOTS[2]), "empty tree is meaningless"),
        (lambda: verify_consistency(2, 2, [ROOTS[2]], ROOTS[2], ROOTS[2]), "need an empty consistency proof"),
        (lambda: verify_consistency(2, 2, [], ROOTS[2], ROOTS[3]), "two different roots"),
        (lambda: verify_consistency(1, 2, [], ROOTS[1], ROOTS[2]), "wrong consistency proof length 0, expected 1"),
        (lambda: verify_consistency(1, 2, [LEAVES[1]], ROOTS[1], ROOTS[3]), "root of tree size 2"),
        (
            lambda: verify_consistency(3, 4, [LEAVES[2], LEAVES[3], LEAVES[0]], ROOTS[3], ROOTS[4]),
            "root of tree size 3",
        ),
    ],
)
def test_refusals_say_why(call, reason):
    with pytest.raises(ProofError, match=reason):
        call()


def test_proof_error_is_a_value_error():
    assert issubclass(ProofError, ValueError)


@pytest.mark.parametrize(
    "event",
    [
        {"type": "extract", "event_id": "e-1", "outputs": [{"mass_kg": 1.5, "lot": "L\u00e9-\u7a00\u571f"}]},
        {"b": [1, 2.5e-7, None, True], "a": {"z": '"quoted" \\ \n', "\u20ac": 1e21}},
    ],
)
def test_leaf_data_is_the_rfc8785_bytes_of_reporter_and_event(event):
    uscc = "91110000600037341L"
    expected = rfc8785.dumps({"reporter": uscc, "event": event})
    assert leaf_data(uscc, canonical_bytes(event).decode("utf-8")) == expected
