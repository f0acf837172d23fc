"""Redacting an event for a certificate: what stays visible, what is committed to, and the log's
signature that binds the two to the event's leaf (docs/certificates.md).

A leaf of the log is SHA-256 of the RFC 8785 bytes of `{"reporter", "event"}` (docs/contract.md §8): a
part of an event cannot be proven against its leaf by itself. So a redacted event is carried as

- its leaf index, leaf hash and inclusion proof: an event is at that place in the log;
- its **projection**, the members the trace needs: `type`, `time`, the process, deposit or
  country of origin, the lots drawn with their masses, and each lot made with its form, mass
  and composition;
- a salted **commitment** to each hidden member, named by its JSON Pointer (RFC 6901) into the
  leaf object — `/reporter`, `/event/event_id`, `/event/site`, `/event/ext`,
  `/event/customs_declaration`, `/event/outputs/0/hs_code` …: SHA-256 of a domain tag, a 32-byte
  salt and the member's RFC 8785 bytes. The salts are derived from the log key's private half,
  so the log's operator can later open any commitment to an auditor, and nobody else can test a
  guess against one;
- the log key's **signature** over the binding text: a header line, then the RFC 8785 bytes of
  `{"origin", "issued_to", "leaf_index", "leaf_hash", "projection", "commitments"}` (`issued_to`:
  the enterprise the certificate is made for). The header cannot begin a checkpoint (whose first
  line is the log's origin), so neither can pass for the other.

Opening every commitment and putting the values back into the projection gives the event
itself, whose leaf hash anyone can recompute: an opening is checked without the signature.
Nothing here reads a store.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from reetrace.contract.submission import InvalidDocument, to_domain, validate_model
from reetrace.domain.trace import CREATING_TYPES, Creation
from reetrace.ledger import merkle
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.note import Signer, Verifier

BINDING_HEADER = "reetrace/redaction@1"
OPENING_FORMAT = "reetrace/redaction-opening@1"
_COMMITMENT_TAG = b"reetrace/commitment@1\n"
_SALT_TAG = b"reetrace/redaction-salts@1"
SALT_SIZE = 32
SHOWN: dict[str, tuple[str, ...]] = {  # the members of each creating event a projection keeps
    "extract": ("type", "time", "deposit", "outputs"),
    "import": ("type", "time", "origin_country", "outputs"),
    "transform": ("type", "time", "process", "inputs", "outputs"),
}
OUTPUT_SHOWN = ("lot", "form", "mass_kg", "composition")
# what a projection lacks that the contract's event model needs; never part of a creation
_STAND_INS = {"event_id": "redacted", "customs_declaration": "redacted"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(value: Any, size: int | None = None) -> bytes | None:
    """The bytes of a base64 text (of `size` bytes when given); None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        data = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return data if size is None or len(data) == size else None


def pointer(*parts: str | int) -> str:
    """A JSON Pointer (RFC 6901) into the leaf object."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _unpointer(text: str) -> list[str]:
    if not text.startswith("/"):
        raise ValueError(f"{text!r} is not a JSON Pointer")
    return [p.replace("~1", "/").replace("~0", "~") for p in text[1:].split("/")]


# --- splitting an event ---------------------------------------------------------------------


def split(reporter: str, event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An event's projection, and its hidden members by JSON Pointer into the leaf object."""
    kind = event.get("type")
    if kind not in SHOWN:
        raise ValueError(f"only a creating event ({', '.join(CREATING_TYPES)}) is redacted, not {kind!r}")
    projection: dict[str, Any] = {}
    hidden: dict[str, Any] = {pointer("reporter"): reporter}
    for member, value in event.items():
        if member not in SHOWN[kind]:
            hidden[pointer("event", member)] = value
        elif member == "outputs":
            projection[member] = []
            for n, output in enumerate(value):
                projection[member].append({k: v for k, v in output.items() if k in OUTPUT_SHOWN})
                hidden.update(
                    (pointer("event", "outputs", n, k), v) for k, v in output.items() if k not in OUTPUT_SHOWN
                )
        else:
            projection[member] = value
    return projection, hidden


