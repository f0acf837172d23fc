"""Detached JWS with Ed25519: how an enterprise signs an EPCIS document (contract §10).

RFC 7515 Appendix F: the compact serialisation with its payload left out,

    b64url(protected header) + ".." + b64url(signature)

The protected header is exactly `{"alg":"EdDSA","kid":"<key_id>"}` (§1 key id) and the signature
is Ed25519 over the ASCII bytes `b64url(protected header) + "." + b64url(payload)` — the signing
input of RFC 7515 §5.1 over the payload the JWS travels beside (the exact bytes of a document
file or request body). b64url is unpadded throughout.

Everything here is pure: `verify_detached` is given the public key the caller found for the key
id that `key_id_of` reads from the JWS, and says why a JWS does not verify as a `Problem`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reetrace.domain.problems import Problem
from reetrace.ledger.signing import b64url_decode, b64url_encode, key_id, raw_public_key, verify

ALG = "EdDSA"
MAX_LENGTH = 200  # what a submission's signature column holds; an Ed25519 JWS with a §1 key id is 142
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")  # b64url_decode would also take "+" and "/"


class DetachedJwsError(ValueError):
    """A JWS that is not a detached Ed25519 JWS of this form, or whose signature does not verify
    over the payload; `problem` says which (all are the §7 reason class `signature`)."""

    def __init__(self, problem: Problem):
        super().__init__(problem)
        self.problem = problem


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


def _parts(jws: Any) -> tuple[str, dict[str, Any], bytes]:
    """(encoded header, header, signature) of a JWS of the detached form; DetachedJwsError else."""
    if not isinstance(jws, str) or len(jws) > MAX_LENGTH:
        raise DetachedJwsError(
            Problem("jws_form", f"a detached JWS is at most {MAX_LENGTH} characters", bound=MAX_LENGTH)
        )
    parts = jws.split(".")
    if len(parts) != 3 or parts[1] != "" or not parts[0] or not parts[2]:
        raise DetachedJwsError(Problem("jws_form", "not a detached JWS (header..signature)", bound=MAX_LENGTH))
    encoded, _, signature = parts
    if not (_B64URL.fullmatch(encoded) and _B64URL.fullmatch(signature)):
        raise DetachedJwsError(Problem("signature_encoding", "not unpadded base64url"))
    try:
        header_bytes, raw_signature = b64url_decode(encoded), b64url_decode(signature)
    except ValueError:
        raise DetachedJwsError(Problem("signature_encoding", "not unpadded base64url")) from None
    return encoded, _header(header_bytes), raw_signature


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member named twice")
    return members


def _header(raw: bytes) -> dict[str, Any]:
    wrong = Problem("jws_header", f'the protected header must be {{"alg":"{ALG}","kid":"<key id>"}}', alg=ALG)
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_repeats)
    except ValueError:  # not UTF-8, not JSON, or a member named twice
        raise DetachedJwsError(wrong) from None
    if (
        not isinstance(header, dict)
        or set(header) != {"alg", "kid"}
        or header["alg"] != ALG
        or not isinstance(header["kid"], str)
        or not _KEY_ID.fullmatch(header["kid"])
    ):
        raise DetachedJwsError(wrong)
    return header


def key_id_of(jws: Any) -> str:
    """The §1 key id a detached JWS names, read without verifying it; DetachedJwsError when it is
    not a detached JWS of this form."""
    return _parts(jws)[1]["kid"]


def verify_detached(public_key_raw: bytes, jws: Any, payload: bytes) -> str:
    """The key id of a detached JWS whose signature over `payload` verifies with the raw Ed25519
    `public_key_raw` (the key its `kid` names); DetachedJwsError otherwise."""
    encoded, header, signature = _parts(jws)
    kid = header["kid"]
    if kid != key_id(public_key_raw):
        raise DetachedJwsError(Problem("jws_key", f"the JWS names key {kid}, not the key it was checked with", key=kid))
    if not verify(public_key_raw, signing_input(encoded, payload), signature):
        raise DetachedJwsError(Problem("signature_invalid", "does not verify"))
    return kid
