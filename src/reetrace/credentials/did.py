"""The issuer's did:web identifier, its DID document, and the keys a verifier takes from it.

did:web (W3C CCG did:web method, "Read (Resolve)"): the method-specific identifier is the host,
a port percent-encoded (`localhost%3A8000`), then optionally path segments separated by `:`;
the document is fetched over HTTPS from

    did:web:example.com              ->  https://example.com/.well-known/did.json
    did:web:localhost%3A8000         ->  https://localhost:8000/.well-known/did.json
    did:web:example.com:u:alice      ->  https://example.com/u/alice/did.json

The document lists each of the issuer's Ed25519 keys (retired ones too, so older credentials
still verify) as a `Multikey` whose id is `<did>#key-<16 hex>` (the contract §1 key id: the
first 16 hex digits of SHA-256 of the raw public key), controlled by the DID, and lists each
id under `assertionMethod` (the relationship a credential's proof is made for).

A verification method names a key a verifier may use only when the document's `id` is the DID
of the method, the method is listed under `assertionMethod`, its `controller` is that DID, and
its key is a Multikey Ed25519 key; `resolve_key` insists on all four. And a credential whose
issuer is a DID is the issuer's only when signed with a method of that DID (`check_issuer`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from reetrace.credentials.errors import clip, member, refuse
from reetrace.credentials.multibase_keys import public_key_from_multibase, public_key_multibase, raw_public_bytes
from reetrace.ledger.signing import key_id

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
KeyResolver = Callable[[str], Ed25519PublicKey | None]
"""The Ed25519 key a verification method (a DID URL) names, None when it names none; it may
raise VerificationError to say why (as `resolve_key` does)."""

# host (a port percent-encoded), then path segments: letters, digits and - . _ ~ and %-escapes
_SEGMENT = r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+"
_DID_WEB = re.compile(rf"did:web:({_SEGMENT})((?::{_SEGMENT})*)").fullmatch
_HOST = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]{1,5})?").fullmatch


def did_web(host: str) -> str:
    """The did:web of a host (`example.com`, `localhost:8000`): its port percent-encoded."""
    if not _HOST(host):
        raise ValueError(f"not a host name with an optional port: {host!r}")
    return "did:web:" + host.replace(":", "%3A")


def did_web_url(did: object) -> str:
    """The HTTPS URL of the DID document of a did:web; VerificationError for anything else."""
    found = _DID_WEB(did) if isinstance(did, str) else None
    host = unquote(found[1]) if found else ""
    if not found or not _HOST(host):
        raise refuse("did", f"not a did:web identifier: {clip(did)}", did=clip(did))
    path = "/".join(found[2].split(":")[1:])
    return f"https://{host}/{path + '/' if path else '.well-known/'}did.json"


def key_fragment(public_key: Ed25519PublicKey | bytes) -> str:
    """`key-<16 hex>`: the fragment naming a key in the DID document (contract §1 key id)."""
    raw = public_key if isinstance(public_key, bytes) else raw_public_bytes(public_key)
    return f"key-{key_id(raw)}"


def verification_method_id(did: str, public_key: Ed25519PublicKey | bytes) -> str:
    """`<did>#key-<16 hex>`: the DID URL of a key, as a proof's `verificationMethod` and a JWS `kid`."""
    return f"{did}#{key_fragment(public_key)}"


def did_document(did: str, keys: Iterable[Ed25519PublicKey | bytes]) -> dict[str, Any]:
    """The DID document of `did` listing `keys` (in that order) as Multikeys for assertions."""
    methods = [
        {
            "id": verification_method_id(did, key),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(key),
        }
        for key in keys
    ]
    return {
        "@context": list(DID_CONTEXT),
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def controller_of(verification_method: str) -> str:
    """The DID a DID URL belongs to: what comes before its fragment (and path or query)."""
    return re.split(r"[#/?]", verification_method, maxsplit=1)[0]


def resolve_key(document: Any, verification_method: object) -> Ed25519PublicKey:
    """The Ed25519 key `verification_method` names in the DID document, when it may sign
    assertions (see the module's docstring); VerificationError otherwise."""
    if not isinstance(verification_method, str) or "#" not in verification_method:
        raise refuse("did", f"a verification method is a DID URL with a fragment: {clip(verification_method)}")
    did = controller_of(verification_method)
    if member(document, "id", str, "the DID document") != did:
        said = f"the DID document is that of {clip(document['id'])}, not of {clip(did)}"
        raise refuse("did_document", said, did=clip(did))
    fragment = verification_method[len(did) :]

    def names(value: Any) -> bool:
        return value in (verification_method, fragment)

    assertion = member(document, "assertionMethod", list, "the DID document")
    listed = [m for m in assertion if names(m.get("id") if isinstance(m, dict) else m)]
    if not listed:
        said = f"{clip(verification_method)} is not listed under assertionMethod in the DID document"
        raise refuse("not_assertion_method", said, method=clip(verification_method))
    # listed by reference, the method is one of the document's; embedded, it is the one listed
    pool = listed if isinstance(listed[0], dict) else document.get("verificationMethod")
    methods = [m for m in pool if isinstance(m, dict) and names(m.get("id"))] if isinstance(pool, list) else []
    if len(methods) != 1:
        said = f"the DID document must describe {clip(verification_method)} once, not {len(methods)} times"
        raise refuse("did_document", said, did=clip(did))
    method = methods[0]
    if member(method, "controller", str, "the verification method") != did:
        said = f"{clip(verification_method)} is controlled by {clip(method['controller'])}, not by {clip(did)}"
        raise refuse("method_controller", said, method=clip(verification_method))
    if member(method, "type", str, "the verification method") != "Multikey":
        raise refuse("key_invalid", f"{clip(verification_method)} is a {clip(method['type'])}, not a Multikey")
    return public_key_from_multibase(member(method, "publicKeyMultibase", str, "the verification method"))


def key_resolver(document: Any) -> KeyResolver:
    """A resolver taking keys from one DID document by `resolve_key`'s rules."""
    return lambda verification_method: resolve_key(document, verification_method)


def issuer_id(credential: Any) -> str | None:
    """A credential's `issuer`: a URL, or the `id` of an issuer object; None when it has none."""
    issuer = credential.get("issuer") if isinstance(credential, dict) else None
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer if isinstance(issuer, str) else None


def check_issuer(credential: Any, verification_method: str) -> None:
    """A credential whose issuer is a DID must be secured with a key of that DID (the proof's
    `verificationMethod`, the JWS `kid`); VerificationError otherwise. An issuer that is not a
    DID (a plain URL, as in the W3C vectors) binds nothing here."""
    issuer = issuer_id(credential)
    if issuer is not None and issuer.startswith("did:") and controller_of(verification_method) != issuer:
        said = f"secured with {clip(verification_method)}, not a key of the issuer {clip(issuer)}"
        raise refuse("issuer_key", said, issuer=clip(issuer), method=clip(verification_method))
