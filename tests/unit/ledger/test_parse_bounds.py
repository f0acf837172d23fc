"""Parsing a submission within the contract's bounds (reetrace.ledger.canonical.ParsedJson):
nesting is measured before the recursive parser runs, repeated member names and bytes that are
not UTF-8 are `NotJson` (a `parse` rejection), numbers that are not finite and nesting beyond 32
levels are `OutOfBounds` (a `schema` one). Each attack fails; each near miss still parses."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.ledger.canonical import NotJson, OutOfBounds, ParsedJson, max_nesting, nesting_exceeds


def depth(value) -> int:
    """Levels of nesting, the plain recursive way (the reference for the measures under test)."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def nested(levels: int, inner: str = "1") -> bytes:
    text = inner
    for i in range(levels):
        text = f"[{text}]" if i % 2 else f'{{"k": {text}}}'
    return text.encode()


# --- nesting -------------------------------------------------------------------------------------


def test_thirty_two_levels_parse_and_thirty_three_do_not():
    assert depth(ParsedJson(nested(32)).value) == 32
    with pytest.raises(OutOfBounds, match="more than 32 levels"):
        ParsedJson(nested(33))


@pytest.mark.parametrize("levels", [1_000, 100_000, 3_000_000])
def test_deep_nesting_is_refused_before_the_parser_recurses(levels):
    # 1,000 levels made the standard library's parser raise RecursionError (an HTTP 500)
    for raw in (b"[" * levels + b"]" * levels, b"[" * levels, b'{"a":' * levels + b"1" + b"}" * levels):
        with pytest.raises(OutOfBounds):
            ParsedJson(raw)


def test_brackets_inside_strings_are_text():
    raw = json.dumps({"note": "[[[[" * 50 + '"\\' + "{" * 50, "list": ["]]]]" * 50]}).encode()
    assert ParsedJson(raw).value["list"] == ["]]]]" * 50]


def test_a_truncated_document_is_not_json_not_too_deep():
    with pytest.raises(NotJson):
        ParsedJson(b'{"events": [{"outputs": [{"composition": {"La"')
    with pytest.raises(NotJson):
        ParsedJson(b"]" + b"[" * 40)  # a parser stops at the first character


json_text = st.text(st.sampled_from(list('[]{}"\\/:,ab \u00e9\U0001f600')), max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-1e3, 1e3) | json_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(json_text, children, max_size=3),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(0, 12), st.booleans(), st.booleans())
def test_the_measure_of_nesting_is_exact_on_json(value, limit, ascii_only, indent):
    raw = json.dumps(value, ensure_ascii=ascii_only, indent=1 if indent else None).encode()
    assert nesting_exceeds(raw, limit) == (depth(value) > limit)
    assert max_nesting(value, limit) == min(depth(value), limit + 1)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list('[]{}"\\:,1 a')), max_size=60), st.integers(0, 6))
def test_the_measure_never_says_less_than_a_parser_reaches(text, limit):
    """On any text, valid or not: whenever the measure lets it through, a parser that refuses to
    go deeper than `limit` levels would not have been stopped by that."""
    if nesting_exceeds(text.encode(), limit):
        return
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return  # refused for its syntax, which the measure leaves to the parser
    assert depth(parsed) <= limit


# --- repeated members, encodings, numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"reporter": "A", "reporter": "B"}',
        b'{"events": [{"event_id": "e1", "type": "x", "type": "y"}]}',
        b'{"a": {"b": {"c": 1, "d": 2, "c": 1}}}',  # the same value twice is still two members
        '{"批次": 1, "批次": 2}'.encode(),
    ],
)
def test_a_repeated_member_name_is_not_json(raw):
    with pytest.raises(NotJson, match="is repeated"):
        ParsedJson(raw)


def test_the_same_name_in_different_objects_is_fine():
    parsed = ParsedJson(b'{"a": {"lot": 1}, "b": [{"lot": 1}, {"lot": 2}], "lot": 3}').value
    assert parsed == {"a": {"lot": 1}, "b": [{"lot": 1}, {"lot": 2}], "lot": 3}


def test_a_name_and_its_escaped_spelling_are_the_same_name():
    with pytest.raises(NotJson, match="is repeated"):
        ParsedJson(b'{"lot": 1, "l\\u006ft": 2}')


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "é"}'.encode("latin-1"),
        '{"name": "x"}'.encode("utf-16"),  # with its byte order mark: the standard parser took it
        '{"name": "x"}'.encode("utf-32"),
        b'{"name": "\xed\xa0\x80"}',  # a surrogate written in UTF-8 form, which UTF-8 forbids
        b'{"name": "\xc0\xaf"}',  # an overlong form
        b"\xff",
    ],
)
def test_bytes_that_are_not_utf8_are_not_json(raw):
    with pytest.raises(NotJson, match="not UTF-8"):
        ParsedJson(raw)


def test_utf8_with_or_without_a_byte_order_mark_parses():
    text = '{"name": "包头稀土", "emoji": "\U0001f600"}'
    assert ParsedJson(text.encode()).value["name"] == "包头稀土"
    assert ParsedJson(b"\xef\xbb\xbf" + text.encode()).value["emoji"] == "\U0001f600"


@pytest.mark.parametrize("raw", [b'{"ext": NaN}', b"[1.5, Infinity]", b'{"a": [-Infinity]}'])
def test_nan_and_infinity_are_not_json(raw):
    with pytest.raises(NotJson, match="not a JSON number"):
        ParsedJson(raw)


@pytest.mark.parametrize("raw", [b'{"mass_kg": 1e400}', b"[-1e309]", b"[" + b"9" * 5000 + b"]"])
def test_numbers_that_are_not_finite_are_out_of_bounds(raw):
    with pytest.raises(OutOfBounds, match="not finite"):
        ParsedJson(raw)


def test_the_largest_finite_numbers_parse():
    value = ParsedJson(b"[1.7976931348623157e308, -1e308, 5e-324, " + b"9" * 4000 + b"]").value
    assert value[:3] == [1.7976931348623157e308, -1e308, 5e-324] and value[3] == int("9" * 4000)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80) | st.text(string.printable, max_size=80).map(str.encode))
def test_any_bytes_parse_or_are_refused_with_a_class(raw):
    try:
        ParsedJson(raw)
    except (NotJson, OutOfBounds):
        pass
