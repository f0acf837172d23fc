"""Use case: export the ledger to a Parquet dataset for analysts (docs/analytics.md).

The ledger is read in pages of acceptance order (keyset pagination on `seq`, a fixed prefix of
the ledger chosen when the export starts), flattened, and streamed into Hive-partitioned tables
by the year and month of the event time in China Standard Time:

    OUT/events/year=YYYY/month=MM/part-NNNN.parquet      one row per event
    OUT/lot_outputs/…                                   one row per lot created
    OUT/lot_draws/…                                     one row per draw (transform input, consumption)
    OUT/lot_moves/…                                     one row per lot shipped, received, exported or adjusted
    OUT/registry/enterprises.parquet, quotas.parquet    the registry as it stood
    OUT/manifest.json                                   what was exported, from which ledger

Everything is written to a new directory beside OUT, which then takes OUT's place: an export
either replaces the previous one whole or leaves it as it was.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from reetrace.analytics import schema
from reetrace.analytics.flatten import Partitioned, flatten_columns, page_columns
from reetrace.analytics.pipeline import run_pipeline
from reetrace.analytics.writer import PartitionedWriter
from reetrace.collector import collector_paused
from reetrace.config import Settings
from reetrace.domain.elements import ELEMENTS
from reetrace.domain.registry import Registry
from reetrace.errors import UsageError
from reetrace.store.database import Store
from reetrace.store.ledger_pages import count_events, event_pages, ledger_extent
from reetrace.store.registry_repo import load_registry
from reetrace.store.timefmt import to_utc_text

PAGE_SIZE = 20_000  # events read and flattened at a time

Progress = Callable[[int, int], None]  # (events exported, events to export)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    out_dir: Path
    ledger_size: int  # events in the ledger when the export started
    last_seq: int
    years: tuple[int, ...] | None  # the years exported, None for all
    rows: dict[str, int]  # rows per table
    partitions: dict[str, int]  # year/month partitions per table
    seconds: float

    @property
    def events(self) -> int:
        return self.rows["events"]


def export_parquet(
    store: Store,
    out_dir: Path | str,
    years: Collection[int] | None = None,
    progress: Progress | None = None,
    *,
    utc_offset_hours: int | None = None,
    page_size: int = PAGE_SIZE,
) -> ExportSummary:
    """Export the ledger (the events of `years` only, when given) to `out_dir`, replacing the
    export already there. `progress(done, total)` is called as each page of events is written
    (from the thread that writes them)."""
    started = time.perf_counter()
    out = Path(out_dir).resolve()
    _check_replaceable(out)
    offset = Settings().thresholds.utc_offset_hours if utc_offset_hours is None else utc_offset_hours
    chosen = tuple(sorted(set(years))) if years is not None else None
    ranges = _year_ranges(chosen, offset) if chosen is not None else None
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.export-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    try:
        writers = {
            name: PartitionedWriter(staging / name, table_schema) for name, table_schema in schema.PARTITIONED.items()
        }
        with store.reading() as conn:
            ledger_size, last_seq = ledger_extent(conn)
            total = ledger_size if ranges is None else count_events(conn, last_seq, ranges)
            registry = load_registry(conn)
            if progress is not None:
                progress(0, total)
            done = 0

            def write(tables: dict[str, Partitioned]) -> None:
                nonlocal done
                for name, rows in tables.items():
                    writers[name].write(rows)
                done += len(tables["events"].table)
                if progress is not None:
                    progress(done, total)

            with collector_paused():  # each page is hundreds of thousands of short-lived objects
                run_pipeline(
                    (page_columns(rows) for rows in event_pages(conn, last_seq, page_size, ranges)),
                    [lambda columns: flatten_columns(columns, offset), write],
                )
        with ThreadPoolExecutor(len(writers)) as pool:  # the last rows of each table, encoded side by side
            list(pool.map(PartitionedWriter.close, writers.values()))
        rows = {name: w.rows_written for name, w in writers.items()}
        rows.update(_write_registry(staging / "registry", registry, chosen))
        partitions = {name: len(w.partitions) for name, w in writers.items()}
        manifest = {
            "format": schema.EXPORT_FORMAT,
            "schema_version": schema.SCHEMA_VERSION,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "ledger_size": ledger_size,
            "last_seq": last_seq,
            "years": list(chosen) if chosen is not None else None,
            "utc_offset_hours": offset,
            "elements": list(ELEMENTS),
            "rows": rows,
            "partitions": {name: [f"{y:04d}-{m:02d}" for y, m in w.partitions] for name, w in writers.items()},
        }
        (staging / schema.MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportSummary(out, ledger_size, last_seq, chosen, rows, partitions, time.perf_counter() - started)


def read_manifest(out_dir: Path | str) -> dict:
    """The manifest of the export in `out_dir`; a `UsageError` when there is none."""
    path = Path(out_dir) / schema.MANIFEST
    if not Path(out_dir).is_dir():
        raise UsageError(f"no such directory: {out_dir}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{out_dir} is not an analytics export (it has no {schema.MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != schema.EXPORT_FORMAT:
        raise UsageError(f"{out_dir} is not an analytics export ({path} is not {schema.EXPORT_FORMAT})")
    if manifest.get("schema_version") != schema.SCHEMA_VERSION:
        raise UsageError(
            f"{out_dir} holds schema version {manifest.get('schema_version')}; this version reads "
            f"{schema.SCHEMA_VERSION}: export again"
        )
    return manifest


def _check_replaceable(out: Path) -> None:
    """An export may only replace nothing, an empty directory or an earlier export."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UsageError(f"{out} exists and is not a directory")
    if any(out.iterdir()) and not (out / schema.MANIFEST).is_file():
        raise UsageError(f"{out} is not empty and holds no analytics export; refusing to replace it")


def _year_ranges(years: tuple[int, ...], utc_offset_hours: int) -> list[tuple[str, str]]:
    zone = timezone(timedelta(hours=utc_offset_hours))
    return [
        (to_utc_text(datetime(y, 1, 1, tzinfo=zone)), to_utc_text(datetime(y + 1, 1, 1, tzinfo=zone))) for y in years
    ]


def _write_registry(folder: Path, registry: Registry, years: tuple[int, ...] | None) -> dict[str, int]:
    folder.mkdir()
    enterprises = sorted(registry.enterprises.values(), key=lambda e: e.uscc)
    quotas = sorted(
        (q for q in registry.quotas.values() if years is None or q.year in years),
        key=lambda q: (q.year, q.uscc, q.kind, q.category),
    )
    tables = {
        "enterprises": pa.Table.from_pylist(
            [
                {"uscc": e.uscc, "name": e.name, "name_en": e.name_en, "province": e.province, "group_name": e.group}
                for e in enterprises
            ],
            schema=schema.ENTERPRISES,
        ),
        "quotas": pa.Table.from_pylist(
            [
                {"year": q.year, "uscc": q.uscc, "kind": q.kind, "category": q.category, "tonnes_reo": q.tonnes_reo}
                for q in quotas
            ],
            schema=schema.QUOTAS,
        ),
    }
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet", compression="zstd")
    return {name: table.num_rows for name, table in tables.items()}


def _swap(staging: Path, out: Path) -> None:
    """Put `staging` in place of `out` (two renames on the same file system)."""
    if not out.exists():
        staging.rename(out)
        return
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:12]}"
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
