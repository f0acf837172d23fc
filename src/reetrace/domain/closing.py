"""Years that close: the audit's state at the first instant of a year, kept so that later audits
start there instead of replaying every earlier year.

An *opening* (of year Y+1, made by closing year Y) is what the replay holds once it has met every
event before Y+1's first instant in the audit's zone: the ledger's lots, each rule's `STATE`, the
findings so far, and the *journal*: every question the replay asked of what is not an event (the
registry, the control list, the thresholds, customs records, and the shipment index, which looks
ahead at later receipts), each with the answer it got. Findings that depend on the audit date are
judged at the end of a replay, never held in an opening.

Which enterprises material can reach (the descent rule's pruning of holdings) is asked of the
receipts dated before `reach_limit`: the last instant at which material that left in the closed
year can still come back within the rule's window. Those answers do not change with later years;
they are final once the receipts of that period are all in, which `earliest_close` waits for.

An opening holds for an audit when
- the audit date is on or after the one the year was closed as of,
- no event before its boundary was recorded after it (`last_seq`): a late report reopens the year,
- every question of its journal gets the same answer from the audit's own sources.

Then replaying the later events from it gives the findings a replay of the whole ledger gives
(tests/unit/domain/test_year_openings.py and tests/integration/test_closing_store.py keep the
two equal). `state_digest` is a digest of the state that does not depend on how it was reached
or stored: the signed record of a closed year carries it, and a replay of the year's events from
the previous opening must give it again.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, cast

from reetrace.domain.controls import ControlList
from reetrace.domain.customs import CustomsRecords
from reetrace.domain.findings import Finding, Thresholds
from reetrace.domain.lots import Ledger, Lots
from reetrace.domain.registry import Registry
from reetrace.domain.rules.base import ShipmentIndex, audit_zone

Question = tuple[Any, ...]  # (name, *arguments)


def boundary(year: int, thresholds: Thresholds) -> datetime:
    """The first instant of `year` in the audit's zone."""
    return datetime(year, 1, 1, tzinfo=audit_zone(thresholds.utc_offset_hours))


def reach_limit(year: int, thresholds: Thresholds) -> datetime:
    """The end of the descent rule's window for material that left in `year`: a receipt dated
    later cannot bring any of it back in time."""
    return boundary(year + 1, thresholds) + timedelta(days=thresholds.layered_days)


