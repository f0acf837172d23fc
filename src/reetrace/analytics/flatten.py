"""A page of ledger rows flattened into the export's tables (`reetrace.analytics.schema`).

Column-wise throughout: the page's columns become Arrow arrays, each event type's bodies are
parsed in bulk (`reetrace.analytics.bodies`), and the rows of `lot_outputs`, `lot_draws` and
`lot_moves` are the flattened lists of outputs, inputs and lots, each row carrying its event's
columns. Each table comes back in ledger order (seq, then position in the event), with the year
and month of each row's partition: those of its event time in the given UTC offset.

The REO equivalent of an output is computed as `reetrace.domain.elements.reo_kg` of
`element_kg(mass_kg, composition)` computes it: the same products and quotients of the same
floats, added in the same order (the elements sorted by symbol, the order of the canonical body),
so the figures agree with the audit's and with `reetrace quota-use`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from reetrace.analytics import schema
from reetrace.analytics.bodies import BODIES, parse_bodies
from reetrace.domain.elements import ELEMENTS, REO_FACTOR
from reetrace.errors import StoreError

CREATING = ("extract", "import", "transform")
DRAWING = {"transform": "inputs", "consume": "lots"}
MOVING = ("ship", "receive", "export")
COUNTERPARTY = {"ship": "to", "receive": "from"}
_SORTED_ELEMENTS = tuple(sorted(ELEMENTS))
# the columns of lot_outputs that come from the event, not from the output itself
_LOT_HEAD = pa.schema(
    [
        schema.LOT_OUTPUTS.field(n)
        for n in ("seq", "reporter", "event_id", "type", "process", "deposit", "time", "local_date", "position")
    ]
)
_HOUR_US = 3_600_000_000
# Constants as typed Arrow scalars: a plain Python value would have its type inferred at every
# call, which costs more than the call itself.
_ZERO = pa.scalar(0.0, pa.float64())
_FACTORS = {e: pa.scalar(REO_FACTOR[e], pa.float64()) for e in ELEMENTS}
_KEYS = {e: pa.scalar(f'"{e}":', pa.string()) for e in ELEMENTS}
_TEXT = {t: pa.scalar(t, pa.string()) for t in ("", ",", "{", "}")}


@dataclass(frozen=True, slots=True)
class Partitioned:
    """Rows of one table, with the year and month of each row's partition."""

    table: pa.Table
    year: pa.Array
    month: pa.Array


def flatten_page(rows: Sequence[Any], utc_offset_hours: int) -> dict[str, Partitioned]:
    """The rows of every partitioned table for a page of event rows
    (seq, reporter, event_id, type, time, received_at, submission_id, digest, body)."""
    return flatten_columns(page_columns(rows), utc_offset_hours)


def page_columns(rows: Sequence[Any]) -> dict[str, pa.Array]:
    """A page of event rows as Arrow columns (the part of the work that reads Python objects)."""
    seq, reporter, event_id, kind, time, received_at, submission_id, digest, body = (
        zip(*rows, strict=True) if rows else [()] * 9
    )
    return {
        "seq": pa.array(seq, pa.int64()),
        "reporter": pa.array(reporter, pa.string()),
        "event_id": pa.array(event_id, pa.string()),
        "type": pa.array(kind, pa.string()),
        "time": _timestamps(time),
        "received_at": _timestamps(received_at),
        "submission_id": pa.array(submission_id, pa.int64()),
        "digest": pa.array(digest, pa.string()),
        "body": pa.array(body, pa.string()),
    }


