"""DuckDB over an analytics export: the views, and the core balance and quota questions.

`connect(dir)` opens an in-memory DuckDB with one view per table of the export (`events`,
`lot_outputs`, `lot_draws`, `lot_moves`, with their `year` and `month` partition columns, and
`enterprises`, `quotas` from the registry). The questions:

- `quota_use`: REO mined per enterprise, year and deposit category (from `extract` outputs) and
  REO separated (from `separation` transform outputs), beside each quota; the same figures as
  `reetrace.services.audit.quota_use`.
- `lot_balances`: per created lot, what was created, drawn (transformed, consumed), adjusted and
  exported, the book balance left, its status and custodian.
- `transform_balance` and `element_balance`: per transform, REO in and out (its yield), and per
  element the kilograms in and out, with the audit's mass-balance tolerance.

The lot and balance questions read each lot's first creation, whatever the event-time order of
its uses; the audit's replay (`reetrace audit`) remains the authority on findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from reetrace.analytics import schema
from reetrace.analytics.export import read_manifest
from reetrace.domain.elements import ELEMENTS
from reetrace.domain.findings import Thresholds
from reetrace.errors import UsageError

VIEWS = (*schema.PARTITIONED, *schema.REGISTRY)


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of a query: its column names and rows."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def connect(export_dir: Path | str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view on each table of the export in `export_dir`."""
    root = Path(export_dir).resolve()
    read_manifest(root)  # a UsageError unless it is an export this version reads
    con = duckdb.connect()
    for name, table_schema in schema.PARTITIONED.items():
        if any((root / name).glob("year=*/month=*/*.parquet")):
            glob = _literal(str(root / name / "year=*" / "month=*" / "*.parquet"))
            con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet({glob}, hive_partitioning = true, "
                f"hive_types = {{'year': INTEGER, 'month': INTEGER}})"
            )
        else:  # nothing exported in that table: an empty view of the same columns
            empty = table_schema.append(pa.field("year", pa.int32())).append(pa.field("month", pa.int32()))
            con.register(f"{name}_empty", empty.empty_table())
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {name}_empty")
    for name in schema.REGISTRY:
        path = _literal(str(root / "registry" / f"{name}.parquet"))
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({path})")
    return con


def query(export_dir: Path | str, sql: str) -> Answer:
    """Run an analyst's SQL over the export's views."""
    con = connect(export_dir)
    try:
        return _answer(con, sql)
    finally:
        con.close()


def quota_use(export_dir: Path | str, year: int | None = None) -> Answer:
    """REO used against quotas, per year, enterprise, kind and category (tonnes)."""
    with _connection(export_dir) as con:
        return _answer(con, quota_use_sql(year))


def lot_balances(export_dir: Path | str, lots: list[str] | None = None) -> Answer:
    """Per created lot (or only `lots`): created, drawn, adjusted, exported, remaining."""
    with _connection(export_dir) as con:
        sql = LOT_BALANCES
        if lots is not None:
            sql = f"SELECT * FROM ({sql}) WHERE lot IN (SELECT unnest(?::VARCHAR[]))"
            return _answer(con, sql, [list(lots)])
        return _answer(con, sql)


def transform_balance(export_dir: Path | str) -> Answer:
    """Per transform: kilograms and REO in and out, and the REO yield."""
    with _connection(export_dir) as con:
        return _answer(con, TRANSFORM_BALANCE)


def element_balance(export_dir: Path | str, thresholds: Thresholds = Thresholds()) -> Answer:
    """Per transform and element: kilograms in and out, and whether the outputs exceed the
    inputs beyond the audit's tolerance (MASS_BALANCE_VIOLATION)."""
    with _connection(export_dir) as con:
        return _answer(con, element_balance_sql(thresholds))


def core_queries(export_dir: Path | str, thresholds: Thresholds = Thresholds()) -> dict[str, int]:
    """Run every core balance and quota question (all years, all lots) on one connection; the
    rows each gave. Results are materialised in Arrow, not turned into Python objects."""
    questions = {
        "quota_use": quota_use_sql(None),
        "lot_balances": LOT_BALANCES,
        "transform_balance": TRANSFORM_BALANCE,
        "element_balance": element_balance_sql(thresholds),
    }
    with _connection(export_dir) as con:
        return {name: con.sql(sql).to_arrow_table().num_rows for name, sql in questions.items()}


# -- the SQL ----------------------------------------------------------------------------------


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _elements_as(prefix: str = "") -> str:
    """`sc_kg AS "Sc", y_kg AS "Y", …`, the element columns named by their symbols."""
    return ", ".join(f'{prefix}{schema.element_column(e)} AS "{e}"' for e in ELEMENTS)


_SYMBOLS = ", ".join(f'"{e}"' for e in ELEMENTS)

