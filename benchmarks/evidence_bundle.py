"""Speed of the bundle reader's own parts (not the log loaders): prints figures, asserts nothing.

    .venv/bin/python benchmarks/evidence_bundle.py [--rows 5000000]

1. Metrics CSV (long format) of N rows, loaded through `load_bundle`, against a bare DuckDB
   `count(*)` scan of the same file: the ratio is the parsing overhead.
2. Writing the Parquet cache, and a second load of the unchanged bundle from it.
3. Discovery and sniffing of 2,000 small files (only their heads are read).
4. Line numbers: `lines_source` numbers the lines of an N-line file in order (checked here on a
   file large enough for DuckDB to read in parallel).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import types
from pathlib import Path

import duckdb

from warroom.evidence.bundle import load_bundle
from warroom.evidence.tabular import lines_source, open_connection


def _no_log_package() -> None:
    """This benchmark has no log files; stand in for the log package if it is not installed."""
    try:
        import warroom.evidence.logs  # noqa: F401
    except ImportError:
        stand_in = types.ModuleType("warroom.evidence.logs")
        stand_in.sniff_log = lambda sample: None  # type: ignore[attr-defined]
        sys.modules["warroom.evidence.logs"] = stand_in


def _write_metrics(path: Path, rows: int) -> None:
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT strftime(TIMESTAMP '2026-03-04 00:00:00' + to_seconds(i % 86400),
              '%Y-%m-%dT%H:%M:%SZ') AS timestamp, 'metric_' || (i % 20) AS metric,
              (i % 1000) / 10.0 AS value, 'web-' || (i % 7) AS host, 'checkout' AS service
            FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"""
    ).fetchall()
    con.close()


def _timed(action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bench_metrics(folder: Path, rows: int) -> None:
    bundle_dir, cache = folder / "bundle", folder / "cache"
    bundle_dir.mkdir()
    csv = bundle_dir / "metrics.csv"
    _write_metrics(csv, rows)
    con = duckdb.connect()
    scan, count = _timed(
        lambda: con.execute(f"SELECT count(*) FROM read_csv('{csv}')").fetchall()[0][0]
    )
    con.close()
    parse, bundle = _timed(lambda: load_bundle(bundle_dir))
    loaded = bundle.inputs()["metrics_samples"]
    bundle.close()
    first, bundle = _timed(lambda: load_bundle(bundle_dir, cache_dir=cache))
    bundle.close()
    second, bundle = _timed(lambda: load_bundle(bundle_dir, cache_dir=cache))
    if not bundle.from_cache or bundle.inputs()["metrics_samples"] != loaded or loaded != count:
        raise SystemExit("the cached load does not match the parsed one")
    bundle.close()
    size = csv.stat().st_size / 1e6
    print(f"metrics CSV: {rows:,} rows, {size:.0f} MB")
    print(f"  bare count(*) scan          {scan:7.2f} s")
    print(f"  load_bundle (no cache)      {parse:7.2f} s   = {parse / scan:.1f}x the scan")
    print(f"  load_bundle + cache write   {first:7.2f} s   (cache write {first - parse:+.2f} s)")
    print(f"  load_bundle from the cache  {second:7.2f} s   = {second / parse:.1%} of parsing")


def bench_discovery(folder: Path, files: int) -> None:
    bundle_dir = folder / "many"
    for index in range(files):
        sub = bundle_dir / f"web-{index % 50}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"m{index}.csv").write_text(
            "timestamp,metric,value\n" + "2026-03-04T14:00:00Z,cpu,1\n" * 200
        )
    elapsed, bundle = _timed(lambda: load_bundle(bundle_dir))
    print(
        f"{files:,} small files (discover, sniff, load): {elapsed:.2f} s, "
        f"{elapsed / files * 1000:.1f} ms a file, {bundle.inputs()['metrics_samples']:,} samples"
    )
    bundle.close()


def check_line_numbers(folder: Path, lines: int) -> None:
    path = folder / "lines.txt"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT 'line ' || i FROM range(1, {lines} + 1) t(i)) TO '{path}' "
        "(HEADER false, QUOTE '')"
    ).fetchall()
    con.close()
    con = open_connection()
    elapsed, wrong = _timed(
        lambda: con.execute(
            f"SELECT count(*) FROM {lines_source(path)} WHERE line <> 'line ' || n"
        ).fetchall()[0][0]
    )
    print(f"line numbering of {lines:,} lines: {wrong} out of order, {elapsed:.2f} s")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="metric rows (default 5M)")
    parser.add_argument("--files", type=int, default=2_000, help="small files (default 2000)")
    args = parser.parse_args()
    _no_log_package()
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        folder = Path(tmp)
        bench_metrics(folder, args.rows)
        bench_discovery(folder, args.files)
        check_line_numbers(folder, args.rows)


if __name__ == "__main__":
    main()
