"""End-to-end `investigate` at scale next to a bare DuckDB scan of the same files (issue 3).

A simulated bundle of 5 million log lines over 50 hosts (one bundle per log format, JSON lines
and NGINX access + plain app logs) is generated once and cached under /tmp. Then, in a fresh
process per format so that peak memory is its own, the script times:

  bare       SELECT count(*) over read_json (JSON lines) / read_csv (every other log file)
             of the bundle's log files, in one query
  load       load_bundle without the Parquet cache (discover, sniff, parse every file)
  analyses   windows, every registered analyzer and the ranking
  total      load + analyses: what `warroom investigate --no-cache` costs

and, in a second fresh process (row "<format> warm"), the same for a run on files already
parsed once: the bundle is loaded into a fresh Parquet cache first (its time is printed
apart), then `load` reads that cache. That is every `warroom investigate` after the first on
the same files, as a responder asks again with other windows or after adding notes.
It prints the table with the ratio total/bare (wall clock), the same ratio in CPU seconds
(steadier on a shared machine) and the peak resident memory (target: <= 3x the bare scan,
<= 4 GB). `--profile` adds where the time goes: per loader step (reading lines,
parsing per format, inserting events) and per analyzer.

    PYTHONPATH=src:. .venv/bin/python benchmarks/scale.py                 # 5M lines, both formats
    PYTHONPATH=src:. .venv/bin/python benchmarks/scale.py --lines 1000000 --formats jsonl --profile
    ... --no-warm                                                         # first runs only
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

CACHE_ROOT = Path("/tmp/warroom-scale")
RAW_LINE_OPTIONS = (
    "columns = {'raw': 'VARCHAR'}, header = false, auto_detect = false, "
    r"delim = E'\x01\x02\x03\x04', quote = '', escape = '', max_line_size = 33554432"
)


def bundle_for(scenario: str, fmt: str, lines: int, seed: int) -> Path:
    """The cached bundle, generated on first use (a .done marker guards half-written ones)."""
    from warroom.simulate import generate

    folder = CACHE_ROOT / f"{scenario}-{fmt}-{lines}-s{seed}"
    if not (folder / ".done").is_file():
        started = time.perf_counter()
        generate(scenario, seed=seed, out=folder, fmt=fmt, lines=lines, force=True)
        (folder / ".done").write_text("ok\n")
        print(f"generated {folder} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return folder


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def cpu_seconds() -> float:
    """User + system CPU of this process, all DuckDB threads together: on a busy machine a
    steadier measure than wall clock."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bare_scan(folder: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds and rows of one count(*) over the bundle's log files."""
    logs = sorted(p for p in (folder / "logs").rglob("*") if p.is_file())
    jsonl = [p for p in logs if p.suffix == ".jsonl"]
    other = [p for p in logs if p.suffix != ".jsonl"]
    parts = []
    if jsonl:
        parts.append(
            f"SELECT count(*) AS n FROM read_json({_sql_list(jsonl)}, format = 'newline_delimited')"
        )
    if other:
        parts.append(f"SELECT count(*) AS n FROM read_csv({_sql_list(other)}, {RAW_LINE_OPTIONS})")
    con = duckdb.connect()
    started, cpu = time.perf_counter(), cpu_seconds()
    row = con.execute(f"SELECT sum(n) FROM ({' UNION ALL '.join(parts)})").fetchone()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    con.close()
    return seconds, cpu, int(row[0]) if row else 0


