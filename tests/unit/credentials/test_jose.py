"""VC-JOSE-COSE enveloped credentials: the envelope's shape and header, the same JWS as joserfc's
own EdDSA makes and accepts (and as Ed25519 verifies by hand), and each thing a verifier must
refuse — a changed payload or header, another key, a kid not listed for assertions, another
alg, typ or cty, an unknown header member, a loose encoding — refused with its problem; hostile
input only ever raises VerificationError."""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from joserfc import jws as joserfc_jws
from joserfc.jwk import OKPKey

from reetrace.credentials.did import did_document, did_web, key_resolver, verification_method_id
from reetrace.credentials.errors import VerificationError
from reetrace.credentials.jose import DATA_URL, envelope, open_envelope
from reetrace.ledger.signing import b64url_decode, b64url_encode

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
DID = did_web("localhost:8000")
KID = verification_method_id(DID, KEY.public_key())
RESOLVER = key_resolver(did_document(DID, [OTHER.public_key(), KEY.public_key()]))
CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/"],
    "type": ["VerifiableCredential", "DigitalProductPassport"],
    "id": "https://localhost:8000/credentials/5b0c6b55-8f0e-4a53-9b1e-0d1f6c8c9e3a",
    "issuer": {"type": ["CredentialIssuer"], "id": DID, "name": "稀土监管"},
    "validFrom": "2026-12-07T02:00:00Z",
    "credentialSubject": {"id": "https://localhost:8000/lots/L-1", "chineseOriginShare": 0.93},
}


def token(enveloped: dict[str, Any]) -> str:
    return enveloped["id"].removeprefix(DATA_URL)


def segments(enveloped: dict[str, Any]) -> list[str]:
    return token(enveloped).split(".")


