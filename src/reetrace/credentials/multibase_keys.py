"""Multibase text and Multikey Ed25519 keys (W3C Controlled Identifiers v1.0 §2.2.2, Multikey).

Multibase is a one-character prefix naming the base, then the bytes in that base; two are used
here: `z` base58btc (Bitcoin alphabet) and `u` base64url without padding. A Multikey is the
multibase base58btc of a multicodec varint header and the raw key:

    Ed25519 public key   0xed 0x01 + 32 bytes  ->  "z6Mk…"  (publicKeyMultibase)
    Ed25519 secret key   0x80 0x26 + 32 bytes  ->  "z3u2…"  (secretKeyMultibase, as in the W3C
                                                            vectors' keyPair.json)

Decoding is strict: text that does not encode back to itself (trailing whitespace, padding,
`+` or `/` in base64url, bits left over) is refused, so each value has one spelling.
"""

from __future__ import annotations

import base64
import re

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reetrace.credentials.errors import clip, refuse

BASE58BTC = "z"
BASE64URL = "u"
ED25519_PUBLIC = b"\xed\x01"
ED25519_SECRET = b"\x80\x26"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*").fullmatch


def multibase_encode(data: bytes, base: str = BASE58BTC) -> str:
    """`data` as multibase text in `base` (`z` base58btc or `u` base64url, unpadded)."""
    if base == BASE58BTC:
        return BASE58BTC + base58.b58encode(data).decode("ascii")
    if base == BASE64URL:
        return BASE64URL + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    raise ValueError(f"multibase {base!r} is not one of z (base58btc) and u (base64url)")


def multibase_decode(text: object, base: str | None = None) -> bytes:
    """The bytes multibase `text` encodes, in `base` when one is named; VerificationError for
    anything else (not text, another base, a character outside the base, not canonical)."""
    if not isinstance(text, str) or not text or (base is not None and text[0] != base):
        wanted = f"in base {base!r}" if base else "z (base58btc) or u (base64url)"
        raise refuse("multibase", f"not multibase text {wanted}: {clip(text)}", value=clip(text))
    body = text[1:]
    data: bytes | None = None
    try:
        if text[0] == BASE58BTC and body.isascii():
            data = base58.b58decode(body)
        elif text[0] == BASE64URL and _BASE64URL(body) and len(body) % 4 != 1:
            data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:  # a character outside the alphabet (binascii.Error is a ValueError)
        data = None
    if data is None or multibase_encode(data, text[0]) != text:
        raise refuse("multibase", f"not canonical multibase text: {clip(text)}", value=clip(text))
    return data


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_multibase(public_key: Ed25519PublicKey | bytes) -> str:
    """The Multikey `publicKeyMultibase` (`z6Mk…`) of an Ed25519 public key (or its 32 raw bytes)."""
    raw = public_key if isinstance(public_key, bytes) else raw_public_bytes(public_key)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return multibase_encode(ED25519_PUBLIC + raw)


def public_key_from_multibase(text: object) -> Ed25519PublicKey:
    """The Ed25519 public key of a Multikey `publicKeyMultibase`; VerificationError otherwise."""
    data = multibase_decode(text, BASE58BTC)
    if not data.startswith(ED25519_PUBLIC) or len(data) != 34:
        raise refuse("key_invalid", f"not a Multikey Ed25519 public key (z6Mk…): {clip(text)}", value=clip(text))
    return Ed25519PublicKey.from_public_bytes(data[2:])


def secret_key_multibase(private_key: Ed25519PrivateKey) -> str:
    """The Multikey `secretKeyMultibase` (`z3u2…`) of an Ed25519 private key."""
    seed = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return multibase_encode(ED25519_SECRET + seed)


def secret_key_from_multibase(text: object) -> Ed25519PrivateKey:
    """The Ed25519 private key of a Multikey `secretKeyMultibase`; VerificationError otherwise."""
    data = multibase_decode(text, BASE58BTC)
    if not data.startswith(ED25519_SECRET) or len(data) != 34:
        raise refuse("key_invalid", "not a Multikey Ed25519 secret key (z3u2…)")
    return Ed25519PrivateKey.from_private_bytes(data[2:])
