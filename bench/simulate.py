"""Simulation benchmark: a national year (or a fraction of one) streamed to disk, with its speed
and its peak memory beside the 2 GB budget.

    python bench/simulate.py [--scale national|FRACTION] [--seed 7] [--year 2025] [--keep DIR]

Timed: `reetrace.simulate.simulate` into a temporary directory (removed afterwards unless `--keep`
names one), as `reetrace simulate` runs it. Peak memory is this process's peak resident set
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`), which includes the interpreter and the imports.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from reetrace.simulate import simulate

BUDGET_MB = 2048


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", help="`national` or a fraction of a national year")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    scale = 1.0 if args.scale == "national" else float(args.scale)
    with tempfile.TemporaryDirectory(prefix="reetrace-simulate-") as tmp:
        out = args.keep or Path(tmp) / "year"
        start = time.perf_counter()
        result = simulate(out, seed=args.seed, scale=scale, year=args.year)
        wall = time.perf_counter() - start
        disk = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = result.summary
    print(f"simulate --year {args.year} --scale {args.scale} --seed {args.seed}")
    print(f"  events       {summary['events']:>14,}")
    print(f"  submissions  {summary['submissions']:>14,}   enterprises {summary['enterprises']['total']:,}")
    print(f"  on disk      {disk / 2**20:>14,.0f} MB")
    print(f"  wall time    {wall:>14,.1f} s")
    print(f"  events/s     {summary['events'] / wall:>14,.0f}")
    print(f"  peak RSS     {peak:>14,.0f} MB   budget {BUDGET_MB:,} MB ({peak / BUDGET_MB:.0%} of it)")
    fill = summary["quota_fill"]
    print(f"  quota fill   mining {fill['mining']:.1%}, separation {fill['separation']:.1%}")
    return 0 if peak < BUDGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