def joserfc_token(header: dict[str, Any], payload: Any, key: Ed25519PrivateKey = KEY) -> str:
    """A compact JWS made by joserfc with its own registry (which warns about EdDSA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns that RFC 9864 deprecates the name "EdDSA"
        raw = json.dumps(payload).encode()
        return joserfc_jws.serialize_compact(header, raw, OKPKey.import_key(key), algorithms=["EdDSA", "HS256"])


def enveloping(text: str) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential", "id": text}


def refused(enveloped: Any, resolver: Any = RESOLVER) -> str:
    with pytest.raises(VerificationError) as caught:
        open_envelope(enveloped, resolver)
    return caught.value.problem.id


def test_the_envelope_is_a_vc_jwt_data_url_with_the_header_of_the_contract():
    enveloped = envelope(CREDENTIAL, KEY, KID)
    assert set(enveloped) == {"@context", "type", "id"}
    assert enveloped["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert enveloped["type"] == "EnvelopedVerifiableCredential"
    assert enveloped["id"].startswith("data:application/vc+jwt,ey")
    header, payload, signature = segments(enveloped)
    assert json.loads(b64url_decode(header)) == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": KID}
    assert json.loads(b64url_decode(payload)) == CREDENTIAL
    # RFC 7515 §5.1 by hand: Ed25519 over ASCII(header "." payload)
    KEY.public_key().verify(b64url_decode(signature), f"{header}.{payload}".encode("ascii"))


def test_enveloping_and_opening_say_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert open_envelope(envelope(CREDENTIAL, KEY, KID), RESOLVER) == CREDENTIAL


def test_joserfc_with_its_own_eddsa_accepts_the_envelope_and_makes_one_that_opens():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = joserfc_jws.deserialize_compact(
            token(envelope(CREDENTIAL, KEY, KID)), OKPKey.import_key(KEY.public_key()), algorithms=["EdDSA"]
        )
    assert json.loads(found.payload) == CREDENTIAL
    made = joserfc_token({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": KID}, CREDENTIAL)
    assert open_envelope(enveloping(DATA_URL + made), RESOLVER) == CREDENTIAL
    without_cty = joserfc_token({"alg": "EdDSA", "typ": "vc+jwt", "kid": KID}, CREDENTIAL)
    assert open_envelope(enveloping(DATA_URL + without_cty), RESOLVER) == CREDENTIAL


def test_a_changed_payload_or_header_breaks_the_signature():
    header, payload, signature = segments(envelope(CREDENTIAL, KEY, KID))
    changed = {**CREDENTIAL, "validFrom": "2026-12-08T02:00:00Z"}
    forged = b64url_encode(json.dumps(changed).encode())
    assert refused(enveloping(f"{DATA_URL}{header}.{forged}.{signature}")) == "signature_invalid"
    reordered = b64url_encode(json.dumps({"kid": KID, "cty": "vc", "typ": "vc+jwt", "alg": "EdDSA"}).encode())
    assert refused(enveloping(f"{DATA_URL}{reordered}.{payload}.{signature}")) == "signature_invalid"


def test_a_signature_by_another_key_than_the_kid_names_is_refused():
    forged = envelope(CREDENTIAL, OTHER, KID)
    assert refused(forged) == "signature_invalid"


def test_a_kid_not_listed_under_assertion_method_is_refused():
    document = did_document(DID, [KEY.public_key()])
    document["assertionMethod"] = []
    document["authentication"] = [KID]
    assert refused(envelope(CREDENTIAL, KEY, KID), key_resolver(document)) == "not_assertion_method"
    assert refused(envelope(CREDENTIAL, KEY, KID), lambda kid: None) == "key_unknown"
    unknown = verification_method_id(DID, Ed25519PrivateKey.generate().public_key())
    assert refused(envelope(CREDENTIAL, KEY, unknown)) == "not_assertion_method"


def test_a_credential_of_a_did_issuer_signed_with_a_key_of_another_did_is_refused():
    impostor = did_web("impostor.example")
    kid = verification_method_id(impostor, KEY.public_key())
    assert refused(envelope(CREDENTIAL, KEY, kid), key_resolver(did_document(impostor, [KEY.public_key()]))) == (
        "issuer_key"
    )


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ({"alg": "EdDSA", "typ": "JWT", "cty": "vc", "kid": KID}, "jose_typ"),
        ({"alg": "EdDSA", "cty": "vc", "kid": KID}, "jose_typ"),
        ({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc+ld+json", "kid": KID}, "jose_typ"),
        ({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc"}, "jose_header"),
        ({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": KID, "crit": ["exp"], "exp": 1}, "jose_header"),
        ({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": KID, "b64": False}, "jose_header"),
        ({"alg": "HS256", "typ": "vc+jwt", "cty": "vc", "kid": KID}, "jose_alg"),
        ({"alg": "none", "typ": "vc+jwt", "cty": "vc", "kid": KID}, "jose_alg"),
        ({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": 7}, "jose_header"),
    ],
)
def test_a_header_other_than_the_contracts_is_refused(header, problem):
    _, payload, signature = segments(envelope(CREDENTIAL, KEY, KID))
    encoded = b64url_encode(json.dumps(header).encode())
    assert refused(enveloping(f"{DATA_URL}{encoded}.{payload}.{signature}")) == problem


def test_a_header_with_a_member_twice_is_refused():
    _, payload, signature = segments(envelope(CREDENTIAL, KEY, KID))
    twice = f'{{"alg":"EdDSA","typ":"vc+jwt","cty":"vc","kid":"{KID}","kid":"{KID}"}}'
    assert refused(enveloping(f"{DATA_URL}{b64url_encode(twice.encode())}.{payload}.{signature}")) == "not_object"


def test_loose_encodings_are_refused():
    header, payload, signature = segments(envelope(CREDENTIAL, KEY, KID))
    low_bits = signature[:-1] + chr(ord(signature[-1]) + 1)  # 86 characters carry 2 bits more than 64 bytes
    assert b64url_decode(low_bits) == b64url_decode(signature)
    padded = base64.urlsafe_b64encode(b64url_decode(header)).decode()
    standard = base64.b64encode(b64url_decode(signature)).decode().rstrip("=")
    for text in [
        f"{DATA_URL}{padded}.{payload}.{signature}",
        f"{DATA_URL}{header}.{payload}.{standard}",
        f"{DATA_URL}{header}.{payload}.{low_bits}",
        f"{DATA_URL}{header}.{payload}",
        f"{DATA_URL}{header}..{signature}",
        f"data:application/vc+ld+json,{header}.{payload}.{signature}",
        f"{header}.{payload}.{signature}",
    ]:
        assert refused(enveloping(text)) == "envelope", text


def test_a_payload_that_is_not_a_json_object_is_refused():
    header, _, signature = segments(envelope(CREDENTIAL, KEY, KID))
    for payload in (b"[1]", b"\xff", b'{"a":1,"a":2}'):
        assert refused(enveloping(f"{DATA_URL}{header}.{b64url_encode(payload)}.{signature}")) == "not_object"


def test_an_object_that_is_not_an_enveloped_credential_is_refused():
    enveloped = envelope(CREDENTIAL, KEY, KID)
    assert refused({**enveloped, "type": "VerifiableCredential"}) == "envelope"
    assert refused({**enveloped, "@context": ["https://www.w3.org/2018/credentials/v1"]}) == "envelope"
    assert refused({**enveloped, "id": 5}) == "member"
    assert refused(CREDENTIAL) == "envelope"
    assert refused(token(enveloped)) == "not_object"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_jws_changed_anywhere_is_refused_with_a_verification_error(data):
    text = envelope(CREDENTIAL, KEY, KID)["id"]
    at = data.draw(st.integers(len(DATA_URL), len(text) - 1))
    by = data.draw(st.sampled_from("Aa0_-.=+/ \x00é"))
    changed = text[:at] + by + text[at + 1 :]
    assume(changed != text)
    with pytest.raises(VerificationError):  # the last character's unused low bits included
        open_envelope(enveloping(changed), RESOLVER)


@settings(max_examples=200, deadline=None)
@given(JSON, st.sampled_from(["@context", "type", "id"]))
def test_any_json_as_the_envelope_or_in_it_is_refused_with_a_verification_error(value, name):
    with pytest.raises(VerificationError):
        open_envelope(value, RESOLVER)
    with pytest.raises(VerificationError):
        open_envelope({**envelope(CREDENTIAL, KEY, KID), name: value}, RESOLVER)