def floor_scans(folder: Path) -> dict[str, float]:
    """Wall seconds of what any DuckDB loader of these files must do at least, for --profile:
    copy every log line into a table, and (JSON lines) also parse each with `json_transform`
    into the union of the keys of a sample of lines, or read them with DuckDB's `read_json`."""
    logs = sorted(p for p in (folder / "logs").rglob("*") if p.is_file())
    lines = f"read_csv({_sql_list(logs)}, {RAW_LINE_OPTIONS})"
    con = duckdb.connect()
    floors: dict[str, float] = {}
    started = time.perf_counter()
    con.execute(f"CREATE TABLE copied AS SELECT raw FROM {lines}")
    floors["floor: every line into a table"] = time.perf_counter() - started
    jsonl = [p for p in logs if p.suffix == ".jsonl"]
    if jsonl:
        row = con.execute(
            "SELECT json_group_structure(json_structure(raw)) FROM "
            "(SELECT raw FROM copied WHERE json_valid(raw) USING SAMPLE 10000 ROWS (reservoir, 1))"
        ).fetchone()
        structure = str(row[0]).replace("'", "''") if row else "{}"
        started = time.perf_counter()
        con.execute(
            "CREATE TABLE parsed AS SELECT json_transform(raw, '" + structure + "') AS j "
            f"FROM read_csv({_sql_list(jsonl)}, {RAW_LINE_OPTIONS})"
        )
        floors["floor: every JSON line into a table, parsed"] = time.perf_counter() - started
        con.execute("DROP TABLE parsed")
        # DuckDB's own JSON reader, every key a column: what loading with read_json would cost
        # before any check for bad lines or rare keys (it has no line numbers to report them by)
        started = time.perf_counter()
        con.execute(
            "CREATE TABLE read AS SELECT * FROM "
            f"read_json({_sql_list(jsonl)}, format = 'newline_delimited', ignore_errors = true)"
        )
        floors["floor: read_json of every key into a table"] = time.perf_counter() - started
    con.close()
    return floors


