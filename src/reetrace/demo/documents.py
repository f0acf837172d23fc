"""The demo year as documents: the registry, the monthly signed submissions, and the files."""

from __future__ import annotations

import base64
import json
import math
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reetrace.demo.capacity import clean_capacities, exceeded_capacity
from reetrace.demo.cast import PRODUCING, Actor, site_entries
from reetrace.demo.chain import CST, World
from reetrace.demo.exports import License
from reetrace.demo.violations import EXPIRED_MINING_ON, QUOTA_OVERRUN, SCHEDULE, Plan
from reetrace.ledger.signing import key_id, raw_public_key
from reetrace.ledger.submission import sign_submission

REGISTRY_FORMAT = "reetrace/registry@1"


def _created_at(world: World, year: int, month: int, day: int) -> str:
    """A signing time on `day` of the month after (year, month), in office hours."""
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    moment = datetime(year, month, day, 8, 30, tzinfo=CST) + timedelta(seconds=world.rng.randrange(9 * 3600))
    return moment.isoformat()


def submissions(world: World, plan: Plan) -> list[dict[str, Any]]:
    """One signed submission per enterprise and month with events, sent by the 9th of the next
    month (the LATE_REPORT injection sends one on the 20th); events in no particular order."""
    preferred, late_month, late_day, _ = SCHEDULE["LATE_REPORT"]
    reporting = [a.key for a in world.actors if any(world.date(e.day).month == late_month for e in world.events[a.key])]
    # tiny scales: whoever reported that month (if nobody did, generate() reports it missing)
    late_actor = preferred if preferred in reporting or not reporting else reporting[0]
    docs = []
    for actor in world.actors:
        by_month: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for emitted in world.events[actor.key]:
            by_month[world.date(emitted.day).month].append(emitted.event)
        for month, events in sorted(by_month.items()):
            world.rng.shuffle(events)
            late = actor.key == late_actor and month == late_month
            created = _created_at(world, world.year, month, late_day if late else world.rng.randint(1, 9))
            if late:
                plan.record(
                    "LATE_REPORT",
                    actor.uscc,
                    note=f"events of {world.year}-{month:02d} sent on {created[:10]}, after the deadline of the 10th",
                )
            assert actor.private_key is not None
            docs.append(sign_submission(actor.uscc, actor.private_key, created, events))
    return docs


def _enterprise(actor: Actor, world: World, plan: Plan, capacities: dict[str, float]) -> dict[str, Any]:
    mining_until = None
    if actor.key == plan.actor_of("UNAUTHORIZED_MINING"):
        mining_until = f"{world.year}-{EXPIRED_MINING_ON[0]:02d}-{EXPIRED_MINING_ON[1]:02d}"
    return enterprise_entry(actor, world.year, site_entries(actor, capacities.get(actor.key)), mining_until)


def capacities(world: World, plan: Plan) -> dict[str, float]:
    """Each producing site's capacity (t REO), sized on its output; the CAPACITY_EXCEEDED works'
    below it, with the event that first went over recorded."""
    out: dict[str, float] = {}
    key = plan.actor_of("CAPACITY_EXCEEDED")
    over = exceeded_capacity(world.rng, world.output_steps.get(key, []))
    if over is not None:
        capacity, event = over
        out[key] = capacity
        output = world.site_output[key] / 1000
        plan.record(
            "CAPACITY_EXCEEDED",
            world.by_key[key].uscc,
            None,
            event,
            f"{output:,.3f} t REO produced against a registered capacity of {capacity:,.3f} t "
            f"({output / capacity:.1%})",
        )
    clean = {
        a.key: world.site_output[a.key]
        for a in world.actors
        if a.role in PRODUCING and a.key not in out and world.site_output[a.key] > 0
    }
    return out | clean_capacities(world.rng, clean)


