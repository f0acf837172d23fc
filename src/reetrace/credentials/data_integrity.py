"""Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (W3C Data Integrity EdDSA
Cryptosuites v1.0, §3.3), the `di` securing of contract §11.

Adding a proof to an unsecured document (a JSON object without `proof`):

    proof options    {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
                      "created": <XML Schema dateTime>, "verificationMethod": <DID URL>,
                      "proofPurpose": "assertionMethod"}
    proof            the options, and the document's `@context` copied in (§3.3.1 step 2)
    proof config     JCS (RFC 8785) of the proof                       (§3.3.5)
    transformed      JCS of the document                               (§3.3.4)
    hash data        SHA-256(proof config) || SHA-256(transformed)     (§3.3.6), 64 bytes
    proofValue       multibase base58btc of Ed25519(hash data)         (§3.3.7), "z…"

and the secured document is the document with that proof (`proofValue` last) as `proof`.

Verifying (§3.3.2) undoes it: the proof without `proofValue` is the proof config; when it
carries an `@context`, the document's must start with it, and the document is hashed with the
proof's `@context` in place of its own. Before the signature, the proof must be a single
DataIntegrityProof of this cryptosuite made for the expected purpose, with a valid `created`;
after it, a document whose issuer is a DID must have been signed with a key of that DID.
Whatever is wrong is a VerificationError; the key comes from a resolver (did.key_resolver).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reetrace.credentials.did import KeyResolver, check_issuer
from reetrace.credentials.errors import clip, member, refuse
from reetrace.credentials.multibase_keys import BASE58BTC, multibase_decode, multibase_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
ASSERTION_METHOD = "assertionMethod"
# XML Schema 1.1 dateTime: a four-or-more digit year, seconds with an optional fraction, an
# optional time zone (Z or ±hh:mm); the date and time themselves are checked by datetime
_DATETIME = re.compile(
    r"-?([0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?"
).fullmatch


@dataclass(frozen=True, slots=True)
class Verified:
    """A proof that verified: the document it secures (without the proof), the verification
    method whose key signed it, and when the proof says it was made."""

    document: dict[str, Any]
    verification_method: str
    created: str | None


def xsd_datetime(moment: datetime | str) -> str:
    """An instant as an XML Schema dateTime: an aware datetime in UTC to the second
    (`2026-12-07T02:00:00Z`); text is taken as it is when it is one (ValueError otherwise)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("an instant needs its time zone")
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not is_xsd_datetime(moment):
        raise ValueError(f"not an XML Schema dateTime: {moment!r}")
    return moment


def is_xsd_datetime(text: object) -> bool:
    found = _DATETIME(text) if isinstance(text, str) else None
    if found is None:
        return False
    year, month, day, hour, minute, second = (int(part) for part in found.groups()[:6])
    if hour == 24 and minute == second == 0 and not found[7]:  # 24:00:00 is the end of the day
        hour = 0
    try:  # the year range of datetime, enough for a proof or a credential
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


def canonical(value: Any) -> bytes:
    """JCS (RFC 8785) of a JSON value; VerificationError when it is not one JCS can write."""
    try:
        return rfc8785.dumps(value)
    except (ValueError, TypeError, RecursionError) as exc:  # CanonicalizationError is a ValueError
        raise refuse("not_object", f"not JSON that can be canonicalised: {clip(str(exc))}", where="document") from None


def proof_configuration(proof_options: dict[str, Any]) -> bytes:
    """§3.3.5: the canonical proof configuration, of options naming this cryptosuite."""
    if proof_options.get("type") != PROOF_TYPE:
        raise refuse("proof_type", f"the proof is a {clip(proof_options.get('type'))}, not a {PROOF_TYPE}")
    if proof_options.get("cryptosuite") != CRYPTOSUITE:
        said = f"the proof's cryptosuite is {clip(proof_options.get('cryptosuite'))}, not {CRYPTOSUITE}"
        raise refuse("cryptosuite", said, cryptosuite=clip(proof_options.get("cryptosuite")))
    if "created" in proof_options and not is_xsd_datetime(proof_options["created"]):
        said = f"the proof's created, {clip(proof_options['created'])}, is not an XML Schema dateTime"
        raise refuse("proof_created", said, created=clip(proof_options["created"]))
    return canonical(proof_options)


def transformed_document(document: dict[str, Any]) -> bytes:
    """§3.3.4: the canonical unsecured document."""
    return canonical(document)


def hash_data(transformed: bytes, proof_config: bytes) -> bytes:
    """§3.3.6: SHA-256 of the proof configuration, then SHA-256 of the document (64 bytes)."""
    return hashlib.sha256(proof_config).digest() + hashlib.sha256(transformed).digest()


def add_proof(
    document: dict[str, Any],
    signer_private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str,
) -> dict[str, Any]:
    """The document secured with an `eddsa-jcs-2022` proof by `signer_private_key`, which
    `verification_method` (a DID URL) names, made at `created`, for `assertionMethod`."""
    if not isinstance(document, dict) or "proof" in document:
        raise ValueError("a proof is added to a JSON object that has none")
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": ASSERTION_METHOD,
    }
    if "@context" in document:
        proof["@context"] = document["@context"]
    signed = hash_data(transformed_document(document), proof_configuration(proof))
    proof["proofValue"] = multibase_encode(signer_private_key.sign(signed), BASE58BTC)
    return {**document, "proof": proof}


def verify_proof(
    secured_document: Any, public_key_resolver: KeyResolver, proof_purpose: str = ASSERTION_METHOD
) -> Verified:
    """The `eddsa-jcs-2022` proof of `secured_document` checked (see the module's docstring)
    with the key `public_key_resolver` gives for its verification method; VerificationError
    when anything does not hold."""
    proof = member(secured_document, "proof", (dict, list), "the credential")
    if isinstance(proof, list):
        raise refuse("proof_set", f"one proof is expected, not a set of {len(proof)}", proofs=len(proof))
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    proof_config = proof_configuration(options)  # type and cryptosuite first: they say how to read the rest
    if options.get("proofPurpose") != proof_purpose:
        said = f"the proof is made for {clip(options.get('proofPurpose'))}, not for {proof_purpose}"
        raise refuse("proof_purpose", said, purpose=clip(options.get("proofPurpose")))
    method = member(proof, "verificationMethod", str, "the proof")
    signature = multibase_decode(member(proof, "proofValue", str, "the proof"), BASE58BTC)
    if len(signature) != 64:
        raise refuse("signature_invalid", f"an Ed25519 signature is 64 bytes, not {len(signature)}")
    document = {name: value for name, value in secured_document.items() if name != "proof"}
    if "@context" in options:
        document["@context"] = _contexts_signed(secured_document.get("@context"), options["@context"])
    key = public_key_resolver(method)
    if key is None:
        raise refuse("key_unknown", f"no key is known for {clip(method)}", method=clip(method))
    try:
        key.verify(signature, hash_data(transformed_document(document), proof_config))
    except InvalidSignature:
        raise refuse("signature_invalid", "the proof does not verify: the document or its proof changed") from None
    check_issuer(document, method)
    created = options.get("created")
    return Verified(document, method, created if isinstance(created, str) else None)


def _contexts_signed(document_context: Any, proof_context: Any) -> Any:
    """The proof's `@context`, when the document's starts with it (§3.3.2 step 4)."""
    listed = document_context if isinstance(document_context, list) else [document_context]
    signed = proof_context if isinstance(proof_context, list) else [proof_context]
    if listed[: len(signed)] != signed:
        raise refuse("proof_context", "the credential's @context does not start with the one its proof was made with")
    return proof_context
