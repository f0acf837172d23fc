"""Total quantity control: annual quotas in REO equivalent (Decree 785 art. 10, Order No. 71).

Per (enterprise, year, category) the REO equivalent of extract outputs is summed against the
`mining` quota of that deposit category, and the REO of `separation` outputs against the
`separation` quota (category `all`). Once a year's quotas of a kind are registered, an
enterprise without one has a quota of 0; a year with no quotas of that kind registered is not
judged. One finding
per (enterprise, year, category), pointing at the event where the running total first went over
it, with the year's whole total (as far as the audit date) as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from reetrace.domain.events import Extract, Transform
from reetrace.domain.rules.base import AuditContext, Step, exceeds, kg, show

_CODE = {"mining": "MINING_QUOTA_EXCEEDED", "separation": "SEPARATION_QUOTA_EXCEEDED"}


@dataclass(slots=True)
class _Tally:
    quota_kg: float | None
    used_kg: float = 0.0
    first_over: Step | None = None


class Quotas:
    STATE: tuple[str, ...] = ("_tallies",)  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._tallies: dict[tuple[str, int, str, str], _Tally] = {}

    def on_extract(self, step: Step[Extract]) -> None:
        event = step.event
        self._count(step, "mining", event.deposit, event)

    def on_transform(self, step: Step[Transform]) -> None:
        event = step.event
        if event.process == "separation":
            self._count(step, "separation", "all", event)

    def _count(self, step: Step, kind: str, category: str, event: Extract | Transform) -> None:
        key = (step.reporter, step.year, kind, category)
        tally = self._tallies.get(key)
        if tally is None:
            quota = self.ctx.registry.quota_kg(step.year, step.reporter, kind, category)
            tally = self._tallies[key] = _Tally(quota)
        reo = self.ctx.reo_per_kg
        tally.used_kg += sum([out.mass_kg * reo(out.composition) for out in event.outputs])
        if tally.first_over is None and tally.quota_kg is not None and exceeds(tally.used_kg, tally.quota_kg):
            tally.first_over = step

    def finish(self) -> None:
        for (uscc, year, kind, category), tally in self._tallies.items():
            step = tally.first_over
            if step is None or tally.quota_kg is None:
                continue
            excess = tally.used_kg - tally.quota_kg
            what = f"Mining ({category})" if kind == "mining" else "Separation"
            self.ctx.flag(
                _CODE[kind],
                step,
                f"{what} output of {uscc} in {year} reaches {show(tally.used_kg)} REO against a "
                f"quota of {show(tally.quota_kg)} (excess {show(excess)}).",
                {
                    "category": category,
                    "quota_kg": kg(tally.quota_kg),
                    "used_kg": kg(tally.used_kg),
                    "excess_kg": kg(excess),
                },
                message=_CODE[kind],
                params={
                    "enterprise": uscc,
                    "category": category,
                    "year": year,
                    "used_kg": kg(tally.used_kg),
                    "quota_kg": kg(tally.quota_kg),
                    "excess_kg": kg(excess),
                },
            )