def join(projection: Mapping[str, Any], hidden: Mapping[str, Any]) -> dict[str, Any]:
    """The leaf object `{"reporter", "event"}` from a projection and every hidden member."""
    leaf: dict[str, Any] = {"event": copy.deepcopy(dict(projection))}
    for path, value in hidden.items():
        *parents, last = _unpointer(path)
        node: Any = leaf
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if not isinstance(node, dict) or last in node:
            raise ValueError(f"{path} does not name a member the projection lacks")
        node[last] = value
    return leaf


# --- salts, commitments, the binding ----------------------------------------------------------


def salt_key(signer: Signer) -> bytes:
    """The key the salts of a log key's redactions are derived from (never written anywhere)."""
    seed = signer.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return hmac.new(seed, _SALT_TAG, hashlib.sha256).digest()


def salt(key: bytes, leaf_hash: bytes, path: str) -> bytes:
    return hmac.new(key, leaf_hash + path.encode("utf-8"), hashlib.sha256).digest()


def commitment(salt_bytes: bytes, value: Any) -> bytes:
    return hashlib.sha256(_COMMITMENT_TAG + salt_bytes + canonical_bytes(value)).digest()


def binding_text(
    origin: str,
    issued_to: str,
    leaf_index: int,
    leaf_hash: bytes,
    projection: Mapping[str, Any],
    commitments: Mapping[str, str],
) -> str:
    body = canonical_bytes(
        {
            "origin": origin,
            "issued_to": issued_to,
            "leaf_index": leaf_index,
            "leaf_hash": b64(leaf_hash),
            "projection": projection,
            "commitments": commitments,
        }
    ).decode("utf-8")
    return f"{BINDING_HEADER}\n{body}\n"


def redact(
    signer: Signer, issued_to: str, reporter: str, body: str, leaf_index: int, proof: list[bytes]
) -> dict[str, Any]:
    """The redacted entry of a logged event (`body`: its canonical JSON, as stored), in a
    certificate made for enterprise `issued_to`."""
    leaf = merkle.leaf_hash(merkle.leaf_data(reporter, body))
    projection, hidden = split(reporter, json.loads(body))
    key = salt_key(signer)
    commitments = {path: b64(commitment(salt(key, leaf, path), value)) for path, value in sorted(hidden.items())}
    text = binding_text(signer.name, issued_to, leaf_index, leaf, projection, commitments)
    return {
        "leaf_index": leaf_index,
        "leaf_hash": b64(leaf),
        "proof": [b64(p) for p in proof],
        "projection": projection,
        "commitments": commitments,
        "signature": b64(signer.key_id + signer.sign(text.encode("utf-8"))),
    }


def signature_holds(entry: Mapping[str, Any], issued_to: str, log: Verifier) -> bool:
    """Whether the entry's signature is the log key's over its binding text."""
    payload = unb64(entry.get("signature"))
    leaf = unb64(entry.get("leaf_hash"), merkle.HASH_SIZE)
    if payload is None or leaf is None or len(payload) != 4 + 64 or payload[:4] != log.key_id:
        return False
    try:
        text = binding_text(log.name, issued_to, entry["leaf_index"], leaf, entry["projection"], entry["commitments"])
    except (KeyError, TypeError, ValueError):
        return False
    return log.verify(text.encode("utf-8"), payload[4:])


def reference(leaf_index: int) -> str:
    """How a trace names a redacted event: by its place in the log."""
    return f"leaf:{leaf_index}"


