"""The EPCIS 2.0 query reetrace answers (`GET /epcis/events`, contract §10, docs/epcis.md): the
parameters of a SimpleEventQuery it takes, read from a query string into what they ask of the
§4 events the ledger holds.

    eventType             ObjectEvent (every §4 type but transform), TransformationEvent (transform);
                          AggregationEvent, TransactionEvent, AssociationEvent: none is recorded
    GE_eventTime          event time at or after this instant (RFC 3339, with its offset)
    LT_eventTime          event time before this instant
    EQ_bizStep            commissioning (extract, transform), receiving (import, receive),
                          shipping (ship, export), decommissioning (consume), stock_taking (adjust);
                          as a bare CBV word or either of its URIs; another step matches nothing
    MATCH_epc             serialised EPCs: every event's epcList is empty, so nothing matches
    MATCH_anyEPCClass     events naming a lot (its class URI), anywhere
    MATCH_inputEPCClass   transforms drawing on the lot
    MATCH_outputEPCClass  transforms creating the lot
    EQ_eventID            events by their EPCIS eventID
    perPage               events in a page (default 30, at most 1000)
    nextPageToken         the page after the one whose `Link: <…>; rel="next"` header gave it

A list value may be repeated or written as a comma-separated list; several parameters narrow
the events together. A lot class URI ending in `*` matches every lot whose URI starts with the
text before it (`urn:reetrace:lot:SP001-*`, `urn:epc:idpat:lgtin:4012345.012345.*`). Anything
else — a parameter the standard or reetrace does not know, a value that is not one, a parameter
given twice that takes one value — is refused, naming the parameter (EPCIS: a
QueryParameterException), never ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from reetrace.epcis import vocabulary as v
from reetrace.errors import UsageError

ALL_TYPES = frozenset(("extract", "import", "transform", "ship", "receive", "export", "consume", "adjust"))
EVENT_TYPES = {
    "ObjectEvent": ALL_TYPES - {"transform"},
    "TransformationEvent": frozenset(("transform",)),
    "AggregationEvent": frozenset(),
    "TransactionEvent": frozenset(),
    "AssociationEvent": frozenset(),
}
BIZ_STEPS = {
    "commissioning": frozenset(("extract", "transform")),
    "receiving": frozenset(("import", "receive")),
    "shipping": frozenset(("ship", "export")),
    "decommissioning": frozenset(("consume",)),
    "stock_taking": frozenset(("adjust",)),
}
LISTS = (
    "eventType",
    "EQ_bizStep",
    "MATCH_epc",
    "MATCH_anyEPCClass",
    "MATCH_inputEPCClass",
    "MATCH_outputEPCClass",
    "EQ_eventID",
)
SINGLE = ("GE_eventTime", "LT_eventTime", "perPage", "nextPageToken")
PARAMETERS = frozenset((*LISTS, *SINGLE))
LOT_CLASSES = {"MATCH_anyEPCClass": "any", "MATCH_inputEPCClass": "input", "MATCH_outputEPCClass": "output"}
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
MAX_VALUES = 100  # values of one parameter
MAX_VALUE_LENGTH = 255  # characters of one value (an eventID is at most 255)
_LGTIN_PATTERN = "urn:epc:idpat:lgtin:"
_SPACED_OFFSET = re.compile(r"\d \d\d:\d\d$")


class QueryParameterError(UsageError):
    """A query that cannot be answered as asked; `parameter` names what is wrong."""

    def __init__(self, parameter: str, text: str):
        super().__init__(f"{parameter}: {text}", message_id="error.epcis.parameter", params={"parameter": parameter})
        self.parameter = parameter


class UnknownParameters(UsageError):
    """Parameters the query does not know: EPCIS refuses a query naming one."""

    def __init__(self, names: Sequence[str]):
        listed = ", ".join(names)
        super().__init__(
            f"unknown query parameters: {listed} (known: {', '.join(sorted(PARAMETERS))})",
            message_id="error.epcis.unknown_parameters",
            params={"parameters": listed},
        )
        self.names = list(names)


@dataclass(frozen=True, slots=True)
class LotPattern:
    """A lot as a query names it: its id, or with `prefix` the start of the ids it matches."""

    lot: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class EventQuery:
    """What a query asks, each member None when it does not ask it."""

    types: frozenset[str] | None = None  # §4 event types
    since: datetime | None = None  # UTC, included
    until: datetime | None = None  # UTC, excluded
    lots: tuple[tuple[str, tuple[LotPattern, ...]], ...] = ()  # (any | input | output, patterns)
    event_ids: frozenset[str] | None = None
    per_page: int = DEFAULT_PER_PAGE
    page_token: str | None = None

    @property
    def matches_nothing(self) -> bool:
        """Whether the query rules out every event before the ledger is read."""
        no_type = self.types is not None and not self.types
        no_time = self.since is not None and self.until is not None and self.since >= self.until
        return no_type or no_time


def read_query(items: Sequence[tuple[str, str]]) -> EventQuery:
    """The query a query string's (name, value) pairs ask. Raises `UnknownParameters` or
    `QueryParameterError`."""
    unknown = sorted({name for name, _ in items if name not in PARAMETERS})
    if unknown:
        raise UnknownParameters(unknown)
    given: dict[str, list[str]] = {}
    for name, value in items:
        given.setdefault(name, []).append(value)
    for name in SINGLE:
        if len(given.get(name, ())) > 1:
            raise QueryParameterError(name, "given more than once; it takes one value")
    values = {name: _listed(name, given[name]) for name in LISTS if name in given}
    types: frozenset[str] | None = None
    if "eventType" in values:
        types = _event_types(values["eventType"])
    if "EQ_bizStep" in values:
        steps = frozenset[str]().union(*(BIZ_STEPS.get(_step(s), frozenset()) for s in values["EQ_bizStep"]))
        types = steps if types is None else types & steps
    if "MATCH_epc" in values:  # no event lists a serialised EPC
        types = frozenset()
    lots = tuple((LOT_CLASSES[name], _patterns(name, values[name])) for name in LOT_CLASSES if name in values)
    if any(role != "any" for role, _ in lots):  # input and output quantity lists are a transform's
        types = (types if types is not None else ALL_TYPES) & {"transform"}
    since = _instant("GE_eventTime", given["GE_eventTime"][0]) if "GE_eventTime" in given else None
    until = _instant("LT_eventTime", given["LT_eventTime"][0]) if "LT_eventTime" in given else None
    per_page = _per_page(given["perPage"][0]) if "perPage" in given else DEFAULT_PER_PAGE
    token = given["nextPageToken"][0] if "nextPageToken" in given else None
    if token is not None and not token:
        raise QueryParameterError("nextPageToken", "is empty")
    event_ids = frozenset(values["EQ_eventID"]) if "EQ_eventID" in values else None
    return EventQuery(types, since, until, lots, event_ids, per_page, token)


def _listed(name: str, given: list[str]) -> list[str]:
    """The values of a list parameter: repeated, comma-separated or both."""
    found = [part.strip() for value in given for part in value.split(",")]
    if any(not part for part in found):
        raise QueryParameterError(name, "holds an empty value")
    if len(found) > MAX_VALUES:
        raise QueryParameterError(name, f"holds {len(found)} values; at most {MAX_VALUES}")
    if any(len(part) > MAX_VALUE_LENGTH for part in found):
        raise QueryParameterError(name, f"holds a value longer than {MAX_VALUE_LENGTH} characters")
    return found


def _event_types(names: list[str]) -> frozenset[str]:
    wrong = [name for name in names if name not in EVENT_TYPES]
    if wrong:
        raise QueryParameterError("eventType", f"{wrong[0]!r} is not an EPCIS event type ({', '.join(EVENT_TYPES)})")
    return frozenset[str]().union(*(EVENT_TYPES[name] for name in names))


def _step(value: str) -> str:
    word = v.cbv_word(value, "bizStep")
    return word if isinstance(word, str) else value


def _patterns(name: str, uris: list[str]) -> tuple[LotPattern, ...]:
    out = []
    for uri in uris:
        if "*" in uri[:-1]:
            raise QueryParameterError(name, f"{uri!r}: a pattern has one '*', at its end")
        if uri.endswith("*"):
            start = uri[:-1]
            if start.startswith(_LGTIN_PATTERN):
                start = v.LGTIN + start[len(_LGTIN_PATTERN) :]
            out.append(LotPattern(v.uri_lot(start) if start.startswith(v.LOT) else start, prefix=True))
        else:
            if uri.startswith(_LGTIN_PATTERN):
                uri = v.LGTIN + uri[len(_LGTIN_PATTERN) :]
            out.append(LotPattern(v.uri_lot(uri)))
    return tuple(out)


def _instant(name: str, value: str) -> datetime:
    if _SPACED_OFFSET.search(value):  # an unescaped '+' in a query string reads as a space
        value = value[:-6] + "+" + value[-5:]
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise QueryParameterError(name, f"{value!r} is not a time with its offset (e.g. 2026-01-05T08:00:00+08:00)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise QueryParameterError(name, f"{value!r} is beyond the times a store holds") from None


def _per_page(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 6 or not 1 <= int(value) <= MAX_PER_PAGE:
        raise QueryParameterError("perPage", f"{value!r} is not a whole number from 1 to {MAX_PER_PAGE}")
    return int(value)