def flatten_columns(page: dict[str, pa.Array], utc_offset_hours: int) -> dict[str, Partitioned]:
    """The rows of every partitioned table for a page given as Arrow columns (`page_columns`)."""
    head = dict(page)
    local = pc.add(pc.cast(head["time"], pa.timestamp("us")), pa.scalar(utc_offset_hours * _HOUR_US, pa.duration("us")))
    head["local_date"] = pc.cast(local, pa.date32())
    parsed: dict[str, tuple[pa.Array, pa.Table]] = {}
    for name in BODIES:
        mask = pc.equal(head["type"], pa.scalar(name, pa.string()))
        where = pc.indices_nonzero(mask).cast(pa.int64())
        if len(where):
            parsed[name] = (where, parse_bodies(name, head["body"].filter(mask)))
    if sum(len(where) for where, _ in parsed.values()) != len(head["seq"]):
        unknown = sorted(set(head["type"].to_pylist()) - set(BODIES))
        raise StoreError(f"the ledger holds events of unknown type {unknown}")
    return {
        "events": _events(head, parsed),
        "lot_outputs": _lot_outputs(head, parsed),
        "lot_draws": _lot_draws(head, parsed),
        "lot_moves": _lot_moves(head, parsed),
    }


def _timestamps(texts: Sequence[str]) -> pa.Array:
    return pc.cast(pa.array(texts, pa.string()), schema.TIME)


def _partitioned(pieces: list[pa.Table], table_schema: pa.Schema, sort: bool = False) -> Partitioned:
    table = pa.concat_tables(pieces) if pieces else table_schema.empty_table()
    if len(pieces) > 1 or sort:
        table = table.sort_by([("seq", "ascending"), ("position", "ascending")])
    days = table["local_date"]
    return Partitioned(table, pc.year(days), pc.month(days))


def _table(table_schema: pa.Schema, length: int, columns: dict[str, Any]) -> pa.Table:
    """A table of `table_schema` from `columns`, the missing ones null."""
    arrays = []
    for field in table_schema:
        value = columns.get(field.name)
        if value is None:
            value = pa.nulls(length, field.type)
        elif value.type != field.type:
            value = value.cast(field.type)
        arrays.append(value)
    return pa.Table.from_arrays(arrays, schema=table_schema)


def _member(parsed: pa.Table, name: str) -> pa.Array | None:
    return parsed.column(name).combine_chunks() if name in parsed.column_names else None


def _events(head: dict[str, pa.Array], parsed: dict[str, tuple[pa.Array, pa.Table]]) -> Partitioned:
    members = [f.name for f in schema.EVENTS if f.name not in head]
    pieces, order = [], []
    for name, (where, body) in parsed.items():
        columns = {m: _member(body, m) for m in members}
        columns["counterparty"] = _member(body, COUNTERPARTY[name]) if name in COUNTERPARTY else None
        columns["received_kg"] = _member(body, "mass_kg") if name == "receive" else None
        pieces.append(_table(pa.schema([schema.EVENTS.field(m) for m in members]), len(where), columns))
        order.append(where)
    length = len(head["seq"])
    if pieces:  # back to ledger order
        extra = pa.concat_tables(pieces).take(pc.sort_indices(pa.chunked_array(order, pa.int64())))
        columns = {**head, **{m: extra.column(m) for m in members}}
    else:
        columns = head
    return _partitioned([_table(schema.EVENTS, length, columns)], schema.EVENTS)


def _children(head: dict[str, pa.Array], where: pa.Array, lists: pa.Array) -> tuple[pa.Array, pa.Array, dict]:
    """For a list member of the parsed bodies: its flattened items, the index of each item's
    body, and the event columns of each item (position in its list included)."""
    items = lists.flatten()
    parents = pc.list_parent_indices(lists)
    offsets = lists.offsets
    first = pc.take(offsets, parents)
    position = pc.subtract(
        pa.array(range(len(items)), pa.int64()), pc.subtract(first.cast(pa.int64()), offsets[0].cast(pa.int64()))
    )
    owner = pc.take(where, parents)
    columns = {
        name: pc.take(head[name], owner) for name in ("seq", "reporter", "event_id", "type", "time", "local_date")
    }
    columns["position"] = position
    return items, parents, columns


