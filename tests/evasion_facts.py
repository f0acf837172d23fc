"""The facts the evasion rules of CONTRACT §12 decide on, recomputed from the generated documents
themselves (events and registry, as JSON) with nothing from the generator: element ratios of
transforms, L1 distances of extracted lots from their site's profile, the manufactured share of
recycling inputs, running output against capacity, and material returning to an enterprise.

The rules are written elsewhere; these are the tests' own plain arithmetic, so that a generated
year can be checked to hold each injected scheme and its near misses before the rules exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reetrace.domain.elements import REO_FACTOR

CONTROLLED = ("Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y", "Sc")
HEAVY = ("Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y")
MANUFACTURED = ("metal", "alloy", "magnet")


def reo(mass: float, composition: dict[str, float]) -> float:
    return sum(mass * f / REO_FACTOR[e] for e, f in composition.items())


def shares_of_reo(composition: dict[str, float]) -> dict[str, float]:
    parts = {e: f / REO_FACTOR[e] for e, f in composition.items()}
    total = sum(parts.values())
    return {e: v / total for e, v in parts.items()}


def l1(shares: dict[str, float], profile: dict[str, float]) -> float:
    total = sum(profile.values())
    return sum(abs(shares.get(e, 0.0) - profile.get(e, 0.0) / total) for e in set(shares) | set(profile))


@dataclass
class Ledger:
    registry: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]]  # (reporter, event), in time order
    made: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=dict)  # lot -> creator

    def __post_init__(self) -> None:
        self.events.sort(key=lambda pair: datetime.fromisoformat(pair[1]["time"]))
        for reporter, e in self.events:
            for out in e.get("outputs", []):
                self.made[out["lot"]] = (reporter, e, out)
        self.sites = {
            f"{ent['uscc']}/{site['code']}": site for ent in self.registry["enterprises"] for site in ent["sites"]
        }

    @staticmethod
    def ref(reporter: str, event: dict[str, Any]) -> str:
        return f"{reporter}:{event['event_id']}"

    def of(self, type_: str, process: str | None = None) -> Iterable[tuple[str, dict[str, Any]]]:
        for reporter, e in self.events:
            if e["type"] == type_ and (process is None or e.get("process") == process):
                yield reporter, e

    def elements(self, lot: str, mass: float) -> dict[str, float]:
        made = self.made.get(lot)
        return {e: mass * f for e, f in made[2]["composition"].items()} if made else {}

    # --- ELEMENT_DIVERTED -------------------------------------------------------------------------
    def element_ratios(self, event: dict[str, Any]) -> dict[str, float]:
        """Output ÷ input mass of each controlled element with at least 1 kg in the inputs."""
        into: dict[str, float] = defaultdict(float)
        out: dict[str, float] = defaultdict(float)
        for draw in event["inputs"]:
            for e, kg in self.elements(draw["lot"], draw["mass_kg"]).items():
                into[e] += kg
        for o in event["outputs"]:
            for e, f in o["composition"].items():
                out[e] += o["mass_kg"] * f
        return {e: out[e] / into[e] for e in CONTROLLED if into[e] >= 1.0}

    def reo_yield(self, event: dict[str, Any]) -> float:
        into = sum(reo(d["mass_kg"], self.made[d["lot"]][2]["composition"]) for d in event["inputs"])
        return sum(reo(o["mass_kg"], o["composition"]) for o in event["outputs"]) / into

    # --- COMPOSITION_IMPLAUSIBLE ------------------------------------------------------------------
    def extracted(self) -> Iterable[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]]:
        """(reporter, extract, output lot, registered site) for every extracted lot."""
        for reporter, e in self.of("extract"):
            for out in e["outputs"]:
                yield reporter, e, out, self.sites[e["site"]]

    # --- RECYCLING_IMPLAUSIBLE --------------------------------------------------------------------
    def manufactured(self, lot: str, memo: dict[str, dict[str, float]]) -> dict[str, float]:
        """Of each element of the lot, the share that descends from manufactured material (§6
        proportional allocation; the lot itself included)."""
        if lot in memo:
            return memo[lot]
        made = self.made.get(lot)
        if made is None:
            return {}
        _, event, out = made
        if out["form"] in MANUFACTURED or (event["type"] == "import" and out["form"] == "scrap"):
            share = {e: 1.0 for e in out["composition"]}
        elif event["type"] != "transform":
            share = {e: 0.0 for e in out["composition"]}
        else:
            into: dict[str, float] = defaultdict(float)
            good: dict[str, float] = defaultdict(float)
            for draw in event["inputs"]:
                m = self.manufactured(draw["lot"], memo)
                for e, kg in self.elements(draw["lot"], draw["mass_kg"]).items():
                    into[e] += kg
                    good[e] += kg * m.get(e, 0.0)
            share = {e: good[e] / into[e] if into[e] else 0.0 for e in out["composition"]}
        memo[lot] = share
        return share

    def recycling_offences(self, event: dict[str, Any], memo: dict[str, dict[str, float]]) -> list[str]:
        """The inputs of a recycling run that are not scrap: under half manufactured, or ore-like."""
        bad = []
        for draw in event["inputs"]:
            composition = self.made[draw["lot"]][2]["composition"]
            total = sum(composition.values())
            m = self.manufactured(draw["lot"], memo)
            share = sum(f * m.get(e, 0.0) for e, f in composition.items()) / total
            y = composition.get("Y", 0.0) / total
            la_ce = (composition.get("La", 0.0) + composition.get("Ce", 0.0)) / total
            if share < 0.5 or y > 0.10 or la_ce > 0.20:
                bad.append(draw["lot"])
        return bad

    # --- CAPACITY_EXCEEDED ------------------------------------------------------------------------
    def running_output(self) -> dict[str, list[tuple[float, str]]]:
        """Each site's running output (kg REO) after each extract and transform but repacks."""
        steps: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for reporter, e in self.events:
            if e["type"] == "extract" or (e["type"] == "transform" and e["process"] != "repack"):
                total = steps[e["site"]][-1][0] if steps[e["site"]] else 0.0
                total += sum(reo(o["mass_kg"], o["composition"]) for o in e["outputs"])
                steps[e["site"]].append((total, self.ref(reporter, e)))
        return steps

    # --- LAYERED_CIRCULAR_TRADE -------------------------------------------------------------------
    def returns(self, days: int = 180) -> list[dict[str, Any]]:
        """Receipts of a lot descending (through transforms, no recycling) from a different lot the
        receiver shipped away at most `days` before, with the other enterprises that held the
        material in between."""
        shipped: dict[tuple[str, str], datetime] = {}
        holders: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        for reporter, e in self.events:
            if e["type"] in ("ship", "receive"):
                for lot in e["lots"]:
                    holders[lot].append((datetime.fromisoformat(e["time"]), reporter))
            if e["type"] == "ship":
                for lot in e["lots"]:
                    shipped[(reporter, lot)] = datetime.fromisoformat(e["time"])
        for lot, (reporter, event, _) in self.made.items():
            holders[lot].append((datetime.fromisoformat(event["time"]), reporter))
        found = []
        for reporter, e in self.of("receive"):
            when = datetime.fromisoformat(e["time"])
            for lot in e["lots"]:
                stack: list[tuple[str, tuple[str, ...], int]] = [(lot, (), 0)]
                while stack:
                    current, path, transforms = stack.pop()
                    if current != lot and (reporter, current) in shipped:
                        left = shipped[(reporter, current)]
                        if left < when and (when - left).days <= days:
                            others = {who for z in path + (lot,) for t, who in holders[z] if t <= when} - {reporter}
                            found.append(
                                {
                                    "receipt": self.ref(reporter, e),
                                    "lot": lot,
                                    "earlier": current,
                                    "others": others,
                                    "transforms": transforms,
                                    "days": (when - left).days,
                                }
                            )
                    made = self.made.get(current)
                    if made and made[1]["type"] == "transform" and made[1]["process"] != "recycling":
                        for draw in made[1]["inputs"]:
                            stack.append((draw["lot"], path + ((current,) if current != lot else ()), transforms + 1))
        return found
