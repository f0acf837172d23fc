"""The automated pre-review of a license application, from facts gathered by the service.

It classifies every item with the control list in force, checks each lot's provenance (its
backward trace must end only at legal origins, with no blocking finding upstream), puts the
screening results of every party beside them, checks quantities (the applicant still holds the
lot, it holds what is asked for, no other live application of the applicant names it) and lists
the red flags a reviewer should see. What would
make a license unlawful is *blocking*: approval is refused while any blocking reason stands
(a screening hit stops blocking once a reviewer has recorded why it is another party).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reetrace.domain.applications import Application, ApplicationItem
from reetrace.domain.controls import ControlList
from reetrace.domain.findings import Finding
from reetrace.domain.trace import BackwardTrace

PREREVIEW_FORMAT = "reetrace/pre-review@1"

# Findings upstream of a lot that make its material illegal (or its history unknowable).
BLOCKING_CODES = frozenset(
    {
        "UNAUTHORIZED_MINING",
        "UNAUTHORIZED_SEPARATION",
        "MASS_BALANCE_VIOLATION",
        "UNKNOWN_LOT",
        "DUPLICATE_LOT",
        "LOT_OVERDRAWN",
        "NOT_CUSTODIAN",
        "RECEIPT_WITHOUT_SHIPMENT",
        "MINING_QUOTA_EXCEEDED",
        "SEPARATION_QUOTA_EXCEEDED",
        # provenance at stake: ore laundered through a legal mine, output beyond what a plant can make
        "COMPOSITION_IMPLAUSIBLE",
        "CAPACITY_EXCEEDED",
        # provenance: ore laundered as scrap; an origin cleaned by trading it round (§12).
        # ELEMENT_DIVERTED is not here: material left the books, what remains is not of illegal origin.
        "RECYCLING_IMPLAUSIBLE",
        "LAYERED_CIRCULAR_TRADE",
    }
)
# Findings about a year's production of an enterprise rather than one event: the kind of creation
# upstream they concern ("output": any extraction or transform but a repack). Which tonnes went
# over cannot be told apart from the rest of the year's, so all of them are in doubt.
PRODUCTION_CODES = {
    "MINING_QUOTA_EXCEEDED": "extract",
    "SEPARATION_QUOTA_EXCEEDED": "separation",
    "CAPACITY_EXCEEDED": "output",
}
EMPTY_KG = 1e-6  # a lot holding no more than this is used up


@dataclass(frozen=True, slots=True)
class RedFlagRules:
    """What a reviewer should be shown; configuration, with these defaults."""

    destinations_of_concern: frozenset[str] = frozenset({"KP", "IR", "SY"})
    end_use_terms: tuple[str, ...] = (
        "military",
        "defence",
        "defense",
        "weapon",
        "missile",
        "munition",
        "nuclear",
        "warhead",
        "drone",
        "uav",
        "radar",
        "armour",
        "armor",
        "军",
        "武器",
        "导弹",
        "弹药",
        "核",
        "无人机",
        "雷达",
    )


@dataclass(frozen=True, slots=True)
class LotFacts:
    """A lot as the ledger shows it when the pre-review runs (None: not in the ledger)."""

    lot: str
    form: str | None
    composition: Mapping[str, float] | None
    remaining_kg: float
    custodian: str | None
    status: str  # held, in_transit, exported, consumed
    exported_kg: float | None = None  # what it held when it was exported


def holds(lot: LotFacts | None, exporter: str) -> bool:
    """Whether `exporter` holds the lot now: created in the ledger, in its custody (not in
    transit, exported or consumed) and not used up. An application may name only lots its
    exporter holds when it is filed, and the pre-review judges custody again by this rule."""
    return (
        lot is not None
        and lot.composition is not None
        and lot.status == "held"
        and lot.custodian == exporter
        and lot.remaining_kg > EMPTY_KG
    )


def unheld_items(application: Application, lots: Mapping[str, LotFacts | None]) -> list[int]:
    """The items (numbered from 1) that name a lot the exporter does not hold."""
    return [
        n
        for n, item in enumerate(application.items, 1)
        if item.lot and not holds(lots.get(item.lot), application.exporter)
    ]


@dataclass(frozen=True, slots=True)
class Provenance:
    """A lot's backward trace, the lots and events upstream of it, and the creation year and
    enterprise of each origin and separation upstream (for quota findings)."""

    trace: BackwardTrace
    upstream_lots: frozenset[str]
    upstream_events: frozenset[str]
    producers: frozenset[tuple[str, str, int]]  # (kind "extract"/"separation"/"output", USCC, year)


@dataclass(frozen=True, slots=True)
class Facts:
    application: Application
    day: date
    controls: ControlList
    lots: Mapping[str, LotFacts | None]
    provenance: Mapping[str, Provenance]
    findings: Sequence[Finding]
    screening: Sequence[tuple[str, str, str, dict[str, Any]]]  # (role, name, country, §9 result)
    claimed: Mapping[str, Sequence[tuple[str, str]]]  # lot -> [(the applicant's other application, its state)]
    known_consignees: frozenset[str]
    rules: RedFlagRules = field(default_factory=RedFlagRules)


def said(message: str, **params: Any) -> dict[str, Any]:
    """A reason's message id and parameters, for the pages to say it in the reader's language
    (the `reason` or `detail` beside it is the English text)."""
    return {"message_id": f"prereview.{message}", "params": params}


def name_key(text: str) -> str:
    """A party's name as names are compared: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


