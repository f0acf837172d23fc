"""Use cases: register officials, take a review step, and issue the license an approval grants.

Approval runs the pre-review again on the ledger as it is then, and is refused while any
blocking reason stands that no reviewer has cleared. The license is numbered, typed and dated,
and enters the `licenses` table that the audit reads, so every export under it draws down its
quantities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reetrace.config import Settings
from reetrace.contract.application import from_body
from reetrace.contract.fields import is_uscc
from reetrace.domain.accounts import Actor
from reetrace.domain.applications import Application
from reetrace.domain.prereview import LotFacts, still_blocking
from reetrace.domain.registry import License, LicenseItem
from reetrace.domain.workflow import ROLES, Official, ReviewStep, check_step, cleared_hits
from reetrace.errors import InvalidInput, NotFound, UsageError
from reetrace.services.access_log import note_change
from reetrace.services.applications import _local
from reetrace.services.controls import control_list_in
from reetrace.services.prereview import lot_facts, run_pre_review
from reetrace.services.supervision_changes import licenses_changed
from reetrace.store import applications_repo as repo
from reetrace.store.database import Store


@dataclass(frozen=True, slots=True)
class StepTaken:
    number: str
    action: str
    state: str
    license_no: str | None = None


def add_official(
    store: Store,
    name: str,
    roles: list[str],
    enterprise: str | None,
    now: datetime | None = None,
    *,
    actor: Actor | None = None,
) -> Official:
    """Register an official with their roles, written to the access log with it, naming `actor`."""
    name = " ".join(name.split())
    if not name:
        raise UsageError("an official needs a name")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise UsageError(f"roles must be among {', '.join(ROLES)}; got {', '.join(roles) or 'none'}")
    if enterprise is not None and not is_uscc(enterprise):
        raise UsageError(f"{enterprise!r} is not a valid Unified Social Credit Code")
    official = Official(name, tuple(dict.fromkeys(roles)), enterprise)
    with store.writing() as conn:
        if repo.get_official(conn, name) is not None:
            raise InvalidInput(f"official {name!r} is already registered")
        repo.add_official(conn, official, now or datetime.now(UTC))
        detail = ", ".join(official.roles) + (f" (from {enterprise})" if enterprise else "")
        note_change(conn, actor, "official add", None, f"{name}: {detail}")
    return official


def list_officials(store: Store) -> list[Official]:
    with store.reading() as conn:
        return repo.list_officials(conn)


def take_step(
    store: Store,
    settings: Settings,
    number: str,
    action: str,
    by: str,
    why: str = "",
    hit: str | None = None,
    now: datetime | None = None,
    *,
    actor: Actor | None = None,
) -> StepTaken:
    """An official's step (accept, decline, start, request_info, clear_hit, approve, deny), or
    the applicant's withdrawal (`by` then acts for the exporter: "<name>@<USCC>"). The step is
    written to the access log with it, naming `actor`."""
    now = now or datetime.now(UTC)
    if action == "approve":
        return _approve(store, settings, number, by, why, now, actor)
    with store.writing() as conn:
        stored, steps, official, applicant = _context(conn, number, by)
        state = check_step(action, steps, stored.exporter, official=official, applicant=applicant, why=why)
        detail: dict[str, Any] = {}
        if action == "clear_hit":
            detail["hit"] = _hit_in_review(conn, number, hit)
        repo.add_step(conn, number, ReviewStep(action, by, now, why.strip(), state, detail))
        note_change(conn, actor, f"review {action}", stored.exporter, _step_detail(number, by, state, detail, why))
    return StepTaken(number, action, state)


def _step_detail(number: str, by: str, state: str, detail: dict[str, Any], why: str) -> str:
    """A step as its access-log entry tells it: the application, who, the state it is now in,
    what it cleared or issued, and why."""
    extra = "".join(f", {k} {v}" for k, v in sorted(detail.items()))
    reason = f": {why.strip()}" if why.strip() else ""
    return f"application {number} by {by}, now {state}{extra}{reason}"


def _context(conn, number: str, by: str):
    stored = repo.get_application(conn, number)
    if stored is None:
        raise NotFound(
            f"application {number} does not exist", message_id="error.no_application", params={"number": number}
        )
    steps = repo.steps_of(conn, [number])[number]
    name, _, acting_for = by.partition("@")
    official = repo.get_official(conn, by)
    applicant = acting_for if acting_for and official is None else None
    if official is None and applicant is None:
        raise InvalidInput(
            f"{by!r} is not a registered official (reetrace officials add); an applicant signs as NAME@USCC",
            message_id="error.step.not_official",
            params={"official": by},
        )
    return stored, steps, official, applicant


def _hit_in_review(conn, number: str, hit: str | None) -> str:
    latest = repo.latest_prereview(conn, number)
    hits = {b["hit"] for b in (latest[2]["blocking"] if latest else []) if b.get("hit")}
    if not hit:
        raise UsageError("name the screening hit to clear (--hit LIST:ENTITY)", message_id="error.step.hit_needed")
    if hit not in hits:
        raise InvalidInput(
            f"{hit} is not a screening hit of the latest pre-review"
            + (f" (hits: {', '.join(sorted(hits))})" if hits else " (it has none)"),
            message_id="error.step.not_a_hit",
            params={"hit": hit},
        )
    return hit


def _approve(
    store: Store, settings: Settings, number: str, by: str, why: str, now: datetime, actor: Actor | None
) -> StepTaken:
    with store.reading() as conn:
        stored, steps, official, applicant = _context(conn, number, by)
        check_step("approve", steps, stored.exporter, official=official, applicant=applicant, why=why)
    application = from_body(stored.body)
    day = _local(now, settings)
    ledger_size, report = run_pre_review(store, settings, application, number, day)
    report["application"] = number
    with store.writing() as conn:  # the pre-review is kept whatever the decision
        repo.add_prereview(conn, number, now, ledger_size, report)
        note_change(
            conn, actor, "review prereview", stored.exporter, f"application {number}: run again for approval by {by}"
        )
    with store.writing() as conn:
        steps = repo.steps_of(conn, [number])[number]  # again, under the write lock
        state = check_step("approve", steps, stored.exporter, official=official, why=why)
        blocking = still_blocking(report, cleared_hits(steps))
        if blocking:
            reasons = "; ".join(b["reason"] for b in blocking[:5])
            more = f" (and {len(blocking) - 5} more)" if len(blocking) > 5 else ""
            raise InvalidInput(
                f"application {number} cannot be approved: {reasons}{more}",
                message_id="error.step.blocked",
                params={"number": number, "count": len(blocking)},
            )
        lots = lot_facts(conn, application.lots, settings.thresholds.overdraw_tolerance_kg)
        items = license_items(application, lots, control_list_in(conn, settings), day)
        license_no = repo.next_license_number(conn, day.year, application.license_type)
        license = License(
            license_no=license_no,
            exporter=application.exporter,
            consignee=application.consignee.name,
            end_user="; ".join(p.name for p in application.end_users),
            destination=application.destination,
            valid_from=max(application.valid_from, day),
            valid_to=application.valid_to,
            items=tuple(items),
        )
        repo.insert_license(conn, license, application.license_type, day.isoformat(), number)
        licenses_changed(conn, settings, [license_no])  # the exports under it, if any named it
        issued = {"license_no": license_no}
        repo.add_step(conn, number, ReviewStep("approve", by, now, why.strip(), state, issued))
        note_change(conn, actor, "review approve", stored.exporter, _step_detail(number, by, state, issued, why))
    return StepTaken(number, "approve", state, license_no)


def license_items(application: Application, lots: dict[str, LotFacts | None], controls, day) -> list[LicenseItem]:
    """What the license allows: for each controlled element and form, the quantity applied for
    (a lot's whole remaining mass unless a quantity is given)."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for item in application.items:
        if item.lot:
            lot = lots.get(item.lot)
            if lot is None or lot.form is None or lot.composition is None:
                continue
            quantity = item.quantity_kg if item.quantity_kg is not None else lot.remaining_kg
            for controlled in controls.classify(lot.form, lot.composition, day):
                totals[(controlled.element, lot.form)] += quantity
        elif item.element and item.form and item.quantity_kg:
            totals[(item.element, item.form)] += item.quantity_kg
    return [LicenseItem(element, form, round(kg, 3)) for (element, form), kg in sorted(totals.items())]
