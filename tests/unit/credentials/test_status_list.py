"""Bitstring Status List: the spec's example list read, bits placed as the spec orders them
(index 0 the most significant bit of the first byte), set bits coming back as they were set,
the entry of a credential read strictly, and lists that are too short, too large, of another
purpose or another URL refused; hostile input only ever raises VerificationError."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.credentials.errors import VerificationError
from reetrace.credentials.multibase_keys import multibase_encode
from reetrace.credentials.status_list import (
    MAX_BYTES,
    MIN_BITS,
    StatusEntry,
    decode_bitstring,
    encode_bitstring,
    is_set,
    set_indexes,
    status_list_credential,
)

# W3C Bitstring Status List v1.0, "Example BitstringStatusListCredential" (W3C Software and
# Document License): an empty list of the minimum length
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://localhost:8000/credentials/status/1"
ISSUER = "did:web:localhost%3A8000"


def encoded(bits: bytes) -> str:
    return multibase_encode(gzip.compress(bits), "u")


def refused(call: Any, *args: Any) -> str:
    with pytest.raises(VerificationError) as caught:
        call(*args)
    return caught.value.problem.id


def test_the_spec_example_is_an_empty_list_of_the_minimum_length():
    assert decode_bitstring(SPEC_EXAMPLE) == bytes(MIN_BITS // 8) == bytes(16 * 1024)
    assert set_indexes(SPEC_EXAMPLE) == []
    assert not is_set(SPEC_EXAMPLE, 0) and not is_set(SPEC_EXAMPLE, MIN_BITS - 1)
    assert refused(is_set, SPEC_EXAMPLE, MIN_BITS) == "status_range"
    assert decode_bitstring(encode_bitstring([])) == decode_bitstring(SPEC_EXAMPLE)


def test_index_zero_is_the_most_significant_bit_of_the_first_byte():
    bits = decode_bitstring(encode_bitstring([0, 9, 15, MIN_BITS - 1]))
    assert bits[:2] == bytes([0b1000_0000, 0b0100_0001])
    assert bits[-1] == 0b0000_0001 and not any(bits[2:-1])
    by_hand = bytearray(MIN_BITS // 8)
    by_hand[3] = 0b0010_0000  # index 3 * 8 + 2 = 26
    assert set_indexes(encoded(bytes(by_hand))) == [26] and is_set(encoded(bytes(by_hand)), 26)


def test_the_encoded_list_is_multibase_base64url_of_gzip():
    text = encode_bitstring([5])
    assert text.startswith("uH4sI")  # "u", then base64url of the GZIP magic 1f 8b 08
    assert "=" not in text and "+" not in text and "/" not in text
    raw = gzip.decompress(base64.urlsafe_b64decode(text[1:] + "=" * (-len(text[1:]) % 4)))
    assert raw[0] == 0b0000_0100 and len(raw) == MIN_BITS // 8
    assert encode_bitstring([5]) == text  # no timestamp in the GZIP header: the same list, the same text


@settings(max_examples=100, deadline=None)
@given(st.sets(st.integers(0, 2 * MIN_BITS - 1), max_size=40), st.integers(0, 2 * MIN_BITS))
def test_set_bits_come_back_as_they_were_set(indexes, length):
    length = max(length, max(indexes, default=0) + 1)
    text = encode_bitstring(indexes, length)
    assert set_indexes(text) == sorted(indexes)
    assert len(decode_bitstring(text)) * 8 >= max(length, MIN_BITS)
    for index in list(indexes)[:5]:
        assert is_set(text, index)
        assert not is_set(text, index ^ 1) or index ^ 1 in indexes


def test_an_index_outside_the_list_is_not_encoded():
    with pytest.raises(ValueError):
        encode_bitstring([MIN_BITS])
    with pytest.raises(ValueError):
        encode_bitstring([-1])


def test_a_list_shorter_than_the_minimum_or_expanding_too_far_is_refused():
    assert refused(decode_bitstring, encoded(bytes(MIN_BITS // 8 - 1))) == "status_list_length"
    assert refused(decode_bitstring, encoded(bytes(MAX_BYTES + 1))) == "status_list"  # 16 MiB of zeros: 16 KiB
    assert refused(decode_bitstring, encoded(bytes(MIN_BITS // 8)) + "A") == "multibase"
    assert refused(decode_bitstring, multibase_encode(gzip.compress(bytes(MIN_BITS // 8)) * 2, "u")) == "status_list"
    assert refused(decode_bitstring, multibase_encode(b"not gzip at all", "u")) == "status_list"
    assert refused(decode_bitstring, multibase_encode(gzip.compress(bytes(MIN_BITS // 8))[:-4], "u")) == "status_list"
    assert refused(decode_bitstring, "z" + SPEC_EXAMPLE[1:]) == "multibase"
    assert refused(decode_bitstring, None) == "multibase"


def test_the_status_list_credential_has_the_contracts_shape():
    moment = datetime(2026, 12, 7, 2, tzinfo=UTC)
    credential = status_list_credential(LIST_URL, ISSUER, moment, [3, 7])
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER,
        "validFrom": "2026-12-07T02:00:00Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bitstring([3, 7]),
        },
    }


def entry(index: str = "7", **members: Any) -> dict[str, Any]:
    return {
        "id": f"{LIST_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index,
        "statusListCredential": LIST_URL,
        **members,
    }


def test_a_credentials_entry_reads_and_finds_its_bit():
    found = StatusEntry.of({"credentialStatus": entry()})
    assert found == StatusEntry("revocation", 7, LIST_URL, f"{LIST_URL}#7")
    revoked = status_list_credential(LIST_URL, ISSUER, "2026-12-07T02:00:00Z", [7])
    assert found.is_set(revoked)
    assert not StatusEntry.of({"credentialStatus": entry("8")}).is_set(revoked)
    assert not found.is_set(status_list_credential(LIST_URL, ISSUER, "2026-12-07T02:00:00Z", [6, 8]))


def test_entries_for_other_purposes_are_passed_over_and_none_is_none():
    suspension = entry("2", statusPurpose="suspension")
    assert StatusEntry.of({"credentialStatus": [suspension, entry()]}).index == 7
    assert StatusEntry.of({"credentialStatus": suspension}) is None
    assert StatusEntry.of({"credentialSubject": {}}) is None
    assert refused(StatusEntry.of, {"credentialStatus": [entry(), entry("8")]}) == "status_entry"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"type": "StatusList2021Entry"}, "status_entry"),
        ({"statusListIndex": 7}, "member"),
        ({"statusListIndex": "-7"}, "status_entry"),
        ({"statusListIndex": "0x7"}, "status_entry"),
        ({"statusListIndex": "٧"}, "status_entry"),  # an Arabic-Indic seven: a digit, but not base 10 ASCII
        ({"statusListIndex": " 7"}, "status_entry"),
        ({"statusListIndex": "9" * 5000}, "status_entry"),
        ({"statusSize": 2}, "status_entry"),
        ({"statusSize": True}, "status_entry"),
        ({"statusPurpose": None}, "member"),
        ({"statusListCredential": ["x"]}, "member"),
        ({"id": 5}, "member"),
    ],
)
def test_a_malformed_entry_is_refused(changes, problem):
    assert refused(StatusEntry.read, entry(**changes)) == problem


def test_a_list_of_another_url_purpose_or_type_is_refused():
    found = StatusEntry.of({"credentialStatus": entry()})
    good = status_list_credential(LIST_URL, ISSUER, "2026-12-07T02:00:00Z", [7])
    other_url = {**good, "id": LIST_URL.replace("/1", "/2")}
    other_purpose = {**good, "credentialSubject": {**good["credentialSubject"], "statusPurpose": "suspension"}}
    many_purposes = {**good, "credentialSubject": {**good["credentialSubject"], "statusPurpose": ["x", "revocation"]}}
    other_type = {**good, "type": ["VerifiableCredential", "StatusList2021Credential"]}
    other_subject = {**good, "credentialSubject": {**good["credentialSubject"], "type": "StatusList2021"}}
    for wrong in (other_url, other_purpose, other_type, other_subject):
        assert refused(found.is_set, wrong) == "status_list"
    assert found.is_set(many_purposes)
    assert refused(StatusEntry.of({"credentialStatus": entry(str(MIN_BITS))}).is_set, good) == "status_range"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(JSON, st.sampled_from(["type", "statusPurpose", "statusListIndex", "statusListCredential", "statusSize"]))
def test_any_json_as_an_entry_or_in_one_is_read_or_refused_with_a_verification_error(value, name):
    for status in (value, entry(**{name: value})):
        try:
            StatusEntry.of({"credentialStatus": status})
        except VerificationError:
            pass


@settings(max_examples=300, deadline=None)
@given(JSON, st.sampled_from(["id", "type", "credentialSubject", "statusPurpose", "encodedList"]))
def test_any_json_as_a_list_or_in_one_is_read_or_refused_with_a_verification_error(value, name):
    good = status_list_credential(LIST_URL, ISSUER, "2026-12-07T02:00:00Z", [7])
    subject = good["credentialSubject"]
    wrong = {**good, name: value} if name in good else {**good, "credentialSubject": {**subject, name: value}}
    found = StatusEntry.of({"credentialStatus": entry()})
    for status_list in (value, wrong):
        try:
            assert found.is_set(status_list)
        except VerificationError:
            pass
