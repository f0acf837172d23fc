"""The events enterprises report, as plain value objects (docs/contract.md §4).

Parsing and validating the JSON form lives in `reetrace.contract`; what arrives here is already
well formed. Times are timezone-aware datetimes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

EventType = Literal["extract", "import", "transform", "ship", "receive", "export", "consume", "adjust"]
Form = Literal["ore", "concentrate", "mixed_compound", "oxide", "metal", "alloy", "magnet", "compound", "scrap"]
EVENT_TYPES: tuple[str, ...] = ("extract", "import", "transform", "ship", "receive", "export", "consume", "adjust")
FORMS: tuple[str, ...] = (
    "ore",
    "concentrate",
    "mixed_compound",
    "oxide",
    "metal",
    "alloy",
    "magnet",
    "compound",
    "scrap",
)
PROCESSES: tuple[str, ...] = (
    "beneficiation",
    "separation",
    "metal",
    "alloy",
    "magnet",
    "repack",
    "recycling",
    "other",
)
DEPOSITS: tuple[str, ...] = ("rock", "ion_adsorption")


@dataclass(frozen=True, slots=True)
class NewLot:
    """A lot created by an event: its id, form, mass and elemental composition."""

    lot: str
    form: str
    mass_kg: float
    composition: dict[str, float]
    hs_code: str | None = None


@dataclass(frozen=True, slots=True)
class Draw:
    """A quantity taken from a lot (a transform input or a consumption)."""

    lot: str
    mass_kg: float


@dataclass(frozen=True, slots=True)
class Event:
    """Members common to every event. `reporter` is the USCC of the enterprise that reported it."""

    TYPE: ClassVar[str]  # each kind of event names its type

    reporter: str
    event_id: str
    time: datetime
    site: str | None = field(default=None, kw_only=True)

    @property
    def ref(self) -> str:
        """The global identity of the event, `<USCC>:<event_id>`."""
        return f"{self.reporter}:{self.event_id}"

    @property
    def type(self) -> str:
        return self.TYPE


@dataclass(frozen=True, slots=True)
class Extract(Event):
    TYPE = "extract"
    deposit: str
    outputs: tuple[NewLot, ...]


@dataclass(frozen=True, slots=True)
class Import(Event):
    TYPE = "import"
    origin_country: str
    customs_declaration: str
    outputs: tuple[NewLot, ...]


@dataclass(frozen=True, slots=True)
class Transform(Event):
    TYPE = "transform"
    process: str
    inputs: tuple[Draw, ...]
    outputs: tuple[NewLot, ...]


@dataclass(frozen=True, slots=True)
class Ship(Event):
    TYPE = "ship"
    lots: tuple[str, ...]
    to: str
    shipment: str


@dataclass(frozen=True, slots=True)
class Receive(Event):
    TYPE = "receive"
    lots: tuple[str, ...]
    sender: str  # the `from` member
    shipment: str
    mass_kg: float | None = None


@dataclass(frozen=True, slots=True)
class Export(Event):
    TYPE = "export"
    lots: tuple[str, ...]
    consignee: str
    destination: str
    customs_declaration: str
    license_no: str | None = None


@dataclass(frozen=True, slots=True)
class Consume(Event):
    TYPE = "consume"
    lots: tuple[Draw, ...]
    purpose: str


@dataclass(frozen=True, slots=True)
class Adjust(Event):
    TYPE = "adjust"
    lot: str
    delta_kg: float
    reason: str


def created_lots(event: Event) -> tuple[NewLot, ...]:
    """The lots an event creates (extract, import and transform outputs)."""
    return getattr(event, "outputs", ())


def used_lots(event: Event) -> tuple[str, ...]:
    """Ids of the lots an event takes, moves or changes, in the order it names them."""
    if isinstance(event, Transform):
        return tuple(d.lot for d in event.inputs)
    if isinstance(event, Consume):
        return tuple(d.lot for d in event.lots)
    if isinstance(event, Adjust):
        return (event.lot,)
    return tuple(getattr(event, "lots", ()))


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An accepted event as the ledger holds it: the event, when its report was received,
    and its position in the ledger (acceptance order)."""

    event: Event
    received_at: datetime
    seq: int = 0


T = TypeVar("T", bound="DataclassInstance")


def trusted_constructor(cls: type[T]) -> Callable[..., T]:
    """A constructor of the slotted dataclass `cls` for values known to be right (events the
    ledger accepted, read back for an audit): every field, positionally, in the order
    `dataclasses.fields(cls)` lists them (for an event, `site` comes fourth); no defaults.

    It sets the slots directly: the __init__ of a frozen dataclass sets each field through
    `object.__setattr__`, twice as slow, and a full audit builds several such objects for each of
    millions of events. The function is compiled from its source once, as `dataclasses` builds an
    __init__: a loop over the fields would cost what it saves."""
    if "__slots__" not in vars(cls) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} is not a slotted dataclass without __post_init__")
    names = [f.name for f in fields(cls)]
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    namespace.update({f"set_{name}": getattr(cls, name).__set__ for name in names})  # the slots' descriptors
    source = "\n".join(
        [
            f"def build({', '.join(names)}):",
            "    self = new(cls)",
            *(f"    set_{name}(self, {name})" for name in names),
            "    return self",
        ]
    )
    exec(source, namespace)  # the source names nothing but the fields of `cls`
    return namespace["build"]
