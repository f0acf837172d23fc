"""Credentials secured with JOSE (W3C VC-JOSE-COSE §3.1.1), the `jwt` securing of contract §11.

The credential (unsecured, as JSON) is the payload of a compact JWS signed with Ed25519, and the
JWS travels as the `id` of an enveloped credential:

    {"@context": ["https://www.w3.org/ns/credentials/v2"],
     "type": "EnvelopedVerifiableCredential",
     "id": "data:application/vc+jwt,<b64url(header)>.<b64url(credential)>.<b64url(signature)>"}

with the protected header exactly {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": <DID URL>}.

Opening one reads the JWS strictly before any signature is checked: canonical unpadded
base64url (no stray low bits, so a JWS has one spelling), JSON
objects without repeated members, the header's `alg` EdDSA and `typ` vc+jwt, `cty` vc when
present, a `kid`, and no other member (so no `crit` extension is left unheeded); then the key
its `kid` names verifies the signature, and a credential whose issuer is a DID must name a key
of that DID. Whatever is wrong is a VerificationError.

joserfc signs and verifies. It warns on every use of "EdDSA" (RFC 9864 deprecates the name for
"Ed25519"), but VC-JOSE-COSE and UNTP verifiers expect "EdDSA": this module gives joserfc a
registry of its own, holding only an EdDSA for Ed25519 keys that says no such warning, rather
than touch the process's warning filters, which the threads serving requests share.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jws
from joserfc.errors import InvalidKeyTypeError, JoseError
from joserfc.jwa import JWSAlgModel
from joserfc.jwk import OKPKey

from reetrace.credentials.did import KeyResolver, check_issuer
from reetrace.credentials.errors import VerificationError, clip, member, refuse
from reetrace.ledger.canonical import ParsedJson
from reetrace.ledger.signing import b64url_decode, b64url_encode

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
ENVELOPED = "EnvelopedVerifiableCredential"
DATA_URL = "data:application/vc+jwt,"
ALG = "EdDSA"
TYP = "vc+jwt"
CTY = "vc"
_HEADER_MEMBERS = {"alg", "typ", "cty", "kid"}
_COMPACT = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)").fullmatch


class _EdDSA(JWSAlgModel):
    """joserfc's EdDSA for Ed25519 keys, without its warning (see the module's docstring)."""

    name = ALG
    description = "Edwards-curve Digital Signature Algorithm, Ed25519"
    key_type = "OKP"

    def sign(self, msg: bytes, key: OKPKey) -> bytes:
        private_key = key.get_op_key("sign")
        if not isinstance(private_key, Ed25519PrivateKey):
            raise InvalidKeyTypeError("EdDSA signs here with Ed25519 keys only")
        return private_key.sign(msg)

    def verify(self, msg: bytes, sig: bytes, key: OKPKey) -> bool:
        public_key = key.get_op_key("verify")
        if not isinstance(public_key, Ed25519PublicKey):
            raise InvalidKeyTypeError("EdDSA verifies here with Ed25519 keys only")
        try:
            public_key.verify(sig, msg)
        except InvalidSignature:
            return False
        return True


class _Registry(jws.JWSRegistry):
    algorithms = {ALG: _EdDSA()}  # joserfc reads these class attributes: replaced, not shared
    recommended = [ALG]
    max_payload_length = 4_000_000  # a passport is a few kilobytes; joserfc's default is 128 000


_REGISTRY = _Registry(algorithms=[ALG])


def envelope(credential: dict[str, Any], private_key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    """The credential enveloped in a compact JWS signed with `private_key`, whose DID URL is `kid`."""
    header = {"alg": ALG, "typ": TYP, "cty": CTY, "kid": kid}
    payload = json.dumps(credential, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    token = jws.serialize_compact(header, payload, OKPKey.import_key(private_key), registry=_REGISTRY)
    return {"@context": [VC_CONTEXT], "type": ENVELOPED, "id": DATA_URL + token}


def open_envelope(enveloped: Any, public_key_resolver: KeyResolver) -> dict[str, Any]:
    """The credential an enveloped credential carries, once its JWS verified with the key its
    `kid` names (see the module's docstring); VerificationError otherwise."""
    context = member(enveloped, "@context", (list, str), "the enveloped credential")
    if (context if isinstance(context, str) else next(iter(context), None)) != VC_CONTEXT:
        raise refuse("envelope", f"an enveloped credential's @context starts with {VC_CONTEXT}")
    if member(enveloped, "type", (str, list), "the enveloped credential") not in (ENVELOPED, [ENVELOPED]):
        raise refuse("envelope", f"not an {ENVELOPED}: {clip(enveloped['type'])}")
    data_url = member(enveloped, "id", str, "the enveloped credential")
    token = data_url.removeprefix(DATA_URL)
    found = _COMPACT(token) if token != data_url else None
    if found is None:
        raise refuse("envelope", f"the id must be {DATA_URL}<compact JWS>: {clip(data_url)}")
    if not all(_spelt_once(segment) for segment in found.groups()):
        raise refuse("envelope", "the JWS must be in unpadded base64url, with no stray bits (RFC 7515 §2)")
    header = _json_object(found[1], "the JWS header")
    credential = _json_object(found[2], "the JWS payload")
    kid = _checked_header(header)
    key = public_key_resolver(kid)
    if key is None:
        raise refuse("key_unknown", f"no key is known for {clip(kid)}", method=clip(kid))
    try:
        jws.deserialize_compact(token, OKPKey.import_key(key), registry=_REGISTRY)
    except (JoseError, ValueError):  # BadSignatureError is a JoseError
        raise refuse("signature_invalid", "the JWS does not verify: the credential or its header changed") from None
    check_issuer(credential, kid)
    return credential


def peek_kid(enveloped: Any) -> str | None:
    """The `kid` an enveloped credential's JWS header names, read without verifying anything (to
    find whose DID document to verify it with); None when there is none to read."""
    data_url = enveloped.get("id") if isinstance(enveloped, dict) else None
    token = data_url.removeprefix(DATA_URL) if isinstance(data_url, str) else ""
    found = _COMPACT(token) if token != data_url else None
    if found is None:
        return None
    try:
        kid = _json_object(found[1], "the JWS header").get("kid")
    except VerificationError:
        return None
    return kid if isinstance(kid, str) else None


def _spelt_once(segment: str) -> bool:
    """Whether a base64url segment encodes back to itself (no stray low bits)."""
    try:
        return b64url_encode(b64url_decode(segment)) == segment
    except ValueError:
        return False


def _json_object(segment: str, where: str) -> dict[str, Any]:
    try:
        value = ParsedJson(b64url_decode(segment)).value
    except ValueError:  # not base64url, not JSON, out of bounds
        value = None
    if not isinstance(value, dict):
        raise refuse("not_object", f"{where} must be a JSON object, in unpadded base64url", where=where)
    return value


def _checked_header(header: dict[str, Any]) -> str:
    """The `kid` of a protected header that holds (see the module's docstring)."""
    if not set(header) <= _HEADER_MEMBERS or not isinstance(header.get("kid"), str):
        members = ", ".join(clip(name, 20) for name in header)
        said = f"the JWS header holds alg, typ, cty and kid (text), and nothing else, not: {members}"
        raise refuse("jose_header", said, members=members)
    if header.get("alg") != ALG:
        raise refuse("jose_alg", f"the JWS is signed with {clip(header.get('alg'))}, not {ALG} (Ed25519)")
    if header.get("typ") != TYP or header.get("cty", CTY) != CTY:
        said = f"the JWS is typed {clip(header.get('typ'))} / {clip(header.get('cty'))}, not {TYP} / {CTY}"
        raise refuse("jose_typ", said)
    kid: str = header["kid"]
    return kid
