"""Ore laundered through a legal mine: an extracted lot whose composition does not fit its deposit
(docs/contract.md §12, the chemistry in docs/evasion.md).

COMPOSITION_IMPLAUSIBLE: every deposit has its own distribution of the rare earths. When the
mine's site has a registered `profile`, an extracted lot's REO shares may differ from it (the
profile normalised to sum 1) by an L1 distance of at most `composition_l1_max` over the 17
elements. Without a profile the deposit's category decides — the site's registered `deposit`,
else the one the extraction declares: a rock (light) deposit yields at most
`rock_heavy_share_max` heavy rare earths, an ion-adsorption clay at least
`ion_adsorption_heavy_share_min`. An extraction declaring another deposit than its site's
registered one is itself implausible. One finding per output lot, with every reason found.

The site is the one the extraction names when it is one of the reporter's registered sites
(`Registry.own_site`); an extraction naming none is judged by the deposit it declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reetrace.domain.elements import ELEMENTS, HEAVY, reo_shares
from reetrace.domain.events import Extract, NewLot
from reetrace.domain.registry import Site
from reetrace.domain.rules.base import AuditContext, Step, exceeds, ratio

CODE = "COMPOSITION_IMPLAUSIBLE"


def l1_distance(shares: Mapping[str, float], profile: Mapping[str, float]) -> float:
    """Σ |share_e − profile_e| over the 17 elements, a missing element counting 0; the profile is
    normalised to sum 1 first."""
    normal = normalised(profile)
    return sum(abs(shares.get(e, 0.0) - normal.get(e, 0.0)) for e in ELEMENTS)


def heavy_share(shares: Mapping[str, float]) -> float:
    return sum(v for e, v in shares.items() if e in HEAVY)


class Composition:
    STATE: tuple[str, ...] = ()  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx

    def on_extract(self, step: Step[Extract]) -> None:
        event = step.event
        site = self.ctx.registry.own_site(event.reporter, event.site)
        for out in event.outputs:
            self._judge(step, event, site, out)

    def _judge(self, step: Step[Extract], event: Extract, site: Site | None, out: NewLot) -> None:
        t = self.ctx.thresholds
        shares = reo_shares(out.composition)
        where = site.ref if site is not None else None
        evidence: dict[str, Any] = {"site": where}
        params: dict[str, Any] = {"lot": out.lot, "reporter": event.reporter, "site": where or ""}
        reasons: list[str] = []  # what the message says, the first reason first
        registered = site.deposit if site is not None else None
        contradicts = registered is not None and event.deposit != registered
        if contradicts:
            evidence |= {"declared_deposit": event.deposit, "registered_deposit": registered}
            reasons.append(
                f"the extraction declares a {event.deposit} deposit but site {where} is registered as {registered}"
            )
        params |= {"declared_deposit": event.deposit if contradicts else "", "registered_deposit": registered or ""}
        message = f"{CODE}.deposit"
        if shares and site is not None and site.profile:
            distance = l1_distance(shares, site.profile)
            if exceeds(distance, t.composition_l1_max):
                message = f"{CODE}.profile"
                figures = {"distance": ratio(distance), "distance_max": t.composition_l1_max}
                evidence |= figures | {"composition": _shown(shares), "profile": _shown(normalised(site.profile))}
                params |= figures
                reasons.insert(
                    0,
                    f"its REO shares lie at an L1 distance of {distance:.3f} from the site's registered "
                    f"profile (at most {t.composition_l1_max:.3f} fits)",
                )
        elif shares:
            category = registered or event.deposit
            heavy = heavy_share(shares)
            if category == "rock" and exceeds(heavy, t.rock_heavy_share_max):
                message = f"{CODE}.rock"
                figures = {"heavy_share": ratio(heavy), "heavy_share_max": t.rock_heavy_share_max}
                reasons.insert(
                    0,
                    f"{heavy:.1%} of its REO is heavy rare earths, above the {t.rock_heavy_share_max:.0%} a rock "
                    "deposit yields",
                )
            elif category == "ion_adsorption" and exceeds(t.ion_adsorption_heavy_share_min, heavy):
                message = f"{CODE}.ion_adsorption"
                figures = {"heavy_share": ratio(heavy), "heavy_share_min": t.ion_adsorption_heavy_share_min}
                reasons.insert(
                    0,
                    f"only {heavy:.1%} of its REO is heavy rare earths, below the "
                    f"{t.ion_adsorption_heavy_share_min:.0%} an ion-adsorption deposit yields",
                )
            else:
                figures = {}
            if figures:
                evidence |= {"category": category, **figures, "composition": _shown(shares)}
                params |= {"category": category, **figures}
        if not reasons:
            return
        self.ctx.flag(
            CODE,
            step,
            f"Lot {out.lot} extracted by {event.reporter} does not fit its deposit: " + "; ".join(reasons) + ".",
            evidence,
            lot=out.lot,
            message=message,
            params=params,
        )


def normalised(profile: Mapping[str, float]) -> dict[str, float]:
    total = sum(profile.values())
    return {e: v / total for e, v in profile.items()} if total > 0 else {}


def _shown(shares: Mapping[str, float]) -> dict[str, float]:
    """REO shares for evidence, largest first; the shares below 0.05 % left out."""
    return {e: ratio(v) for e, v in sorted(shares.items(), key=lambda p: (-p[1], p[0])) if v >= 0.0005}
