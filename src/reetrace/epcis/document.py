"""EPCIS documents: an `EPCISDocument` or `EPCISQueryDocument` written from §4 events, and a
captured `EPCISDocument` read into the §4 events it reports (contract §10, docs/epcis.md).

Written documents name the GS1 context first and declare the project's namespace inline, so
nothing needs fetching to read them; every event carries its event hash as `eventID`, or the
`eventID` it was captured with.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785

from reetrace.domain.problems import Problem
from reetrace.epcis import vocabulary as v
from reetrace.epcis.hashing import EventHashError, document_namespaces, event_hash
from reetrace.epcis.translate import Json, Untranslatable, from_epcis, to_epcis

CONTEXT: list[Any] = [v.GS1_CONTEXT, {v.PREFIX: v.NS}]
UNHASHABLE = uuid.uuid5(uuid.NAMESPACE_URL, v.NS + "unhashable")  # names the events no hash is given
NAMESPACES = {v.PREFIX: v.NS}
QUERY_NAME = "SimpleEventQuery"


@dataclass(frozen=True, slots=True)
class Recorded:
    """A §4 event as the ledger holds it, with the EPCIS id it was captured with (if any)."""

    reporter: str
    event: Mapping[str, Any]
    event_id: str | None = None  # the `eventID` it was captured with; None: its hash


def epcis_event(recorded: Recorded) -> Json:
    """One recorded event as an EPCIS event, `eventID` first."""
    body = to_epcis(recorded.reporter, recorded.event)
    return {"eventID": recorded.event_id or _hash_or_name(body, NAMESPACES, recorded.reporter), **body}


def epcis_id(reporter: str, event: Mapping[str, Any]) -> str:
    """The EPCIS eventID of a §4 event as reetrace writes it: its event hash (`_hash_or_name`)."""
    return _hash_or_name(to_epcis(reporter, event), NAMESPACES, reporter)


def _hash_or_name(body: Mapping[str, Any], namespaces: Mapping[str, str], reporter: str | None) -> str:
    """The event hash of an EPCIS event; for the few events the reference implementation cannot
    hash (a text member that reads as an infinite number, such as an event id `inf`; a time whose
    fraction rounds up to the next second), a name-based UUID (RFC 9562 v5) of the event's §4
    identity instead, so that every event has one eventID and always the same."""
    try:
        return event_hash(body, namespaces)
    except EventHashError:
        identity = rfc8785.dumps([reporter, body.get(f"{v.PREFIX}:eventId"), body.get("eventTime")])
        return uuid.uuid5(UNHASHABLE, identity.decode()).urn


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def epcis_document(events: Iterable[Recorded], created: datetime) -> Json:
    """An `EPCISDocument` holding `events` in the order given."""
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": v.SCHEMA_VERSION,
        "creationDate": _stamp(created),
        "epcisBody": {"eventList": [epcis_event(r) for r in events]},
    }


def query_document(events: Iterable[Json], created: datetime) -> Json:
    """An `EPCISQueryDocument` answering a SimpleEventQuery with EPCIS events already written."""
    return {
        "@context": CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": v.SCHEMA_VERSION,
        "creationDate": _stamp(created),
        "epcisBody": {"queryResults": {"queryName": QUERY_NAME, "resultsBody": {"eventList": list(events)}}},
    }


# --- reading a captured document ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Captured:
    """One event of a captured document: who it says reported it (None: it does not say), the
    §4 event, and the EPCIS id it came with (None: none; it goes by its event hash as reetrace
    writes it, `epcis_id`, given when it is first looked up)."""

    reporter: str | None
    event: Json
    event_id: str | None


class UnreadableDocument(ValueError):
    """A captured document that is not one reetrace can record; `at` is where (a path of member
    names and list positions from the document's root)."""

    def __init__(self, at: list[str | int], problem: Problem):
        super().__init__(problem)
        self.at = at
        self.problem = problem


HASHED = "ni:///"  # an eventID of this form claims to be the event's hash: it must be


def read_document(document: Any) -> list[Captured]:
    """The events of a captured `EPCISDocument` (already valid against the schema), each
    translated; raises `UnreadableDocument` at the first event that does not translate, or whose
    eventID claims to be its hash and is not (another event's hash may not be borrowed)."""
    if not isinstance(document, dict) or document.get("type") != "EPCISDocument":
        raise UnreadableDocument(["type"], Problem("epcis_not_document", "the body must be an EPCISDocument"))
    namespaces = document_namespaces(document.get("@context", []))
    body = document.get("epcisBody", {})
    events = body.get("eventList") if "eventList" in body else [body.get("event")]
    out = []
    for index, raw in enumerate(events or []):
        at: list[str | int] = ["epcisBody", "eventList", index]
        try:
            reporter, event = from_epcis(raw, namespaces)
        except Untranslatable as exc:
            raise UnreadableDocument([*at, *exc.at], exc.problem) from None
        given = raw.get("eventID")
        named = given if isinstance(given, str) else None
        if named is not None and named.startswith(HASHED) and named != _hash_or_name(raw, namespaces, reporter):
            said = f"eventID {named} is not this event's event hash (CBV 2.0)"
            raise UnreadableDocument([*at, "eventID"], Problem("epcis_id_not_hash", said, event_id=named))
        out.append(Captured(reporter, event, named))
    return out
