"""Authenticating one EPCIS capture (contract §10, docs/epcis.md "Capture"): the bytes of an
`EPCISDocument` and the detached JWS that came with them, into the same `Authenticated`
submission or `Rejection` as a §4 submission (reetrace.services.intake, whose checks it shares),
so that the ledger records it exactly as one: duplicates, conflicts, all or nothing,
checkpoints, supervision. Pure, and never raises for what it is given.

The checks, in order, each with the reason class it refuses with (contract §7):

    the bytes within MAX_BYTES (else only their digest and size are kept) ...... schema
    UTF-8 JSON, no member repeated (nesting and numbers within bounds: schema) . parse
    JWS-Signature: compact and detached, `header..signature` (RFC 7515 App. F),
      its protected header exactly {"alg": "EdDSA", "kid": <§1 key_id>} ........ signature
    the kid a registered key of the capturing enterprise ....................... key
    the signature, over ASCII(header) "." base64url(body) ...................... signature
    the key valid at the document's creationDate, not revoked by then ......... key
    the EPCIS 2.0 JSON Schema, formats checked (each error's JSON Pointer) ..... schema
    creationDate not more than 5 minutes ahead of receipt ...................... schema
    eventIDs of at most 255 characters, each once .............................. schema
    each event translated to a §4 event (reetrace.epcis.document) .............. schema
    each event's rt:reporter, where it says one, the signing enterprise ......... reporter
    the §4 events held to the contract exactly as a submission's, with the
      bounds set by the time of receipt (at /epcisBody/eventList/<i>) ......... schema

Errors are placed by JSON Pointer in the document; the first is the rejection's own, and the
capture job records them all (`CaptureFacts.errors`).

The signature is checked with `cryptography` (reetrace.ledger.signing.verify), not joserfc:
the protected header is read here, strictly (unpadded base64url, no member repeated, nothing
but `alg` and `kid`), which joserfc's reader is not (it takes padding and keeps the last of a
repeated member); what is left is one Ed25519 verification over a signing input of one line;
and joserfc 1.8 warns on every use of `EdDSA` (RFC 9864 deprecates it for `Ed25519`, but §10
names `EdDSA`), which could only be silenced with the process's warning filters, not safe
across the threads that serve requests. The tests sign with joserfc: two implementations agree.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from reetrace.contract.event_facts import validate_event_facts
from reetrace.contract.submission import InvalidDocument
from reetrace.domain.captures import MAX_EVENT_ID, CaptureEnvelope, CaptureFacts, event_at, pointer
from reetrace.domain.problems import INVALID, Problem, invalid
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import MAX_BYTES, MAX_DEPTH, Authenticated, Delivery, Rejection
from reetrace.epcis import vocabulary as v
from reetrace.epcis.document import UnreadableDocument, read_document
from reetrace.epcis.hashing import document_namespaces
from reetrace.epcis.schema import schema_errors
from reetrace.ledger.canonical import NotJson, OutOfBounds, ParsedJson, canonical_bytes
from reetrace.ledger.jws import MAX_LENGTH, DetachedJwsError, read_detached
from reetrace.ledger.signing import verify
from reetrace.services.intake import (
    created_ahead,
    event_ref,
    key_out_of_time,
    prepare_event,
    read_file,
    rejection_of,
    too_large,
)

EXT_DEPTH = MAX_DEPTH - 3  # an event's ext nests as deep as in a §4 submission, three levels down
CAPTURE_SUFFIX = ".jsonld"  # a file of this name is an EPCIS document ...
JWS_SUFFIX = ".jws"  # ... and its detached JWS is in the file of its name with this added
log = logging.getLogger(__name__)


def is_capture_file(path: Path) -> bool:
    return path.name.endswith(CAPTURE_SUFFIX)


def read_capture_file(path: Path, source: str | None = None) -> Delivery:
    """An EPCIS document file (`X.jsonld`) with the detached JWS beside it (`X.jsonld.jws`,
    surrounding whitespace ignored; none when it is missing). Raises OSError for the document."""
    delivery = read_file(path, source)
    try:
        with path.with_name(path.name + JWS_SUFFIX).open("rb") as file:
            jws: str | None = file.read(MAX_LENGTH + 64).decode("ascii", "replace").strip()
    except FileNotFoundError:
        jws = None
    return replace(delivery, capture=CaptureEnvelope(jws))


def authenticate_capture(
    delivery: Delivery,
    keys: Mapping[str, SigningKey],
    enterprises: set[str] | frozenset[str],
    received_at: datetime | None,
) -> Authenticated | Rejection:
    """Check one capture (a `Delivery` with its `capture` envelope). `received_at=None` takes
    the document's creationDate as the time of receipt (archived captures)."""
    check = _Check(delivery, received_at or datetime.now().astimezone())
    try:
        return _authenticate(check, keys, received_at)
    except Exception as exc:  # a last guard: no input may end as an error
        log.exception("a capture could not be checked: %s", delivery.source)
        return check.reject("schema", Problem("unchecked", f"cannot be checked ({type(exc).__name__})"))


