"""EPCIS captures for the tests: a document of §4 events as an enterprise's system would send it,
and its detached JWS (RFC 7515 Appendix F) — made with joserfc, an implementation other than the
one the server verifies with, or by hand for the headers joserfc would not write."""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.jwk import OKPKey

from reetrace.epcis.document import Recorded, epcis_document
from reetrace.ledger.signing import b64url_encode, key_id, raw_public_key

CST = timezone(timedelta(hours=8))
CREATED = datetime(2026, 2, 5, 10, 0, tzinfo=CST)


def document(reporter: str, events: list[dict[str, Any]], created: datetime = CREATED) -> dict[str, Any]:
    """An EPCISDocument of `reporter`'s §4 events, as reetrace writes one."""
    return epcis_document([Recorded(reporter, e) for e in events], created)


def body(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def detached_jws(key: Ed25519PrivateKey, payload: bytes) -> str:
    """The detached compact JWS of `payload`, `{"alg": "EdDSA", "kid": <its key id>}`, by joserfc."""
    private = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = raw_public_key(key)
    jwk = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(public), "d": b64url_encode(private)})
    with warnings.catch_warnings():  # joserfc 1.8 warns that RFC 9864 deprecates EdDSA, which §10 names
        warnings.simplefilter("ignore")
        whole = jws.serialize_compact({"alg": "EdDSA", "kid": key_id(public)}, payload, jwk, algorithms=["EdDSA"])
    header, _, signature = whole.split(".")
    return f"{header}..{signature}"


def forged_jws(key: Ed25519PrivateKey, payload: bytes, header: dict[str, Any]) -> str:
    """A detached JWS with any protected header, signed by hand with `key` (Ed25519)."""
    protected = b64url_encode(json.dumps(header).encode())
    signature = key.sign(protected.encode() + b"." + b64url_encode(payload).encode())
    return f"{protected}..{b64url_encode(signature)}"


def send(live: Any, username: str, member: Any, events: list[dict[str, Any]]) -> Any:
    """`username` captures `member`'s events, signed with its key, through the live server."""
    raw = body(document(member.uscc, events))
    headers = {"Content-Type": "application/ld+json", "JWS-Signature": detached_jws(member.key, raw)}
    with live.client(username) as client:
        return client.post("/epcis/capture", content=raw, headers=headers)


def trader_capture(live: Any) -> str:
    """A capture job of the trader's (the same document each time: a job of its own, nothing new
    after the first): its id."""
    answer = send(live, "trader_user", live.world.trader, [CAPTURED_EVENT])
    assert answer.status_code == 202 and answer.json()["success"], answer.text
    return answer.json()["captureID"]


CAPTURED_EVENT = {
    "event_id": "cap-x",
    "type": "extract",
    "time": "2026-01-09T08:00:00+08:00",
    "deposit": "rock",
    "outputs": [{"lot": "CAP-X", "form": "concentrate", "mass_kg": 5, "composition": {"Ce": 0.2, "La": 0.1}}],
}
