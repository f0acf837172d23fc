"""What ingest needs of each event of a submission, checked against the contract quickly.

The Pydantic models of `reetrace.contract.submission` are the contract. Validating every event
through them, and reading the models back, costs ingest more than parsing and canonicalising
the event together (about 9 µs against 4), so `validate_event_facts` first tries `fast_facts`:
plain checks for the event shapes, each at least as strict as the model's, which either vouch
for an event (returning exactly what the model would give) or decline it. A declined event goes
to the model, which accepts it or says precisely what is wrong, so the verdicts and messages
are the model's own. That the fast checks never vouch for an event the models refuse, and give
the same facts when both accept, is a property test
(tests/unit/contract/test_event_facts.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple, get_args

from reetrace.contract.fields import _composition, _rfc3339, ext_problem, is_uscc
from reetrace.contract.submission import (
    AdjustIn,
    ConsumeIn,
    ExportIn,
    ExtractIn,
    FormName,
    ImportIn,
    ProcessName,
    ReceiveIn,
    ShipIn,
    TransformIn,
    validate_each,
    validate_model,
)
from reetrace.domain.elements import ELEMENTS
from reetrace.domain.submissions import AHEAD_OF_RECEIPT, MAX_KG, TIME_FLOOR

Output = tuple[str, str, float, dict[str, float], str | None]  # lot, form, mass_kg, composition, hs_code
Draw = tuple[str, float]  # lot, mass_kg


class EventFacts(NamedTuple):
    """A valid event, reduced to what the ledger records beside its canonical body."""

    event_id: str
    type: str
    time: str  # in UTC, ISO 8601 to the microsecond: the ledger's form (reetrace.store.timefmt)
    outputs: tuple[Output, ...] = ()  # lots created (extract, import, transform)
    draws: tuple[Draw, ...] = ()  # lots drawn from (transform inputs, consumption)


def facts_of(model: Any) -> EventFacts:
    """The facts of an event validated by the Pydantic models."""
    outputs: tuple[Output, ...] = ()
    draws: tuple[Draw, ...] = ()
    if model.type in ("extract", "import", "transform"):
        outputs = tuple((o.lot, o.form, o.mass_kg, dict(o.composition), o.hs_code) for o in model.outputs)
        if model.type == "transform":
            draws = tuple((d.lot, d.mass_kg) for d in model.inputs)
    elif model.type == "consume":
        draws = tuple((d.lot, d.mass_kg) for d in model.lots)
    return EventFacts(model.event_id, model.type, utc_text(model.time), outputs, draws)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def validate_event_facts(raw_events: list[Any], received_at: datetime) -> list[EventFacts]:
    """The facts of every event of a submission received at `received_at`, held to the bounds;
    exactly the verdicts and messages of `validate_event_models` (event ids distinct within the
    submission)."""
    latest = utc_text(received_at + AHEAD_OF_RECEIPT)
    return validate_each(raw_events, lambda raw: fast_facts(raw, latest) or facts_of(validate_model(raw, received_at)))


# --- the fast checks -------------------------------------------------------------------------
# Each raises _Unsure where the model might disagree; they accept only exact JSON types (no
# bool for a number), ASCII where the model's pattern allows more, and integers that convert to
# floats exactly.


class _Unsure(Exception):
    pass


_UNSURE = _Unsure()
_MOST_KG = int(MAX_KG)  # an integer this large converts to a float exactly
_FLOOR_TEXT = utc_text(TIME_FLOOR)
_LOT = re.compile(r"[A-Za-z0-9._:/-]{1,80}").fullmatch
_SITE = re.compile(r"[0-9A-Z]{18}/[!-.0-~]{1,64}").fullmatch  # printable ASCII but space and "/"
_COUNTRY = re.compile(r"[A-Z]{2}").fullmatch
_HS_CODE = re.compile(r"[0-9]{4,10}").fullmatch
_ELEMENTS = frozenset(ELEMENTS)
_FORMS = frozenset(get_args(FormName))
_PROCESSES = frozenset(get_args(ProcessName))
_DEPOSITS = frozenset(get_args(ExtractIn.model_fields["deposit"].annotation))


def _unicode(value: str) -> bool:
    """Whether a text holds no lone surrogate (which the models refuse)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: Any, longest: int = 500) -> str:
    if (
        type(value) is str
        and 0 < len(value) <= longest
        and "\x00" not in value
        and (value.isascii() or _unicode(value))
    ):
        return value
    raise _UNSURE


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _lot(value: Any) -> str:
    if type(value) is str and _LOT(value):
        return value
    raise _UNSURE


def _uscc(value: Any) -> str:
    if type(value) is str and is_uscc(value):
        return value
    raise _UNSURE


