"""A Hive-partitioned Parquet table written in a stream: `ROOT/year=YYYY/month=MM/part-NNNN.parquet`.

Rows arrive in ledger order, which mixes months; they are buffered per partition and written as
row groups of about `row_group_rows` rows. Memory stays bounded: past `max_buffered_rows` rows
held in all, the largest buffers are written out; past `max_open_files` open files, the least
recently used one is closed (a later row of its partition starts a new part file).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reetrace.analytics.flatten import Partitioned

ROW_GROUP_ROWS = 65_536
MAX_BUFFERED_ROWS = 131_072
MAX_OPEN_FILES = 64
COMPRESSION = "zstd"
# Dictionary encoding pays off for repeated values (reporters, types, forms), statistics for the
# columns queries filter on; neither for long unique text (the bodies), where both only cost time.
UNIQUE_TEXT = frozenset({"body", "composition", "digest", "event_id", "lot", "shipment", "customs_declaration"})
LONG_TEXT = frozenset({"body", "composition", "digest"})

Partition = tuple[int, int]  # (year, month)
_HUNDRED = pa.scalar(100, pa.int32())


def partition_dir(year: int, month: int) -> str:
    return f"year={year:04d}/month={month:02d}"


class PartitionedWriter:
    def __init__(
        self,
        root: Path,
        schema: pa.Schema,
        *,
        row_group_rows: int = ROW_GROUP_ROWS,
        max_buffered_rows: int = MAX_BUFFERED_ROWS,
        max_open_files: int = MAX_OPEN_FILES,
    ) -> None:
        self.root = root
        self.schema = schema
        self.rows_written = 0
        self._row_group_rows = row_group_rows
        self._max_buffered_rows = max_buffered_rows
        self._max_open_files = max_open_files
        self._buffers: dict[Partition, list[pa.Table]] = {}
        self._buffered: dict[Partition, int] = {}
        self._open: OrderedDict[Partition, pq.ParquetWriter] = OrderedDict()
        self._parts: dict[Partition, int] = {}  # part files started per partition

    @property
    def partitions(self) -> list[Partition]:
        return sorted(self._parts)

    def write(self, rows: Partitioned) -> None:
        table = rows.table
        if table.num_rows == 0:
            return
        key = pc.add(pc.multiply(pc.cast(rows.year, pa.int32()), _HUNDRED), pc.cast(rows.month, pa.int32()))
        order = pc.sort_indices(key)  # stable: rows keep their ledger order within a partition
        start = 0
        for value, length in _runs(key):
            # a copy of its own for each partition: a slice would keep the whole page alive for as
            # long as any partition still buffers rows of it
            self._buffer((value // 100, value % 100), table.take(order.slice(start, length)))
            start += length
        while sum(self._buffered.values()) > self._max_buffered_rows:
            self._flush(max(self._buffered, key=self._buffered.__getitem__))

    def close(self) -> None:
        for partition in list(self._buffers):
            self._flush(partition)
        while self._open:
            _, writer = self._open.popitem(last=False)
            writer.close()

    def _buffer(self, partition: Partition, rows: pa.Table) -> None:
        self._buffers.setdefault(partition, []).append(rows)
        self._buffered[partition] = self._buffered.get(partition, 0) + rows.num_rows
        if self._buffered[partition] >= self._row_group_rows:
            self._flush(partition)

    def _flush(self, partition: Partition) -> None:
        pieces = self._buffers.pop(partition, None)
        self._buffered.pop(partition, None)
        if not pieces:
            return
        rows = pa.concat_tables(pieces)  # written chunk by chunk into one row group
        self._writer(partition).write_table(rows, row_group_size=max(rows.num_rows, 1))
        self.rows_written += rows.num_rows

    def _writer(self, partition: Partition) -> pq.ParquetWriter:
        writer = self._open.get(partition)
        if writer is not None:
            self._open.move_to_end(partition)
            return writer
        if len(self._open) >= self._max_open_files:
            _, oldest = self._open.popitem(last=False)
            oldest.close()
        part = self._parts.get(partition, 0)
        self._parts[partition] = part + 1
        folder = self.root / partition_dir(*partition)
        folder.mkdir(parents=True, exist_ok=True)
        writer = pq.ParquetWriter(
            folder / f"part-{part:04d}.parquet",
            self.schema,
            compression=COMPRESSION,
            use_dictionary=[f.name for f in self.schema if pa.types.is_string(f.type) and f.name not in UNIQUE_TEXT],
            write_statistics=[f.name for f in self.schema if f.name not in LONG_TEXT],
        )
        self._open[partition] = writer
        return writer


def _runs(key: pa.Array) -> list[tuple[int, int]]:
    """(value, length) of each run of equal values in a sorted array."""
    counts = pc.value_counts(key).to_pylist()
    return sorted((c["values"], c["counts"]) for c in counts)
