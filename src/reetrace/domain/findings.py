"""Findings: what the audit reports, and the thresholds it judges by (docs/contract.md §5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low")

# code -> (default severity, one-line meaning)
CODES: dict[str, tuple[str, str]] = {
    "UNAUTHORIZED_MINING": ("critical", "extraction without a valid mining qualification"),
    "UNAUTHORIZED_SEPARATION": ("critical", "separation without a valid separation qualification"),
    "MINING_QUOTA_EXCEEDED": ("high", "REO extracted in a year and category exceeds the mining quota"),
    "SEPARATION_QUOTA_EXCEEDED": ("high", "REO of separation outputs in a year exceeds the separation quota"),
    "MASS_BALANCE_VIOLATION": ("critical", "a transform's outputs hold more of an element than its inputs"),
    "LOW_YIELD": ("medium", "a transform's REO yield is below the process floor"),
    "UNKNOWN_LOT": ("high", "a lot that no event created enters the chain"),
    "DUPLICATE_LOT": ("high", "a lot id is created a second time"),
    "LOT_OVERDRAWN": ("high", "more mass is taken from a lot than it holds"),
    "NOT_CUSTODIAN": ("high", "an enterprise uses a lot it does not hold"),
    "SHIPMENT_NOT_RECEIVED": ("medium", "a shipment has no matching receipt within the window"),
    "RECEIPT_WITHOUT_SHIPMENT": ("high", "a receipt has no matching shipment"),
    "TRANSFER_MISMATCH": ("medium", "received mass differs from shipped mass"),
    "EXPORT_WITHOUT_LICENSE": ("critical", "a controlled item is exported without a license covering it"),
    "LICENSE_EXCEEDED": ("high", "exports under a license exceed an item's licensed quantity"),
    "LICENSE_MISMATCH": ("high", "an export does not fit its license"),
    "LATE_REPORT": ("low", "a month's events were reported after the deadline"),
    "LARGE_ADJUSTMENT": ("medium", "a stock adjustment is unusually large"),
    "CIRCULAR_TRADE": ("medium", "a lot returns to an enterprise that held it before"),
    # findings that catch evasion (docs/evasion.md)
    "COMPOSITION_IMPLAUSIBLE": (
        "high",
        "an extracted lot's composition does not fit the deposit it is said to come from",
    ),
    "CAPACITY_EXCEEDED": ("high", "a site's output in a year exceeds its registered capacity"),
    # customs reconciliation and arrival reports (docs/customs.md)
    "DECLARATION_WITHOUT_EXPORT": ("high", "a customs export declaration matches no export event"),
    "EXPORT_WITHOUT_DECLARATION": ("high", "an export in a period customs reported on has no customs declaration"),
    "DECLARED_QUANTITY_MISMATCH": ("high", "declared net mass differs from the exported lots' mass"),
    "DECLARATION_MISMATCH": ("high", "a declaration's exporter, destination, license or lots differ from its export"),
    "HS_CODE_MISDECLARED": ("high", "the declared customs code contradicts the lot's form or composition"),
    "ARRIVAL_NOT_REPORTED": ("medium", "a licensed export's arrival was not reported within the window"),
    # lineage: findings that catch evasion (docs/contract.md §12, docs/evasion.md)
    "ELEMENT_DIVERTED": ("high", "a transform's outputs hold far less of a controlled element than its inputs"),
    "RECYCLING_IMPLAUSIBLE": ("high", "a recycling run takes material that is not scrap of manufactured goods"),
    "LAYERED_CIRCULAR_TRADE": ("high", "material returns to an enterprise through other enterprises and a transform"),
}

# The controlled elements of docs/contract.md §12, whose diversion ELEMENT_DIVERTED looks for.
CONTROLLED_ELEMENTS = ("Sc", "Y", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Audit thresholds; the defaults are the contract's."""

    mass_balance_relative: float = 0.001
    mass_balance_absolute_kg: float = 0.01
    yield_floor: dict[str, float] = field(
        default_factory=lambda: {
            "separation": 0.90,
            "metal": 0.95,
            "magnet": 0.95,
            "alloy": 0.95,
            "repack": 0.999,
        }
    )
    shipment_receipt_days: int = 30
    transfer_tolerance: float = 0.005
    report_deadline_day: int = 10
    adjustment_relative: float = 0.02
    adjustment_absolute_kg: float = 100.0
    overdraw_tolerance_kg: float = 0.01
    # customs reconciliation: declared net mass may differ from the exported lots' by this share
    declaration_quantity_tolerance: float = 0.005
    # exports under a license must have their arrival reported within this many days
    arrival_report_days: int = 60
    # an extracted lot's REO shares may differ from its site's registered profile by this L1
    # distance (sum of absolute differences over the 17 elements; 0 = equal, 2 = disjoint)
    composition_l1_max: float = 0.30
    # without a profile: heavy share of REO a rock (light) deposit may yield at most, an
    # ion-adsorption (medium/heavy) deposit at least
    rock_heavy_share_max: float = 0.10
    ion_adsorption_heavy_share_min: float = 0.20
    # ELEMENT_DIVERTED: outputs below this share of a controlled element's input mass, judged
    # when the inputs hold at least `diverted_min_kg` of it
    diverted_ratio: float = 0.90
    diverted_min_kg: float = 1.0
    diverted_elements: tuple[str, ...] = CONTROLLED_ELEMENTS
    # RECYCLING_IMPLAUSIBLE: an input with less than this share of its rare-earth element mass
    # from manufactured material, or ore-like: Y, or La + Ce, above these shares of it
    recycling_manufactured_share: float = 0.5
    recycling_y_share: float = 0.10
    recycling_la_ce_share: float = 0.20
    # LAYERED_CIRCULAR_TRADE: at least this share of a received lot's rare-earth element mass from
    # a lot the receiver shipped away at most `layered_days` before, through at least
    # `layered_enterprises` other enterprises and `layered_transforms` transforms
    layered_share: float = 0.10
    layered_days: int = 180
    layered_enterprises: int = 2
    layered_transforms: int = 1
    # China Standard Time: months, years, deadlines and dates are judged in it.
    utc_offset_hours: int = 8
    severity: dict[str, str] = field(default_factory=lambda: {c: s for c, (s, _) in CODES.items()})


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    enterprise: str | None
    lot: str | None
    event: str | None
    year: int | None
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)
    # The explanation as a message id and its parameters, for the pages to say in the reader's
    # language (`detail` is the same explanation in English). A finding stored before findings
    # carried them has none: it is shown by its detail. Not part of what a finding *is*: two
    # findings equal in the contract's fields are equal.
    message: str = field(default="", compare=False)
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def as_contract(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "enterprise": self.enterprise,
            "lot": self.lot,
            "event": self.event,
            "year": self.year,
            "detail": self.detail,
            "evidence": self.evidence,
        }
