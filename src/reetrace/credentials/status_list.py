"""Revocation by W3C Bitstring Status List v1.0 (contract §11).

A status list is a bitstring of at least 131,072 bits (16 KiB), one bit a credential: index 0
is the most significant bit of the first byte, index 7 its least, index 8 the most significant
bit of the second byte. A set bit means revoked. It is published GZIP-compressed and multibase
base64url encoded (`u…`, unpadded) as the `encodedList` of a BitstringStatusListCredential:

    {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": <list URL>,
     "type": ["VerifiableCredential", "BitstringStatusListCredential"],
     "issuer": <DID>, "validFrom": <dateTime>,
     "credentialSubject": {"id": <list URL>#list, "type": "BitstringStatusList",
                           "statusPurpose": "revocation", "encodedList": "u…"}}

and a credential points to its bit with a `credentialStatus` BitstringStatusListEntry: its
`statusPurpose`, `statusListIndex` (a base-10 integer as text) and `statusListCredential` (the
list's URL). Reading one, a status of one bit is all this module knows (`statusSize` absent or
1); the list must be that URL's, for that purpose, at least 131,072 bits long, and hold the
index (the spec's STATUS_LIST_LENGTH_ERROR and RANGE_ERROR). The list credential's proof is
checked apart (data_integrity.verify_proof). Whatever is wrong is a VerificationError.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reetrace.credentials.data_integrity import xsd_datetime
from reetrace.credentials.errors import clip, member, refuse
from reetrace.credentials.multibase_keys import BASE64URL, multibase_decode, multibase_encode

MIN_BITS = 131_072  # 16 KiB
MAX_BYTES = 16 * 1024 * 1024  # a list read is expanded no further (a 16 MiB list has 134 million entries)
REVOCATION = "revocation"
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_TYPE = "BitstringStatusList"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
_INDEX = re.compile(r"[0-9]{1,15}").fullmatch


def encode_bitstring(indexes: Iterable[int], length: int = MIN_BITS) -> str:
    """The `encodedList` of a bitstring of `length` bits (rounded up to whole bytes, at least
    MIN_BITS) where exactly `indexes` are set."""
    bits = bytearray((max(length, MIN_BITS) + 7) // 8)
    for index in indexes:
        if not 0 <= index < len(bits) * 8:
            raise ValueError(f"index {index} is outside a list of {len(bits) * 8} entries")
        bits[index // 8] |= 0x80 >> (index % 8)
    return multibase_encode(gzip.compress(bytes(bits), mtime=0), BASE64URL)


def decode_bitstring(encoded_list: object) -> bytes:
    """The bitstring an `encodedList` encodes (Bitstring Expansion), at least MIN_BITS long;
    VerificationError otherwise."""
    compressed = multibase_decode(encoded_list, BASE64URL)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)  # GZIP, one member
    try:
        bits = inflate.decompress(compressed, MAX_BYTES + 1)
        whole = inflate.eof and not inflate.unused_data
    except zlib.error:
        bits, whole = b"", False
    if len(bits) > MAX_BYTES:
        raise refuse("status_list", f"the status list expands past {MAX_BYTES} bytes", bound=MAX_BYTES)
    if not whole:
        raise refuse("status_list", "the status list is not one whole GZIP member")
    if len(bits) * 8 < MIN_BITS:
        said = f"the status list holds {len(bits) * 8} entries, fewer than {MIN_BITS}"
        raise refuse("status_list_length", said, entries=len(bits) * 8, bound=MIN_BITS)
    return bits


def set_indexes(encoded_list: object) -> list[int]:
    """The indexes set in an `encodedList`, in order."""
    bits = decode_bitstring(encoded_list)
    return [i * 8 + b for i, byte in enumerate(bits) if byte for b in range(8) if byte & (0x80 >> b)]


def is_set(encoded_list: object, index: int) -> bool:
    """Whether entry `index` of an `encodedList` is set; VerificationError when the list is
    not one or does not hold the index."""
    return _bit(decode_bitstring(encoded_list), index)


def _bit(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        said = f"index {index} is outside the status list of {len(bits) * 8} entries"
        raise refuse("status_range", said, index=index, entries=len(bits) * 8)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    list_url: str, issuer: str, valid_from: datetime | str, revoked_indexes: Iterable[int], length: int = MIN_BITS
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential at `list_url` revoking `revoked_indexes`."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": REVOCATION,
            "encodedList": encode_bitstring(revoked_indexes, length),
        },
    }


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A credential's BitstringStatusListEntry: which bit of which list says its status."""

    purpose: str
    index: int
    list_credential: str  # the list's URL
    id: str | None = None

    @classmethod
    def of(cls, credential: Any, purpose: str = REVOCATION) -> StatusEntry | None:
        """The credential's status entry for `purpose`; None when it has no `credentialStatus`
        for it; VerificationError when one is malformed or two are for that purpose."""
        if not isinstance(credential, dict):
            raise refuse("not_object", "the credential must be a JSON object", where="the credential")
        status = credential.get("credentialStatus")
        listed = status if isinstance(status, list) else [] if status is None else [status]
        entries = [cls.read(entry) for entry in listed]
        chosen = [entry for entry in entries if entry.purpose == purpose]
        if len(chosen) > 1:
            raise refuse("status_entry", f"the credential has {len(chosen)} status entries for {purpose}")
        return chosen[0] if chosen else None

    @classmethod
    def read(cls, entry: Any) -> StatusEntry:
        """One `credentialStatus` entry read strictly; VerificationError otherwise."""
        where = "the credentialStatus"
        if member(entry, "type", str, where) != ENTRY_TYPE:
            raise refuse("status_entry", f"the credentialStatus is a {clip(entry['type'])}, not a {ENTRY_TYPE}")
        index = member(entry, "statusListIndex", str, where)
        if not _INDEX(index):
            said = f"statusListIndex must be a base-10 integer as text, not {clip(index)}"
            raise refuse("status_entry", said, index=clip(index))
        if entry.get("statusSize", 1) != 1 or isinstance(entry.get("statusSize"), bool):
            raise refuse("status_entry", f"a status of {clip(entry.get('statusSize'))} bits is not read here")
        status_id = entry.get("id")
        if status_id is not None and not isinstance(status_id, str):
            raise refuse("member", f"{where} needs a member 'id' of the right type", where=where, member="id")
        return cls(
            member(entry, "statusPurpose", str, where),
            int(index),
            member(entry, "statusListCredential", str, where),
            status_id,
        )

    def is_set(self, list_credential: Any) -> bool:
        """Whether this entry's bit is set in `list_credential` (revoked, for revocation); a
        VerificationError when that is not the list this entry points to, for its purpose."""
        where = "the status list credential"
        if member(list_credential, "id", str, where) != self.list_credential:
            said = f"the status list is {clip(list_credential['id'])}, not {clip(self.list_credential)}"
            raise refuse("status_list", said)
        if LIST_CREDENTIAL_TYPE not in member(list_credential, "type", list, where):
            raise refuse("status_list", f"the status list credential is not a {LIST_CREDENTIAL_TYPE}")
        subject = member(list_credential, "credentialSubject", dict, where)
        if member(subject, "type", str, "the status list") != LIST_TYPE:
            raise refuse("status_list", f"the status list is a {clip(subject['type'])}, not a {LIST_TYPE}")
        purposes = member(subject, "statusPurpose", (str, list), "the status list")
        if self.purpose not in (purposes if isinstance(purposes, list) else [purposes]):
            raise refuse("status_list", f"the status list is not for {clip(self.purpose)}: {clip(purposes)}")
        return _bit(decode_bitstring(member(subject, "encodedList", str, "the status list")), self.index)
