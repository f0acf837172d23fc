"""Keyed per-bucket multiset digests (reetrace.ledger.multiset): equal rows in any order agree,
any change, loss, duplication or addition shows in its bucket and only there."""

from __future__ import annotations

import random

from reetrace.ledger.multiset import MultisetDigest, RowHasher

ROWS = [(seq, 0, f"L{seq}", "oxide", 18.3 + seq, (("Dy", 0.86),), None) for seq in range(1, 200)]


def digest(hasher: RowHasher, rows) -> MultisetDigest:
    d = MultisetDigest(hasher)
    for row in rows:
        d.add(row[0] // 50, row)
    return d


def test_the_same_rows_in_another_order_agree():
    hasher = RowHasher()
    shuffled = ROWS[:]
    random.Random(7).shuffle(shuffled)
    assert digest(hasher, ROWS).differing(digest(hasher, shuffled)) == []


def test_a_changed_row_shows_in_its_bucket_only():
    hasher = RowHasher()
    changed = [(*r[:4], 20438.0, *r[5:]) if r[0] == 120 else r for r in ROWS]
    assert digest(hasher, ROWS).differing(digest(hasher, changed)) == [2]  # 120 // 50


def test_a_lost_a_duplicated_and_an_added_row_show():
    hasher = RowHasher()
    base = digest(hasher, ROWS)
    assert base.differing(digest(hasher, ROWS[1:])) == [0]
    assert base.differing(digest(hasher, ROWS + [ROWS[60]])) == [1]
    assert base.differing(digest(hasher, ROWS + [(999, 0, "X", "oxide", 1.0, (), None)])) == [19]


def test_a_swap_between_rows_of_one_bucket_shows():
    hasher = RowHasher()
    a, b = ROWS[10], ROWS[11]
    swapped = [(a[0], *b[1:]) if r is a else (b[0], *a[1:]) if r is b else r for r in ROWS]
    assert digest(hasher, ROWS).differing(digest(hasher, swapped)) == [0]


def test_values_of_other_types_that_print_alike_differ():
    hasher = RowHasher()
    assert hasher(("1", 1.0)) != hasher((1, 1.0))
    assert hasher((None,)) != hasher(("None",))


def test_each_comparison_draws_its_own_key():
    assert RowHasher()(ROWS[0]) != RowHasher()(ROWS[0])
    assert RowHasher(b"k" * 32)(ROWS[0]) == RowHasher(b"k" * 32)(ROWS[0])