# A lot's first creation in the audit's replay order (time, then extract/import before transform).
_CREATION = """
    SELECT *, count(*) OVER (PARTITION BY lot) AS creations FROM lot_outputs
    QUALIFY row_number() OVER (PARTITION BY lot ORDER BY time, type = 'transform', reporter, event_id) = 1
"""


def quota_use_sql(year: int | None) -> str:
    where = "" if year is None else f"WHERE k.year = {int(year)}"
    return f"""
    WITH used AS (
        SELECT year, reporter AS uscc, 'mining' AS kind, deposit AS category, sum(reo_kg) AS reo_kg
        FROM lot_outputs WHERE type = 'extract' GROUP BY ALL
        UNION ALL
        SELECT year, reporter, 'separation', 'all', sum(reo_kg)
        FROM lot_outputs WHERE type = 'transform' AND process = 'separation' GROUP BY ALL
    ), keys AS (
        SELECT year, uscc, kind, category FROM used
        UNION SELECT year, uscc, kind, category FROM quotas
    )
    SELECT k.year, k.uscc, coalesce(nullif(e.name_en, ''), e.name, k.uscc) AS name, k.kind, k.category,
           coalesce(q.tonnes_reo, 0.0) AS quota_tonnes, coalesce(u.reo_kg, 0.0) / 1000.0 AS used_tonnes,
           CASE WHEN q.tonnes_reo > 0 THEN coalesce(u.reo_kg, 0.0) / 1000.0 / q.tonnes_reo END AS share
    FROM keys k
    LEFT JOIN used u USING (year, uscc, kind, category)
    LEFT JOIN quotas q USING (year, uscc, kind, category)
    LEFT JOIN enterprises e ON e.uscc = k.uscc
    {where}
    ORDER BY k.year, k.uscc, k.kind, k.category
    """


LOT_BALANCES = f"""
    WITH creation AS ({_CREATION}),
    drawn AS (
        SELECT lot, coalesce(sum(mass_kg) FILTER (WHERE type = 'transform'), 0.0) AS transformed_kg,
               coalesce(sum(mass_kg) FILTER (WHERE type = 'consume'), 0.0) AS consumed_kg
        FROM lot_draws GROUP BY lot
    ),
    received AS (  -- receipts, by shipment: a shipment received before it was shipped never leaves custody
        SELECT lot, reporter AS receiver, counterparty AS shipper, shipment, min(time) AS time
        FROM lot_moves WHERE type = 'receive' GROUP BY ALL
    ),
    custody AS (  -- the moves that change custody, the last one deciding it
        SELECT m.lot, m.type, m.reporter, m.time, m.seq FROM lot_moves m
        LEFT JOIN received r ON m.type = 'ship' AND r.lot = m.lot AND r.receiver = m.counterparty
                                AND r.shipper = m.reporter AND r.shipment = m.shipment
        WHERE m.type = 'receive' OR (m.type = 'ship' AND (r.time IS NULL OR r.time >= m.time))
    ),
    last_move AS (
        SELECT lot, arg_max(type, (time, type = 'receive', seq)) AS type,
               arg_max(reporter, (time, type = 'receive', seq)) AS reporter
        FROM custody GROUP BY lot
    ),
    moved AS (
        SELECT lot, coalesce(sum(delta_kg) FILTER (WHERE type = 'adjust'), 0.0) AS adjusted_kg,
               count(*) FILTER (WHERE type = 'ship') AS shipments,
               min(time) FILTER (WHERE type = 'export') AS exported_at
        FROM lot_moves GROUP BY lot
    ),
    book AS (
        SELECT c.lot, c.form, c.reporter AS creator, c.time AS created_at, c.mass_kg AS created_kg,
               c.reo_kg AS created_reo_kg, c.creations,
               coalesce(d.transformed_kg, 0.0) AS transformed_kg, coalesce(d.consumed_kg, 0.0) AS consumed_kg,
               coalesce(m.adjusted_kg, 0.0) AS adjusted_kg, coalesce(m.shipments, 0) AS shipments, m.exported_at,
               greatest(0.0, c.mass_kg - coalesce(d.transformed_kg, 0.0) - coalesce(d.consumed_kg, 0.0)
                        + coalesce(m.adjusted_kg, 0.0)) AS balance_kg,
               l.type AS last_move, l.reporter AS last_mover
        FROM creation c LEFT JOIN drawn d USING (lot) LEFT JOIN moved m USING (lot) LEFT JOIN last_move l USING (lot)
    )
    SELECT lot, form, creator, created_at, created_kg, created_reo_kg, creations, transformed_kg, consumed_kg,
           transformed_kg + consumed_kg AS drawn_kg, adjusted_kg, shipments, exported_at,
           CASE WHEN exported_at IS NOT NULL OR (consumed_kg > 0 AND balance_kg <= {Thresholds().overdraw_tolerance_kg})
                THEN 0.0 ELSE balance_kg END AS remaining_kg,
           CASE WHEN exported_at IS NOT NULL THEN 'exported'
                WHEN consumed_kg > 0 AND balance_kg <= {Thresholds().overdraw_tolerance_kg} THEN 'consumed'
                WHEN last_move = 'ship' THEN 'in_transit'
                ELSE 'held' END AS status,
           CASE WHEN exported_at IS NOT NULL
                     OR (consumed_kg > 0 AND balance_kg <= {Thresholds().overdraw_tolerance_kg}) THEN NULL
                WHEN last_move = 'ship' THEN NULL
                WHEN last_move = 'receive' THEN last_mover
                ELSE creator END AS custodian
    FROM book
    ORDER BY lot
"""

