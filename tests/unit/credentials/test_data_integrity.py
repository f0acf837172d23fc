"""Data Integrity `eddsa-jcs-2022`: every intermediate value of the W3C test vectors
(tests/data/vc-di-eddsa, see its README) reproduced step by step, their signed credential
verified, and each tampering, wrong key, wrong purpose or cryptosuite refused with its problem;
hostile input (any JSON in any member) only ever raises VerificationError."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.credentials.data_integrity import (
    add_proof,
    hash_data,
    is_xsd_datetime,
    proof_configuration,
    transformed_document,
    verify_proof,
    xsd_datetime,
)
from reetrace.credentials.did import did_document, did_web, key_resolver, verification_method_id
from reetrace.credentials.errors import VerificationError
from reetrace.credentials.multibase_keys import (
    multibase_decode,
    multibase_encode,
    public_key_from_multibase,
    public_key_multibase,
    raw_public_bytes,
    secret_key_from_multibase,
    secret_key_multibase,
)

VECTORS = Path(__file__).resolve().parents[2] / "data" / "vc-di-eddsa"  # tests/data, see its README
JCS = VECTORS / "eddsa-jcs-2022"
KEY_PAIR = json.loads((VECTORS / "keyPair.json").read_text())
UNSIGNED = json.loads((VECTORS / "unsigned.json").read_text())
SIGNED = json.loads((JCS / "signedJCS.json").read_text())
PROOF_CONFIG = json.loads((JCS / "proofConfigJCS.json").read_text())
SECRET = secret_key_from_multibase(KEY_PAIR["privateKeyMultibase"])
PUBLIC = public_key_from_multibase(KEY_PAIR["publicKeyMultibase"])
METHOD = PROOF_CONFIG["verificationMethod"]  # did:key:z6Mk…#z6Mk…


def text(name: str) -> str:
    return (JCS / name).read_text().strip()


def did_key_resolver(method: str) -> Ed25519PublicKey | None:
    """did:key, as the vectors name their key: the DID is the Multikey itself."""
    did, _, fragment = method.partition("#")
    return public_key_from_multibase(fragment) if did == f"did:key:{fragment}" else None


def vector_signed() -> dict[str, Any]:
    return copy.deepcopy(SIGNED)


# multibase


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80), st.sampled_from("zu"))
def test_multibase_text_comes_back_to_its_bytes(data, base):
    text = multibase_encode(data, base)
    assert text[0] == base and multibase_decode(text) == data and multibase_decode(text, base) == data


def test_multibase_of_the_multibase_spec():
    # the multibase spec's test vector "yes mani !" in base58btc and base64url, and leading zero bytes
    assert multibase_encode(b"yes mani !") == "z7paNL19xttacUY"
    assert multibase_encode(b"yes mani !", "u") == "ueWVzIG1hbmkgIQ"
    assert multibase_encode(b"\0\0yes mani !") == "z117paNL19xttacUY"
    assert multibase_decode("z117paNL19xttacUY") == b"\0\0yes mani !"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "f796573",  # base16: not read here
        "z7paNL19xttacUY ",
        "z7paNL19xttacU0",  # 0, O, I and l are not base58
        "z7paNL19xttacUI",
        "z7paNL19xttacUY\u0661",
        "ueWVzIG1hbmkgIQ==",
        "ueWVz+G1hbmkgIQ",
        "ueWVzIG1hbmkgIR",  # low bits left over
        "ueWVzIG1hbmkgI",
        None,
        b"z7paNL19xttacUY",
    ],
)
def test_what_is_not_canonical_multibase_is_refused(text):
    with pytest.raises(VerificationError) as caught:
        multibase_decode(text)
    assert caught.value.problem.id == "multibase"


def test_a_multibase_of_another_base_than_asked_is_refused():
    with pytest.raises(VerificationError):
        multibase_decode("ueWVzIG1hbmkgIQ", "z")


# the vectors, step by step


def test_the_key_pair_reads_and_writes_back_as_the_same_multikeys():
    assert raw_public_bytes(SECRET.public_key()) == raw_public_bytes(PUBLIC)
    assert public_key_multibase(PUBLIC) == KEY_PAIR["publicKeyMultibase"]
    assert secret_key_multibase(SECRET) == KEY_PAIR["privateKeyMultibase"]
    assert KEY_PAIR["publicKeyMultibase"].startswith("z6Mk") and KEY_PAIR["privateKeyMultibase"].startswith("z3u2")


def test_the_canonical_document_and_its_hash_are_the_vectors():
    canonical = transformed_document(UNSIGNED)
    assert canonical.decode() == text("canonDocJCS.txt")
    assert hashlib.sha256(canonical).hexdigest() == text("docHashJCS.txt")


def test_the_proof_configuration_and_its_hash_are_the_vectors():
    canonical = proof_configuration(PROOF_CONFIG)
    assert canonical.decode() == text("proofCanonJCS.txt")
    assert hashlib.sha256(canonical).hexdigest() == text("proofHashJCS.txt")


def test_the_hash_data_is_the_proof_hash_then_the_document_hash():
    combined = hash_data(transformed_document(UNSIGNED), proof_configuration(PROOF_CONFIG))
    assert combined.hex() == text("combinedHashJCS.txt")
    assert combined.hex() == text("proofHashJCS.txt") + text("docHashJCS.txt")


def test_the_signature_and_the_proof_value_are_the_vectors():
    signature = SECRET.sign(bytes.fromhex(text("combinedHashJCS.txt")))  # Ed25519 is deterministic
    assert signature.hex() == text("sigHexJCS.txt")
    assert multibase_encode(signature) == text("sigBTC58JCS.txt")
    assert multibase_decode(text("sigBTC58JCS.txt")) == bytes.fromhex(text("sigHexJCS.txt"))


def test_adding_the_proof_gives_the_signed_credential_of_the_vectors():
    secured = add_proof(UNSIGNED, SECRET, METHOD, "2023-02-24T23:36:38Z")
    assert secured == SIGNED
    assert list(secured["proof"]) == list(SIGNED["proof"])  # the same members in the same order
    assert "proof" not in UNSIGNED  # the document given is left as it was


def test_a_datetime_is_written_in_utc_to_the_second():
    moment = datetime(2023, 2, 25, 7, 36, 38, 999, tzinfo=timezone(timedelta(hours=8)))
    assert add_proof(UNSIGNED, SECRET, METHOD, moment) == SIGNED
    with pytest.raises(ValueError, match="time zone"):
        xsd_datetime(datetime(2023, 2, 24, 23, 36, 38))


def test_the_signed_credential_of_the_vectors_verifies():
    verified = verify_proof(vector_signed(), did_key_resolver)
    assert verified.document == UNSIGNED
    assert verified.verification_method == METHOD
    assert verified.created == "2023-02-24T23:36:38Z"


def test_a_proof_made_here_verifies_with_the_key_of_a_did_web_document():
    key = Ed25519PrivateKey.generate()
    did = did_web("regulator.example")
    document = {**UNSIGNED, "issuer": {"id": did, "name": "Regulator"}}
    secured = add_proof(document, key, verification_method_id(did, key.public_key()), datetime.now(UTC))
    resolver = key_resolver(did_document(did, [Ed25519PrivateKey.generate().public_key(), key.public_key()]))
    assert verify_proof(secured, resolver).document == document


# what must be refused


def refused(secured: Any, resolver: Any = did_key_resolver) -> str:
    with pytest.raises(VerificationError) as caught:
        verify_proof(secured, resolver)
    return caught.value.problem.id


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("name",), "Alumni Credential "),
        (("credentialSubject", "alumniOf"), "The School of Samples"),
        (("validFrom",), "2022-01-01T00:00:00Z"),
        (("issuer",), "https://vc.example/issuers/5679"),
        (("type",), ["VerifiableCredential"]),
        (("extra",), True),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
        (("proof", "nonce"), "1"),
        (("proof", "@context"), ["https://www.w3.org/ns/credentials/v2"]),
    ],
)
def test_any_change_to_the_document_or_its_proof_breaks_it(path, value):
    secured = vector_signed()
    target = secured
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    assert refused(secured) == "signature_invalid"


def test_a_removed_member_breaks_it():
    secured = vector_signed()
    del secured["description"]
    assert refused(secured) == "signature_invalid"
    secured = vector_signed()
    del secured["proof"]["created"]
    assert refused(secured) == "signature_invalid"


def test_a_signature_by_another_key_or_a_key_that_is_not_the_one_named_is_refused():
    other = Ed25519PrivateKey.generate()
    assert refused(add_proof(UNSIGNED, other, METHOD, "2023-02-24T23:36:38Z")) == "signature_invalid"
    assert refused(vector_signed(), lambda method: other.public_key()) == "signature_invalid"
    assert refused(vector_signed(), lambda method: None) == "key_unknown"


def test_the_wrong_purpose_cryptosuite_or_type_is_refused_before_the_signature():
    for name, value, problem in [
        ("proofPurpose", "authentication", "proof_purpose"),
        ("cryptosuite", "eddsa-rdfc-2022", "cryptosuite"),
        ("type", "Ed25519Signature2020", "proof_type"),
        ("created", "2023-02-30T23:36:38Z", "proof_created"),
        ("created", "yesterday", "proof_created"),
    ]:
        secured = vector_signed()
        secured["proof"][name] = value
        assert refused(secured) == problem, name
    with pytest.raises(VerificationError) as caught:
        verify_proof(vector_signed(), did_key_resolver, proof_purpose="authentication")
    assert caught.value.problem.id == "proof_purpose"


def test_the_proofs_context_must_begin_the_documents():
    secured = vector_signed()
    secured["@context"] = list(reversed(secured["@context"]))
    assert refused(secured) == "proof_context"
    # contexts added after the signed ones are allowed by §3.3.2, and the proof still verifies
    secured = vector_signed()
    secured["@context"] = [*secured["@context"], "https://example.org/more/v1"]
    assert verify_proof(secured, did_key_resolver).document["@context"] == UNSIGNED["@context"]


def test_a_proof_value_that_is_not_a_64_byte_base58btc_signature_is_refused():
    signature = multibase_decode(SIGNED["proof"]["proofValue"])
    for value, problem in [
        (multibase_encode(signature, "u"), "multibase"),
        (multibase_encode(signature[:63]), "signature_invalid"),
        (multibase_encode(signature + b"\0"), "signature_invalid"),
        (SIGNED["proof"]["proofValue"] + " ", "multibase"),
        (SIGNED["proof"]["proofValue"].replace("z2", "z0", 1), "multibase"),  # 0 is not base58
        (64, "member"),
        (None, "member"),
    ]:
        secured = vector_signed()
        secured["proof"]["proofValue"] = value
        assert refused(secured) == problem, value


def test_a_document_without_a_single_proof_is_refused():
    assert refused(UNSIGNED) == "member"
    assert refused([SIGNED]) == "not_object"
    assert refused({**SIGNED, "proof": [SIGNED["proof"]]}) == "proof_set"
    assert refused({**SIGNED, "proof": "z…"}) == "member"


def test_a_did_issuer_must_sign_with_its_own_key():
    key = Ed25519PrivateKey.generate()
    did, other = did_web("regulator.example"), did_web("impostor.example")
    document = {**UNSIGNED, "issuer": did}
    secured = add_proof(document, key, verification_method_id(other, key.public_key()), "2026-01-01T00:00:00Z")
    resolver = key_resolver(did_document(other, [key.public_key()]))
    assert refused(secured, resolver) == "issuer_key"


def test_a_document_that_has_a_proof_already_is_not_signed_again():
    with pytest.raises(ValueError, match="has none"):
        add_proof(SIGNED, SECRET, METHOD, "2023-02-24T23:36:38Z")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2023-02-24T23:36:38Z", True),
        ("2023-02-24T23:36:38.123+08:00", True),
        ("2023-02-24T23:36:38", True),
        ("2024-02-29T24:00:00Z", True),
        ("2023-02-29T00:00:00Z", False),
        ("2023-02-24 23:36:38Z", False),
        ("2023-02-24T23:36Z", False),
        ("2023-02-24T23:36:38z", False),
        (20230224, False),
    ],
)
def test_xml_schema_datetimes(value, valid):
    assert is_xsd_datetime(value) is valid


# hostile input

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)
MEMBERS = st.sampled_from(
    [
        "@context",
        "proof",
        "issuer",
        "type",
        "cryptosuite",
        "proofPurpose",
        "proofValue",
        "verificationMethod",
        "created",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), MEMBERS, JSON), max_size=4))
def test_any_json_in_any_member_is_refused_with_a_verification_error_or_verifies(changes):
    secured = vector_signed()
    for in_proof, name, value in changes:
        (secured["proof"] if in_proof and isinstance(secured.get("proof"), dict) else secured)[name] = value
    try:
        verify_proof(secured, did_key_resolver)
    except VerificationError:
        return
    assert secured == SIGNED  # what verifies is what was signed


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_any_json_at_all_is_refused_with_a_verification_error(value):
    with pytest.raises(VerificationError):
        verify_proof(value, did_key_resolver)


def test_numbers_jcs_cannot_write_are_refused_not_crashed_on():
    secured = vector_signed()
    secured["credentialSubject"]["big"] = 2**60
    assert refused(secured) == "not_object"