def searchable_part(name: str) -> str:
    """The longest run of `name` that any spelling of it equal by `name_key` holds as it is, ASCII
    letters aside from their case: no space, no letter with a case outside ASCII (whose folding
    a store may not follow), nothing JSON escapes. '' when there is none. A spelling through
    characters that fold into ASCII (the Kelvin sign) escapes it: the consignee is then taken as
    new, the cautious side."""
    runs, run = [], []
    for char in name:
        plain = char.isascii() and char.isprintable() and not char.isspace() and char not in '"\\'
        caseless = not char.isascii() and char.casefold() == char == char.upper() and not char.isspace()
        if plain or caseless:
            run.append(char)
        else:
            runs.append("".join(run))
            run = []
    runs.append("".join(run))
    return max(runs, key=len)


def pre_review(facts: Facts) -> dict[str, Any]:
    blocking: list[dict[str, Any]] = []
    report = {
        "format": PREREVIEW_FORMAT,
        "day": facts.day.isoformat(),
        "classification": _classification(facts, blocking),
        "provenance": _provenance(facts, blocking),
        "screening": _screening(facts, blocking),
        "quantities": _quantities(facts, blocking),
        "red_flags": _red_flags(facts),
    }
    report["blocking"] = blocking
    report["verdict"] = "blocked" if blocking else ("attention" if report["red_flags"] else "clear")
    return report


