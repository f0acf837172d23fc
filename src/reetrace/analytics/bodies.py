"""The members of each event type (docs/contract.md §4) as Arrow types, to parse stored bodies in bulk.

Stored bodies passed validation when they were accepted, so each type's bodies are parsed with
one explicit schema by Arrow's JSON reader; members not named here (`event_id`, `type`, `time`,
which the events table holds already, and the free `ext`) are skipped.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from reetrace.domain.elements import ELEMENTS

TEXT = pa.string()
KG = pa.float64()

COMPOSITION = pa.struct([(e, pa.float64()) for e in ELEMENTS])  # a missing element is null
OUTPUT = pa.struct([("lot", TEXT), ("form", TEXT), ("mass_kg", KG), ("composition", COMPOSITION), ("hs_code", TEXT)])
DRAW = pa.struct([("lot", TEXT), ("mass_kg", KG)])

BODIES: dict[str, pa.Schema] = {
    "extract": pa.schema([("site", TEXT), ("deposit", TEXT), ("outputs", pa.list_(OUTPUT))]),
    "import": pa.schema(
        [("site", TEXT), ("origin_country", TEXT), ("customs_declaration", TEXT), ("outputs", pa.list_(OUTPUT))]
    ),
    "transform": pa.schema(
        [("site", TEXT), ("process", TEXT), ("inputs", pa.list_(DRAW)), ("outputs", pa.list_(OUTPUT))]
    ),
    "ship": pa.schema([("site", TEXT), ("lots", pa.list_(TEXT)), ("to", TEXT), ("shipment", TEXT)]),
    "receive": pa.schema(
        [("site", TEXT), ("lots", pa.list_(TEXT)), ("from", TEXT), ("shipment", TEXT), ("mass_kg", KG)]
    ),
    "export": pa.schema(
        [
            ("site", TEXT),
            ("lots", pa.list_(TEXT)),
            ("consignee", TEXT),
            ("destination", TEXT),
            ("customs_declaration", TEXT),
            ("license_no", TEXT),
        ]
    ),
    "consume": pa.schema([("site", TEXT), ("lots", pa.list_(DRAW)), ("purpose", TEXT)]),
    "adjust": pa.schema([("site", TEXT), ("lot", TEXT), ("delta_kg", KG), ("reason", TEXT)]),
}

_BLOCK_BYTES = 1 << 20  # blocks parsed in parallel


def parse_bodies(kind: str, bodies: pa.Array) -> pa.Table:
    """The bodies (JSON text) of events of type `kind`, parsed: one row per body, in order."""
    if len(bodies) == 0:
        return BODIES[kind].empty_table()
    as_list = pa.LargeListArray.from_arrays(pa.array([0, len(bodies)], pa.int64()), bodies.cast(pa.large_string()))
    text = pc.binary_join(as_list, pa.scalar("\n", pa.large_string()))[0].as_buffer()
    table = pj.read_json(
        pa.BufferReader(text),
        # a block holds whole lines: never smaller than the longest body
        read_options=pj.ReadOptions(block_size=max(_BLOCK_BYTES, pc.max(pc.binary_length(bodies)).as_py() + 2)),
        parse_options=pj.ParseOptions(explicit_schema=BODIES[kind], unexpected_field_behavior="ignore"),
    )
    if table.num_rows != len(bodies):
        raise ValueError(f"{len(bodies)} stored {kind} bodies parsed as {table.num_rows} rows")
    return table.combine_chunks()
