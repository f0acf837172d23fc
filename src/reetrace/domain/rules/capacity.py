"""Output beyond what a plant can make (docs/contract.md §12, docs/evasion.md).

CAPACITY_EXCEEDED: a site's output in a calendar year (China time) exceeds its registered
`capacity_t_reo`. Its output is the REO equivalent of the outputs of the extractions and
transforms (except `repack`, which makes nothing) done at it. An event counts for the site it
names when that is one of the reporter's registered sites (`Registry.own_site`); an event that
names none of them counts for the reporter's only site with a capacity, and for none when it has
several (nothing says which). One finding per site and year, pointing at the event at which the
running total first went over, with the year's whole output (as far as the audit date) as
evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from reetrace.domain.events import Extract, Transform
from reetrace.domain.registry import Site
from reetrace.domain.rules.base import AuditContext, Step, exceeds

CODE = "CAPACITY_EXCEEDED"


@dataclass(slots=True)
class _Tally:
    site: Site
    capacity_kg: float
    output_kg: float = 0.0
    first_over: Step | None = None


class Capacity:
    STATE: tuple[str, ...] = ("_tallies",)  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._tallies: dict[tuple[str, str, int], _Tally] = {}
        self._counted: dict[tuple[str, str | None], Site | None] = {}  # (reporter, named site) -> counted

    def on_extract(self, step: Step[Extract]) -> None:
        self._count(step, step.event)

    def on_transform(self, step: Step[Transform]) -> None:
        if step.event.process != "repack":
            self._count(step, step.event)

    def counted_site(self, event: Extract | Transform) -> Site | None:
        """The site whose capacity the event's output counts against, if any."""
        registry = self.ctx.registry
        sites = registry.capacity_sites(event.reporter)
        if not sites:
            return None
        site = registry.own_site(event.reporter, event.site)
        if site is not None:
            return site if site.capacity_t_reo is not None else None
        return sites[0] if len(sites) == 1 else None

    def _count(self, step: Step, event: Extract | Transform) -> None:
        where = (event.reporter, event.site)
        if where in self._counted:
            site = self._counted[where]
        else:
            site = self._counted[where] = self.counted_site(event)
        if site is None or site.capacity_t_reo is None:
            return
        key = (site.uscc, site.code, step.year)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally(site, site.capacity_t_reo * 1000.0)
        reo = self.ctx.reo_per_kg
        tally.output_kg += sum([out.mass_kg * reo(out.composition) for out in event.outputs])
        if tally.first_over is None and exceeds(tally.output_kg, tally.capacity_kg):
            tally.first_over = step

    def finish(self) -> None:
        for (uscc, _, year), tally in self._tallies.items():
            step = tally.first_over
            if step is None:
                continue
            where = tally.site.ref
            output_t, capacity_t = tally.output_kg / 1000.0, tally.capacity_kg / 1000.0
            figures = {
                "output_t_reo": tonnes(output_t),
                "capacity_t_reo": tonnes(capacity_t),
                "excess_t_reo": tonnes(output_t - capacity_t),
            }
            self.ctx.flag(
                CODE,
                step,
                f"Output of site {where} of {uscc} in {year} reaches {output_t:,.3f} t REO against a registered "
                f"capacity of {capacity_t:,.3f} t REO a year (excess {output_t - capacity_t:,.3f} t).",
                {"site": where, "year": year, **figures},
                enterprise=uscc,
                params={"site": where, "enterprise": uscc, "year": year, **figures},
            )


def tonnes(value: float) -> float:
    """Tonnes for evidence: to the gram, never -0.0."""
    return round(value, 6) + 0.0