class Profile:
    """Wall seconds spent in wrapped functions, summed per label."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        setattr(owner, name, timed)


def _instrument_loaders(profile: Profile) -> None:
    """Time the loader's steps: raw lines, each format's parser, the INSERT into events."""
    from warroom.analysis import investigate as investigate_module
    from warroom.evidence import bundle, loaders
    from warroom.evidence import logs as log_package

    profile.wrap(log_package, "read_lines", "load: read lines (read_csv)")
    profile.wrap(log_package, "read_batch", "load: read lines (read_csv)")
    parsers = log_package._PARSERS
    for fmt in list(parsers):
        original = parsers[fmt]

        def timed(*args: Any, _original: Any = original, _fmt: str = fmt, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                profile.seconds[f"load: parse {_fmt}"] += time.perf_counter() - started

        parsers[fmt] = timed
    profile.wrap(log_package, "insert_events", "load: insert events")
    original_load_one = loaders._load_one

    def load_one(con: Any, path: Path, found: Any, ctx: Any) -> Any:
        started = time.perf_counter()
        try:
            return original_load_one(con, path, found, ctx)
        finally:
            profile.seconds[f"load: every {found.format} file"] += time.perf_counter() - started

    loaders._load_one = load_one
    original_logs = loaders._guarded_logs

    def guarded_logs(con: Any, fmt: str, batch: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original_logs(con, fmt, batch, **kwargs)
        finally:
            profile.seconds[f"load: every {fmt} file"] += time.perf_counter() - started

    loaders._guarded_logs = guarded_logs
    profile.wrap(loaders, "read_head", "load: read heads + sniff")
    profile.wrap(loaders, "sniff", "load: read heads + sniff")
    profile.wrap(loaders, "median_time", "load: median time")
    profile.wrap(bundle, "_notes", "load: notes")
    profile.wrap(investigate_module, "resolve_windows", "analyses: windows (detection)")
    profile.wrap(investigate_module, "rank", "analyses: rank")


def measure(folder: Path, *, profile_steps: bool, warm: bool = False) -> dict[str, Any]:
    """In this process: bare scan, then load and investigate without the cache; or, `warm`,
    load once into a fresh cache (timed apart as `cache_write_s`), then time a load that reads
    that cache and the investigation."""
    from warroom.analysis.investigate import investigate
    from warroom.evidence.bundle import load_bundle

    profile = Profile()
    if profile_steps and not warm:
        _instrument_loaders(profile)
    bare_s, bare_cpu, bare_rows = bare_scan(folder)
    cache_dir, cache_write_s = None, 0.0
    if warm:
        # Filled by another process, so that this one's peak memory is the warm run's own.
        cache_dir = Path(tempfile.mkdtemp(prefix="warroom-scale-cache-"))
        started = time.perf_counter()
        command = [sys.executable, __file__, "--fill-cache", str(cache_dir), "--one", str(folder)]
        subprocess.run(command, check=True)
        cache_write_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), cpu_seconds()
    loaded = load_bundle(folder, cache_dir=cache_dir)
    load_s, load_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if warm and not loaded.from_cache:
        raise SystemExit(f"the second load of {folder} did not read the cache")
    inputs = loaded.inputs()
    started, cpu = time.perf_counter(), cpu_seconds()
    result = investigate(loaded.con, inputs=inputs, timezone=loaded.timezone)
    analyses_s, analyses_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    loaded.close()
    if cache_dir is not None:
        shutil.rmtree(cache_dir, ignore_errors=True)
    for item in result.coverage:
        profile.seconds[f"analyzer {item.analyzer} ({item.status})"] += item.seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if profile_steps and not warm:
        profile.seconds.update(floor_scans(folder))  # after the peak: its tables are large
    top = result.suspects[0] if result.suspects else None
    return {
        "bare_s": bare_s,
        "cpu": (bare_cpu, load_cpu, analyses_cpu),
        "bare_rows": bare_rows,
        "load_s": load_s,
        "analyses_s": analyses_s,
        "events": inputs["events"],
        "rejected": inputs["rejected_lines"],
        "peak_mb": peak_mb,
        "top": f"{top.kind}:{top.ref} {top.score:.2f}" if top else "-",
        "profile": dict(profile.seconds),
        "cache_write_s": cache_write_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--formats", nargs="+", default=["jsonl", "access"])
    parser.add_argument("--scenario", default="canary_deploy")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="time loader steps and analyzers")
    parser.add_argument(
        "--no-warm", action="store_true", help="skip the second run, which reads the cache"
    )
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fill-cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill_cache and args.one:
        from warroom.evidence.bundle import load_bundle

        load_bundle(args.one, cache_dir=args.fill_cache).close()
        return
    if args.one:
        print(json.dumps(measure(args.one, profile_steps=args.profile, warm=args.warm)))
        return
    print(
        f"duckdb {duckdb.__version__}, cores={os.cpu_count()}, load={os.getloadavg()[0]:.1f}, "
        f"{args.scenario} seed {args.seed}, {args.lines:,} lines per bundle"
    )
    print(
        f"{'format':<12}{'lines':>11}{'MB':>6}{'bare s':>8}{'load s':>8}{'analyses s':>11}"
        f"{'total s':>9}{'ratio':>7}{'cpu ratio':>10}{'peak MB':>9}  top suspect"
    )
    for fmt in args.formats:
        folder = bundle_for(args.scenario, fmt, args.lines, args.seed)
        size = sum(p.stat().st_size for p in (folder / "logs").rglob("*") if p.is_file())
        runs = [("", [])] if args.no_warm else [("", []), (" warm", ["--warm"])]
        for label, extra in runs:
            command = [sys.executable, __file__, "--one", str(folder), *extra]
            command += ["--profile"] if args.profile else []
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            _print_row(fmt + label, row, size=size)


def _print_row(name: str, row: dict[str, Any], *, size: int) -> None:
    total = row["load_s"] + row["analyses_s"]
    bare_cpu, load_cpu, analyses_cpu = row["cpu"]
    cpu_ratio = (load_cpu + analyses_cpu) / max(bare_cpu, 1e-9)
    print(
        f"{name:<12}{row['bare_rows']:>11,}{size / 1e6:>6.0f}{row['bare_s']:>8.2f}"
        f"{row['load_s']:>8.2f}{row['analyses_s']:>11.2f}{total:>9.2f}"
        f"{total / row['bare_s']:>7.1f}{cpu_ratio:>10.1f}{row['peak_mb']:>9.0f}  {row['top']}",
        flush=True,
    )
    written = row["cache_write_s"]
    cache = f", cache written in {written:.2f} s before" if written else ""
    print(
        f"    cpu s: bare {bare_cpu:.2f}, load {load_cpu:.2f}, analyses {analyses_cpu:.2f}{cache}",
        flush=True,
    )
    for label, seconds in sorted(row["profile"].items(), key=lambda item: -item[1]):
        print(f"    {seconds:8.2f} s  {label}")


if __name__ == "__main__":
    main()