def _country(value: Any) -> str:
    if type(value) is str and _COUNTRY(value):
        return value
    raise _UNSURE


def _one_of(value: Any, allowed: frozenset[str]) -> str:
    if type(value) is str and value in allowed:
        return value
    raise _UNSURE


def _kg(value: Any) -> float:
    """At least zero, at most `MAX_KG` (`Kg`)."""
    kind = type(value)
    if kind is float and 0.0 <= value <= MAX_KG:
        return value
    if kind is int and 0 <= value <= _MOST_KG:
        return float(value)
    raise _UNSURE


def _positive_kg(value: Any) -> float:
    kind = type(value)
    if kind is float and 0.0 < value <= MAX_KG:
        return value
    if kind is int and 0 < value <= _MOST_KG:
        return float(value)
    raise _UNSURE


def _signed_kg(value: Any) -> float:
    kind = type(value)
    if kind is float and -MAX_KG <= value <= MAX_KG:
        return value
    if kind is int and -_MOST_KG <= value <= _MOST_KG:
        return float(value)
    raise _UNSURE


def _fraction(value: Any) -> float:
    kind = type(value)
    if kind is float and 0.0 <= value <= 1.0:
        return value
    if kind is int and 0 <= value <= 1:
        return float(value)
    raise _UNSURE


def _list(value: Any) -> list[Any]:
    if type(value) is list and value:
        return value
    raise _UNSURE


def _distinct(lots: list[str]) -> None:
    if len(lots) > 1 and len(set(lots)) != len(lots):
        raise _UNSURE


def _members(value: Any, required: frozenset[str], allowed: frozenset[str]) -> dict[str, Any]:
    if type(value) is dict and required <= value.keys() <= allowed:
        return value
    raise _UNSURE


_OUTPUT_REQUIRED = frozenset(("lot", "form", "mass_kg", "composition"))
_OUTPUT_ALLOWED = _OUTPUT_REQUIRED | {"hs_code"}
_DRAW_MEMBERS = frozenset(("lot", "mass_kg"))


def _outputs(value: Any) -> tuple[Output, ...]:
    outputs = []
    for item in _list(value):
        o = _members(item, _OUTPUT_REQUIRED, _OUTPUT_ALLOWED)
        raw = o["composition"]
        if type(raw) is not dict:
            raise _UNSURE
        composition = {element: _fraction(share) for element, share in raw.items()}
        if not composition.keys() <= _ELEMENTS:
            raise _UNSURE
        try:
            _composition(composition)  # the model's own check of the fractions' sum
        except ValueError:
            raise _UNSURE from None
        hs_code = o.get("hs_code")
        if hs_code is not None and not (type(hs_code) is str and _HS_CODE(hs_code)):
            raise _UNSURE
        outputs.append((_lot(o["lot"]), _one_of(o["form"], _FORMS), _positive_kg(o["mass_kg"]), composition, hs_code))
    _distinct([o[0] for o in outputs])
    return tuple(outputs)


def _draws(value: Any) -> tuple[Draw, ...]:
    draws = []
    for item in _list(value):
        d = _members(item, _DRAW_MEMBERS, _DRAW_MEMBERS)
        draws.append((_lot(d["lot"]), _kg(d["mass_kg"])))
    _distinct([d[0] for d in draws])
    return tuple(draws)


def _lot_ids(value: Any) -> None:
    lots = [_lot(lot) for lot in _list(value)]
    _distinct(lots)


Checked = tuple[tuple[Output, ...], tuple[Draw, ...]]


def _extract(e: dict[str, Any]) -> Checked:
    _one_of(e["deposit"], _DEPOSITS)
    return _outputs(e["outputs"]), ()


def _import(e: dict[str, Any]) -> Checked:
    _country(e["origin_country"])
    _text(e["customs_declaration"])
    return _outputs(e["outputs"]), ()


def _transform(e: dict[str, Any]) -> Checked:
    _one_of(e["process"], _PROCESSES)
    draws = _draws(e["inputs"])
    outputs = _outputs(e["outputs"])
    if {d[0] for d in draws} & {o[0] for o in outputs}:
        raise _UNSURE
    return outputs, draws


def _ship(e: dict[str, Any]) -> Checked:
    _lot_ids(e["lots"])
    _uscc(e["to"])
    _text(e["shipment"])
    return (), ()


def _receive(e: dict[str, Any]) -> Checked:
    _lot_ids(e["lots"])
    _uscc(e["from"])
    _text(e["shipment"])
    mass = e.get("mass_kg")
    if mass is not None:
        _kg(mass)
    return (), ()


