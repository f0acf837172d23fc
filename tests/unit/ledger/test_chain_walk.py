"""Walking a chain's links (reetrace.ledger.chains.ChainWalk): links built here with the formula
from the module's docstring, then broken the ways someone with the database file could."""

from __future__ import annotations

import base64
import hashlib

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.ledger.chains import GENESIS, ChainWalk, SignedHead, link, row_digest


def by_hand(previous: bytes, name: str, key: str, digest: str) -> bytes:
    """link_n = SHA-256("reetrace/chain\\n" || name || "\\n" || link_{n-1} || key || "\\n" || digest)"""
    return hashlib.sha256(
        b"reetrace/chain\n" + name.encode() + b"\n" + previous + key.encode() + b"\n" + digest.encode()
    ).digest()


def links(rows: list[tuple[str, str]], name: str = "access_log") -> list[tuple[int, str, str, bytes]]:
    out, head = [], GENESIS
    for n, (key, digest) in enumerate(rows, start=1):
        head = by_hand(head, name, key, digest)
        out.append((n, key, digest, head))
    return out


ROWS = [(f"[{i}]", f"{i:064x}") for i in range(1, 8)]


def walk(chain, signed=()) -> list[str]:
    w = ChainWalk("access_log", signed)
    for n, key, digest, stored in chain:
        w.add(n, key, digest, stored)
    return w.finish()


def signed_at(chain, *lengths: int) -> list[SignedHead]:
    return [SignedHead(n, chain[n - 1][3], f"the checkpoint of size {n * 10}") for n in lengths]


def test_the_formula_is_the_modules():
    assert link(GENESIS, "access_log", "[1]", "ab") == by_hand(GENESIS, "access_log", "[1]", "ab")


def test_an_intact_chain_matching_its_signed_heads_passes():
    chain = links(ROWS)
    assert walk(chain, signed_at(chain, 2, 5, 7)) == []
    assert walk(chain, [SignedHead(0, GENESIS, "the empty checkpoint")]) == []


def test_an_edited_link_is_named():
    chain = links(ROWS)
    n, key, digest, stored = chain[3]
    chain[3] = (n, key, "f" * 64, stored)  # the row's digest in the link replaced
    (problem,) = walk(chain, signed_at(chain, 7))
    assert problem.startswith("chain access_log: link 4 (row [4]) does not follow")


def test_a_deleted_link_is_named():
    chain = links(ROWS)
    del chain[2]
    (problem,) = walk(chain)
    assert problem == ("chain access_log: link 3 is missing (the next is link 4, row [4]): links were deleted")


def test_a_chain_rewritten_consistently_is_named_by_the_rows_between_checkpoints():
    chain = links(ROWS)
    signed = signed_at(chain, 2, 5, 7)
    rewritten = links(ROWS[:3] + [("[4]", "e" * 64)] + ROWS[4:])  # row 4 changed, links recomputed
    (problem,) = walk(rewritten, signed)
    assert problem.startswith(
        "chain access_log: rewritten between link 3 (row [3]) and link 5 (row [5]): the links follow "
        "from one another but the checkpoint of size 50 signed another head at length 5"
    )


def test_a_rewrite_before_the_first_checkpoint_starts_at_the_first_row():
    chain = links(ROWS)
    rewritten = links([("[1]", "0" * 64)] + ROWS[1:])
    (problem,) = walk(rewritten, signed_at(chain, 3))
    assert problem.startswith("chain access_log: rewritten between link 1 (row [1]) and link 3 (row [3])")


def test_rows_removed_from_the_end_with_their_links_are_named():
    chain = links(ROWS)
    signed = signed_at(chain, 7)
    (problem,) = walk(chain[:5], signed)
    assert problem == (
        "chain access_log: the checkpoint of size 70 signed 7 links, the store holds 5: rows 6–7 of the chain "
        "were removed with their links"
    )


def test_growth_after_the_last_checkpoint_is_not_a_problem():
    chain = links(ROWS)
    assert walk(chain, signed_at(chain, 4)) == []


values = st.one_of(
    st.text(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.binary(max_size=20),
    st.none(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), values, max_size=8))
def test_a_rows_digest_is_the_sha256_of_its_rfc8785_bytes(row):
    """Differential against the reference implementation of RFC 8785."""
    plain = {k: {"base64": base64.b64encode(v).decode()} if isinstance(v, bytes) else v for k, v in row.items()}
    try:
        expected = hashlib.sha256(rfc8785.dumps(plain)).hexdigest()
    except rfc8785.CanonicalizationError:
        return  # values JCS cannot write (integers beyond 2**53 …): not what a row holds
    assert row_digest(row) == expected
