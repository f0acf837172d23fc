"""Detached JWS (RFC 7515 Appendix F) with Ed25519, as enterprises sign EPCIS documents: the
signing input of the published Ed25519 vector (RFC 8037 A.4), the same JWS as a reference
implementation (joserfc) makes and accepts, and every tampering refused with its problem."""

from __future__ import annotations

import json
import warnings

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws as joserfc_jws
from joserfc.jwk import OKPKey

from reetrace.ledger.jws import (
    DetachedJwsError,
    key_id_of,
    protected_header,
    sign_detached,
    signing_input,
    verify_detached,
)
from reetrace.ledger.signing import b64url_decode, b64url_encode, key_id, raw_public_key

# RFC 8037 Appendix A.1 and A.4: an Ed25519 key and the JWS it makes of a payload
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_HEADER = "eyJhbGciOiJFZERTQSJ9"  # {"alg":"EdDSA"}
RFC8037_PAYLOAD = b"Example of Ed25519 signing"
RFC8037_SIGNATURE = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

KEY = Ed25519PrivateKey.from_private_bytes(b64url_decode(RFC8037_D))
RAW = raw_public_key(KEY)
KID = key_id(RAW)
PAYLOAD = '{"type":"EPCISDocument","schemaVersion":"2.0","note":"稀土"}\n'.encode()


def test_the_signing_input_is_the_one_of_the_published_ed25519_vector():
    assert RAW == b64url_decode(RFC8037_X)
    message = signing_input(RFC8037_HEADER, RFC8037_PAYLOAD)
    assert message == b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    assert b64url_encode(KEY.sign(message)) == RFC8037_SIGNATURE


def test_a_detached_jws_has_the_appendix_f_shape_and_exactly_the_contracts_header():
    jws = sign_detached(KEY, KID, PAYLOAD)
    header, middle, signature = jws.split(".")
    assert middle == ""  # the payload travels beside it
    assert b64url_decode(header) == f'{{"alg":"EdDSA","kid":"{KID}"}}'.encode() == protected_header(KID)
    assert len(b64url_decode(signature)) == 64 and "=" not in jws
    assert len(jws) == 142
    assert verify_detached(RAW, jws, PAYLOAD) == KID == key_id_of(jws)


def test_it_is_the_jws_a_reference_implementation_makes_and_each_accepts_the_others():
    okp = OKPKey.import_key(KEY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns that RFC 9864 deprecates the name "EdDSA"
        theirs = joserfc_jws.detach_content(
            joserfc_jws.serialize_compact({"alg": "EdDSA", "kid": KID}, PAYLOAD, okp, algorithms=["EdDSA"])
        )
        ours = sign_detached(KEY, KID, PAYLOAD)
        assert ours == theirs  # Ed25519 is deterministic: the same bytes, signature included
        checked = joserfc_jws.deserialize_compact(
            ours, OKPKey.import_key(KEY.public_key()), algorithms=["EdDSA"], payload=PAYLOAD
        )
    assert checked.headers() == {"alg": "EdDSA", "kid": KID}
    assert verify_detached(RAW, theirs, PAYLOAD) == KID


def test_a_changed_byte_of_the_payload_or_the_signature_does_not_verify():
    jws = sign_detached(KEY, KID, PAYLOAD)
    for payload in (PAYLOAD[:-1], PAYLOAD + b" ", PAYLOAD.replace(b"2.0", b"2.1"), b""):
        with pytest.raises(DetachedJwsError) as caught:
            verify_detached(RAW, jws, payload)
        assert caught.value.problem.id == "signature_invalid"
    header, _, signature = jws.split(".")
    raw = bytearray(b64url_decode(signature))
    raw[10] ^= 1
    with pytest.raises(DetachedJwsError, match="does not verify"):
        verify_detached(RAW, f"{header}..{b64url_encode(bytes(raw))}", PAYLOAD)


def test_another_key_does_not_verify_it_even_when_the_header_is_made_to_name_it():
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    other_raw = raw_public_key(other)
    jws = sign_detached(KEY, KID, PAYLOAD)
    with pytest.raises(DetachedJwsError) as caught:
        verify_detached(other_raw, jws, PAYLOAD)
    assert caught.value.problem.id == "jws_key"
    _, _, signature = jws.split(".")
    renamed = f"{b64url_encode(protected_header(key_id(other_raw)))}..{signature}"
    with pytest.raises(DetachedJwsError) as caught:
        verify_detached(other_raw, renamed, PAYLOAD)
    assert caught.value.problem.id == "signature_invalid"
    with pytest.raises(ValueError, match="not the id of the key"):
        sign_detached(KEY, key_id(other_raw), PAYLOAD)


def _with_header(header: bytes, signed_by: Ed25519PrivateKey = KEY) -> str:
    """A JWS whose protected header is `header`, signed correctly over it."""
    encoded = b64url_encode(header)
    return f"{encoded}..{b64url_encode(signed_by.sign(signing_input(encoded, PAYLOAD)))}"


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (b'{"alg":"none","kid":"%s"}', "jws_alg"),
        (b'{"alg":"Ed25519","kid":"%s"}', "jws_alg"),
        (b'{"alg":"EdDSA"}', "jws_header"),
        (b'{"alg":"EdDSA","kid":"%s","b64":false,"crit":["b64"]}', "jws_header"),
        (b'{"alg":"EdDSA","kid":"%s","kid":"%s"}', "jws_malformed"),  # a member repeated: not JSON we read
        (b'{"alg":"EdDSA","kid":7}', "jws_header"),
        (b'["EdDSA","%s"]', "jws_header"),
        (b"not json %s", "jws_malformed"),
        (b'{"alg":"EdDSA","kid":"\xff%s"}', "jws_malformed"),
    ],
)
def test_a_header_other_than_the_contracts_is_refused_even_when_signed(header, problem):
    jws = _with_header(header.replace(b"%s", KID.encode()))
    with pytest.raises(DetachedJwsError) as caught:
        verify_detached(RAW, jws, PAYLOAD)
    assert caught.value.problem.id == problem
    with pytest.raises(DetachedJwsError):
        key_id_of(jws)


