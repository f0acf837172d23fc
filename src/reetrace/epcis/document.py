"""EPCIS documents: an `EPCISDocument` or `EPCISQueryDocument` written from §4 events, and a
captured `EPCISDocument` read into the §4 events it reports (contract §10, docs/epcis.md).

Written documents name the GS1 context first and declare the project's namespace inline, so
nothing needs fetching to read them; every event carries its event hash as `eventID`, or the
`eventID` it was captured with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reetrace.domain.problems import Problem
from reetrace.epcis import vocabulary as v
from reetrace.epcis.hashing import document_namespaces, event_hash
from reetrace.epcis.translate import Json, Untranslatable, from_epcis, to_epcis

CONTEXT: list[Any] = [v.GS1_CONTEXT, {v.PREFIX: v.NS}]
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
    return {"eventID": recorded.event_id or event_hash(body, NAMESPACES), **body}


def epcis_id(reporter: str, event: Mapping[str, Any]) -> str:
    """The event hash of a §4 event as reetrace writes it in EPCIS."""
    return event_hash(to_epcis(reporter, event), NAMESPACES)


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
    §4 event, and its EPCIS id (the one it came with, else its hash)."""

    reporter: str | None
    event: Json
    event_id: str


class UnreadableDocument(ValueError):
    """A captured document that is not one reetrace can record; `at` is where (a path of member
    names and list positions from the document's root)."""

    def __init__(self, at: list[str | int], problem: Problem):
        super().__init__(problem)
        self.at = at
        self.problem = problem


def read_document(document: Any) -> list[Captured]:
    """The events of a captured `EPCISDocument` (already valid against the schema), each
    translated; raises `UnreadableDocument` at the first event that does not translate."""
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
        out.append(Captured(reporter, event, given if isinstance(given, str) else event_hash(raw, namespaces)))
    return out
