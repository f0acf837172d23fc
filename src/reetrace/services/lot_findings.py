"""The findings that block a license around one lot, for the lot page and its printable
certificate: upstream, those the pre-review would block the lot's export on; downstream, those
about the lots made from it. Both by the pre-review's own rule (`domain.prereview.blocking_findings`)
on the findings as the pre-review reads them (`services.audit.audit_ledger`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reetrace.config import Settings
from reetrace.domain.findings import Finding
from reetrace.domain.prereview import blocking_findings
from reetrace.services.audit import audit_ledger
from reetrace.services.prereview import descent, provenance, year_in_zone
from reetrace.store.database import Store


@dataclass(frozen=True, slots=True)
class BlockingAround:
    lot: str
    as_of: date
    upstream: list[Finding]
    downstream: list[Finding]


def blocking_around(store: Store, settings: Settings, lot: str, as_of: date) -> BlockingAround:
    findings = audit_ledger(store, settings, as_of)
    zone_year = year_in_zone(settings.thresholds.utc_offset_hours)

    with store.reading() as conn:
        found = provenance(conn, lot, zone_year)
        below = descent(conn, lot, zone_year)
    return BlockingAround(
        lot,
        as_of,
        blocking_findings(findings, found.upstream_lots, found.upstream_events, found.producers),
        blocking_findings(findings, *below),
    )
