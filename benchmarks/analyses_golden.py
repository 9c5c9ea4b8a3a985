"""Guard for speed work on the analyses: the contract JSON must not change.

Runs `investigate` on a fixed set of bundles and writes each result, minus the fields that
measure time (coverage seconds), as sorted JSON into OUT_DIR/<bundle>.json. Run it once on the
untouched code (the golden copy), again after each change, and diff the two folders:

    PYTHONPATH=src:. .venv/bin/python benchmarks/analyses_golden.py OUT_DIR --work WORK_DIR
    diff -r GOLDEN_DIR OUT_DIR

The bundles: `warroom simulate` of a few scenarios (seed 0, JSON lines and access formats) and,
with `--scale FOLDER ...`, the cached scale bundles of benchmarks/scale.py. Parsed files are
cached as Parquet under WORK_DIR so that only the analyses run again on later passes.
`--trace` prints, per bundle, the analyzers' seconds and the slowest SQL statements.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

SCENARIOS = (
    "bad_deploy",
    "dependency_outage",
    "feature_flag",
    "disk_full",
    "null",
    "decimal_input",
    "browser_specific",
    "cron_overload",
    "morning_peak",
)
FORMATS = ("jsonl", "access")
TIMING_KEYS = {"seconds", "generated_at", "duration", "durations"}


def strip_timing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_timing(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [strip_timing(v) for v in value]
    return value


class TracingConnection:
    """Delegates to a DuckDB connection and sums the seconds of each SQL statement."""

    def __init__(self, con: Any, log: dict[str, float]) -> None:
        self._con = con
        self._log = log

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._con.execute(sql, *args, **kwargs)
        finally:
            self._log[" ".join(sql.split())[:160]] += time.perf_counter() - started

    def sql(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        """Ibis runs its queries as relations: time the fetch that runs them."""
        return _TracedRelation(
            self._con.sql(sql, *args, **kwargs), self._log, "(ibis) " + " ".join(sql.split())[:300]
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


class _TracedRelation:
    FETCHES = ("to_arrow_table", "arrow", "fetch_arrow_table", "fetchall", "df", "fetchnumpy")

    def __init__(self, relation: Any, log: dict[str, float], label: str) -> None:
        self._relation, self._log, self._label = relation, log, label

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._relation, name)
        if name not in self.FETCHES:
            return found

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return found(*args, **kwargs)
            finally:
                self._log[self._label] += time.perf_counter() - started

        return timed


def materialise_events(con: Any) -> None:
    """The cache keeps `events` as a view on Parquet; `investigate --no-cache` (and the scale
    benchmark) read a table in memory. Copy it so that the timings match those runs."""
    views = {row[0] for row in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    if "events" in views:
        con.execute("CREATE TABLE _events_copy AS SELECT * FROM events")
        con.execute("DROP VIEW events")
        con.execute("ALTER TABLE _events_copy RENAME TO events")


def simulated(work: Path) -> list[Path]:
    from warroom.simulate import generate

    folders = []
    for scenario in SCENARIOS:
        for fmt in FORMATS:
            folder = work / "bundles" / f"{scenario}-{fmt}-s0"
            if not (folder / ".done").is_file():
                generate(scenario, seed=0, out=folder, fmt=fmt, force=True)
                (folder / ".done").write_text("ok\n")
            folders.append(folder)
    return folders


def cpu_per_analyzer(cpu: dict[str, float]) -> None:
    """Sum the process CPU seconds (DuckDB threads included) of each analyzer into `cpu`:
    steadier than wall clock on a shared machine."""
    from warroom.analysis import runner

    original = runner._run_one

    def timed(ctx: Any, analyzer: Any, outcome: Any) -> Any:
        started = time.process_time()
        try:
            return original(ctx, analyzer, outcome)
        finally:
            cpu[analyzer.id] += time.process_time() - started

    runner._run_one = timed


def run_one(folder: Path, cache: Path, *, trace: bool) -> dict[str, Any]:
    from warroom.analysis.investigate import investigate
    from warroom.evidence.bundle import load_bundle

    cpu: dict[str, float] = defaultdict(float)
    if trace:
        cpu_per_analyzer(cpu)

    loaded = load_bundle(folder, cache_dir=cache)
    materialise_events(loaded.con)
    log: dict[str, float] = defaultdict(float)
    con = TracingConnection(loaded.con, log) if trace else loaded.con
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = investigate(con, inputs=loaded.inputs(), timezone=loaded.timezone)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        loaded.close()
    if trace:
        print(f"{folder.name}: analyses {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU")
        for item in sorted(result.coverage, key=lambda c: -c.seconds):
            print(f"    {item.seconds:7.2f} s  {cpu[item.analyzer]:7.2f} s CPU  {item.analyzer}")
        for sql, spent in sorted(log.items(), key=lambda kv: -kv[1])[:25]:
            print(f"    {spent:7.2f} s  SQL {sql}")
    return dict(strip_timing(result.to_json()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the <bundle>.json results")
    parser.add_argument("--work", type=Path, required=True, help="simulated bundles and cache")
    parser.add_argument("--scale", type=Path, nargs="*", default=[], help="scale bundles")
    parser.add_argument("--only", nargs="*", help="bundle folder names to run (default: all)")
    parser.add_argument("--trace", action="store_true", help="print analyzer and SQL seconds")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    args.out.mkdir(parents=True, exist_ok=True)
    folders = [*simulated(args.work), *args.scale]
    for folder in folders:
        if args.only and folder.name not in args.only:
            continue
        started = time.perf_counter()
        result = run_one(folder, args.work / "cache", trace=args.trace)
        text = json.dumps(result, indent=1, sort_keys=True, default=str)
        (args.out / f"{folder.name}.json").write_text(text + "\n")
        print(f"{folder.name}: {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