def _classification(facts: Facts, blocking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for n, item in enumerate(facts.application.items, 1):
        if item.lot:
            lot = facts.lots.get(item.lot)
            form = lot.form if lot else None
            composition = lot.composition if lot else None
        else:
            form, composition = item.form, {item.element: 1.0} if item.element else None
        controlled = facts.controls.classify(form, composition, facts.day) if form and composition is not None else []
        row: dict[str, Any] = {
            "item": n,
            "lot": item.lot,
            "form": form,
            "controlled": [{"code": c.code, "element": c.element, "group": c.group} for c in controlled],
        }
        if not item.lot:
            row["declared_code"] = item.control_code
            row["note"] = _declared_code_note(item, controlled)
        elif lot is not None and not controlled:
            row["note"] = f"not a controlled item on {facts.day}: no license is needed for it"
        rows.append(row)
    return rows


def _declared_code_note(item: ApplicationItem, controlled: list[Any]) -> str | None:
    codes = {c.code for c in controlled}
    if not codes:
        return f"{item.element} {item.form} is not controlled on this day"
    base = (item.control_code or "").split(".")[0]
    if base not in codes:
        return f"declared {item.control_code} but {item.element} {item.form} falls under {', '.join(sorted(codes))}"
    return None


def _provenance(facts: Facts, blocking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for lot_id in dict.fromkeys(facts.application.lots):
        found = facts.provenance.get(lot_id)
        if found is None:
            rows.append({"lot": lot_id, "origins": [], "findings": []})
            continue
        origins = [
            {"lot": o.lot, "type": o.type, "enterprise": o.enterprise, "event": o.event, "reo_kg": round(o.reo_kg, 3)}
            for o in found.trace.origins
        ]
        for o in found.trace.origins:
            if o.type == "unknown":
                blocking.append(
                    {
                        "check": "provenance",
                        "lot": lot_id,
                        "reason": f"material of lot {lot_id} comes from {o.lot}, which has no legal origin "
                        f"in the ledger ({round(o.reo_kg, 3)} kg REO)",
                        **said("unknown_origin", lot=lot_id, origin=o.lot, reo_kg=round(o.reo_kg, 3)),
                    }
                )
        upstream = [f for f in facts.findings if _upstream(f, found)]
        for f in upstream:
            if f.code in BLOCKING_CODES:
                blocking.append(
                    {
                        "check": "provenance",
                        "lot": lot_id,
                        "code": f.code,
                        "enterprise": f.enterprise,
                        "event": f.event,
                        "reason": f"upstream of {lot_id}: {f.code} — {f.detail}",
                        **said(
                            "upstream_finding",
                            lot=lot_id,
                            finding={
                                "code": f.code,
                                "message_id": f.message,
                                "params": dict(f.params),
                                "detail": f.detail,
                            },
                        ),
                    }
                )
        rows.append(
            {
                "lot": lot_id,
                "origins": origins,
                "findings": [{**f.as_contract(), "blocking": f.code in BLOCKING_CODES} for f in upstream],
            }
        )
    return rows


def _upstream(finding: Finding, found: Provenance) -> bool:
    return concerns(finding, found.upstream_lots, found.upstream_events, found.producers)


def concerns(
    finding: Finding, lots: frozenset[str], events: frozenset[str], producers: frozenset[tuple[str, str, int]]
) -> bool:
    """Whether a finding is about this stretch of a lot's history: one of its lots, one of the
    events that made or moved them, or (a quota overrun) an extraction or separation of that
    enterprise in that year; a capacity overrun, any output of it in that year)."""
    if finding.code in PRODUCTION_CODES:
        kind = PRODUCTION_CODES[finding.code]
        return (kind, finding.enterprise or "", finding.year or 0) in producers
    return (finding.lot is not None and finding.lot in lots) or (finding.event is not None and finding.event in events)


def blocking_findings(
    findings: Sequence[Finding],
    lots: frozenset[str],
    events: frozenset[str],
    producers: frozenset[tuple[str, str, int]],
) -> list[Finding]:
    """The findings about this stretch of history that block a license (`BLOCKING_CODES`): the
    rule the pre-review blocks a lot's export on, and the lot page shows both ways."""
    return [f for f in findings if f.code in BLOCKING_CODES and concerns(f, lots, events, producers)]


def _screening(facts: Facts, blocking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    if not any(result.get("lists") for _, _, _, result in facts.screening):
        blocking.append(
            {
                "check": "screening",
                "reason": "no restricted-party list is loaded: the parties were not screened",
                **said("not_screened"),
            }
        )
    for role, name, country, result in facts.screening:
        for match in result.get("matches", []):
            blocking.append(
                {
                    "check": "screening",
                    "hit": f"{match['list']}:{match['entity']}",
                    "party": name,
                    "reason": f"{role.replace('_', ' ')} {name!r} matches {match['name']!r} on list "
                    f"{match['list']} (score {match['score']})",
                    **said(
                        "screening_hit",
                        role=role,
                        party=name,
                        match=match["name"],
                        list=match["list"],
                        score=match["score"],
                    ),
                }
            )
        rows.append({"role": role, "party": name, "country": country, "result": result})
    return rows


def _quantities(facts: Facts, blocking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    exporter = facts.application.exporter
    rows = []
    for item in facts.application.items:
        if not item.lot:
            continue
        lot = facts.lots.get(item.lot)
        issues: list[str] = []
        words: list[dict[str, Any]] = []
        if not holds(lot, exporter):
            # the same words whatever the cause: the applicant reads them too
            issues.append(f"lot {item.lot} is not held by the applicant")
            words.append(said("not_held", lot=item.lot))
        elif lot is not None:
            wanted = item.quantity_kg if item.quantity_kg is not None else lot.remaining_kg
            if wanted > lot.remaining_kg + EMPTY_KG:
                issues.append(f"{wanted:,.3f} kg asked for, lot {item.lot} holds {lot.remaining_kg:,.3f} kg")
                words.append(said("more_than_held", lot=item.lot, wanted_kg=wanted, held_kg=lot.remaining_kg))
        for other, state in facts.claimed.get(item.lot, ()):
            issues.append(f"lot {item.lot} is already in application {other} ({state.replace('_', ' ')})")
            words.append(said("claimed", lot=item.lot, application=other, application_state=state))
        for issue, message in zip(issues, words, strict=True):
            blocking.append({"check": "quantities", "lot": item.lot, "reason": issue, **message})
        rows.append(
            {
                "lot": item.lot,
                "remaining_kg": round(lot.remaining_kg, 3) if lot else None,
                "custodian": lot.custodian if lot else None,
                "status": lot.status if lot else None,
                "issues": issues,
            }
        )
    return rows


def _red_flags(facts: Facts) -> list[dict[str, str]]:
    app = facts.application
    rules = facts.rules
    flags = []
    if app.destination in rules.destinations_of_concern:
        flags.append(
            {
                "flag": "destination",
                "detail": f"destination {app.destination} is a destination of concern",
                **said("destination_of_concern", destination=app.destination),
            }
        )
    words = name_key(app.end_use)
    terms = sorted(
        {t for t in rules.end_use_terms if (re.search(rf"\b{re.escape(t)}", words) if t.isascii() else t in words)}
    )
    if terms:
        flags.append(
            {
                "flag": "end_use",
                "detail": f"the end-use statement mentions {', '.join(terms)}",
                **said("end_use_terms", terms=terms),
            }
        )
    if name_key(app.consignee.name) not in facts.known_consignees:
        flags.append(
            {
                "flag": "new_consignee",
                "detail": f"no earlier export or license names the consignee {app.consignee.name!r}",
                **said("new_consignee", party=app.consignee.name),
            }
        )
    for party in app.parties:
        if party.role != "intermediary" and party.country != app.destination:
            flags.append(
                {
                    "flag": "country",
                    "detail": f"{party.role.replace('_', ' ')} {party.name!r} is in "
                    f"{party.country}, the goods go to {app.destination}",
                    **said(
                        "party_elsewhere",
                        role=party.role,
                        party=party.name,
                        country=party.country,
                        destination=app.destination,
                    ),
                }
            )
    for party in app.parties_in("intermediary"):
        flags.append(
            {
                "flag": "intermediary",
                "detail": f"intermediary {party.name!r} ({party.country})",
                **said("intermediary", party=party.name, country=party.country),
            }
        )
    if any(not i.lot for i in app.items):
        flags.append(
            {
                "flag": "described_items",
                "detail": "items described without lots: their provenance is checked only when lots are exported",
                **said("described_items"),
            }
        )
    return flags


def still_blocking(report: Mapping[str, Any], cleared: set[str]) -> list[dict[str, Any]]:
    """The blocking reasons of a pre-review that a reviewer has not cleared."""
    return [b for b in report.get("blocking", []) if b.get("hit") not in cleared]