def earliest_close(year: int, thresholds: Thresholds) -> date:
    """The first audit date a year can be closed as of: once the reports of its last month are
    due, the receipt window of its last shipments has passed, and the receipts that could still
    bring its material back (up to `reach_limit`) are due, nothing the year holds changes with
    the audit date or with later years."""
    deadline = date(year + 1, 1, thresholds.report_deadline_day)
    window = date(year, 12, 31) + timedelta(days=thresholds.shipment_receipt_days)
    last = reach_limit(year, thresholds).date()
    after = date(last.year + last.month // 12, last.month % 12 + 1, thresholds.report_deadline_day)
    return max(deadline, window, after)


class Sources(NamedTuple):
    """What an audit knows besides the events. `reach_before(limit)`: for each sender, the
    enterprises its material reaches through received shipments dated before `limit`."""

    registry: Registry
    controls: ControlList
    thresholds: Thresholds
    customs: CustomsRecords
    shipments: ShipmentIndex
    reach_before: Callable[[datetime], Mapping[str, frozenset[str]]]


def _first_receipt(s: Sources, key: str) -> tuple[bool, datetime | None]:
    late = s.shipments.first_receipt
    return (key in late, late.get(key))


# Every question a rule asks of the sources while it meets events, and how it is answered. A
# journal is checked by asking each question again (`changed`): one answer, one place.
ANSWERS: dict[str, Callable[..., Any]] = {
    "thresholds": lambda s: s.thresholds,
    "qualified": lambda s, uscc, kind, day: s.registry.qualified(uscc, kind, day),
    "quota": lambda s, year, uscc, kind, category: s.registry.quota_kg(year, uscc, kind, category),
    "own_site": lambda s, uscc, site: s.registry.own_site(uscc, site),
    "capacity_sites": lambda s, uscc: s.registry.capacity_sites(uscc),
    "license": lambda s, number: s.registry.licenses.get(number),
    "form_groups": lambda s: dict(s.controls.form_groups),
    "classify": lambda s, form, composition, day: s.controls.classify(form, dict(composition), day),
    "reconciling": lambda s: s.customs.reconciling,
    "unshipped": lambda s, key: key in s.shipments.unshipped,
    "first_receipt": _first_receipt,
    "reshipped": lambda s, key: s.shipments.shipped_after_receipt(key),
    "reach": lambda s, limit, sender, receiver: receiver in s.reach_before(limit).get(sender, ()),
}


def _key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class Many:
    """The questions of one kind asked of every shipment (was it received in time, was it shipped
    at all), nearly all with the usual answer. The keys asked are kept as sorted 64-bit hashes
    (a twentieth of the keys' memory), the unusual answers in full. A key asked is taken for one
    whose hash was kept: a collision can only reopen a year for nothing."""

    def __init__(self, usual: Any, hashes: bytes = b"", unusual: Mapping[str, Any] | None = None) -> None:
        self.usual = usual
        self.hashes = hashes  # sorted, distinct, big-endian signed 64-bit
        self.unusual = dict(unusual or {})
        self._new = array("q")  # hashes noted since
        self._sorted: array | None = None  # `hashes`, unpacked once looked into

    def __getstate__(self) -> tuple[Any, bytes, dict[str, Any]]:
        return (self.usual, self.hashes, self.unusual)

    def __setstate__(self, state: tuple[Any, bytes, dict[str, Any]]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def note(self, key: str, answer: Any) -> None:
        self._new.append(_key_hash(key))
        if answer != self.usual:
            self.unusual[key] = answer

    def seal(self) -> Many:
        """The questions noted so far, in the form kept."""
        merged = set(self._new)
        merged.update(self._asked())
        kept = array("q", sorted(merged))
        if sys.byteorder == "little":
            kept.byteswap()
        return Many(self.usual, kept.tobytes(), self.unusual)

    def _asked(self) -> array:
        asked = array("q")
        asked.frombytes(self.hashes)
        if sys.byteorder == "little":
            asked.byteswap()
        return asked

    def asked(self, key: str) -> bool:
        if self._sorted is None:
            self._sorted = self._asked()
        asked, wanted = self._sorted, _key_hash(key)
        found = bisect_left(asked, wanted)
        return found < len(asked) and asked[found] == wanted

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Many) and (self.usual, self.hashes, self.unusual) == (
            other.usual,
            other.hashes,
            other.unusual,
        )

    __hash__ = None  # type: ignore[assignment]


# The questions asked of every shipment, each with its usual answer, and the keys that get another
# answer now (from the shipment index).
MANY: dict[str, tuple[Any, Callable[[Sources], Iterable[str]]]] = {
    "first_receipt": ((False, None), lambda s: s.shipments.first_receipt.keys()),
    "unshipped": (False, lambda s: s.shipments.unshipped),
    "reshipped": (False, lambda s: s.shipments.reshipped or ()),
}


class Asking:
    """The sources as the rules see them while a year is being closed: each question is answered
    by the real source and written in the journal (and asked once)."""

    def __init__(self, sources: Sources, journal: Mapping[Question, Any], reach_limit: datetime) -> None:
        self.sources = sources
        self.journal = {q: a for q, a in journal.items() if q[0] not in MANY}
        self.many = {
            name: Many(usual, journal[(name,)].hashes, journal[(name,)].unusual) if (name,) in journal else Many(usual)
            for name, (usual, _) in MANY.items()
        }
        self.reach_limit = reach_limit
        self.ask("thresholds")

    def ask(self, *question: Any) -> Any:
        name = question[0]
        if name in self.many:
            answer = ANSWERS[name](self.sources, *question[1:])
            self.many[name].note(question[1], answer)
            return answer
        journal = self.journal
        if question in journal:
            return journal[question]
        answer = journal[question] = ANSWERS[name](self.sources, *question[1:])
        return answer

    def kept(self) -> dict[Question, Any]:
        """The journal as an opening keeps it."""
        return {**self.journal, **{(name,): many.seal() for name, many in self.many.items()}}

    @property
    def registry(self) -> Registry:
        return cast(Registry, _AskedRegistry(self))

    @property
    def controls(self) -> ControlList:
        return cast(ControlList, _AskedControls(self))

    @property
    def customs(self) -> CustomsRecords:
        return cast(CustomsRecords, _AskedCustoms(self))

    @property
    def shipments(self) -> ShipmentIndex:
        return cast(ShipmentIndex, _AskedShipments(self))


class _AskedRegistry:
    def __init__(self, asking: Asking) -> None:
        self._ask = asking.ask
        self.licenses = _AskedMapping(asking.ask, "license")

    def qualified(self, uscc: str, kind: str, day: date) -> bool:
        return bool(self._ask("qualified", uscc, kind, day))

    def quota_kg(self, year: int, uscc: str, kind: str, category: str) -> float | None:
        return cast("float | None", self._ask("quota", year, uscc, kind, category))

    def own_site(self, uscc: str, site: str | None) -> Any:
        return self._ask("own_site", uscc, site)

    def capacity_sites(self, uscc: str) -> Any:
        return self._ask("capacity_sites", uscc)


class _AskedMapping:
    """A mapping read one key at a time, each look-up a question."""

    def __init__(self, ask: Callable[..., Any], name: str) -> None:
        self._ask, self._name = ask, name

    def get(self, key: str, default: Any = None) -> Any:
        found = self._ask(self._name, key)
        return default if found is None else found

    def __contains__(self, key: object) -> bool:
        return self._ask(self._name, key) is not None

    def __getitem__(self, key: str) -> Any:
        found = self._ask(self._name, key)
        if found is None:
            raise KeyError(key)
        return found


class _AskedControls:
    def __init__(self, asking: Asking) -> None:
        self._ask = asking.ask
        self.form_groups = asking.ask("form_groups")

    def classify(self, form: str, composition: Mapping[str, float], day: date) -> Any:
        return self._ask("classify", form, tuple(sorted(composition.items())), day)


class _AskedCustoms:
    def __init__(self, asking: Asking) -> None:
        self.reconciling = asking.ask("reconciling")


class _AskedShipments:
    def __init__(self, asking: Asking) -> None:
        ask, limit = asking.ask, asking.reach_limit
        self.unshipped = _AskedSet(ask, "unshipped")
        self.first_receipt = _AskedReceipts(ask)
        self.shipped_after_receipt = lambda key: bool(ask("reshipped", key))
        self.may_reach = lambda sender, receiver: ask("reach", limit, sender, receiver)


class _AskedSet:
    def __init__(self, ask: Callable[..., Any], name: str) -> None:
        self._ask, self._name = ask, name

    def __contains__(self, key: object) -> bool:
        return bool(self._ask(self._name, key))


class _AskedReceipts:
    def __init__(self, ask: Callable[..., Any]) -> None:
        self._ask = ask

    def __contains__(self, key: object) -> bool:
        return bool(self._ask("first_receipt", key)[0])

    def __getitem__(self, key: str) -> datetime | None:
        present, first = self._ask("first_receipt", key)
        if not present:
            raise KeyError(key)
        return cast("datetime | None", first)

    def get(self, key: str, default: Any = None) -> Any:
        present, first = self._ask("first_receipt", key)
        return first if present else default


def changed(journal: Mapping[Question, Any], sources: Sources) -> list[Question]:
    """The questions of a journal whose answer from `sources` is not the one it holds."""
    moved = []
    for question, answer in journal.items():
        name = question[0]
        if name in MANY:
            moved += _changed_many(name, answer, sources)
        elif ANSWERS[name](sources, *question[1:]) != answer:
            moved.append(question)
    return moved


def _changed_many(name: str, many: Many, sources: Sources) -> list[Question]:
    """The shipments asked about whose answer is not the one kept: among those that got an
    unusual answer then, and among those that get one now."""
    answer = ANSWERS[name]
    moved = [(name, key) for key, then in many.unusual.items() if answer(sources, key) != then]
    moved += [(name, key) for key in MANY[name][1](sources) if key not in many.unusual and many.asked(key)]
    return moved


@dataclass(slots=True)
class Opening:
    """The replay's state at `boundary`, the first instant of the year after `year`."""

    year: int  # the year closed
    boundary: datetime
    as_of: date  # the audit date it was closed as of
    events: int  # the events replayed to reach it, from the start of the ledger
    ledger: Ledger
    rules: tuple[dict[str, Any], ...]  # each rule's STATE, in the order of reetrace.domain.rules.RULES
    found: list[tuple[tuple[Any, ...], Finding]]  # the findings so far, with their sort keys
    journal: dict[Question, Any]
    last_seq: int = 0  # the last ledger position before `boundary` when it was closed

    def digest(self) -> str:
        return state_digest(self)


# -- the state's digest --------------------------------------------------------------------------


def state_digest(opening: Opening) -> str:
    """SHA-256 (hex) of the state an opening carries (its year, boundary, lots, rule states and
    findings), walked in a canonical order: mappings by their keys' encodings, sets by their
    members', objects by their fields. Equal states give equal digests whatever process, order of
    insertion or storage they come from. The walk feeds the hash as it goes: memory holds the
    encodings of one mapping's keys at most, never the whole state's."""
    out = hashlib.sha256()
    _feed(out.update, (opening.year, opening.boundary, opening.ledger, opening.rules, opening.found))
    return out.hexdigest()


_FIELDS: dict[type, tuple[str, ...]] = {}


def _names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        if is_dataclass(kind):
            names = tuple(f.name for f in fields(kind))
        else:
            slots = [s for c in reversed(kind.__mro__) for s in getattr(c, "__slots__", ())]
            names = tuple(n for n in slots if n not in ("__weakref__", "__dict__"))
        _FIELDS[kind] = names
    return names


def _in_order(mapping: Mapping[Any, Any]) -> Iterator[tuple[bytes, Any]]:
    """A mapping's keys in the order of their encodings, each with its encoding. Keys that are
    all ASCII text (lot ids, enterprises: nearly every large mapping) encode as their length, then
    their characters, so they are put in that order without holding every encoding at once, which
    for the millions of lots of a national ledger would take hundreds of megabytes."""
    keys = list(mapping)
    if all(type(k) is str and k.isascii() for k in keys):
        keys.sort()
        keys.sort(key=len)  # stable: by length, then by characters
        return ((_encode(k), k) for k in keys)
    return iter(sorted(((_encode(k), k) for k in keys), key=lambda pair: pair[0]))


def _encode(value: Any) -> bytes:
    """The canonical encoding of a (small) value, as `_feed` writes it."""
    parts: list[bytes] = []
    _feed(parts.append, value)
    return b"".join(parts)


def _feed(out: Callable[[bytes], object], value: Any) -> None:
    kind = type(value)
    if kind is str:
        raw = value.encode("utf-8", "surrogatepass")
        out(b"s" + struct.pack(">I", len(raw)) + raw)
    elif kind is float:
        out(b"f" + struct.pack(">d", value))
    elif kind is bool:
        out(b"T" if value else b"F")
    elif kind is int:
        text = str(value).encode()
        out(b"i" + struct.pack(">I", len(text)) + text)
    elif value is None:
        out(b"N")
    elif kind is tuple or kind is list or isinstance(value, tuple):
        out(b"(")
        for item in value:
            _feed(out, item)
        out(b")")
    elif isinstance(value, dict | Lots):  # the ledger's lots, packed or not, as the mapping they are
        out(b"{")
        for encoded, key in _in_order(value):
            out(encoded)
            _feed(out, value[key])
        out(b"}")
    elif isinstance(value, set | frozenset):
        out(b"<" + b"".join(sorted(map(_encode, value))) + b">")
    elif isinstance(value, datetime | date):
        _feed(out, value.isoformat())
    elif isinstance(value, bytes):
        out(b"b" + struct.pack(">I", len(value)) + value)
    else:
        out(b"o")
        _feed(out, f"{kind.__module__}.{kind.__qualname__}")
        names = _names(kind)
        if names:  # fields in their declared order
            out(b"(")
            for name in names:
                _feed(out, getattr(value, name))
            out(b")")
        else:
            _feed(out, value.__getstate__() if kind is Ledger else vars(value))


# -- kept as bytes --------------------------------------------------------------------------------


def dump(opening: Opening) -> bytes:
    """The opening as stored: pickled and compressed as it is pickled (memory never holds the
    uncompressed bytes)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as packed:
        pickle.dump(opening, packed, protocol=5)
    return buffer.getvalue()


# What a stored opening may name besides the domain's own classes.
_ALLOWED = {
    "builtins": {"set", "frozenset", "list", "dict", "tuple", "float", "int", "str", "bytes", "object"},
    "datetime": {"datetime", "date", "timezone", "timedelta"},
    "collections": {"defaultdict", "OrderedDict"},
    "copyreg": {"_reconstructor"},
    "types": {"MappingProxyType"},
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("reetrace.domain.") or name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a stored opening names {module}.{name}, which it may not")


def load(blob: bytes) -> Opening:
    """An opening from its stored bytes (whose digest the caller has checked)."""
    with gzip.GzipFile(fileobj=io.BytesIO(blob), mode="rb") as packed:
        opening = _Unpickler(packed).load()
    if not isinstance(opening, Opening):
        raise pickle.UnpicklingError("the stored bytes hold no opening")
    return opening


def blob_digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def state_of(rules: Iterable[object]) -> tuple[dict[str, Any], ...]:
    """Each rule's STATE, by name."""
    return tuple({name: getattr(rule, name) for name in getattr(rule, "STATE", ())} for rule in rules)
