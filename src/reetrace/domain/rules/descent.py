"""What a lot descends from, carried forward through the replay: recycling that takes no scrap,
and material that comes back to an enterprise by a detour (docs/contract.md §12, docs/evasion.md).

Both rules need the §6 backward allocation of the lots they judge. Tracing back at every
recycling run or receipt would walk the graph again and again; instead each lot carries, from
its creation, the little the rules need of its ancestry, mixed through each transform element by
element exactly as §6 allocates (`reetrace.domain.trace.allocate`):

- its *manufactured share*: for each element, the fraction descending from manufactured material
  (a lot of form metal, alloy or magnet, or a lot an `import` created with form scrap; the lot
  itself included). Most lots descend from none and carry nothing.
- its *holdings*: for a lot an enterprise shipped away, the enterprise, that earlier lot, when it
  left, the fraction of each element descending from it, the enterprises the material has passed
  since and the transforms it went through.

RECYCLING_IMPLAUSIBLE: a `recycling` transform with an input of known content that has less than
`recycling_manufactured_share` of its rare-earth element mass from manufactured material, or
that is ore-like: Y above `recycling_y_share`, or La + Ce above `recycling_la_ce_share`, of its
rare-earth element mass. An input of unknown content is not judged (it is UNKNOWN_LOT); what an
input descends from through lots of unknown origin is not manufactured. One finding per transform.

LAYERED_CIRCULAR_TRADE: an enterprise receives a lot at least `layered_share` of whose
rare-earth element mass descends from a lot it shipped away at most `layered_days` before,
having passed since through at least `layered_enterprises` other enterprises and
`layered_transforms` transforms (a repack counts), none a recycling run. The very lot coming back
is CIRCULAR_TRADE (custody), not this. One finding per received lot and earlier lot.

Holdings are kept few. The audit knows ahead, from the received shipments up to the audit date,
whose material can come to whom (`ShipmentIndex.reach`): no holding is made when nothing the
receiver a lot is shipped to holds can ever come to the sender, and a holding is dropped as soon
as the lot is received by an enterprise from which nothing can come to the holding's enterprise.
(A lot received by another enterprise than the one it was shipped to, itself a finding of the
custody rules, carries no holding of that shipment when its addressee could not reach back.)
One is closed when it comes back to its enterprise (judged then), dropped once older than
`layered_days`, through a recycling run, and when no element of the lot descends from it by
`layered_share` or more. A lot's share of an earlier lot is a mean of its inputs' shares weighted
by the allocation, never above the largest, so a dropped holding could reach the threshold again
only by meeting another part of the same earlier lot that already carries nearly all of it; that
small remainder is not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from reetrace.domain.events import Draw, Export, Import, Receive, Ship, Transform
from reetrace.domain.rules.base import AuditContext, Step, exceeds, ratio, sole_lot
from reetrace.domain.trace import allocate

MANUFACTURED_FORMS = frozenset({"metal", "alloy", "magnet"})

# A fraction per element, or one fraction for every element (the common case: 1, wholly).
Fractions = float | Mapping[str, float]


def part(fractions: Fractions, element: str) -> float:
    return fractions if isinstance(fractions, float) else fractions.get(element, 0.0)


def ree_share(fractions: Fractions | None, composition: Mapping[str, float]) -> float:
    """The share of a lot's rare-earth element mass that the per-element fractions describe."""
    total = sum(f for f in composition.values() if f > 0)
    if fractions is None or total <= 0:
        return 0.0
    if isinstance(fractions, float):
        return fractions
    return sum(f * fractions.get(e, 0.0) for e, f in composition.items() if f > 0) / total


def manufactured(form: str | None, created_by: type) -> bool:
    """Whether a lot so created is manufactured material (docs/contract.md §12)."""
    return form in MANUFACTURED_FORMS or (created_by is Import and form == "scrap")


class Holding(NamedTuple):
    """A lot `enterprise` shipped away at `left_at`, as an ancestor of the lot that carries it."""

    enterprise: str
    lot: str
    left_at: datetime
    fractions: Fractions  # of each element of the carrying lot, descending from `lot`
    passed: tuple[str, ...]  # the other enterprises that received it since, in turn
    transforms: int

    def top(self) -> float:
        return self.fractions if isinstance(self.fractions, float) else max(self.fractions.values(), default=0.0)