def creation_of(projection: Any, leaf_index: int) -> Creation:
    """The creation a projection shows, checked as the contract checks an event's members;
    InvalidDocument when it is not a projection of a creating event."""
    if not isinstance(projection, dict):
        raise InvalidDocument("the projection is not a JSON object")
    kind = projection.get("type")
    if kind not in SHOWN:
        raise InvalidDocument(f"type {kind!r} is not a creating event ({', '.join(CREATING_TYPES)})")
    extra = sorted(set(projection) - set(SHOWN[kind]))
    if extra:
        raise InvalidDocument(f"member {extra[0]!r} is not shown in a projection")
    outputs = projection.get("outputs")
    for output in outputs if isinstance(outputs, list) else []:
        if isinstance(output, dict) and set(output) - set(OUTPUT_SHOWN):
            raise InvalidDocument(f"outputs: member {sorted(set(output) - set(OUTPUT_SHOWN))[0]!r} is not shown")
    stand_ins = {
        k: v for k, v in _STAND_INS.items() if k == "event_id" or (k, kind) == ("customs_declaration", "import")
    }
    event = to_domain(validate_model({**projection, **stand_ins}), "")
    return replace(Creation.of(event), ref=reference(leaf_index), reporter="")


# --- opening commitments ----------------------------------------------------------------------


def opening(
    signer: Signer, reporter: str, body: str, leaf_index: int, paths: list[str] | None = None
) -> dict[str, Any]:
    """The values and salts behind a redacted event's commitments (all, or those of `paths`), for
    an auditor: `reetrace/redaction-opening@1`."""
    leaf = merkle.leaf_hash(merkle.leaf_data(reporter, body))
    _, hidden = split(reporter, json.loads(body))
    unknown = sorted(set(paths or ()) - set(hidden))
    if unknown:
        raise ValueError(f"{unknown[0]} is not a hidden member of the event at leaf {leaf_index}")
    key = salt_key(signer)
    return {
        "format": OPENING_FORMAT,
        "leaf_index": leaf_index,
        "leaf_hash": b64(leaf),
        "openings": {
            path: {"value": value, "salt": b64(salt(key, leaf, path))}
            for path, value in sorted(hidden.items())
            if paths is None or path in paths
        },
    }


def check_opening(entry: Mapping[str, Any], document: Any) -> list[str]:
    """Every way an opening fails to match a redacted entry; empty when it matches. When every
    commitment is opened, the event is rebuilt and must hash to the entry's leaf."""
    if not isinstance(document, dict) or document.get("format") != OPENING_FORMAT:
        return [f"not a {OPENING_FORMAT} document"]
    where = f"leaf {entry.get('leaf_index')}"
    if document.get("leaf_index") != entry.get("leaf_index") or document.get("leaf_hash") != entry.get("leaf_hash"):
        return [f"{where}: the opening is for another leaf"]
    openings = document.get("openings")
    commitments = entry.get("commitments")
    if not isinstance(openings, dict) or not isinstance(commitments, dict):
        return [f"{where}: no openings, or no commitments"]
    failures = []
    values = {}
    for path, opened in openings.items():
        salt_bytes = unb64(opened.get("salt") if isinstance(opened, dict) else None, SALT_SIZE)
        if path not in commitments:
            failures.append(f"{where}: {path} is not committed to")
        elif salt_bytes is None or "value" not in opened:
            failures.append(f"{where}: {path}: the opening has no value and 32-byte salt")
        elif b64(commitment(salt_bytes, opened["value"])) != commitments[path]:
            failures.append(f"{where}: {path}: the value opened is not the one committed to")
        else:
            values[path] = opened["value"]
    if not failures and set(values) == set(commitments):
        try:
            leaf = join(entry["projection"], values)
            rebuilt = merkle.leaf_hash(canonical_bytes(leaf))
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            return [f"{where}: the opened members do not fit the projection ({exc})"]
        if b64(rebuilt) != entry.get("leaf_hash"):
            failures.append(f"{where}: the event rebuilt from the projection and the openings is not the one logged")
    return failures


__all__ = [
    "BINDING_HEADER",
    "OPENING_FORMAT",
    "binding_text",
    "check_opening",
    "creation_of",
    "join",
    "opening",
    "redact",
    "reference",
    "signature_holds",
    "split",
]
