"""Only designated enterprises may mine or separate (Decree 785 art. 8).

UNAUTHORIZED_MINING: an `extract` by an enterprise without a `mining` qualification covering the
event day. UNAUTHORIZED_SEPARATION: a `separation` transform without a `separation` one.
"""

from __future__ import annotations

from datetime import date

from reetrace.domain.events import Extract, Transform
from reetrace.domain.rules.base import AuditContext, Step, sole_lot


class Authorization:
    STATE: tuple[str, ...] = ()  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._qualified: dict[tuple[str, str, date], bool] = {}

    def on_extract(self, step: Step) -> None:
        self._require(step, "mining", "UNAUTHORIZED_MINING", "mines")

    def on_transform(self, step: Step[Transform]) -> None:
        event = step.event
        if event.process == "separation":
            self._require(step, "separation", "UNAUTHORIZED_SEPARATION", "separates rare earths")

    def _require(self, step: Step[Extract | Transform], kind: str, code: str, doing: str) -> None:
        key = (step.reporter, kind, step.day)
        qualified = self._qualified.get(key)
        if qualified is None:
            qualified = self._qualified[key] = self.ctx.registry.qualified(*key)
        if qualified:
            return
        event = step.event
        day = step.day.isoformat()
        self.ctx.flag(
            code,
            step,
            f"{step.reporter} {doing} on {day} without a {kind} qualification valid on that day.",
            {"qualification": kind, "day": day, "lots": [out.lot for out in event.outputs]},
            lot=sole_lot(event),
            params={"reporter": step.reporter, "day": day},
        )
