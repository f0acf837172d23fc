"""RFC 8785 (JSON Canonicalization Scheme) bytes, fast.

`rfc8785` is the reference implementation but runs in pure Python. For the values reports are
made of (ASCII or BMP keys, integers, decimals between 1e-4 and 1e16) `orjson` with sorted keys
writes the very same bytes once integral floats are written as integers: it escapes exactly the
characters JCS escapes, in the same forms, and writes such floats in their shortest round-trip
form, as JCS does. Anything outside that envelope goes to the standard library's encoder, which
hands what it cannot write exactly to `rfc8785`. The equivalence is a property test
(tests/unit/ledger/test_canonical.py).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson
import rfc8785

_MAX_SAFE_INT = 2**53 - 1
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ASTRAL_UTF8 = re.compile(rb"[\xf0-\xf4]")  # the lead bytes of characters beyond the BMP
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode
_SORTED = orjson.OPT_SORT_KEYS


class _Unsafe(Exception):
    """The value is outside the envelope where the fast path is proven identical."""


def _prepare(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if -_MAX_SAFE_INT <= value <= _MAX_SAFE_INT:
            return value
        raise _Unsafe
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unsafe
        if value.is_integer():
            if abs(value) < 1e16:
                return int(value)
            raise _Unsafe
        if 1e-4 <= abs(value) < 1e16:
            return value
        raise _Unsafe
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _Unsafe
            out[k] = _prepare(v)
        return out
    if isinstance(value, (list, tuple)):
        return [_prepare(v) for v in value]
    raise _Unsafe


def canonical_bytes(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises `rfc8785.CanonicalizationError` (a `ValueError`) for values JCS cannot represent.
    """
    try:
        prepared = _prepare(value)
    except _Unsafe:
        return rfc8785.dumps(value)
    return _fast(prepared) or _finish(_encode(prepared), value)


def _fast(value: Any) -> bytes | None:
    """`orjson`'s bytes for a value inside the envelope, or None where they might differ from
    JCS: characters beyond the BMP (keys sort by UTF-16 code units in JCS, by code points here)
    and whatever orjson refuses (lone surrogates, nesting past its limit)."""
    try:
        out = orjson.dumps(value, option=_SORTED)
    except orjson.JSONEncodeError:
        return None
    if not out.isascii() and _ASTRAL_UTF8.search(out):
        return None
    return out


def _finish(text: str, value: Any) -> bytes:
    # Keys are sorted by UTF-16 code units in JCS but by code points here: the two orders differ
    # only when a text holds characters beyond the Basic Multilingual Plane.
    if not text.isascii() and _ASTRAL.search(text):
        return rfc8785.dumps(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: let the reference implementation refuse them
        return rfc8785.dumps(value)


class ParsedJson:
    """JSON parsed so that it can be canonicalised without another walk: integral numbers
    become ints and numbers outside the fast envelope are noted, as are the non-JSON constants
    `NaN` and `Infinity` the parser lets through (orjson would write them as null; the standard
    library's encoder refuses them, as it always has)."""

    __slots__ = ("value", "safe", "constants")

    def __init__(self, raw: bytes | str):
        self.safe = True
        self.constants = False

        def parse_float(text: str) -> float | int:
            number = float(text)
            if number.is_integer():  # never true of inf or nan
                if -_MAX_SAFE_INT <= number <= _MAX_SAFE_INT:
                    return int(number)
                self.safe = False  # an integral float beyond 2**53 - 1 is written by the reference
            elif not 1e-4 <= abs(number) < 1e16:  # false for nan and inf too
                self.safe = False
            return number

        def parse_int(text: str) -> int:
            number = int(text)
            if not -_MAX_SAFE_INT <= number <= _MAX_SAFE_INT:
                self.safe = False
            return number

        def parse_constant(name: str) -> float:
            self.constants = True
            return float(name)

        self.value = json.loads(raw, parse_float=parse_float, parse_int=parse_int, parse_constant=parse_constant)

    def canonical(self, part: Any) -> bytes:
        """Canonical bytes of `part`, a value inside what was parsed."""
        if not self.safe:
            return canonical_bytes(part)
        if not self.constants:
            out = _fast(part)
            if out is not None:
                return out
        return _finish(_encode(part), part)