def _lot_outputs(head: dict[str, pa.Array], parsed: dict[str, tuple[pa.Array, pa.Table]]) -> Partitioned:
    outputs, pieces = [], []
    for name in CREATING:
        if name not in parsed:
            continue
        where, body = parsed[name]
        items, parents, columns = _children(head, where, _member(body, "outputs"))
        for member in ("process", "deposit"):
            value = _member(body, member)
            columns[member] = None if value is None else pc.take(value, parents)
        outputs.append(items)
        pieces.append(_table(_LOT_HEAD, len(items), columns))
    if not pieces:
        return _partitioned([], schema.LOT_OUTPUTS)
    items = pa.concat_arrays(outputs)  # the lots of every creating event of the page, at once
    columns = {name: column for name, column in zip(_LOT_HEAD.names, pa.concat_tables(pieces).columns, strict=True)}
    mass = items.field("mass_kg")
    fractions = items.field("composition")
    for member in ("lot", "form", "hs_code"):
        columns[member] = items.field(member)
    columns["mass_kg"] = mass
    reo = _ZERO
    pieces_of_json = []
    for element in _SORTED_ELEMENTS:
        fraction = fractions.field(element)
        kg = pc.multiply(mass, pc.fill_null(fraction, _ZERO))
        columns[schema.element_column(element)] = kg
        reo = pc.add(reo, pc.divide(kg, _FACTORS[element]))
        pieces_of_json.append(pc.binary_join_element_wise(_KEYS[element], pc.cast(fraction, pa.string()), _TEXT[""]))
    columns["reo_kg"] = reo
    joined = pc.binary_join_element_wise(*pieces_of_json, _TEXT[","], null_handling="skip")
    columns["composition"] = pc.binary_join_element_wise(_TEXT["{"], joined, _TEXT["}"], _TEXT[""])
    return _partitioned([_table(schema.LOT_OUTPUTS, len(items), columns)], schema.LOT_OUTPUTS, sort=len(pieces) > 1)


def _lot_draws(head: dict[str, pa.Array], parsed: dict[str, tuple[pa.Array, pa.Table]]) -> Partitioned:
    pieces = []
    for name, member in DRAWING.items():
        if name not in parsed:
            continue
        where, body = parsed[name]
        items, parents, columns = _children(head, where, _member(body, member))
        process = _member(body, "process")
        columns["process"] = None if process is None else pc.take(process, parents)
        columns["lot"], columns["mass_kg"] = items.field("lot"), items.field("mass_kg")
        pieces.append(_table(schema.LOT_DRAWS, len(items), columns))
    return _partitioned(pieces, schema.LOT_DRAWS)


def _lot_moves(head: dict[str, pa.Array], parsed: dict[str, tuple[pa.Array, pa.Table]]) -> Partitioned:
    pieces = []
    for name in MOVING:
        if name not in parsed:
            continue
        where, body = parsed[name]
        items, parents, columns = _children(head, where, _member(body, "lots"))
        columns["lot"] = items
        for column, member in (
            ("counterparty", COUNTERPARTY.get(name)),
            ("shipment", "shipment"),
            ("destination", "destination"),
            ("license_no", "license_no"),
            ("received_kg", "mass_kg" if name == "receive" else None),
        ):
            value = _member(body, member) if member else None
            columns[column] = None if value is None else pc.take(value, parents)
        pieces.append(_table(schema.LOT_MOVES, len(items), columns))
    if "adjust" in parsed:
        where, body = parsed["adjust"]
        columns = {
            name: pc.take(head[name], where) for name in ("seq", "reporter", "event_id", "type", "time", "local_date")
        }
        columns["position"] = pa.array([0] * len(where), pa.int32())
        columns["lot"], columns["delta_kg"] = _member(body, "lot"), _member(body, "delta_kg")
        pieces.append(_table(schema.LOT_MOVES, len(where), columns))
    return _partitioned(pieces, schema.LOT_MOVES)
