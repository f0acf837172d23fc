"""The streaming writer of a Hive-partitioned table, and the pipeline that feeds it: every row lands
once in its year/month partition, in the order given, with bounded buffers and open files."""

from __future__ import annotations

import threading

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from reetrace.analytics.flatten import Partitioned
from reetrace.analytics.pipeline import run_pipeline
from reetrace.analytics.writer import PartitionedWriter

SCHEMA = pa.schema([("seq", pa.int64()), ("note", pa.string())])


def batch(start: int, months: list[tuple[int, int]]) -> Partitioned:
    n = len(months)
    table = pa.table(
        {"seq": list(range(start, start + n)), "note": [f"row {i}" for i in range(start, start + n)]}, schema=SCHEMA
    )
    return Partitioned(
        table, pa.array([y for y, _ in months], pa.int32()), pa.array([m for _, m in months], pa.int32())
    )


def test_rows_land_in_their_partition_in_order_with_few_files_open(tmp_path):
    writer = PartitionedWriter(tmp_path / "t", SCHEMA, row_group_rows=4, max_buffered_rows=6, max_open_files=2)
    months = [(2025, 12), (2026, 1), (2026, 2)]
    seq = 0
    for size in (5, 7, 3, 11):
        writer.write(batch(seq, [months[(seq + i) % 3] for i in range(size)]))
        seq += size
    writer.write(batch(seq, []))  # an empty batch changes nothing
    writer.close()
    assert writer.rows_written == seq == 26
    assert writer.partitions == [(2025, 12), (2026, 1), (2026, 2)]
    assert sorted(
        p.relative_to(tmp_path / "t").parent.as_posix()
        for p in (tmp_path / "t").rglob("*.parquet")
        if p.name == "part-0000.parquet"
    ) == ["year=2025/month=12", "year=2026/month=01", "year=2026/month=02"]
    assert len(list((tmp_path / "t").rglob("part-0001.parquet"))) >= 1  # a closed file is never reopened
    for (year, month), first in zip(months, range(3), strict=True):
        files = sorted((tmp_path / "t" / f"year={year}" / f"month={month:02d}").glob("*.parquet"))
        seqs = [s for f in files for s in pq.read_table(f)["seq"].to_pylist()]
        assert seqs == list(range(first, 26, 3))
    table = ds.dataset(tmp_path / "t", partitioning="hive").to_table()
    assert sorted(table["seq"].to_pylist()) == list(range(26))


def test_the_pipeline_runs_every_stage_in_order_off_the_calling_thread():
    seen, threads = [], set()

    def double(x):
        threads.add(threading.current_thread().name)
        return 2 * x

    def keep(x):
        threads.add(threading.current_thread().name)
        seen.append(x)

    run_pipeline(iter(range(50)), [double, keep], ahead=1)
    assert seen == [2 * x for x in range(50)]
    assert threading.current_thread().name not in threads and len(threads) == 2


def test_the_first_error_stops_the_pipeline_and_is_raised():
    consumed = []

    def fail_at_three(x):
        if x == 3:
            raise ValueError("bad page")
        return x

    with pytest.raises(ValueError, match="bad page"):
        run_pipeline(iter(range(1000)), [fail_at_three, consumed.append], ahead=1)
    assert consumed == list(range(len(consumed))) and len(consumed) <= 3  # nothing past the failure
    consumed.clear()

    def source():
        yield 1
        raise OSError("database gone")

    with pytest.raises(OSError, match="database gone"):
        run_pipeline(source(), [consumed.append])
    assert consumed == [1]
    assert not [t for t in threading.enumerate() if t.name.startswith("pipeline-stage")]  # all joined
