"""Comparing two large multisets of rows in bounded memory, read in any order.

Each side adds its rows to buckets (a bucket is a range of ledger positions, or a slice of row
keys); a bucket keeps the count of its rows and the sum, modulo 2**128, of a keyed BLAKE2b
hash of each row. Two buckets holding the same rows have the same count and sum; buckets that
differ are then read again, alone, to name the rows.

The hash key is drawn afresh for every comparison and never stored, so whoever edits the
database cannot choose rows whose sums collide: for any two different multisets the sums agree
with probability about 2**-127 (the hashes are independent uniform values to anyone without
the key, and a difference in multiplicity k of some row adds k times one of them).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Hashable, Iterable
from typing import Any

_BITS = 128
_MASK = (1 << _BITS) - 1


class RowHasher:
    """The keyed hash both sides of one comparison share."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or os.urandom(32)  # shared with the processes helping the same comparison only
        self._template = hashlib.blake2b(key=self.key, digest_size=_BITS // 8)

    def __call__(self, row: Any) -> int:
        """The hash of a row: a tuple of str, int, float, None and tuples of them (repr is exact
        for each and tells them apart)."""
        h = self._template.copy()
        h.update(repr(row).encode("utf-8", "surrogatepass"))
        return int.from_bytes(h.digest(), "little")


class MultisetDigest:
    """Per bucket: (number of rows, sum of their hashes)."""

    __slots__ = ("hasher", "counts", "sums")

    def __init__(self, hasher: RowHasher) -> None:
        self.hasher = hasher
        self.counts: dict[Hashable, int] = {}
        self.sums: dict[Hashable, int] = {}

    def add(self, bucket: Hashable, row: Any) -> None:
        value = self.hasher(row)
        counts, sums = self.counts, self.sums
        if bucket in counts:
            counts[bucket] += 1
            sums[bucket] = (sums[bucket] + value) & _MASK
        else:
            counts[bucket] = 1
            sums[bucket] = value

    def state(self) -> tuple[dict[Hashable, int], dict[Hashable, int]]:
        """(counts, sums): what another process sends back of the digest it made."""
        return self.counts, self.sums

    @classmethod
    def from_state(cls, hasher: RowHasher, state: tuple[dict[Hashable, int], dict[Hashable, int]]) -> MultisetDigest:
        digest = cls(hasher)
        digest.counts, digest.sums = state
        return digest

    def add_all(self, bucket: Hashable, rows: Iterable[Any]) -> None:
        """`add` for several rows of one bucket (the verification's hot path: no call per row)."""
        copy = self.hasher._template.copy
        total = self.sums.get(bucket, 0)
        n = 0
        for row in rows:
            h = copy()
            h.update(repr(row).encode("utf-8", "surrogatepass"))
            total += int.from_bytes(h.digest(), "little")
            n += 1
        if n:
            self.sums[bucket] = total & _MASK
            self.counts[bucket] = self.counts.get(bucket, 0) + n

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def differing(self, other: MultisetDigest) -> list[Any]:
        """The buckets whose rows differ between the two sides, in order."""
        buckets = set(self.counts) | set(other.counts)
        return sorted(
            b
            for b in buckets
            if self.counts.get(b, 0) != other.counts.get(b, 0) or self.sums.get(b, 0) != other.sums.get(b, 0)
        )