def _export(e: dict[str, Any]) -> Checked:
    _lot_ids(e["lots"])
    _text(e["consignee"])
    _country(e["destination"])
    _text(e["customs_declaration"])
    _optional_text(e.get("license_no"))
    return (), ()


def _consume(e: dict[str, Any]) -> Checked:
    draws = _draws(e["lots"])
    _text(e["purpose"])
    return (), draws


def _adjust(e: dict[str, Any]) -> Checked:
    _lot(e["lot"])
    _signed_kg(e["delta_kg"])
    _text(e["reason"])
    return (), ()


_COMMON = ("event_id", "type", "time", "site", "ext")


class _Shape(NamedTuple):
    required: frozenset[str]
    allowed: frozenset[str]
    check: Callable[[dict[str, Any]], Checked]


def _shape(model: Any, check: Callable[[dict[str, Any]], Checked], members: tuple[str, ...]) -> _Shape:
    """The members a model takes, which `check` (with the common ones) must examine, every one."""
    fields = {field.alias or name: field.is_required() for name, field in model.model_fields.items()}
    if set(fields) != set(_COMMON + members):
        raise AssertionError(
            f"the fast checks of {model.__name__} are out of step with the model: "
            f"{sorted(set(fields) ^ set(_COMMON + members))}"
        )
    return _Shape(frozenset(k for k, required in fields.items() if required), frozenset(fields), check)


_SHAPES: dict[str, _Shape] = {
    "extract": _shape(ExtractIn, _extract, ("deposit", "outputs")),
    "import": _shape(ImportIn, _import, ("origin_country", "customs_declaration", "outputs")),
    "transform": _shape(TransformIn, _transform, ("process", "inputs", "outputs")),
    "ship": _shape(ShipIn, _ship, ("lots", "to", "shipment")),
    "receive": _shape(ReceiveIn, _receive, ("lots", "from", "shipment", "mass_kg")),
    "export": _shape(ExportIn, _export, ("lots", "consignee", "destination", "customs_declaration", "license_no")),
    "consume": _shape(ConsumeIn, _consume, ("lots", "purpose")),
    "adjust": _shape(AdjustIn, _adjust, ("lot", "delta_kg", "reason")),
}


def fast_facts(raw: Any, latest: str) -> EventFacts | None:
    """The facts of `raw` when the plain checks can vouch for it (the bounds included); None
    when only the model can tell (an invalid event, or a valid one outside the shapes checked
    here). `latest`: the latest time it may have (its submission's time of receipt plus 24
    hours), as UTC text."""
    if type(raw) is not dict:
        return None
    kind = raw.get("type")
    if type(kind) is not str:
        return None
    shape = _SHAPES.get(kind)
    if shape is None or not shape.required <= raw.keys() <= shape.allowed:
        return None
    try:
        event_id = _text(raw["event_id"], 128)
        site = raw.get("site")
        if site is not None and not (type(site) is str and _SITE(site)):
            return None
        time = _time_utc(raw["time"])
        if not _FLOOR_TEXT <= time <= latest:  # texts of one width sort as the times they write
            return None
        ext = raw.get("ext")
        if ext is not None and ext_problem(ext):
            return None
        outputs, draws = shape.check(raw)
    except _Unsure:
        return None
    return EventFacts(event_id, kind, time, outputs, draws)


# Times: most are written to the second with a whole-hour offset, where the UTC text differs
# only in its date and hour, the same for every time of that hour and offset: those are
# converted once. Anything else goes through the model's own parser.
_WHOLE_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-5][0-9]:[0-5][0-9](?:Z|[+-][0-9]{2}:00)").fullmatch
_utc_hours: dict[tuple[str, str], str] = {}


def _time_utc(value: Any) -> str:
    """The UTC text of a valid RFC 3339 time: `utc_text` of what the model parses."""
    if type(value) is not str:
        raise _UNSURE
    if _WHOLE_SECOND(value):
        key = (value[:13], value[19:])  # date and hour; offset
        hour = _utc_hours.get(key)
        if hour is None:
            try:  # minutes and seconds are valid (the pattern): the rest is valid if this hour is
                hour = utc_text(datetime.fromisoformat(f"{value[:13]}:00:00{value[19:]}"))[:13]
            except (ValueError, OverflowError):  # OverflowError: no UTC form (years 1 and 9999)
                raise _UNSURE from None
            if len(_utc_hours) >= 100_000:
                _utc_hours.clear()
            _utc_hours[key] = hour
        return f"{hour}{value[13:19]}.000000+00:00"
    try:
        return utc_text(_rfc3339(value))  # the model's own parser: the same datetime
    except (ValueError, OverflowError):
        raise _UNSURE from None