_DRAWN = f"""
    SELECT d.seq, d.lot, d.mass_kg, c.mass_kg AS lot_kg, c.reo_kg AS lot_reo_kg, {_elements_as("c.")}
    FROM lot_draws d LEFT JOIN ({_CREATION}) c USING (lot)
    WHERE d.type = 'transform'
"""

TRANSFORM_BALANCE = f"""
    WITH drawn AS ({_DRAWN}),
    inputs AS (
        SELECT seq, count(*) AS inputs, sum(mass_kg) AS input_kg,
               coalesce(sum(mass_kg) FILTER (WHERE lot_kg IS NULL), 0.0) AS unknown_input_kg,
               coalesce(sum(mass_kg * lot_reo_kg / lot_kg) FILTER (WHERE lot_kg IS NOT NULL), 0.0) AS reo_in_kg
        FROM drawn GROUP BY seq
    ),
    outputs AS (
        SELECT seq, count(*) AS outputs, sum(mass_kg) AS output_kg, sum(reo_kg) AS reo_out_kg
        FROM lot_outputs WHERE type = 'transform' GROUP BY seq
    )
    SELECT e.seq, e.reporter, e.event_id, e.process, e.time, e.local_date, e.year, e.month,
           i.inputs, i.input_kg, i.unknown_input_kg, o.outputs, o.output_kg, i.reo_in_kg, o.reo_out_kg,
           CASE WHEN i.unknown_input_kg = 0 AND i.reo_in_kg > 0 THEN o.reo_out_kg / i.reo_in_kg END AS reo_yield
    FROM events e JOIN inputs i USING (seq) JOIN outputs o USING (seq)
    WHERE e.type = 'transform'
    ORDER BY e.seq
"""


def element_balance_sql(thresholds: Thresholds) -> str:
    relative, absolute = float(thresholds.mass_balance_relative), float(thresholds.mass_balance_absolute_kg)
    return f"""
    WITH drawn AS ({_DRAWN}),
    unknown AS (
        SELECT seq, coalesce(sum(mass_kg) FILTER (WHERE lot_kg IS NULL), 0.0) AS unknown_input_kg
        FROM drawn GROUP BY seq
    ),
    kg_in AS (
        SELECT seq, element, sum(mass_kg * kg / lot_kg) AS kg_in
        FROM (UNPIVOT (SELECT * FROM drawn WHERE lot_kg IS NOT NULL) ON {_SYMBOLS} INTO NAME element VALUE kg)
        WHERE kg > 0 GROUP BY ALL
    ),
    kg_out AS (
        SELECT seq, element, sum(kg) AS kg_out
        FROM (UNPIVOT (SELECT seq, {_elements_as()} FROM lot_outputs WHERE type = 'transform')
              ON {_SYMBOLS} INTO NAME element VALUE kg)
        WHERE kg > 0 GROUP BY ALL
    ),
    balance AS (
        SELECT seq, element, coalesce(kg_in, 0.0) AS kg_in, coalesce(kg_out, 0.0) AS kg_out
        FROM kg_in FULL OUTER JOIN kg_out USING (seq, element)
    )
    SELECT e.seq, e.reporter, e.event_id, e.process, e.local_date, e.year, e.month, b.element, b.kg_in, b.kg_out,
           u.unknown_input_kg, b.kg_out - b.kg_in - u.unknown_input_kg AS excess_kg,
           b.kg_out > (b.kg_in + u.unknown_input_kg) * (1 + {relative}) + {absolute} AS violation
    FROM balance b JOIN events e USING (seq) JOIN unknown u USING (seq)
    WHERE e.type = 'transform'
    ORDER BY e.seq, b.element
    """


# -- running ----------------------------------------------------------------------------------


@contextmanager
def _connection(export_dir: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(export_dir)
    try:
        yield con
    finally:
        con.close()


def _answer(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Answer:
    try:
        result = con.execute(sql, params) if params is not None else con.sql(sql)
        if result is None:  # a statement without a result (SET, CREATE VIEW …)
            return Answer([], [])
        columns = [d[0] for d in result.description]
        return Answer(columns, result.fetchall())
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"query failed: {first}") from None
