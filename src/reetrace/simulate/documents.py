"""A national year's documents besides the submissions: the registry, the injections and the
summary, written when the year is over (quotas and licenses are known then)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.documents import REGISTRY_FORMAT, enterprise_entry
from reetrace.simulate.cast import site_entries
from reetrace.simulate.injections import RATES
from reetrace.simulate.state import YearState
from reetrace.simulate.world import StreamingWorld

SUMMARY_FORMAT = "reetrace/simulation-summary@1"


def _enterprise(state: YearState, actor: Actor) -> dict[str, Any]:
    sites = site_entries(actor, state.capacity_t.get(actor.key))
    return enterprise_entry(actor, state.world.year, sites, state.cast.expiring.get(actor.key))


def quotas(state: YearState) -> list[dict[str, Any]]:
    rows = []
    for actor in state.world.actors:
        if actor.role == "mine":
            category = "ion_adsorption" if actor.deposit == "ion" else "rock"
            rows.append(
                {
                    "year": state.world.year,
                    "uscc": actor.uscc,
                    "kind": "mining",
                    "category": category,
                    "tonnes_reo": state.quota_t[actor.key],
                }
            )
        elif actor.role == "separation":
            rows.append(
                {
                    "year": state.world.year,
                    "uscc": actor.uscc,
                    "kind": "separation",
                    "category": "all",
                    "tonnes_reo": state.quota_t[actor.key],
                }
            )
    return rows


def registry(state: YearState) -> dict[str, Any]:
    return {
        "format": REGISTRY_FORMAT,
        "enterprises": [_enterprise(state, a) for a in state.world.actors],
        "quotas": quotas(state),
        "licenses": [lic.document() for lic in state.licenses],
    }


def _t(kg: float) -> float:
    return round(kg / 1000, 3)


def summary(state: YearState, seed: int, scale: float) -> dict[str, Any]:
    world = state.world
    quota: defaultdict[str, float] = defaultdict(float)
    for row in quotas(state):
        quota["separation" if row["kind"] == "separation" else f"mining_{row['category']}"] += row["tonnes_reo"]
    mined: defaultdict[str, float] = defaultdict(float)
    for actor in world.by_role["mine"]:
        mined["ion_adsorption" if actor.deposit == "ion" else "rock"] += world.extracted_reo[actor.key]
    separated = sum(world.separated_reo.values())
    mining_quota = quota["mining_rock"] + quota["mining_ion_adsorption"]
    exported = {k.removeprefix("exported_"): _t(v) for k, v in sorted(state.tally.items()) if k.startswith("exported_")}
    counts = Counter(item["code"] for item in state.injections.injected)
    return {
        "format": SUMMARY_FORMAT,
        "seed": seed,
        "scale": scale,
        "year": world.year,
        "calibration": state.calibration.document(),
        "quotas_t": {
            "mining_rock": round(quota["mining_rock"], 3),
            "mining_ion_adsorption": round(quota["mining_ion_adsorption"], 3),
            "mining": round(mining_quota, 3),
            "separation": round(quota["separation"], 3),
        },
        "tonnes": {
            "mined_reo": {
                "rock": _t(mined["rock"]),
                "ion_adsorption": _t(mined["ion_adsorption"]),
                "total": _t(mined["rock"] + mined["ion_adsorption"]),
            },
            "imported_reo": _t(sum(state.imported_kg.values())),
            "separated_reo": _t(separated),
            "metal": _t(state.tally["metal"]),
            "alloy": _t(state.tally["alloy"]),
            "magnets": _t(state.tally["magnets"]),
            "exported": {**exported, "total": round(sum(exported.values()), 3)},
            "consumed": _t(state.tally["consumed"]),
            "recycled": _t(state.tally["recycled"]),
            "stocked": {p: _t(kg) for p, kg in sorted(world.stocked_kg.items())},
        },
        "quota_fill": {
            "mining": round((mined["rock"] + mined["ion_adsorption"]) / 1000 / mining_quota, 4),
            "separation": round(separated / 1000 / quota["separation"], 4),
        },
        "events": world.event_count,
        "submissions": world.submission_count,
        **_epcis(world),
        "enterprises": {**dict(Counter(a.role for a in world.actors)), "total": len(world.actors)},
        "licenses": len(state.licenses),
        "injected": {code: counts[code] for code in RATES},
        "not_injected": state.injections.missing(),
        "rates": {
            code: {"one_per": state.injections.per(code), "unit": r.unit, "what": r.what} for code, r in RATES.items()
        },
    }


def _epcis(world: StreamingWorld) -> dict[str, Any]:
    """How many of the monthly reports are EPCIS documents, said only when some may be: without
    EPCIS the summary stays what it was."""
    if not world.epcis_share:
        return {}
    return {"epcis": {"share": world.epcis_share, "documents": world.epcis_count}}


def write_json(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
