"""Customs export declarations, the periods customs has reported, and exporters' arrival reports
(Decree 792: exporters report actual shipment and arrival), as plain value objects.

`CustomsRecords` is what the audit is given besides the ledger. It is empty by default, and an
audit with empty records judges nothing about customs or arrivals: a store that has never
received customs data or an arrival report audits as it always did.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class DeclarationItem:
    """One commodity item of a declaration: its ten-digit code, its net mass and the lots it names."""

    hs_code: str  # ten digits
    net_kg: float
    lots: tuple[str, ...] = ()

    @property
    def hs6(self) -> str:
        return self.hs_code[:6]

    @property
    def key(self) -> tuple[str, float, tuple[str, ...]]:
        """What makes two items the same item, whatever the order of their lots."""
        return (self.hs_code, self.net_kg, tuple(sorted(set(self.lots))))

    def as_json(self, number: int) -> dict[str, Any]:
        return {"item": number, "hs_code": self.hs_code, "net_kg": self.net_kg, "lots": list(self.lots)}

    def __str__(self) -> str:
        lots = f", lots {', '.join(self.lots)}" if self.lots else ""
        return f"HS {self.hs_code}, {self.net_kg:,.3f} kg{lots}"


@dataclass(frozen=True, slots=True)
class Declaration:
    """One customs export declaration, as customs reported it: what its items share (number, day,
    exporter, destination, license) and its items, numbered from 1 in the order customs gave them."""

    declaration_no: str
    day: date
    exporter: str  # USCC
    destination: str  # ISO 3166 alpha-2
    license_no: str | None = None
    items: tuple[DeclarationItem, ...] = ()

    @property
    def lots(self) -> tuple[str, ...]:
        """The lots its items name, each once, in the order they are named."""
        return tuple(dict.fromkeys(lot for item in self.items for lot in item.lots))

    @property
    def net_kg(self) -> float:
        return sum(item.net_kg for item in self.items)

    def numbered(self) -> list[tuple[int, DeclarationItem]]:
        """(item number, item), from 1."""
        return list(enumerate(self.items, start=1))

    def as_json(self) -> dict[str, Any]:
        return {
            "declaration_no": self.declaration_no,
            "date": self.day.isoformat(),
            "exporter": self.exporter,
            "destination": self.destination,
            "license_no": self.license_no,
            "net_kg": self.net_kg,
            "lots": list(self.lots),
            "items": [item.as_json(n) for n, item in self.numbered()],
        }

    def header(self) -> dict[str, str | None]:
        """The fields its items share, by column name."""
        return {
            "date": self.day.isoformat(),
            "exporter": self.exporter,
            "destination": self.destination,
            "license_no": self.license_no,
        }

    def header_differences(self, other: Declaration) -> list[str]:
        """The fields its items share in which `other`, under the same number, says something else."""
        mine, theirs = self.header(), other.header()
        return [name for name in mine if mine[name] != theirs[name]]

    def same_items(self, other: Declaration) -> bool:
        """Whether `other` has the same items, in whatever order."""
        return Counter(item.key for item in self.items) == Counter(item.key for item in other.items)


@dataclass(frozen=True, slots=True)
class Period:
    """Days customs has reported on, both ends included."""

    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class ArrivalReport:
    """An exporter's report that an export arrived: which export, when it arrived, who reported,
    and when the report was recorded."""

    export_ref: str  # "<USCC>:<event_id>" of the export event
    arrived_on: date
    by: str
    recorded_at: datetime
    note: str | None = None


def _frozen(mapping: Mapping[str, ArrivalReport] | None = None) -> Mapping[str, ArrivalReport]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class CustomsRecords:
    """Declarations, the periods customs data covers, and arrival reports by export ref."""

    declarations: tuple[Declaration, ...] = ()
    covered: tuple[Period, ...] = ()
    arrivals: Mapping[str, ArrivalReport] = field(default_factory=_frozen)

    @classmethod
    def of(
        cls,
        declarations: Iterable[Declaration] = (),
        covered: Iterable[Period] = (),
        arrivals: Iterable[ArrivalReport] = (),
    ) -> CustomsRecords:
        return cls(tuple(declarations), tuple(covered), _frozen({a.export_ref: a for a in arrivals}))

    @property
    def reconciling(self) -> bool:
        """Whether there is anything to match exports against: declarations, or periods reported on."""
        return bool(self.declarations or self.covered)

    def covering(self, day: date) -> Period | None:
        """A reported period that covers `day`, if any."""
        return next((p for p in self.covered if p.covers(day)), None)


def covered_period(days: Iterable[date], start: date | None = None, end: date | None = None) -> Period | None:
    """The period an import covers: `start`..`end` when given, else the first and last
    declaration day. None for an import with no declarations and no period given."""
    days = list(days)
    first = start or (min(days) if days else None)
    last = end or (max(days) if days else None)
    if first is None or last is None:
        return None
    return Period(first, last)
