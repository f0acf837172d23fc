"""Detached JWS with Ed25519: how an enterprise signs an EPCIS document (contract §10).

RFC 7515 Appendix F: the compact serialisation with its payload left out,

    b64url(protected header) + ".." + b64url(signature)

The protected header is exactly `{"alg":"EdDSA","kid":"<key_id>"}` (§1 key id) and the signature
is Ed25519 over the ASCII bytes `b64url(protected header) + "." + b64url(payload)` — the signing
input of RFC 7515 §5.1 over the payload the JWS travels beside (the exact bytes of a document
file or request body). b64url is unpadded throughout.

Everything here is pure and the one place a detached JWS is read: `read_detached` reads one
strictly (the capture reads it so, and looks up the key its `kid` names), `verify_detached` checks
it over a payload with a given key; what is wrong is said as a `Problem` (all of the §7 reason
class `signature`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reetrace.domain.problems import Problem
from reetrace.ledger.canonical import ParsedJson
from reetrace.ledger.signing import b64url_decode, b64url_encode, key_id, raw_public_key, verify

ALG = "EdDSA"
MAX_LENGTH = 200  # what a submission's signature column holds; an Ed25519 JWS with a §1 key id is 142
_DETACHED = re.compile(r"([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)").fullmatch  # b64url_decode alone takes "+", "/"


class DetachedJwsError(ValueError):
    """A JWS that is not a detached Ed25519 JWS of this form, or whose signature does not verify
    over the payload; `problem` says which."""

    def __init__(self, problem: Problem):
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Detached:
    """A detached JWS as read: the whole of it, its protected header as sent (base64url: what was
    signed), the key id it names and the signature."""

    text: str
    header: str
    kid: str
    signature: bytes

    def signing_input(self, payload: bytes) -> bytes:
        return signing_input(self.header, payload)


def protected_header(kid: str) -> bytes:
    """The protected header naming key `kid`, as its exact bytes."""
    return json.dumps({"alg": ALG, "kid": kid}, separators=(",", ":")).encode("ascii")


def signing_input(encoded_header: str, payload: bytes) -> bytes:
    """What the signature covers (RFC 7515 §5.1): `b64url(header) + "." + b64url(payload)`."""
    return f"{encoded_header}.{b64url_encode(payload)}".encode("ascii")


def sign_detached(private_key: Ed25519PrivateKey, kid: str, payload: bytes) -> str:
    """The detached JWS of `payload` signed with `private_key`, whose §1 key id is `kid`."""
    if kid != key_id(raw_public_key(private_key)):
        raise ValueError(f"key id {kid!r} is not the id of the key signing")
    header = b64url_encode(protected_header(kid))
    return f"{header}..{b64url_encode(private_key.sign(signing_input(header, payload)))}"


def read_detached(value: Any) -> Detached:
    """A detached JWS read strictly: compact and detached, unpadded base64url, its protected header
    exactly `alg` (EdDSA) and `kid` (text), no member repeated. DetachedJwsError otherwise."""
    if not value:
        raise DetachedJwsError(Problem("jws_missing", "no JWS-Signature: a capture is signed with a detached JWS"))
    found = _DETACHED(value) if isinstance(value, str) and len(value) <= MAX_LENGTH else None
    protected: Any = None
    if found is not None:
        try:
            protected = ParsedJson(b64url_decode(found[1])).value
            signature = b64url_decode(found[2])
        except ValueError:  # not base64url, not JSON (NotJson and OutOfBounds are ValueErrors)
            found = None
    if found is None:
        said = (
            f"the JWS-Signature must be a detached compact JWS, header..signature, of at most {MAX_LENGTH} characters"
        )
        raise DetachedJwsError(Problem("jws_malformed", said, bound=MAX_LENGTH))
    if not isinstance(protected, dict) or set(protected) != {"alg", "kid"} or not isinstance(protected["kid"], str):
        members = ", ".join(_clip(str(m)) for m in protected) if isinstance(protected, dict) else ""
        said = f'the protected header must be exactly {{"alg": "{ALG}", "kid": <key id>}}, not: {members or "—"}'
        raise DetachedJwsError(Problem("jws_header", said, members=members))
    if protected["alg"] != ALG:
        alg = _clip(str(protected["alg"]))
        raise DetachedJwsError(Problem("jws_alg", f"alg {alg!r}: a capture is signed with {ALG} (Ed25519)", alg=alg))
    return Detached(value, found[1], protected["kid"], signature)


def _clip(text: str, longest: int = 40) -> str:
    return text if len(text) <= longest else text[: longest - 1] + "…"


def key_id_of(jws: Any) -> str:
    """The key id a detached JWS names, read without verifying it; DetachedJwsError when it is
    not a detached JWS of this form."""
    return read_detached(jws).kid


def verify_detached(public_key_raw: bytes, jws: Any, payload: bytes) -> str:
    """The key id of a detached JWS whose signature over `payload` verifies with the raw Ed25519
    `public_key_raw` (the key its `kid` names); DetachedJwsError otherwise."""
    detached = read_detached(jws)
    if detached.kid != key_id(public_key_raw):
        said = f"the JWS names key {_clip(detached.kid)}, not the key it was checked with"
        raise DetachedJwsError(Problem("jws_key", said, key=_clip(detached.kid)))
    if not verify(public_key_raw, detached.signing_input(payload), detached.signature):
        raise DetachedJwsError(Problem("signature_invalid", "does not verify"))
    return detached.kid
