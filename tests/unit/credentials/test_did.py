"""did:web: the URL of a DID document (the did:web method's own examples), the document of the
issuer's keys, and which verification methods name a key a verifier may use: every condition
of `resolve_key` broken once, and any JSON in any member refused with a VerificationError."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.credentials.did import (
    check_issuer,
    controller_of,
    did_document,
    did_web,
    did_web_url,
    issuer_id,
    key_fragment,
    resolve_key,
    verification_method_id,
)
from reetrace.credentials.errors import VerificationError
from reetrace.credentials.multibase_keys import multibase_encode, public_key_multibase, raw_public_bytes

KEYS = [Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32).public_key() for n in (1, 2)]
DID = "did:web:regulator.example"
DOCUMENT = did_document(DID, KEYS)
METHODS = [verification_method_id(DID, key) for key in KEYS]


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:localhost%3A8000", "https://localhost:8000/.well-known/did.json"),
        ("did:web:example.com:u:alice", "https://example.com/u/alice/did.json"),
    ],
)
def test_the_url_of_a_did_web_document(did, url):
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:key:z6Mk",
        "did:web:example.com/path",
        "did:web:example.com#key-1",
        "did:web:example.com::alice",
        "did:web:example.com%2Fevil",
        "did:web:exa mple.com",
        None,
        ["did:web:example.com"],
    ],
)
def test_what_is_not_a_did_web_has_no_url(did):
    with pytest.raises(VerificationError) as caught:
        did_web_url(did)
    assert caught.value.problem.id == "did"


def test_the_did_of_a_host_encodes_its_port_and_comes_back_to_it():
    assert did_web("example.com") == "did:web:example.com"
    assert did_web("localhost:8000") == "did:web:localhost%3A8000"
    assert did_web_url(did_web("localhost:8000")) == "https://localhost:8000/.well-known/did.json"
    for host in ("", "example.com/x", "https://example.com", "example.com:"):
        with pytest.raises(ValueError):
            did_web(host)


def test_the_document_lists_each_key_as_a_multikey_for_assertions():
    raw = raw_public_bytes(KEYS[0])
    fragment = "key-" + hashlib.sha256(raw).hexdigest()[:16]  # contract §1 key id
    assert key_fragment(KEYS[0]) == key_fragment(raw) == fragment
    assert DOCUMENT == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [
            {"id": f"{DID}#{fragment}", "type": "Multikey", "controller": DID, "publicKeyMultibase": m}
            for fragment, m in [(key_fragment(k), public_key_multibase(k)) for k in KEYS]
        ],
        "assertionMethod": METHODS,
    }
    assert DOCUMENT["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")


def test_each_key_resolves_from_the_document():
    for method, key in zip(METHODS, KEYS, strict=True):
        assert raw_public_bytes(resolve_key(DOCUMENT, method)) == raw_public_bytes(key)


def refused(document: Any, method: Any = METHODS[0]) -> str:
    with pytest.raises(VerificationError) as caught:
        resolve_key(document, method)
    return caught.value.problem.id


def changed(**members: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    document.update(members)
    return document


def test_a_key_not_listed_under_assertion_method_does_not_resolve():
    assert refused(changed(assertionMethod=METHODS[1:])) == "not_assertion_method"
    assert refused(changed(assertionMethod=[], authentication=METHODS)) == "not_assertion_method"


def test_a_document_of_another_did_does_not_resolve():
    assert refused(DOCUMENT, METHODS[0].replace("regulator", "impostor")) == "did_document"
    assert refused(changed(id="did:web:impostor.example")) == "did_document"


def test_a_method_controlled_by_another_did_does_not_resolve():
    document = changed()
    document["verificationMethod"][0]["controller"] = "did:web:impostor.example"
    assert refused(document) == "method_controller"


def test_a_key_that_is_not_a_multikey_ed25519_does_not_resolve():
    raw = raw_public_bytes(KEYS[0])
    for value in [
        multibase_encode(b"\xe7\x01" + raw),  # a secp256k1 header
        multibase_encode(b"\xed\x01" + raw[:31]),
        multibase_encode(raw),
        "u7QE" + "A" * 43,
        "z6Mk0",
        42,
    ]:
        document = changed()
        document["verificationMethod"][0]["publicKeyMultibase"] = value
        assert refused(document) in ("key_invalid", "multibase", "member"), value
    document = changed()
    document["verificationMethod"][0]["type"] = "JsonWebKey"
    assert refused(document) == "key_invalid"


def test_a_method_described_twice_or_not_at_all_does_not_resolve():
    document = changed()
    document["verificationMethod"].append(dict(document["verificationMethod"][0]))
    assert refused(document) == "did_document"
    assert refused(changed(verificationMethod=DOCUMENT["verificationMethod"][1:])) == "did_document"


def test_relative_references_and_embedded_methods_resolve_too():
    relative = "#" + key_fragment(KEYS[0])
    assert resolve_key(changed(assertionMethod=[relative]), METHODS[0])
    embedded = changed(assertionMethod=[DOCUMENT["verificationMethod"][0]], verificationMethod=[])
    assert raw_public_bytes(resolve_key(embedded, METHODS[0])) == raw_public_bytes(KEYS[0])


def test_a_verification_method_is_a_did_url_with_a_fragment():
    for method in ("did:web:regulator.example", 7, None):
        assert refused(DOCUMENT, method) == "did"


def test_the_issuer_of_a_credential_and_the_did_of_a_key():
    assert controller_of(METHODS[0]) == DID
    assert issuer_id({"issuer": DID}) == issuer_id({"issuer": {"id": DID, "name": "R"}}) == DID
    assert issuer_id({"issuer": 5}) is None and issuer_id([]) is None
    check_issuer({"issuer": {"id": DID}}, METHODS[0])
    check_issuer({"issuer": "https://vc.example/issuers/5678"}, "did:key:z6Mk#z6Mk")  # not a DID: no binding
    with pytest.raises(VerificationError) as caught:
        check_issuer({"issuer": "did:web:regulator.example:sub"}, METHODS[0])
    assert caught.value.problem.id == "issuer_key"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["id", "verificationMethod", "assertionMethod", "controller", "type", "publicKeyMultibase"]),
    JSON,
)
def test_any_json_in_any_member_resolves_or_is_refused_with_a_verification_error(name, value):
    document = changed()
    (document if name in DOCUMENT else document["verificationMethod"][0])[name] = value
    try:
        resolve_key(document, METHODS[0])
    except VerificationError:
        return
    assert document == DOCUMENT
