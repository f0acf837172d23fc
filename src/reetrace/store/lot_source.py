"""The lot graph read from the store, for tracing (`reetrace.domain.trace.LotSource`).

Each call answers a whole frontier of lots with two queries, so a trace costs two queries per
level of the graph, not per lot:

1. the events that created (or draw from) the lots, joined to their heads in `events`: reporter,
   event id, type, time and, for a transform or an import only, the body, parsed just for a
   transform's `process` and an import's `origin_country`;
2. the outputs (`lots`) and inputs (`lot_draws`) of those events, together in one UNION ALL.

IN lists hold at most `chunk_size` ids, so a level of more than `chunk_size` lots (or events)
takes one more query per extra chunk.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from typing import Any, NamedTuple

from sqlalchemy import CompoundSelect, Connection, case, literal_column, null, select, union_all

from reetrace.domain.events import Draw, NewLot
from reetrace.domain.trace import CREATING_TYPES, Creation
from reetrace.store import tables as t

CHUNK_SIZE = 500

# what a row of `_parts_of` is: `kind` tells an event's outputs from its inputs
_OUTPUT, _INPUT = 0, 1


class _Head(NamedTuple):
    """What `events` says of an event, without its outputs and inputs."""

    seq: int
    reporter: str
    event_id: str
    type: str
    time: str
    body: str | None  # a transform's or an import's body, for its process or origin; None for others

    @property
    def order(self) -> tuple[str, str, str]:
        """As `Creation.order`: the earliest creation of a lot wins."""
        return (self.time, self.reporter, self.event_id)


_HEAD_COLUMNS = (
    t.events.c.seq,
    t.events.c.reporter,
    t.events.c.event_id,
    t.events.c.type,
    t.events.c.time,
    case((t.events.c.type.in_(("transform", "import")), t.events.c.body), else_=None).label("body"),
)


class SqlLotSource:
    """A `LotSource` over the store's tables, on SQLite and PostgreSQL alike."""

    def __init__(self, connection: Connection, *, chunk_size: int = CHUNK_SIZE) -> None:
        self._connection = connection
        self._chunk_size = chunk_size

    def creations(self, lots: Collection[str]) -> dict[str, Creation]:
        """Two queries: the heads of the events creating the lots, then those events' parts."""
        earliest: dict[str, _Head] = {}
        for chunk in self._chunks(lots):
            rows = self._connection.execute(
                select(t.lots.c.lot, *_HEAD_COLUMNS)
                .join_from(t.lots, t.events, t.lots.c.seq == t.events.c.seq)
                .where(t.lots.c.lot.in_(chunk), t.events.c.type.in_(CREATING_TYPES))
            )
            for lot, *columns in rows:
                head = _Head(*columns)
                if lot not in earliest or head.order < earliest[lot].order:
                    earliest[lot] = head
        events = self._whole(earliest.values())
        return {lot: events[head.seq] for lot, head in earliest.items()}

    def uses(self, lots: Collection[str]) -> dict[str, list[Creation]]:
        """Two queries: the heads of the transforms drawing from the lots, then their parts."""
        drawn_by: dict[str, dict[int, _Head]] = {}
        for chunk in self._chunks(lots):
            rows = self._connection.execute(
                select(t.lot_draws.c.lot, *_HEAD_COLUMNS)
                .join_from(t.lot_draws, t.events, t.lot_draws.c.seq == t.events.c.seq)
                .where(t.lot_draws.c.lot.in_(chunk), t.events.c.type == "transform")
            )
            for lot, *columns in rows:
                head = _Head(*columns)
                drawn_by.setdefault(lot, {})[head.seq] = head
        events = self._whole(head for heads in drawn_by.values() for head in heads.values())
        return {lot: sorted((events[seq] for seq in heads), key=lambda c: c.order) for lot, heads in drawn_by.items()}

    def _whole(self, heads: Iterable[_Head]) -> dict[int, Creation]:
        """Events by ledger position, from their heads, with all their outputs and inputs."""
        by_seq = {head.seq: head for head in heads}
        outputs, inputs = self._parts(by_seq)
        bodies = {seq: json.loads(head.body) if head.body else {} for seq, head in by_seq.items()}
        return {
            seq: Creation(
                ref=f"{head.reporter}:{head.event_id}",
                reporter=head.reporter,
                type=head.type,
                time=head.time,
                process=bodies[seq].get("process"),
                inputs=tuple(inputs.get(seq, ())),
                outputs=tuple(outputs.get(seq, ())),
                origin_country=bodies[seq].get("origin_country"),
            )
            for seq, head in by_seq.items()
        }

    def _parts(self, seqs: Iterable[int]) -> tuple[dict[int, list[NewLot]], dict[int, list[Draw]]]:
        """The outputs and the inputs of events, by ledger position, each in the event's order:
        one query per chunk of events."""
        outputs: dict[int, list[NewLot]] = {}
        inputs: dict[int, list[Draw]] = {}
        for chunk in self._chunks(sorted(seqs)):
            for seq, kind, _, lot, mass_kg, form, composition, hs_code in self._connection.execute(_parts_of(chunk)):
                if kind == _OUTPUT:
                    outputs.setdefault(seq, []).append(NewLot(lot, form, mass_kg, json.loads(composition), hs_code))
                else:
                    inputs.setdefault(seq, []).append(Draw(lot, mass_kg))
        return outputs, inputs

    def _chunks(self, ids: Iterable[Any]) -> Iterator[list[Any]]:
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), self._chunk_size):
            yield unique[start : start + self._chunk_size]


def _parts_of(seqs: list[int]) -> CompoundSelect:
    """One statement for the outputs (`lots`) and inputs (`lot_draws`) of these events, ordered
    by event, then kind, then position; an input has no form, composition or HS code."""
    outputs = select(
        t.lots.c.seq,
        literal_column(str(_OUTPUT)).label("kind"),
        t.lots.c.position,
        t.lots.c.lot,
        t.lots.c.mass_kg,
        t.lots.c.form,
        t.lots.c.composition,
        t.lots.c.hs_code,
    ).where(t.lots.c.seq.in_(seqs))
    inputs = select(
        t.lot_draws.c.seq,
        literal_column(str(_INPUT)),
        t.lot_draws.c.position,
        t.lot_draws.c.lot,
        t.lot_draws.c.mass_kg,
        null(),
        null(),
        null(),
    ).where(t.lot_draws.c.seq.in_(seqs))
    parts = union_all(outputs, inputs)
    columns = parts.selected_columns
    return parts.order_by(columns.seq, columns.kind, columns.position)