def _left_at(holding: Holding) -> datetime:
    return holding.left_at


class Descent:
    STATE: tuple[str, ...] = ("_made", "_held")  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        t = ctx.thresholds
        self._window = timedelta(days=t.layered_days)
        # lot -> manufactured share, for the lots whose form does not say it (a lot of a
        # manufactured form is wholly manufactured: `made`); absent: none
        self._made: dict[str, Fractions] = {}
        self._held: dict[str, tuple[Holding, ...]] = {}  # lot -> its holdings; absent: none

    def close(self, now: datetime) -> None:
        """Before its state is kept at a year's end (reetrace.domain.closing): forget the
        holdings already out of the window at `now`, as the next look at their lot, always
        later, would."""
        for lot_id in list(self._held):
            self._current(lot_id, now)

    def made(self, lot_id: str) -> Fractions | None:
        """A lot's manufactured share (None: none of it)."""
        state = self.ctx.ledger.lots.get(lot_id)
        if state is not None and state.form in MANUFACTURED_FORMS:
            return 1.0
        return self._made.get(lot_id)

    # -- creations ------------------------------------------------------------------------------

    def _fresh(self, lot_id: str) -> bool:
        """Whether this creation is the one that counts (the first), as the ledger takes it."""
        state = self.ctx.ledger.get(lot_id)
        return state is None or state.created_by is None

    def on_import(self, step: Step[Import]) -> None:
        for out in step.event.outputs:  # imported scrap is manufactured, its form does not say so
            if out.form not in MANUFACTURED_FORMS and manufactured(out.form, Import) and self._fresh(out.lot):
                self._made[out.lot] = 1.0

    def on_transform(self, step: Step[Transform]) -> None:
        event = step.event
        recycling = event.process == "recycling"
        if recycling:
            self._judge_recycling(step)
        inputs = [draw.lot for draw in event.inputs]
        any_held = not self._held.keys().isdisjoint(inputs)
        carried = any_held and not recycling
        # a manufactured output is wholly manufactured whatever it came from: only the others
        # take a share, and only when some input has one
        unmade = not MANUFACTURED_FORMS.issuperset([out.form for out in event.outputs])
        if not carried and not (unmade and any(self.made(lot) is not None for lot in inputs)):
            if any_held:
                self._release(event.inputs)
            return
        drawn: dict[str, float] = {}
        for draw in event.inputs:
            drawn[draw.lot] = drawn.get(draw.lot, 0.0) + draw.mass_kg
        fresh = [out for out in event.outputs if self._fresh(out.lot)]
        made = {lot: m for lot in drawn if (m := self.made(lot)) is not None} if unmade else {}
        held = {lot: h for lot in drawn if (h := self._current(lot, step.time))} if carried else {}
        self._release(event.inputs)
        if not fresh or not (made or held):
            return
        wholly: Fractions | None = None
        if len(made) == len(drawn) and all(m == 1.0 for m in made.values()):
            # every element of the outputs comes from wholly manufactured inputs (§6 gives each
            # element's supply out in parts that add up to one): no allocation needed
            wholly, made = 1.0, {}
            if not held:
                for out in fresh:
                    if out.form not in MANUFACTURED_FORMS:
                        self._made[out.lot] = wholly
                return
        if len(drawn) == 1:  # one input supplied everything
            fractions: dict[str, dict[str, float]] | None = None
            elements: tuple[str, ...] = ()
        else:
            lots = self.ctx.ledger.lots
            compositions = {lot: lots[lot].composition for lot in drawn}
            elements = tuple(
                sorted(
                    {e for c in compositions.values() if c for e in c}
                    | {e for out in event.outputs for e in out.composition}
                )
            )
            fractions = allocate(drawn, compositions, event.outputs, elements)
        mixed_made = self._mix_made(made, fractions, elements) if made else wholly
        holdings = self._mix_held(held, fractions, elements) if held else ()
        for out in fresh:
            if mixed_made is not None and out.form not in MANUFACTURED_FORMS:
                self._made[out.lot] = mixed_made
            if holdings:
                self._held[out.lot] = holdings

    @staticmethod
    def _mix_made(
        made: Mapping[str, Fractions], fractions: Mapping[str, Mapping[str, float]] | None, elements: Iterable[str]
    ) -> Fractions | None:
        if fractions is None:
            return next(iter(made.values()))
        mixed = {e: sum(fractions[lot][e] * part(m, e) for lot, m in made.items()) for e in elements}
        if not any(v > 0 for v in mixed.values()):
            return None
        return mixed

    def _mix_held(
        self,
        held: Mapping[str, tuple[Holding, ...]],
        fractions: Mapping[str, Mapping[str, float]] | None,
        elements: Iterable[str],
    ) -> tuple[Holding, ...]:
        if fractions is None:
            return tuple(
                sorted(
                    (
                        Holding(h.enterprise, h.lot, h.left_at, h.fractions, h.passed, h.transforms + 1)
                        for hs in held.values()
                        for h in hs
                    ),
                    key=_left_at,
                )
            )
        mixed: dict[tuple[str, str, datetime, tuple[str, ...], int], dict[str, float]] = {}
        for lot, holdings in held.items():
            supplied = fractions[lot]
            for h in holdings:
                into = mixed.setdefault((h.enterprise, h.lot, h.left_at, h.passed, h.transforms + 1), {})
                for e in elements:
                    into[e] = into.get(e, 0.0) + supplied[e] * part(h.fractions, e)
        floor = self.ctx.thresholds.layered_share
        kept = [
            Holding(enterprise, lot, left_at, shares, passed, transforms)
            for (enterprise, lot, left_at, passed, transforms), shares in mixed.items()
            if not exceeds(floor, max(shares.values(), default=0.0))
        ]
        kept.sort(key=_left_at)  # oldest first, as `_current` reads them
        return tuple(kept)

    def _current(self, lot_id: str, now: datetime) -> tuple[Holding, ...]:
        """A lot's holdings still within the window at `now` (older ones are dropped). Holdings
        are kept oldest first, so most calls look at one."""
        holdings = self._held.get(lot_id)
        if not holdings:
            return ()
        if now - holdings[0].left_at <= self._window:
            return holdings
        kept = tuple(h for h in holdings if now - h.left_at <= self._window)
        if len(kept) != len(holdings):
            self._keep(lot_id, kept)
        return kept

    def _keep(self, lot_id: str, holdings: tuple[Holding, ...]) -> None:
        if holdings:
            self._held[lot_id] = holdings
        else:
            self._held.pop(lot_id, None)

    def _release(self, draws: Iterable[Draw]) -> None:
        """Forget the holdings of lots this transform uses up: nothing more descends from them."""
        drawn: dict[str, float] = {}
        for draw in draws:
            if draw.lot in self._held:
                drawn[draw.lot] = drawn.get(draw.lot, 0.0) + draw.mass_kg
        lots = self.ctx.ledger.lots
        tolerance = self.ctx.thresholds.overdraw_tolerance_kg
        for lot_id, mass in drawn.items():
            if lots[lot_id].remaining_kg - mass <= tolerance:
                del self._held[lot_id]

    # -- custody --------------------------------------------------------------------------------

    def on_ship(self, step: Step[Ship]) -> None:
        event = step.event
        if not self.ctx.shipments.may_reach(event.to, event.reporter):
            return  # nothing the receiver holds can ever come back to the sender
        for lot_id in dict.fromkeys(event.lots):
            state = self.ctx.ledger.get(lot_id)
            if state is None or not state.held_by(event.reporter):
                continue
            leaving = Holding(event.reporter, lot_id, step.time, 1.0, (), 0)
            self._held[lot_id] = (*self._current(lot_id, step.time), leaving)

    def on_receive(self, step: Step[Receive]) -> None:
        event = step.event
        if self._held.keys().isdisjoint(event.lots):
            return  # most receipts: nothing carried
        receiver = event.reporter
        for lot_id in dict.fromkeys(event.lots):
            holdings = self._current(lot_id, step.time)
            if not holdings:
                continue
            back = [h for h in holdings if h.enterprise == receiver]
            may_reach = self.ctx.shipments.may_reach
            # (the constructor, not `_replace`: this runs for every holding at every receipt)
            onward = tuple(
                h
                if receiver in h.passed
                else Holding(h.enterprise, h.lot, h.left_at, h.fractions, (*h.passed, receiver), h.transforms)
                for h in holdings
                if h.enterprise != receiver and may_reach(receiver, h.enterprise)
            )
            self._keep(lot_id, onward)
            if back:
                self._judge_return(step, lot_id, back)

    def on_export(self, step: Step[Export]) -> None:
        held_of = self._held
        if not held_of.keys().isdisjoint(step.event.lots):
            for lot_id in step.event.lots:
                held_of.pop(lot_id, None)

    # -- judgements -----------------------------------------------------------------------------

    def _judge_return(self, step: Step[Receive], lot_id: str, back: list[Holding]) -> None:
        t = self.ctx.thresholds
        state = self.ctx.ledger.lots[lot_id]
        if not state.composition:
            return
        by_lot: dict[str, list[Holding]] = {}
        for h in back:
            if h.lot != lot_id and len(h.passed) >= t.layered_enterprises and h.transforms >= t.layered_transforms:
                by_lot.setdefault(h.lot, []).append(h)
        for earlier, holdings in sorted(by_lot.items()):
            share = sum(ree_share(h.fractions, state.composition) for h in holdings)
            if exceeds(t.layered_share, share):
                continue
            left_at = min(h.left_at for h in holdings)
            days = (step.time - left_at).days
            path = list(dict.fromkeys(e for h in holdings for e in h.passed))
            self.ctx.flag(
                "LAYERED_CIRCULAR_TRADE",
                step,
                f"{step.reporter} receives lot {lot_id}, {share:.2%} of whose rare earths descend from lot "
                f"{earlier}, which it shipped away {days} days before; the material came back through "
                f"{' → '.join(path)} and {max(h.transforms for h in holdings)} transform(s).",
                {
                    "earlier_lot": earlier,
                    "path": path,
                    "days": days,
                    "share": ratio(share),
                    "shipped_away_at": left_at.isoformat(),
                },
                lot=lot_id,
                params={
                    "enterprise": step.reporter,
                    "lot": lot_id,
                    "day": step.day.isoformat(),
                    "share": ratio(share),
                    "earlier_lot": earlier,
                    "days": days,
                    "path": path,
                },
            )

    def _judge_recycling(self, step: Step[Transform]) -> None:
        t = self.ctx.thresholds
        lots = self.ctx.ledger.lots
        offending: list[dict[str, Any]] = []
        for lot_id in dict.fromkeys(d.lot for d in step.event.inputs):
            composition = lots[lot_id].composition
            total = sum(f for f in (composition or {}).values() if f > 0)
            if not composition or total <= 0:
                continue  # unknown content, or no rare earths: nothing to judge
            made = ree_share(self.made(lot_id), composition)
            y = composition.get("Y", 0.0) / total
            la_ce = (composition.get("La", 0.0) + composition.get("Ce", 0.0)) / total
            not_made = exceeds(t.recycling_manufactured_share, made)
            ore_like = exceeds(y, t.recycling_y_share) or exceeds(la_ce, t.recycling_la_ce_share)
            if not_made or ore_like:
                offending.append(
                    {
                        "input": lot_id,
                        "manufactured_share": ratio(made),
                        "y_share": ratio(y),
                        "la_ce_share": ratio(la_ce),
                        "not_manufactured": not_made,
                        "ore_like": ore_like,
                    }
                )
        if not offending:
            return
        names = [o["input"] for o in offending]
        why = "; ".join(
            f"{o['input']}: {o['manufactured_share']:.0%} from manufactured material, Y {o['y_share']:.0%}, "
            f"La+Ce {o['la_ce_share']:.0%} of its rare earths" + (" (ore-like)" if o["ore_like"] else "")
            for o in offending
        )
        self.ctx.flag(
            "RECYCLING_IMPLAUSIBLE",
            step,
            f"Recycling by {step.reporter} takes {', '.join(names)}, which is not scrap of manufactured goods: {why}.",
            {"inputs": offending},
            lot=sole_lot(step.event),
            params={
                "reporter": step.reporter,
                "day": step.day.isoformat(),
                "lots": names,
                "share": t.recycling_manufactured_share,
            },
        )