class _Check:
    """One capture being checked: whose it is so far, how many events it holds, and its
    rejections, each with the errors its job records."""

    def __init__(self, delivery: Delivery, stamp: datetime):
        self.delivery, self.stamp = delivery, stamp
        self.enterprise = delivery.capture.enterprise if delivery.capture else None
        self.reporter = self.enterprise  # whose rejection it is (the key's owner, once known)
        self.events = 0
        self.signed = False

    def reject(
        self,
        reason_class: str,
        detail: str,
        at: str | None = None,
        event: str | None = None,
        more: Iterable[tuple[str | None, str]] = (),
    ) -> Rejection:
        rejection = rejection_of(self.delivery, self.stamp, reason_class, detail, self.reporter, event)
        errors = ((at, detail), *more)
        return replace(rejection, capture=CaptureFacts(self.events, (), errors, self.delivery.size, self.signed))


def _authenticate(
    check: _Check, keys: Mapping[str, SigningKey], received_at: datetime | None
) -> Authenticated | Rejection:
    delivery = check.delivery
    if delivery.raw is None or delivery.size > MAX_BYTES:
        return check.reject("schema", too_large(delivery))
    try:
        doc = ParsedJson(delivery.raw).value
    except NotJson as exc:
        return check.reject("parse", exc.args[0])
    except OutOfBounds as exc:
        return check.reject("schema", exc.args[0])
    check.events = len(_event_list(doc))

    try:
        jws = read_detached(delivery.capture.jws if delivery.capture else None)
    except DetachedJwsError as exc:
        return check.reject("signature", exc.problem)
    key = keys.get(jws.kid)
    if key is None or (check.enterprise is not None and key.uscc != check.enterprise):
        return check.reject("key", _not_a_key(jws.kid, check.enterprise))  # the same words for another's key
    signer = check.reporter = key.uscc
    if not verify(key.public_key, jws.signing_input(delivery.raw), jws.signature):
        return check.reject("signature", Problem("signature_invalid", "does not verify"))
    check.signed = True
    created, written = _creation_date(doc)
    if created is not None:
        out_of_time = key_out_of_time(key, jws.kid, "creationDate", created, written)
        if out_of_time is not None:
            return check.reject("key", out_of_time, "/creationDate")

    broken = [
        (e.where(), Problem("epcis_schema", f"{e.where() or '/'}: {e.message}", detail=e.message))
        for e in schema_errors(doc)
    ]
    if broken:
        return check.reject("schema", broken[0][1], broken[0][0], more=broken[1:])
    if created is None:
        said = "creationDate must be a date and time with its offset from UTC"
        return check.reject("schema", Problem("epcis_creation_date", said), "/creationDate")
    if received_at is None:
        check.stamp = created
    else:
        ahead = created_ahead("creationDate", created, written, check.stamp)
        if ahead is not None:
            return check.reject("schema", ahead, "/creationDate")
    for found in (_event_id_problem(doc), _ext_problem(doc)):
        if found is not None:
            return check.reject("schema", found[1], found[0])
    try:
        captured = read_document(doc)
    except UnreadableDocument as exc:
        return check.reject("schema", exc.problem, pointer(exc.at))
    except RecursionError:
        said = f"nests more than {MAX_DEPTH} levels deep"
        return check.reject("schema", Problem("nested", said, depth=MAX_DEPTH), "/epcisBody/eventList")

    raw_events = _event_list(doc)
    for index, one in enumerate(captured):
        if one.reporter is not None and one.reporter != signer:
            said = f"the event is reported by {_clip(one.reporter)!r}, not by {signer}, whose key signed the capture"
            foreign = Problem("epcis_reporter", said, reporter=_clip(one.reporter), signer=signer)
            return check.reject("reporter", foreign, event_at(index, _member(doc, raw_events[index], "reporter")))
    events = [one.event for one in captured]
    try:
        facts = validate_event_facts(events, check.stamp)
    except InvalidDocument as exc:
        place, problem = _in_event(exc.problem)
        at = event_at(place) if place is not None else "/epcisBody/eventList"
        return check.reject("schema", problem, at, event_ref(signer, exc.event))
    bodies = []
    for index, event in enumerate(events):
        try:
            bodies.append(canonical_bytes(event))
        except ValueError as exc:
            problem = Problem("not_canonical", f"cannot be canonicalised (RFC 8785): {exc}")
            return check.reject("schema", problem, event_at(index))

    return Authenticated(
        source=delivery.source,
        reporter=signer,
        key_id=jws.kid,
        created_at=created,
        received_at=check.stamp,
        signature=jws.text,
        digest=delivery.digest,
        raw=delivery.raw,
        events=[prepare_event(signer, f, b, e) for f, b, e in zip(facts, bodies, events, strict=True)],
        capture=CaptureFacts(len(captured), tuple(one.event_id for one in captured), (), delivery.size, True),
    )