def test_a_key_id_that_is_not_the_keys_is_refused():
    jws = _with_header(f'{{"alg":"EdDSA","kid":"KEY-{KID}"}}'.encode())
    with pytest.raises(DetachedJwsError) as caught:
        verify_detached(RAW, jws, PAYLOAD)
    assert caught.value.problem.id == "jws_key"


def test_the_header_is_read_as_json_whatever_its_spacing():
    jws = _with_header(json.dumps({"kid": KID, "alg": "EdDSA"}).encode())
    assert verify_detached(RAW, jws, PAYLOAD) == KID


@pytest.mark.parametrize(
    "mangle, problem",
    [
        (lambda h, s: f"{h}.{b64url_encode(PAYLOAD)}.{s}", "jws_malformed"),  # attached, not detached
        (lambda h, s: f"{h}.{s}", "jws_malformed"),
        (lambda h, s: f"{h}...{s}", "jws_malformed"),
        (lambda h, s: f".{s}", "jws_malformed"),
        (lambda h, s: f"{h}..", "jws_malformed"),
        (lambda h, s: f"{h}..{s}=", "jws_malformed"),
        (lambda h, s: f"{h}..{s[:-2]}+/", "jws_malformed"),
        (lambda h, s: f"{h}=..{s}", "jws_malformed"),
        (lambda h, s: f"{h}..{s}{'A' * 80}", "jws_malformed"),  # beyond the bound
        (lambda h, s: f"{h}..{s[:-4]}", "signature_invalid"),  # a signature too short
    ],
)
def test_what_is_not_a_detached_jws_is_refused_with_its_problem(mangle, problem):
    header, _, signature = sign_detached(KEY, KID, PAYLOAD).split(".")
    with pytest.raises(DetachedJwsError) as caught:
        verify_detached(RAW, mangle(header, signature), PAYLOAD)
    assert caught.value.problem.id == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "jws_missing"),
        ("", "jws_missing"),
        (b"bytes", "jws_malformed"),
        (139, "jws_malformed"),
        (["a", "", "b"], "jws_malformed"),
    ],
)
def test_a_value_that_is_not_text_is_refused(value, problem):
    with pytest.raises(DetachedJwsError) as caught:
        verify_detached(RAW, value, PAYLOAD)
    assert caught.value.problem.id == problem
