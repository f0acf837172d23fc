"""What every rule shares: the audit context, one step of the replay, and how figures are shown.

A rule is a small class built with the `AuditContext`. For each kind of event it cares about it
has a method `on_<type>(step)` (`on_event` for every event), called in event-time order *before*
the ledger applies the event, so `ctx.ledger` shows the state the event meets; optional
`finish()` runs after the last. The replay reads events one at a time; the one fact a rule needs
from later events (was a shipment received, was a receipt shipped) is in `ctx.shipments`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Generic, TypeVar

from reetrace.domain.controls import ControlList
from reetrace.domain.customs import CustomsRecords
from reetrace.domain.elements import reo_per_kg
from reetrace.domain.event_keys import shipment_key
from reetrace.domain.events import Event, Receive, RecordedEvent, Ship, created_lots
from reetrace.domain.findings import CODES, Finding, Thresholds
from reetrace.domain.lots import Ledger
from reetrace.domain.registry import Registry

# Room for floating-point noise in sums: a comparison "exceeds" only beyond it.
EPS = 1e-9


def kg(value: float) -> float:
    """A mass for evidence: kilograms to the gram, never -0.0."""
    return round(value, 3) + 0.0


def ratio(value: float) -> float:
    """A share or yield for evidence."""
    return round(value, 6) + 0.0


def show(value: float) -> str:
    """A mass for a sentence."""
    return f"{value:,.3f} kg"


def exceeds(value: float, limit: float) -> bool:
    """`value > limit`, ignoring differences a float sum can make up."""
    return value > limit + EPS * max(1.0, abs(limit))


@lru_cache(maxsize=32)
def audit_zone(utc_offset_hours: int) -> timezone:
    """The audit's zone, one object per offset. Aware datetimes compare fast only when they share
    the very same tzinfo object (else Python asks both for their offsets: 15 times slower), and
    the replay compares event times with limits in this zone for every event."""
    return timezone(timedelta(hours=utc_offset_hours))


def sole_lot(event: Event) -> str | None:
    """The lot an event is about when it names exactly one (its output, or the lot it moves)."""
    lots = [out.lot for out in created_lots(event)] or list(getattr(event, "lots", ()))
    if len(lots) == 1:
        lot = lots[0]
        return lot if isinstance(lot, str) else lot.lot
    return None


@dataclass(frozen=True, slots=True)
class ShipmentIndex:
    """What the audit needs to know ahead of the replay about shipments (keyed by
    `reetrace.domain.event_keys.shipment_key`), among the events up to the audit date: the
    receipts no ship matches, and for the shipments some ship of which was not received within
    the window after the first such ship, the time of their first receipt (None: never received).
    Every other shipment was received in time. `reach`: for each enterprise, the enterprises
    its material can come to through received shipments, in any number of steps (None: not
    known, any may); an enterprise is in its own reach when something it ships can come back.
    `reshipped`: the shipments some ship of which comes at or after their first receipt (None:
    not known, any may), the only ones whose receipt the ledger must remember."""

    unshipped: frozenset[str] = frozenset()
    first_receipt: Mapping[str, datetime | None] = field(default_factory=dict)
    reach: Mapping[str, frozenset[str]] | None = None
    reshipped: frozenset[str] | None = None

    def may_reach(self, sender: str, receiver: str) -> bool:
        """Whether material `sender` holds may ever come to `receiver` by received shipments."""
        return self.reach is None or receiver in self.reach.get(sender, ())

    def shipped_after_receipt(self, key: str) -> bool:
        """Whether a ship of the shipment (`shipment_key`) may come at or after its first receipt:
        whether the ledger must remember that it was received (reetrace.domain.lots.Ledger)."""
        return self.reshipped is None or key in self.reshipped

    @classmethod
    def of(cls, steps: Iterable[Step], thresholds: Thresholds) -> ShipmentIndex:
        """The index of events held in memory."""
        ships: dict[str, datetime] = {}
        last_ships: dict[str, datetime] = {}
        receipts: dict[str, datetime] = {}
        for step in steps:
            event = step.event
            if isinstance(event, Ship):
                key = shipment_key(event.reporter, event.to, event.shipment)
                if key not in ships or step.time < ships[key]:
                    ships[key] = step.time
                if key not in last_ships or step.time > last_ships[key]:
                    last_ships[key] = step.time
            elif isinstance(event, Receive):
                key = shipment_key(event.sender, event.reporter, event.shipment)
                if key not in receipts or step.time < receipts[key]:
                    receipts[key] = step.time
        reshipped = frozenset(key for key, first in receipts.items() if key in last_ships and last_ships[key] >= first)
        return cls.build(ships, receipts, thresholds, reachable(receipts), reshipped)

    @classmethod
    def build(
        cls,
        first_ship: Mapping[str, datetime],
        first_receipt: Mapping[str, datetime],
        thresholds: Thresholds,
        reach: Mapping[str, frozenset[str]] | None = None,
        reshipped: frozenset[str] | None = None,
    ) -> ShipmentIndex:
        window = timedelta(days=thresholds.shipment_receipt_days)
        unshipped = frozenset(key for key in first_receipt if key not in first_ship)
        late = {
            key: first_receipt.get(key)
            for key, shipped in first_ship.items()
            if key not in first_receipt or first_receipt[key] > shipped + window
        }
        return cls(unshipped, late, reach, reshipped)


def reachable(received: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each sender, the enterprises its material reaches through chains of the received
    shipments `received` (`shipment_key`s: S|<sender>|<receiver>|<shipment>). Computed once per
    strongly connected group of enterprises (Tarjan's algorithm), whose members reach the same."""
    onward: dict[str, set[str]] = {}
    for key in received:
        _, sender, receiver, _ = key.split("|", 3)
        onward.setdefault(sender, set()).add(receiver)
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    group_of: dict[str, int] = {}
    reach_of: list[set[str]] = []  # per group, in the order found: successors before predecessors
    for root in onward:
        if root in order:
            continue
        work = [(root, iter(onward.get(root, ())))]
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in order:
                    order[nxt] = low[nxt] = len(order)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(onward.get(nxt, ()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], order[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == order[node]:
                    members: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.add(member)
                        if member == node:
                            break
                    index = len(reach_of)
                    reaches: set[str] = set()
                    for member in members:
                        group_of[member] = index
                    for member in members:
                        for nxt in onward.get(member, ()):
                            reaches.add(nxt)
                            if group_of[nxt] != index:
                                reaches |= reach_of[group_of[nxt]]
                    reach_of.append(reaches)
    return {sender: frozenset(reach_of[group_of[sender]]) for sender in onward}


E = TypeVar("E", bound=Event, covariant=True)


@dataclass(slots=True)
class Step(Generic[E]):
    """One event of the replay, with its time in the audit's zone (UTC+8). A rule's `on_<type>`
    takes a `Step[<that event's class>]`: the replay calls it for events of that type only."""

    record: RecordedEvent
    event: E
    time: datetime
    introduced: tuple[str, ...] = ()  # lots first seen at this event (admitted as unknown)

    @property
    def day(self) -> date:
        return self.time.date()

    @property
    def reporter(self) -> str:
        return self.event.reporter

    @property
    def ref(self) -> str:
        return self.event.ref

    @property
    def year(self) -> int:
        return self.time.year


class AuditContext:
    """What the rules read, and where they put what they find."""

    def __init__(
        self,
        registry: Registry,
        controls: ControlList,
        as_of: date,
        thresholds: Thresholds,
        ledger: Ledger,
        customs: CustomsRecords | None = None,
        shipments: ShipmentIndex | None = None,
    ) -> None:
        self.registry = registry
        self.shipments = shipments if shipments is not None else ShipmentIndex()
        self.controls = controls
        self.as_of = as_of
        self.thresholds = thresholds
        self.ledger = ledger
        self.customs = customs if customs is not None else CustomsRecords()  # declarations, arrival reports
        self.zone = audit_zone(thresholds.utc_offset_hours)
        # The first instant after the audit date, in the audit's zone.
        self.as_of_end = datetime(as_of.year, as_of.month, as_of.day, tzinfo=self.zone) + timedelta(days=1)
        self._found: list[tuple[tuple[Any, ...], Finding]] = []
        self._reo: dict[int, tuple[Mapping[str, float], float]] = {}

    def reo_per_kg(self, composition: Mapping[str, float]) -> float:
        """`reetrace.domain.elements.reo_per_kg`, worked out once per composition of the replay:
        decoded events share equal compositions, a lot's is its creating output's, and no rule
        changes one (kept by identity, with the composition itself, for the replay's length)."""
        seen = self._reo.get(id(composition))
        if seen is not None and seen[0] is composition:
            return seen[1]
        value = reo_per_kg(composition)
        self._reo[id(composition)] = (composition, value)
        return value

    def _severity(self, code: str) -> str:
        return self.thresholds.severity.get(code) or CODES[code][0]

    def flag(
        self,
        code: str,
        step: Step,
        detail: str,
        evidence: dict[str, Any],
        *,
        lot: str | None = None,
        enterprise: str | None = None,
        message: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> Finding:
        """Record a finding about an event; `message` and `params` say `detail` for the pages
        (docs/i18n.md: the message id names its sentence in the catalogues)."""
        enterprise = enterprise or step.reporter
        finding = Finding(
            code,
            self._severity(code),
            enterprise,
            lot,
            step.ref,
            step.year,
            detail,
            evidence,
            message or code,
            dict(params or {}),
        )
        self._found.append(((0, step.time, code, enterprise, lot or "", step.ref), finding))
        return finding

    def flag_period(
        self,
        code: str,
        enterprise: str,
        year: int,
        detail: str,
        evidence: dict[str, Any],
        order: str = "",
        *,
        message: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> Finding:
        """Record a finding about a period rather than an event (they sort after the others)."""
        finding = Finding(
            code,
            self._severity(code),
            enterprise,
            None,
            None,
            year,
            detail,
            evidence,
            message or code,
            dict(params or {}),
        )
        self._found.append(((1, year, code, enterprise, order), finding))
        return finding

    def carry(self, found: Iterable[tuple[tuple[Any, ...], Finding]]) -> None:
        """Start from the findings of an earlier replay (an opening's: reetrace.domain.closing)."""
        self._found = list(found)

    def keyed_as_found(self) -> list[tuple[tuple[Any, ...], Finding]]:
        """The findings with their sort keys, in the order found (as an opening keeps them)."""
        return list(self._found)

    def findings(self) -> list[Finding]:
        """Everything found, in a fixed order: by event time, code, enterprise, lot, event;
        findings about periods last. The sort is stable and the replay order fixed, so equal
        keys keep the order the replay found them in."""
        return [finding for _, finding in self.keyed()]

    def keyed(self) -> list[tuple[tuple[Any, ...], Finding]]:
        """The findings in that order, each with its sort key."""
        return sorted(self._found, key=lambda pair: pair[0])
