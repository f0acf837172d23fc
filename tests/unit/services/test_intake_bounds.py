"""Authentication answers every input with a classified rejection or an authenticated
submission, and never raises: the bounds at parse time (`parse` for bytes that are not UTF-8
JSON or repeat a member name; `schema` for nesting, numbers that are not finite, size), with
the digest and size of what was received, the bytes kept only within the size bound."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from factory import World, extract
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import MAX_BYTES, Authenticated, Delivery, Rejection
from reetrace.ledger.signing import raw_public_key
from reetrace.services.intake import authenticate, read_delivery, read_file

CST = timezone(timedelta(hours=8))
RECEIVED = datetime(2026, 12, 1, 10, 0, tzinfo=CST)
WORLD = World()
PARTIES = (WORLD.mine, WORLD.plant, WORLD.trader)
KEYS = {
    p.key_id: SigningKey(p.key_id, p.uscc, raw_public_key(p.key), datetime(2025, 1, 1, tzinfo=CST), None)
    for p in PARTIES
}
ENTERPRISES = {p.uscc for p in PARTIES}


def check(raw: bytes | Delivery) -> Authenticated | Rejection:
    return authenticate(raw, "doc.json", KEYS, ENTERPRISES, RECEIVED)


def signed(events=None, **members) -> dict:
    doc = WORLD.mine.submit(
        events or [extract("e1", "L1", time="2026-11-30T08:00:00+08:00")], "2026-12-01T09:00:00+08:00"
    )
    return {**doc, **members}


def text(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def rejected(raw: bytes | Delivery, reason_class: str, words: str) -> Rejection:
    result = check(raw)
    assert isinstance(result, Rejection), result
    assert (result.reason_class, words in result.detail) == (reason_class, True), result.reason
    body = raw.raw if isinstance(raw, Delivery) else raw
    if body is not None:  # what was received, kept with its digest and size
        assert result.raw == body and result.size == len(body)
        assert result.digest == hashlib.sha256(body).hexdigest()
    return result


def test_a_valid_submission_and_its_spellings_are_accepted():
    doc = signed()
    for raw in (text(doc), json.dumps(doc, indent=2).encode(), b"\xef\xbb\xbf" + text(doc)):
        assert isinstance(check(raw), Authenticated)


def test_deep_nesting_is_a_schema_rejection_not_a_crash():
    rejected(b"[" * 1000 + b"]" * 1000, "schema", "nests more than 32 levels deep")
    rejected(b'{"events": ' + b"[" * 100_000, "schema", "nests more than 32 levels deep")
    inside = signed()
    value: object = "x"
    for _ in range(30):  # with the submission, its events and the event: 33 levels
        value = [value]
    inside["events"][0]["ext"] = value
    rejected(text(inside), "schema", "nests more than 32 levels deep")


def test_a_repeated_member_is_a_parse_rejection_wherever_it_is():
    raw = text(signed())
    rejected(raw.replace(b'"format"', b'"format": "x", "format"', 1), "parse", "'format' is repeated")
    rejected(raw.replace(b'"deposit"', b'"deposit": "rock", "deposit"', 1), "parse", "'deposit' is repeated")
    rejected(raw.replace(b'"Dy"', b'"Ce": 0.2, "Dy"', 1), "parse", "'Ce' is repeated")


def test_bytes_that_are_not_utf8_json_are_parse_rejections():
    doc = signed(events=[{**extract("e1", "L1", time="2026-11-30T08:00:00+08:00"), "ext": {"名": "稀土"}}])
    raw = json.dumps(doc, ensure_ascii=False)
    rejected(raw.encode("utf-16"), "parse", "not UTF-8")
    rejected(raw.encode("gb18030"), "parse", "not UTF-8")
    rejected(raw.encode()[:-1], "parse", "not JSON")
    rejected(raw.encode().replace(b'"mass_kg": 1000.0', b'"mass_kg": NaN'), "parse", "NaN is not a JSON number")
    assert isinstance(check(raw.encode()), Authenticated)  # the near miss: the same in UTF-8


def test_numbers_that_are_not_finite_are_schema_rejections():
    raw = text(signed()).replace(b'"mass_kg": 1000.0', b'"mass_kg": 1e400')
    rejected(raw, "schema", "the number 1e400 is not finite")


def test_a_bound_broken_by_a_signed_event_is_a_schema_rejection_naming_it():
    far = signed(events=[extract("e9", "L9", time="9999-12-31T23:59:59+08:00")])
    result = rejected(text(far), "schema", "nothing is reported from the future")
    assert result.event == f"{WORLD.mine.uscc}:e9" and result.reporter == WORLD.mine.uscc


def test_what_cannot_be_written_down_is_not_recorded_as_the_reporter_or_event():
    doc = signed(events=[{**extract("e\x00", "L1", time="2026-11-30T08:00:00+08:00")}])
    result = rejected(text(doc), "schema", "U+0000")
    assert result.event is None
    result = rejected(text({**doc, "reporter": "R" * 5000}), "schema", "U+0000")
    assert result.reporter is None


def chunks(total: int, size: int = 1 << 20):
    block = b"\x00" * size
    while total > 0:
        yield block[: min(size, total)]
        total -= size


def test_an_oversized_body_is_read_past_and_never_kept():
    digest = hashlib.sha256()
    for chunk in chunks(MAX_BYTES + 1):
        digest.update(chunk)
    delivery = read_delivery("api/x", chunks(MAX_BYTES + 1))
    assert delivery.raw is None and delivery.size == MAX_BYTES + 1 and delivery.digest == digest.hexdigest()
    result = rejected(delivery, "schema", "67,108,865 bytes received, more than the 67,108,864 (64 MiB)")
    assert result.raw is None and result.size == MAX_BYTES + 1 and result.digest == digest.hexdigest()


def test_a_body_of_exactly_the_bound_is_kept():
    delivery = read_delivery("api/x", chunks(MAX_BYTES))
    assert delivery.size == MAX_BYTES and delivery.raw is not None and len(delivery.raw) == MAX_BYTES
    rejected(delivery, "parse", "not JSON")  # read and parsed: zeros are no JSON


def test_an_oversized_file_is_read_past_too(tmp_path):
    path = tmp_path / "big.json"
    with path.open("wb") as file:
        file.write(b'{"format": ')
        file.truncate(MAX_BYTES + 10)  # a sparse file: zeros after the start
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    delivery = read_file(path)
    assert (delivery.raw, delivery.size, delivery.digest) == (None, MAX_BYTES + 10, expected)
    small = tmp_path / "small.json"
    small.write_bytes(text(signed()))
    assert isinstance(check(read_file(small)), Authenticated)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300)
    | st.sampled_from([text(signed()), b"{}", b"[]", b"null", b'"x"']).flatmap(
        lambda base: st.tuples(st.just(base), st.integers(0, len(base)), st.binary(max_size=8)).map(
            lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
        )
    )
)
def test_no_bytes_make_authentication_raise(raw):
    result = check(raw)
    if isinstance(result, Rejection):
        assert result.reason_class in ("parse", "schema", "reporter", "key", "signature")
        assert "cannot be checked" not in result.detail  # the last guard was never needed
        assert result.size == len(raw) and result.digest == hashlib.sha256(raw).hexdigest()
