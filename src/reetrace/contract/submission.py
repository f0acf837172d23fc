"""`reetrace/submission@1`: validation of a submission and its events (docs/contract.md §4).

`validate_header(doc)` checks a submission's own members, `validate_events(events, reporter,
received_at)` its events, into domain events; every problem is an `InvalidDocument` naming
where it is (and which event, when it is inside one). Given the time the submission was
received, the events are held to the contract's bounds too (reetrace.domain.submissions); without
it, an event is checked as it was once accepted (one already in the ledger, in a certificate).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from reetrace.contract.errors import said
from reetrace.contract.fields import (
    Composition,
    Country,
    CreatedAt,
    EventId,
    EventTime,
    Ext,
    HsCode,
    KeyId,
    Kg,
    LotId,
    PositiveKg,
    SignedKg,
    Text,
    Uscc,
)
from reetrace.domain import events as ev
from reetrace.domain.events import EVENT_TYPES as EVENT_TYPES  # re-exported for readers of the contract
from reetrace.domain.problems import Problem, within

SUBMISSION_FORMAT = "reetrace/submission@1"

FormName = Literal["ore", "concentrate", "mixed_compound", "oxide", "metal", "alloy", "magnet", "compound", "scrap"]
ProcessName = Literal["beneficiation", "separation", "metal", "alloy", "magnet", "repack", "recycling", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutputLot(_Strict):
    lot: LotId
    form: FormName
    mass_kg: PositiveKg
    composition: Composition
    hs_code: HsCode | None = None


class DrawIn(_Strict):
    lot: LotId
    mass_kg: Kg


class _EventBase(_Strict):
    event_id: EventId
    time: EventTime
    site: Annotated[str, Field(pattern=r"^[0-9A-Z]{18}/[^\s/]{1,64}$", strict=True)] | None = None
    ext: Ext = None


def _distinct_lots(lots: list[Any]) -> list[Any]:
    if len(lots) > 1:
        ids = [x if isinstance(x, str) else x.lot for x in lots]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(Problem("lot_twice", f"lot {dup[0]} is named twice", lot=dup[0]))
    return lots


Outputs = Annotated[list[OutputLot], Field(min_length=1), AfterValidator(_distinct_lots)]
Draws = Annotated[list[DrawIn], Field(min_length=1), AfterValidator(_distinct_lots)]
LotIds = Annotated[list[LotId], Field(min_length=1), AfterValidator(_distinct_lots)]


class ExtractIn(_EventBase):
    type: Literal["extract"]
    deposit: Literal["rock", "ion_adsorption"]
    outputs: Outputs


class ImportIn(_EventBase):
    type: Literal["import"]
    origin_country: Country
    customs_declaration: Text
    outputs: Outputs


class TransformIn(_EventBase):
    type: Literal["transform"]
    process: ProcessName
    inputs: Draws
    outputs: Outputs

    @model_validator(mode="after")
    def _lots(self):
        both = {d.lot for d in self.inputs} & {o.lot for o in self.outputs}
        if both:
            lot = sorted(both)[0]
            raise ValueError(Problem("lot_both", f"lot {lot} is both an input and an output", lot=lot))
        return self


class ShipIn(_EventBase):
    type: Literal["ship"]
    lots: LotIds
    to: Uscc
    shipment: Text


class ReceiveIn(_EventBase):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)
    type: Literal["receive"]
    lots: LotIds
    from_: Uscc = Field(alias="from")
    shipment: Text
    mass_kg: Kg | None = None


class ExportIn(_EventBase):
    type: Literal["export"]
    lots: LotIds
    consignee: Text
    destination: Country
    customs_declaration: Text
    license_no: Text | None = None


class ConsumeIn(_EventBase):
    type: Literal["consume"]
    lots: Draws
    purpose: Text


class AdjustIn(_EventBase):
    type: Literal["adjust"]
    lot: LotId
    delta_kg: SignedKg
    reason: Text


EventIn = Annotated[
    ExtractIn | ImportIn | TransformIn | ShipIn | ReceiveIn | ExportIn | ConsumeIn | AdjustIn,
    Field(discriminator="type"),
]
_event_adapter: TypeAdapter[Any] = TypeAdapter(EventIn)


class SubmissionHeader(_Strict):
    format: Literal["reetrace/submission@1"]
    reporter: str
    key_id: KeyId
    created_at: CreatedAt
    events: Annotated[list[Any], Field(min_length=1)]
    signature: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{86}$", strict=True)]


class InvalidDocument(ValueError):
    """A document breaks the contract. `event` is the offending event id, when there is one."""

    def __init__(self, message: str, event: str | None = None):
        super().__init__(message)
        self.event = event

    @property
    def problem(self) -> str:
        """The problem, with its message id and parameters when it has them (a `Problem`)."""
        return self.args[0]


def validate_model(raw: Any, received_at: datetime | None = None) -> Any:
    """Validate one event object; returns its validated model. `received_at`: when its
    submission was received, to hold it to the bounds."""
    if not isinstance(raw, dict):
        raise InvalidDocument(Problem("event_not_object", "event must be a JSON object"))
    try:
        return _event_adapter.validate_python(raw, context={"received_at": received_at})
    except ValidationError as exc:
        event_id = raw.get("event_id") if isinstance(raw.get("event_id"), str) else None
        raise InvalidDocument(said(exc, tagged=True), event=event_id) from None


def validate_event(raw: Any, reporter: str, received_at: datetime | None = None) -> ev.Event:
    """Validate one event object and convert it to the domain event."""
    return to_domain(validate_model(raw, received_at), reporter)


def to_domain(m: Any, reporter: str) -> ev.Event:
    common = {"reporter": reporter, "event_id": m.event_id, "time": m.time, "site": m.site}
    outputs = tuple(
        ev.NewLot(o.lot, o.form, o.mass_kg, dict(o.composition), o.hs_code) for o in getattr(m, "outputs", ())
    )
    match m.type:
        case "extract":
            return ev.Extract(**common, deposit=m.deposit, outputs=outputs)
        case "import":
            return ev.Import(
                **common, origin_country=m.origin_country, customs_declaration=m.customs_declaration, outputs=outputs
            )
        case "transform":
            return ev.Transform(
                **common, process=m.process, inputs=tuple(ev.Draw(d.lot, d.mass_kg) for d in m.inputs), outputs=outputs
            )
        case "ship":
            return ev.Ship(**common, lots=tuple(m.lots), to=m.to, shipment=m.shipment)
        case "receive":
            return ev.Receive(**common, lots=tuple(m.lots), sender=m.from_, shipment=m.shipment, mass_kg=m.mass_kg)
        case "export":
            return ev.Export(
                **common,
                lots=tuple(m.lots),
                consignee=m.consignee,
                destination=m.destination,
                customs_declaration=m.customs_declaration,
                license_no=m.license_no,
            )
        case "consume":
            return ev.Consume(**common, lots=tuple(ev.Draw(d.lot, d.mass_kg) for d in m.lots), purpose=m.purpose)
        case "adjust":
            return ev.Adjust(**common, lot=m.lot, delta_kg=m.delta_kg, reason=m.reason)
    raise AssertionError(m.type)


def validate_header(doc: Any) -> SubmissionHeader:
    """Check the submission's own members (not its events)."""
    if not isinstance(doc, dict):
        raise InvalidDocument(Problem("submission_not_object", "a submission must be a JSON object"))
    try:
        return SubmissionHeader.model_validate(doc)
    except ValidationError as exc:
        raise InvalidDocument(said(exc)) from None