# --- the signature ------------------------------------------------------------------------------


def _not_a_key(kid: str, enterprise: str | None) -> Problem:
    """An unknown key, or another enterprise's: said alike, so that nothing is learnt of others."""
    if enterprise is None:
        return Problem("key_unregistered", f"key {_clip(kid)} is not registered", key=_clip(kid))
    said = f"key {_clip(kid)} is not a registered key of enterprise {enterprise}"
    return Problem("key_not_theirs", said, key=_clip(kid), enterprise=enterprise)


# --- reading the document ------------------------------------------------------------------------


def _event_list(doc: Any) -> list[Any]:
    """The events of a document, as reetrace.epcis.document reads them ([] when there are none)."""
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    if not isinstance(body, dict):
        return []
    events = body.get("eventList") if "eventList" in body else [body.get("event")]
    return events if isinstance(events, list) else []


def _creation_date(doc: Any) -> tuple[datetime | None, str]:
    """The document's creationDate, when it is a time with its offset; and as written."""
    written = doc.get("creationDate") if isinstance(doc, dict) else None
    if not isinstance(written, str) or len(written) > 64:
        return None, ""
    try:
        moment = datetime.fromisoformat(written)
    except ValueError:
        return None, written
    return (moment if moment.tzinfo is not None else None), written


def _event_id_problem(doc: Any) -> tuple[str, Problem] | None:
    """The first eventID too long for the ledger, or given twice in one document."""
    seen: set[str] = set()
    for index, event in enumerate(_event_list(doc)):
        given = event.get("eventID") if isinstance(event, dict) else None
        if not isinstance(given, str):
            continue
        if len(given) > MAX_EVENT_ID:
            said = f"an eventID of {len(given)} characters, more than the {MAX_EVENT_ID} one may have"
            return event_at(index, "eventID"), Problem("epcis_id_long", said, length=len(given), bound=MAX_EVENT_ID)
        if given in seen:
            said = f"eventID {_clip(given)!r} is given twice"
            return event_at(index, "eventID"), Problem("epcis_id_twice", said, event_id=_clip(given))
        seen.add(given)
    return None


def _names(doc: Any, name: str) -> set[str]:
    """How a member of the project's namespace may be written in this document."""
    context = doc.get("@context", []) if isinstance(doc, dict) else []
    prefixes = {p for p, uri in document_namespaces(context).items() if uri == v.NS}
    return {f"{v.PREFIX}:{name}", v.NS + name} | {f"{p}:{name}" for p in prefixes}


def _member(doc: Any, event: Any, name: str) -> str:
    """The member an event writes `rt:<name>` as."""
    found = sorted(_names(doc, name) & set(event)) if isinstance(event, dict) else []
    return found[0] if found else f"{v.PREFIX}:{name}"


def _ext_problem(doc: Any) -> tuple[str, str] | None:
    """An event's `rt:ext` (JSON text) held to what a §4 event's `ext` is: no member repeated,
    nested no deeper, numbers finite."""
    names = _names(doc, "ext")
    for index, event in enumerate(_event_list(doc)):
        if not isinstance(event, dict):
            continue
        for name in sorted(names & set(event)):
            if isinstance(event[name], str):  # anything else the translation refuses
                try:
                    ParsedJson(event[name], max_depth=EXT_DEPTH)
                except (NotJson, OutOfBounds) as exc:
                    return event_at(index, name), exc.args[0]
    return None


def _in_event(problem: str) -> tuple[int | None, str]:
    """A §4 validation's problem (placed under `events/<i>`) as one of the event at `<i>`."""
    if not isinstance(problem, Problem) or problem.id != INVALID or not problem.params.get("problems"):
        return None, problem
    items = problem.params["problems"]
    first = items[0].get("at") or []
    if len(first) < 2 or first[0] != "events" or not isinstance(first[1], int):
        return None, problem
    index = first[1]
    inside = [{**item, "at": list(item.get("at") or [])[2:]} for item in items]
    text = str(problem).removeprefix(f"events[{index}]: ")
    return index, invalid(text, inside, problem.params.get("more", 0))


def _clip(text: str, longest: int = 40) -> str:
    return text if len(text) <= longest else text[: longest - 1] + "…"
