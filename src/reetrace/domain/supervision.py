"""Incremental supervision: what each finding is about, so that the findings a new submission
can change are recomputed from the few events they depend on instead of the whole ledger.

Every finding belongs to one *subject*, and a subject's findings depend only on a set of events
that the ledger's indexes find directly:

    E|<USCC>:<event_id>             a finding about one event (custody, balance, authorisation,
                                    transfers, licensing of an export, arrival, an export with no
                                    declaration): that event, the whole history of every lot it
                                    names, and the other half of its shipment
    Q|<USCC>|<year>|<kind>          a quota overrun: the enterprise's extractions (kind `mining`)
                                    or separations (`separation`) of that year
    C|<USCC>|<year>                 a site's capacity exceeded: the enterprise's extractions and
                                    transforms (but repacks) of that year
    R|<USCC>|<YYYY-MM>              a late report: the enterprise's events of that month
    X|<license_no>                  a license exceeded: every export under it, with its lots
    D|<declaration_no>              a customs declaration that matches no export or does not fit
                                    it: the exports naming it or its lots, with their lots

A new event makes dirty the subjects of every event that names one of its lots or its shipment,
of its quota and capacity accounts and month, of the licenses and declarations of the exports among those.
Replaying the events those subjects depend on, with the same rules as the full audit, gives
exactly their findings; every other subject's findings cannot have changed.
"""

from __future__ import annotations

from datetime import datetime

from reetrace.domain.event_keys import declaration_key, license_key, shipment_key
from reetrace.domain.events import Event, Export, Extract, Receive, Ship, Transform, created_lots
from reetrace.domain.findings import Finding

QUOTA_KINDS = {"MINING_QUOTA_EXCEEDED": "mining", "SEPARATION_QUOTA_EXCEEDED": "separation"}
DECLARATION_CODES = frozenset(
    ("DECLARATION_WITHOUT_EXPORT", "DECLARED_QUANTITY_MISMATCH", "DECLARATION_MISMATCH", "HS_CODE_MISDECLARED")
)


def event_subject(ref: str) -> str:
    return f"E|{ref}"


def quota_subject(uscc: str, year: int, kind: str) -> str:
    return f"Q|{uscc}|{year}|{kind}"


def capacity_subject(uscc: str, year: int) -> str:
    return f"C|{uscc}|{year}"


def report_subject(uscc: str, year: int, month: int) -> str:
    return f"R|{uscc}|{year:04d}-{month:02d}"


def subject_of(finding: Finding) -> str:
    """The subject a finding belongs to."""
    code = finding.code
    if code in QUOTA_KINDS:
        return quota_subject(finding.enterprise or "", finding.year or 0, QUOTA_KINDS[code])
    if code == "CAPACITY_EXCEEDED":
        return capacity_subject(finding.enterprise or "", finding.year or 0)
    if code == "LATE_REPORT":
        return f"R|{finding.enterprise}|{finding.evidence['month']}"
    if code == "LICENSE_EXCEEDED":
        return license_key(finding.evidence["license_no"])
    if code in DECLARATION_CODES:
        return declaration_key(finding.evidence["declaration_no"])
    if finding.event is None:
        raise ValueError(f"{code} finding has no subject: {finding.detail}")
    return event_subject(finding.event)


def lots_named(event: Event) -> set[str]:
    """Every lot an event creates, draws on, moves or adjusts."""
    lots = {out.lot for out in created_lots(event)}
    for member in ("inputs", "draws"):
        lots.update(draw.lot for draw in getattr(event, member, ()))
    for lot in getattr(event, "lots", ()):
        lots.add(lot if isinstance(lot, str) else lot.lot)
    lot = getattr(event, "lot", None)
    if isinstance(lot, str):
        lots.add(lot)
    return lots


def shipment_of(event: Event) -> str | None:
    if isinstance(event, Ship):
        return shipment_key(event.reporter, event.to, event.shipment)
    if isinstance(event, Receive):
        return shipment_key(event.sender, event.reporter, event.shipment)
    return None


def export_keys(event: Event) -> set[str]:
    """The license and declaration subjects of an export."""
    keys: set[str] = set()
    if isinstance(event, Export):
        if event.license_no:
            keys.add(license_key(event.license_no))
        if event.customs_declaration:
            keys.add(declaration_key(event.customs_declaration))
    return keys


def quota_account(event: Event, local_time: datetime) -> str | None:
    """The quota subject an event counts towards, if any."""
    if isinstance(event, Extract):
        return quota_subject(event.reporter, local_time.year, "mining")
    if isinstance(event, Transform) and event.process == "separation":
        return quota_subject(event.reporter, local_time.year, "separation")
    return None


def capacity_account(event: Event, local_time: datetime) -> str | None:
    """The capacity subject an event's output may count towards: its reporter's sites of that
    year (which site, if any, the rule decides from the registry)."""
    if isinstance(event, Extract) or (isinstance(event, Transform) and event.process != "repack"):
        return capacity_subject(event.reporter, local_time.year)
    return None
