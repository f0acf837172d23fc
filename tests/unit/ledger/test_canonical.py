"""The fast canonicaliser writes exactly what the RFC 8785 reference implementation writes."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.ledger.canonical import NotJson, OutOfBounds, ParsedJson, canonical_bytes

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


def outcome(fn, *args):
    """The bytes written, or the kind of error raised."""
    try:
        return fn(*args)
    except ValueError as exc:
        return type(exc).__name__


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_matches_reference(value):
    assert outcome(canonical_bytes, value) == outcome(rfc8785.dumps, value)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_parsed_path_matches_reference(value):
    text = json.dumps(value, ensure_ascii=False)
    parsed = ParsedJson(text.encode("utf-8"))
    assert outcome(parsed.canonical, parsed.value) == outcome(rfc8785.dumps, json.loads(text))


def test_known_differences_are_handled():
    # integral floats, exponents, astral-plane keys that sort differently in UTF-16
    for value in [1.0, 1e21, 1e-7, 123456789012345680000.0, {"\U0001f600": 1, "\uffff": 2}, [0.1, -0.0]]:
        assert canonical_bytes(value) == rfc8785.dumps(value)


def test_rejects_what_jcs_cannot_represent():
    import pytest

    with pytest.raises(ValueError):
        canonical_bytes(2**60)


def test_parsed_integral_floats_beyond_the_safe_range():
    text = b"[9007199254740992.0, 1e+16, 5.0]"
    parsed = ParsedJson(text)
    assert parsed.canonical(parsed.value) == rfc8785.dumps(json.loads(text))


def test_integral_floats_beyond_the_safe_integers_take_the_reference_path():
    # found by hypothesis: 2**53 written as 9007199254740992.0 parses to a float the fast path kept
    for text in ("9007199254740992.0", "[9007199254740993.0, 1.5]", '{"a": 1e16}', "-9007199254740992.0"):
        parsed = ParsedJson(text.encode())
        assert parsed.canonical(parsed.value) == rfc8785.dumps(json.loads(text)), text


# texts made of what escaping and key order can get wrong: controls, quotes, the solidus, DEL,
# line separators, the top of the BMP, private use (sorts after surrogate pairs in UTF-16) and
# characters beyond the BMP
tricky_text = st.text(
    st.sampled_from(
        list('\x00\x08\x09\x0a\x0c\x0d\x1f "\\/aZ~\x7f\x80é\u2028\u2029\ud7ff\ue000\uffff\U00010000\U0001f600')
    ),
    max_size=6,
)
tricky_values = st.recursive(
    st.none()
    | st.booleans()
    | tricky_text
    | st.floats(1e-4, 1e16)
    | st.floats(-1e16, -1e-4)
    | st.integers(-(2**53) + 1, 2**53 - 1),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(tricky_text, children, max_size=5),
    max_leaves=16,
)


@settings(max_examples=300, deadline=None)
@given(tricky_values)
def test_escapes_and_key_order_match_the_reference(value):
    assert outcome(canonical_bytes, value) == outcome(rfc8785.dumps, value)
    text = json.dumps(value)  # escaped: the parser sees \\u escapes, as in a submission file
    parsed = ParsedJson(text.encode("ascii"))
    assert outcome(parsed.canonical, parsed.value) == outcome(rfc8785.dumps, json.loads(text))


def test_nan_and_infinity_are_refused_as_the_standard_library_refuses_them():
    # not JSON: the parser refuses these constants (reetrace.ledger.canonical.NotJson); values
    # built in Python may still hold them, and canonicalisation refuses them as json does
    for text in (b'{"ext": NaN}', b"[1.5, Infinity]", b'{"a": [-Infinity]}'):
        with pytest.raises(NotJson):
            ParsedJson(text)
    for value in ({"ext": float("nan")}, [1.5, float("inf")]):
        with pytest.raises(ValueError) as caught:
            canonical_bytes(value)
        assert isinstance(caught.value, ValueError)


def test_lone_surrogates_are_refused_as_the_reference_refuses_them():
    parsed = ParsedJson(b'{"a": "\\ud800"}')
    assert outcome(parsed.canonical, parsed.value) == outcome(rfc8785.dumps, parsed.value)
    assert outcome(canonical_bytes, ["\udc00"]) == outcome(rfc8785.dumps, ["\udc00"])
    assert outcome(parsed.canonical, parsed.value) != parsed.canonical({"a": "b"})


def test_nesting_beyond_the_fast_encoders_limit():
    value: object = 1.5
    for i in range(300):
        value = [value] if i % 2 else {"k": value}
    text = json.dumps(value).encode()
    assert canonical_bytes(value) == text.replace(b" ", b"") == rfc8785.dumps(value)
    with pytest.raises(OutOfBounds):  # a submission never nests so deep (MAX_DEPTH)
        ParsedJson(text)
    parsed = ParsedJson(text, max_depth=300)
    assert parsed.canonical(parsed.value) == text.replace(b" ", b"")
