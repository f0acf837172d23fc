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

from reetrace.domain.problems import Problem
from reetrace.domain.submissions import MAX_DEPTH

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


class NotJson(ValueError):
    """The bytes are not UTF-8 JSON, or an object in them repeats a member name: a `parse`
    rejection."""


class OutOfBounds(ValueError):
    """JSON beyond the contract's bounds: too large, nested too deep, or a number that is not
    finite: a `schema` rejection."""


# Nesting is measured before the parser runs, as the standard library's parser recurses once a
# level and fails (RecursionError) some thousand levels down. The measure works on the bytes
# with C-speed passes, no loop over them in Python: escaped backslashes and quotes are dropped,
# then everything but quotes and brackets (both kinds counted as one: a mismatch is the parser's
# to refuse); strings go (an adjacent pair of quotes either delimits an empty string or joins
# two strings, so dropping it changes no character's inside or outside; what is left between
# quotes is text, dropped too); then each pass drops every innermost "[]" pair, one level a pass.
_BRACKETS_ONLY = bytes.maketrans(b"{}", b"[]")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_QUOTED = re.compile(rb'"[^"]*"')


def nesting_exceeds(raw: bytes, limit: int) -> bool:
    """Whether the JSON text `raw` nests deeper than `limit` levels before its first syntax
    error (a parser would go that deep). Never less than the true depth a parser reaches."""
    if b"\\" in raw:  # one byte: found at memchr's speed, where two would take a slower search
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = raw.translate(_BRACKETS_ONLY, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in structure:
        structure = _QUOTED.sub(b"", structure)
        unterminated = structure.find(b'"')  # a string never closed: the rest is inside it
        if unterminated >= 0:
            structure = structure[:unterminated]
    passes = 0
    while structure:
        inner = structure.replace(b"[]", b"")
        if len(inner) == len(structure):
            # no pair left: closers with no opener, then openers never closed. A parser stops
            # at the first such closer; else it goes as deep as the openers take it.
            return not structure.startswith(b"]") and passes + len(structure) > limit
        passes += 1  # it took away containers `passes` levels high
        if passes > limit:
            return True
        structure = inner
    return False


def max_nesting(value: Any, limit: int) -> int:
    """The nesting of a JSON value (a scalar: 0; `[1]`: 1), counted up to `limit + 1`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        depth += 1
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in item if isinstance(child, (dict, list)))
    return deepest


class ParsedJson:
    """JSON bytes parsed within the contract's bounds (UTF-8, no repeated member name, nested at
    most `MAX_DEPTH` levels, numbers finite: `NotJson` or `OutOfBounds` otherwise), so that
    they can be canonicalised without another walk: integral numbers become ints and numbers
    outside the fast envelope are noted."""

    __slots__ = ("value", "safe")

    def __init__(self, raw: bytes | str, max_depth: int = MAX_DEPTH):
        self.safe = True
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogatepass")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotJson(Problem("not_utf8", f"not UTF-8 text (byte {exc.start})", byte=exc.start)) from None
        if nesting_exceeds(raw, max_depth):
            raise OutOfBounds(_nested(max_depth))

        def parse_float(text: str) -> float | int:
            number = float(text)
            if number.is_integer():  # never true of inf
                if -_MAX_SAFE_INT <= number <= _MAX_SAFE_INT:
                    return int(number)
                self.safe = False  # an integral float beyond 2**53 - 1 is written by the reference
            elif not 1e-4 <= abs(number) < 1e16:  # false for inf too
                if math.isinf(number):
                    raise OutOfBounds(
                        Problem("not_finite", f"the number {_clip(text)} is not finite", number=_clip(text))
                    )
                self.safe = False
            return number

        def parse_int(text: str) -> int:
            try:
                number = int(text)
            except ValueError:  # more digits than Python converts
                raise OutOfBounds(
                    Problem("too_many_digits", f"a number of {len(text)} digits is not finite", digits=len(text))
                ) from None
            if not -_MAX_SAFE_INT <= number <= _MAX_SAFE_INT:
                self.safe = False
            return number

        try:
            self.value = json.loads(
                text.removeprefix("\ufeff"),  # a byte order mark is UTF-8 too
                parse_float=parse_float,
                parse_int=parse_int,
                parse_constant=_not_a_number,
                object_pairs_hook=_object,
            )
        except json.JSONDecodeError as exc:
            raise NotJson(Problem("not_json", f"not JSON: {exc}", line=exc.lineno, column=exc.colno)) from None
        except RecursionError:  # not reached within the nesting bound; a last guard
            raise OutOfBounds(_nested(max_depth)) from None

    def canonical(self, part: Any) -> bytes:
        """Canonical bytes of `part`, a value inside what was parsed."""
        if not self.safe:
            return canonical_bytes(part)
        out = _fast(part)
        if out is not None:
            return out
        return _finish(_encode(part), part)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose members are distinct: a repeated one would hide a value that the
    bytes kept still hold."""
    members = dict(pairs)
    if len(members) != len(pairs):
        names = [name for name, _ in pairs]
        repeated = next(name for name in names if names.count(name) > 1)
        said = _clip(repr(repeated))
        raise NotJson(
            Problem("member_repeated", f"the member {said} is repeated in one object", member=_clip(repeated))
        )
    return members


def _not_a_number(name: str) -> float:
    raise NotJson(Problem("not_a_number", f"{name} is not a JSON number", name=name))


def _nested(depth: int) -> Problem:
    return Problem("nested", f"nests more than {depth} levels deep", depth=depth)


def _clip(text: str, longest: int = 40) -> str:
    return text if len(text) <= longest else text[: longest - 1] + "…"