def validate_events(raw_events: list[Any], reporter: str, received_at: datetime | None = None) -> list[ev.Event]:
    """Validate every event of a submission (event ids distinct within it) into domain events."""
    return [to_domain(m, reporter) for m in validate_event_models(raw_events, received_at)]


def validate_event_models(raw_events: list[Any], received_at: datetime | None = None) -> list[Any]:
    """Validate every event of a submission (event ids distinct within it); returns the
    validated models, which `to_domain` turns into domain events."""
    return validate_each(raw_events, lambda raw: validate_model(raw, received_at))


class _Identified(Protocol):
    """A validated event, as `validate_each` needs it."""

    @property
    def event_id(self) -> str: ...


T = TypeVar("T", bound=_Identified)


def validate_each(raw_events: list[Any], validate: Callable[[Any], T]) -> list[T]:
    """`validate` applied to every event of a submission, each result having the event's
    `event_id`; an error names the event's place, and an event id may appear only once."""
    result = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_events):
        try:
            event = validate(raw)
        except InvalidDocument as exc:
            problem = within(["events", index], exc.problem, f"events[{index}]: {exc}")
            raise InvalidDocument(problem, event=exc.event) from None
        event_id = event.event_id
        if event_id in seen:
            twice = Problem("event_id_twice", f"event_id {event_id!r} appears twice", event_id=event_id)
            raise InvalidDocument(within(["events", index], twice, f"events[{index}]: {twice}"), event=event_id)
        seen.add(event_id)
        result.append(event)
    return result
