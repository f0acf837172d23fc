"""Mass balance and yield of transforms: outputs that exceed inputs launder material, yields far
below the norm divert it.

MASS_BALANCE_VIOLATION: for some element, the outputs hold more than the inputs drawn, beyond
`mass_balance_relative` × in + `mass_balance_absolute_kg`. An input of unknown content (a lot of
unknown origin) may have supplied up to its whole drawn mass of any element, so no violation is
claimed for what it could explain. One finding per transform, every violating element listed.

LOW_YIELD: the REO yield (REO out / REO of the inputs drawn) is below the process floor; judged
only for processes with a floor, and only when every input's content is known and holds REO.

ELEMENT_DIVERTED: for a controlled element (docs/contract.md §12) of which the inputs drawn hold
at least `diverted_min_kg`, the outputs together (side streams included) hold less than
`diverted_ratio` of it: a loss far beyond what any process loses (docs/evasion.md). Judged on
the inputs of known content only: what a lot of unknown content held cannot be known, and had
it held the element the loss would only be larger, so a loss shown without it is a loss. Judged
whatever the REO yield: a diversion of 2 kg of Tb hides in a good yield of Ce. One finding per
transform and element.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reetrace.domain.events import Transform
from reetrace.domain.rules.base import AuditContext, Step, exceeds, kg, ratio, show, sole_lot


class Balance:
    STATE: tuple[str, ...] = ()  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx

    def on_transform(self, step: Step[Transform]) -> None:
        event = step.event
        reo = self.ctx.reo_per_kg
        kg_in: dict[str, float] = defaultdict(float)
        unknown_kg = 0.0
        any_unknown = False
        reo_in = 0.0
        for draw in event.inputs:
            lot = self.ctx.ledger.get(draw.lot)
            composition = lot.composition if lot is not None else None
            if composition is None:
                any_unknown = True
                unknown_kg += draw.mass_kg
                continue
            for element, fraction in composition.items():
                if fraction > 0:
                    kg_in[element] += draw.mass_kg * fraction
            reo_in += draw.mass_kg * reo(composition)
        kg_out: dict[str, float] = defaultdict(float)
        reo_out = 0.0
        for out in event.outputs:
            for element, fraction in out.composition.items():
                if fraction > 0:
                    kg_out[element] += out.mass_kg * fraction
            reo_out += out.mass_kg * reo(out.composition)
        self._balance(step, event, kg_in, kg_out, unknown_kg)
        self._diverted(step, event, kg_in, kg_out)
        if not any_unknown and reo_in > 0:
            self._yield(step, event, reo_in, reo_out)

    def _balance(
        self, step: Step, event: Transform, kg_in: dict[str, float], kg_out: dict[str, float], unknown_kg: float
    ) -> None:
        t = self.ctx.thresholds
        violations: dict[str, dict[str, float]] = {}
        for element in sorted(kg_out):
            out, held = kg_out[element], kg_in.get(element, 0.0)
            limit = (held + unknown_kg) * (1 + t.mass_balance_relative) + t.mass_balance_absolute_kg
            if exceeds(out, limit):
                violations[element] = {"kg_in": held, "kg_out": out, "excess_kg": out - held - unknown_kg}
        if not violations:
            return
        worst = max(violations, key=lambda e: (violations[e]["excess_kg"], e))
        w = violations[worst]
        detail = (
            f"{event.process.capitalize()} outputs hold {show(w['kg_out'])} of {worst} but inputs "
            f"held only {show(w['kg_in'])}"
        )
        if unknown_kg > 0:
            detail += f" plus {show(unknown_kg)} drawn from lots of unknown content"
        detail += f" (excess {show(w['excess_kg'])})."
        if len(violations) > 1:
            others = ", ".join(e for e in violations if e != worst)
            detail += f" Outputs also exceed inputs for {others}."
        evidence: dict[str, Any] = {
            "process": event.process,
            "element": worst,
            "kg_in": kg(w["kg_in"]),
            "kg_out": kg(w["kg_out"]),
            "excess_kg": kg(w["excess_kg"]),
            "elements": {e: {k: kg(v) for k, v in figures.items()} for e, figures in violations.items()},
        }
        if unknown_kg > 0:
            evidence["unknown_input_kg"] = kg(unknown_kg)
        params: dict[str, Any] = {
            "process": event.process,
            "element": worst,
            "out_kg": kg(w["kg_out"]),
            "in_kg": kg(w["kg_in"]),
            "excess_kg": kg(w["excess_kg"]),
            "unknown_kg": kg(unknown_kg),
            "elements": [e for e in violations if e != worst],
        }
        message = "MASS_BALANCE_VIOLATION" + (".unknown" if unknown_kg > 0 else "")
        self.ctx.flag(
            "MASS_BALANCE_VIOLATION", step, detail, evidence, lot=sole_lot(event), message=message, params=params
        )

    def _diverted(self, step: Step, event: Transform, kg_in: dict[str, float], kg_out: dict[str, float]) -> None:
        t = self.ctx.thresholds
        for element in t.diverted_elements:
            held = kg_in.get(element, 0.0)
            if held < t.diverted_min_kg:
                continue
            out = kg_out.get(element, 0.0)
            if not exceeds(t.diverted_ratio * held, out):
                continue
            share = out / held
            self.ctx.flag(
                "ELEMENT_DIVERTED",
                step,
                f"{event.process.capitalize()} outputs hold {show(out)} of {element}, {share:.2%} of the "
                f"{show(held)} its inputs held, below {t.diverted_ratio:.0%}: {show(held - out)} left the books.",
                {
                    "process": event.process,
                    "element": element,
                    "kg_in": kg(held),
                    "kg_out": kg(out),
                    "ratio": ratio(share),
                    "minimum_ratio": t.diverted_ratio,
                },
                lot=sole_lot(event),
                params={
                    "process": event.process,
                    "element": element,
                    "out_kg": kg(out),
                    "in_kg": kg(held),
                    "ratio": ratio(share),
                    "minimum_ratio": t.diverted_ratio,
                },
            )

    def _yield(self, step: Step, event: Transform, reo_in: float, reo_out: float) -> None:
        floor = self.ctx.thresholds.yield_floor.get(event.process)
        if floor is None:
            return
        result = reo_out / reo_in
        if not exceeds(floor, result):
            return
        self.ctx.flag(
            "LOW_YIELD",
            step,
            f"{event.process.capitalize()} yield is {result:.4f} ({show(reo_out)} REO out of "
            f"{show(reo_in)} in), below the floor of {floor:.4f}.",
            {
                "process": event.process,
                "yield": ratio(result),
                "floor": floor,
                "reo_in_kg": kg(reo_in),
                "reo_out_kg": kg(reo_out),
            },
            lot=sole_lot(event),
            params={
                "process": event.process,
                "yield": ratio(result),
                "out_kg": kg(reo_out),
                "in_kg": kg(reo_in),
                "floor": floor,
            },
        )