def enterprise_entry(
    actor: Actor, year: int, sites: list[dict[str, str]], mining_until: str | None = None
) -> dict[str, Any]:
    """An enterprise as the registry document lists it: qualifications (the mining one ending on
    `mining_until` when given), its key valid from the December before `year`, its sites."""
    if actor.private_key is None:
        raise ValueError(f"{actor.key} has no signing key")
    raw = raw_public_key(actor.private_key)
    qualifications = []
    for kind, valid_from, valid_to in actor.qualifications:
        if kind == "mining" and mining_until is not None:
            valid_to = mining_until
        qualifications.append({"kind": kind, "valid_from": valid_from, "valid_to": valid_to})
    doc: dict[str, Any] = {"uscc": actor.uscc, "name": actor.name, "name_en": actor.name_en, "province": actor.province}
    if actor.group:
        doc["group"] = actor.group
    doc.update(
        {
            "qualifications": qualifications,
            "keys": [
                {
                    "key_id": key_id(raw),
                    "public_key": base64.b64encode(raw).decode("ascii"),
                    "valid_from": f"{year - 1}-12-01T00:00:00+08:00",
                    "revoked_at": None,
                }
            ],
            "sites": sites,
        }
    )
    return doc


def _tonnes(used_kg: float, share: float) -> float:
    """A quota that `used_kg` fills to `share`, in whole tonnes."""
    return float(math.ceil(used_kg / 1000 / share))


def quotas(world: World, plan: Plan) -> list[dict[str, Any]]:
    """Mining and separation quotas sized so the year's production fills 72–93 % of them; the
    MINING_QUOTA_EXCEEDED mine's is set below what it extracted."""
    rows = []
    for actor in world.actors:
        if actor.role == "mine":
            used = world.extracted_reo[actor.key]
            category = "ion_adsorption" if actor.deposit == "ion" else "rock"
            if actor.key == plan.actor_of("MINING_QUOTA_EXCEEDED"):
                tonnes = float(math.floor(used / 1000 / QUOTA_OVERRUN))
                plan.record(
                    "MINING_QUOTA_EXCEEDED",
                    actor.uscc,
                    note=f"extracted {used / 1000:,.1f} t REO against a quota of {tonnes:,.0f} t",
                )
            else:
                tonnes = _tonnes(used, world.rng.uniform(0.72, 0.93))
            rows.append(
                {"year": world.year, "uscc": actor.uscc, "kind": "mining", "category": category, "tonnes_reo": tonnes}
            )
        elif actor.role == "separation":
            used = world.separated_reo[actor.key]
            rows.append(
                {
                    "year": world.year,
                    "uscc": actor.uscc,
                    "kind": "separation",
                    "category": "all",
                    "tonnes_reo": _tonnes(used, world.rng.uniform(0.72, 0.93)),
                }
            )
    return rows


def registry(world: World, plan: Plan, licenses: list[License]) -> dict[str, Any]:
    sized = capacities(world, plan)
    return {
        "format": REGISTRY_FORMAT,
        "enterprises": [_enterprise(a, world, plan, sized) for a in world.actors],
        "quotas": quotas(world, plan),
        "licenses": [lic.document() for lic in licenses],
    }


def event_line(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(", ", ": "))


def submission_text(doc: dict[str, Any]) -> str:
    """A submission as a file: the header members, then one event a line."""
    return submission_file(doc, [event_line(e) for e in doc["events"]])


def submission_file(doc: dict[str, Any], lines: list[str]) -> str:
    """The file of a submission whose events are already written as `event_line`s, in order."""
    head = {k: v for k, v in doc.items() if k not in ("events", "signature")}
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return (
        text
        + ',\n "events": [\n  '
        + ",\n  ".join(lines)
        + "\n ],\n"
        + f' "signature": {json.dumps(doc["signature"])}\n}}\n'
    )


def write_files(
    directory: Path, registry_doc: dict[str, Any], docs: list[dict[str, Any]], injected: list[dict[str, Any]]
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "registry.json").write_text(
        json.dumps(registry_doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    for doc in docs:
        month = min(e["time"][:7] for e in doc["events"])
        path = directory / "submissions" / doc["reporter"] / f"{month}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(submission_text(doc), encoding="utf-8")
    (directory / "injected.json").write_text(
        json.dumps(injected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
