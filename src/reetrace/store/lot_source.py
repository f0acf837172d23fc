"""The lot graph read from the store, for tracing (`reetrace.domain.trace.LotSource`).

Each call answers a whole frontier of lots with a fixed handful of queries (IN lists of at most
`chunk_size` ids), so a trace costs a few queries per level of the graph, not per lot. It reads
the `lots` and `lot_draws` indexes and the heads of `events`; an event's body is parsed only for
the `process` of a transform.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, case, select

from reetrace.domain.events import Draw, NewLot
from reetrace.domain.trace import CREATING_TYPES, Creation
from reetrace.store import tables as t

CHUNK_SIZE = 500


class SqlLotSource:
    """A `LotSource` over the store's tables, on SQLite and PostgreSQL alike."""

    def __init__(self, connection: Connection, *, chunk_size: int = CHUNK_SIZE) -> None:
        self._connection = connection
        self._chunk_size = chunk_size

    def creations(self, lots: Collection[str]) -> dict[str, Creation]:
        earliest: dict[str, tuple[tuple[str, str, str], int]] = {}
        for chunk in self._chunks(lots):
            rows = self._connection.execute(
                select(t.lots.c.lot, t.lots.c.seq, t.events.c.time, t.events.c.reporter, t.events.c.event_id)
                .join_from(t.lots, t.events, t.lots.c.seq == t.events.c.seq)
                .where(t.lots.c.lot.in_(chunk), t.events.c.type.in_(CREATING_TYPES))
            )
            for lot, seq, time, reporter, event_id in rows:
                order = (time, reporter, event_id)
                if lot not in earliest or order < earliest[lot][0]:
                    earliest[lot] = (order, seq)
        events = self._creations({seq for _, seq in earliest.values()})
        return {lot: events[seq] for lot, (_, seq) in earliest.items()}

    def uses(self, lots: Collection[str]) -> dict[str, list[Creation]]:
        drawn_by: dict[str, set[int]] = {}
        for chunk in self._chunks(lots):
            rows = self._connection.execute(
                select(t.lot_draws.c.lot, t.lot_draws.c.seq)
                .join_from(t.lot_draws, t.events, t.lot_draws.c.seq == t.events.c.seq)
                .where(t.lot_draws.c.lot.in_(chunk), t.events.c.type == "transform")
            )
            for lot, seq in rows:
                drawn_by.setdefault(lot, set()).add(seq)
        events = self._creations(set().union(*drawn_by.values()))
        return {lot: sorted((events[seq] for seq in seqs), key=lambda c: c.order) for lot, seqs in drawn_by.items()}

    def _creations(self, seqs: set[int]) -> dict[int, Creation]:
        """Events by ledger position, with all their outputs and inputs."""
        found: dict[int, Creation] = {}
        for chunk in self._chunks(sorted(seqs)):
            heads = self._connection.execute(
                select(t.events.c.seq, t.events.c.reporter, t.events.c.event_id, t.events.c.type, t.events.c.time,
                       case((t.events.c.type == "transform", t.events.c.body), else_=None))
                .where(t.events.c.seq.in_(chunk))
            ).all()
            outputs: dict[int, list[NewLot]] = {}
            for seq, lot, form, mass_kg, composition, hs_code in self._connection.execute(
                select(t.lots.c.seq, t.lots.c.lot, t.lots.c.form, t.lots.c.mass_kg, t.lots.c.composition,
                       t.lots.c.hs_code)
                .where(t.lots.c.seq.in_(chunk)).order_by(t.lots.c.seq, t.lots.c.position)
            ):
                outputs.setdefault(seq, []).append(NewLot(lot, form, mass_kg, json.loads(composition), hs_code))
            inputs: dict[int, list[Draw]] = {}
            for seq, lot, mass_kg in self._connection.execute(
                select(t.lot_draws.c.seq, t.lot_draws.c.lot, t.lot_draws.c.mass_kg)
                .where(t.lot_draws.c.seq.in_(chunk)).order_by(t.lot_draws.c.seq, t.lot_draws.c.position)
            ):
                inputs.setdefault(seq, []).append(Draw(lot, mass_kg))
            for seq, reporter, event_id, type_, time, body in heads:
                found[seq] = Creation(
                    ref=f"{reporter}:{event_id}", reporter=reporter, type=type_, time=time,
                    process=_process(body), inputs=tuple(inputs.get(seq, ())), outputs=tuple(outputs.get(seq, ())),
                )
        return found

    def _chunks(self, ids: Iterable[Any]) -> Iterator[list[Any]]:
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), self._chunk_size):
            yield unique[start:start + self._chunk_size]


def _process(body: str | None) -> str | None:
    return json.loads(body).get("process") if body else None
