"""The tables of an analytics export and their Parquet column types (docs/analytics.md).

Times are `timestamp[us, UTC]`; `local_date` is the event's date in China Standard Time (the
audit's time zone), whose year and month also name the partition a row lies in. Masses are
kilograms as float64. JSON members are kept as JSON text (`body`, `composition`).
"""

from __future__ import annotations

import pyarrow as pa

from reetrace.domain.elements import ELEMENTS

EXPORT_FORMAT = "reetrace/analytics-export@1"
SCHEMA_VERSION = 1
MANIFEST = "manifest.json"

TIME = pa.timestamp("us", tz="UTC")


def element_column(element: str) -> str:
    """The lot_outputs column holding the kilograms of `element` (`nd_kg`, `dy_kg`, …)."""
    return f"{element.lower()}_kg"


ELEMENT_COLUMNS: tuple[str, ...] = tuple(element_column(e) for e in ELEMENTS)

EVENTS = pa.schema(
    [
        ("seq", pa.int64()),
        ("reporter", pa.string()),
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("time", TIME),
        ("local_date", pa.date32()),
        ("received_at", TIME),
        ("submission_id", pa.int64()),
        ("digest", pa.string()),
        ("site", pa.string()),
        ("process", pa.string()),  # transform
        ("deposit", pa.string()),  # extract
        ("shipment", pa.string()),  # ship, receive
        ("counterparty", pa.string()),  # ship: `to`; receive: `from`
        ("destination", pa.string()),  # export
        ("consignee", pa.string()),  # export
        ("license_no", pa.string()),  # export
        ("customs_declaration", pa.string()),  # import, export
        ("origin_country", pa.string()),  # import
        ("lot", pa.string()),  # adjust
        ("delta_kg", pa.float64()),  # adjust
        ("received_kg", pa.float64()),  # receive: the mass declared on receipt, if any
        ("purpose", pa.string()),  # consume
        ("reason", pa.string()),  # adjust
        ("body", pa.string()),  # the event's JSON, exactly as submitted
    ]
)

LOT_OUTPUTS = pa.schema(
    [
        ("seq", pa.int64()),
        ("reporter", pa.string()),
        ("event_id", pa.string()),
        ("type", pa.string()),  # extract, import, transform
        ("process", pa.string()),  # transform
        ("deposit", pa.string()),  # extract
        ("time", TIME),
        ("local_date", pa.date32()),
        ("position", pa.int32()),  # index among the event's outputs
        ("lot", pa.string()),
        ("form", pa.string()),
        ("mass_kg", pa.float64()),
        ("composition", pa.string()),  # JSON {element: mass fraction}
        ("reo_kg", pa.float64()),  # REO equivalent (docs/contract.md §2)
        *[(column, pa.float64()) for column in ELEMENT_COLUMNS],  # elemental kg, 0 when absent
        ("hs_code", pa.string()),
    ]
)

LOT_DRAWS = pa.schema(
    [
        ("seq", pa.int64()),
        ("reporter", pa.string()),
        ("event_id", pa.string()),
        ("type", pa.string()),  # transform (inputs) or consume
        ("process", pa.string()),  # transform
        ("time", TIME),
        ("local_date", pa.date32()),
        ("position", pa.int32()),
        ("lot", pa.string()),
        ("mass_kg", pa.float64()),
    ]
)

LOT_MOVES = pa.schema(
    [
        ("seq", pa.int64()),
        ("reporter", pa.string()),
        ("event_id", pa.string()),
        ("type", pa.string()),  # ship, receive, export, adjust
        ("time", TIME),
        ("local_date", pa.date32()),
        ("position", pa.int32()),
        ("lot", pa.string()),
        ("counterparty", pa.string()),  # ship: `to`; receive: `from`
        ("shipment", pa.string()),
        ("destination", pa.string()),  # export
        ("license_no", pa.string()),  # export
        ("received_kg", pa.float64()),  # receive: the declared mass of the whole receipt
        ("delta_kg", pa.float64()),  # adjust
    ]
)

# the registry as it stood at the export (small, not partitioned): OUT/registry/<name>.parquet
ENTERPRISES = pa.schema(
    [
        ("uscc", pa.string()),
        ("name", pa.string()),
        ("name_en", pa.string()),
        ("province", pa.string()),
        ("group_name", pa.string()),
    ]
)

QUOTAS = pa.schema(
    [
        ("year", pa.int32()),
        ("uscc", pa.string()),
        ("kind", pa.string()),  # mining, separation
        ("category", pa.string()),  # rock, ion_adsorption, all
        ("tonnes_reo", pa.float64()),
    ]
)

# the partitioned tables, by directory name
PARTITIONED: dict[str, pa.Schema] = {
    "events": EVENTS,
    "lot_outputs": LOT_OUTPUTS,
    "lot_draws": LOT_DRAWS,
    "lot_moves": LOT_MOVES,
}
REGISTRY: dict[str, pa.Schema] = {"enterprises": ENTERPRISES, "quotas": QUOTAS}
