"""Log parsing speed: `load_log` per format next to a bare DuckDB scan of the same file.

For each format the script writes one large synthetic log (numpy draws the fields), then
times, in the same run and on the same file:

  bare   SELECT count(*) FROM read_csv(file, one VARCHAR column per line)
  load   warroom.evidence.logs.load_log(...) into an in-memory `events` table

and prints lines/s, MB/s, load/bare (wall clock) and the same ratio in CPU seconds (user +
system of the process, all DuckDB threads together: steadier than wall clock on a busy
machine), and the peak resident memory of the load. Each format runs in its own process so
that its peak memory is its own. Times are the median of `--repeat` runs.

    .venv/bin/python benchmarks/log_parsing.py                 # 1M lines per format
    .venv/bin/python benchmarks/log_parsing.py --lines 200000 --formats jsonl access
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np

from warroom.evidence.logs import LOG_FORMATS, load_log, sniff_log
from warroom.evidence.logs.reading import MAX_LINE_BYTES
from warroom.evidence.schema import create_statement
from warroom.evidence.types import LoadContext

START = np.datetime64("2026-03-04T00:00:00")
PATHS = np.array(["/api/orders", "/api/cart", "/api/orders/42", "/health", "/api/prices"])
METHODS = np.array(["GET", "GET", "GET", "POST", "PUT"])
LEVELS = np.array(["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"])
STATUSES = np.array(["200", "200", "200", "201", "404", "500", "502"])
HOSTS = np.array([f"web-{n}" for n in range(50)])
TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/srv/app/orders.py", line 88, in save\n'
    "    cursor.execute(query, params)\n"
    '  File "/srv/app/db.py", line 12, in execute\n'
    "    raise TimeoutError(query)\n"
    "TimeoutError: statement timeout"
)


def _times(rng: np.random.Generator, n: int) -> np.ndarray:
    offsets = np.sort(rng.integers(0, 86_400_000, n)).astype("timedelta64[ms]")
    return START + offsets


def _pick(rng: np.random.Generator, values: np.ndarray, n: int) -> np.ndarray:
    return values[rng.integers(0, len(values), n)]


def _join(*columns: np.ndarray | str) -> np.ndarray:
    """Concatenate string columns (and constant strings) element-wise."""
    text = np.asarray(columns[0]).astype(str)
    for column in columns[1:]:
        text = np.char.add(text, np.asarray(column).astype(str))
    return text


def _jsonl(rng: np.random.Generator, n: int) -> np.ndarray:
    iso = np.datetime_as_string(_times(rng, n), unit="ms")
    millis = np.char.mod("%.1f", rng.gamma(2.0, 30.0, n))
    return _join(
        '{"timestamp":"', iso, 'Z","level":"', np.char.lower(_pick(rng, LEVELS, n)),
        '","message":"request handled","host":"', _pick(rng, HOSTS, n),
        '","service":"checkout","http":{"method":"', _pick(rng, METHODS, n),
        '","status_code":', _pick(rng, STATUSES, n), ',"target":"', _pick(rng, PATHS, n),
        '?page=', rng.integers(1, 9, n), '"},"duration_ms":', millis,
        ',"user_id":"u-', rng.integers(0, 5000, n), '","params":{"quantity":',
        rng.integers(0, 5, n), '}}',
    )  # fmt: skip


def _access(rng: np.random.Generator, n: int) -> np.ndarray:
    clf = np.array(
        [t.strftime("%d/%b/%Y:%H:%M:%S") for t in _times(rng, n).astype("datetime64[s]").tolist()]
    )
    return _join(
        "10.0.", rng.integers(0, 255, n), ".", rng.integers(1, 255, n), " - - [", clf,
        ' +0000] "', _pick(rng, METHODS, n), " ", _pick(rng, PATHS, n), "?page=",
        rng.integers(1, 9, n), ' HTTP/1.1" ', _pick(rng, STATUSES, n), " ",
        rng.integers(100, 20000, n), ' "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0" ',
        np.char.mod("%.3f", rng.gamma(2.0, 0.03, n)),
    )  # fmt: skip


def _plain(rng: np.random.Generator, n: int) -> np.ndarray:
    stamp = np.char.replace(np.datetime_as_string(_times(rng, n), unit="ms"), "T", " ")
    levels = _pick(rng, LEVELS, n)
    lines = _join(
        stamp, " - checkout.api - ", levels, " - order ", rng.integers(0, 10**6, n),
        " handled in ", rng.integers(1, 900, n), " ms",
    )  # fmt: skip
    # One error record in a hundred carries a six-line Python traceback.
    traced = (levels == "ERROR") & (rng.random(n) < 0.06)
    lines[traced] = np.char.add(lines[traced], "\n" + TRACE)
    return lines


def _syslog(rng: np.random.Generator, n: int) -> np.ndarray:
    bsd = np.array(
        [t.strftime("%b %e %H:%M:%S") for t in _times(rng, n).astype("datetime64[s]").tolist()]
    )
    return _join(
        "<", rng.integers(0, 192, n), ">", bsd, " ", _pick(rng, HOSTS, n), " sshd[",
        rng.integers(100, 60000, n), "]: Accepted publickey for deploy from 10.0.0.",
        rng.integers(1, 255, n), " port ", rng.integers(1024, 65535, n), " ssh2",
    )  # fmt: skip


def _logfmt(rng: np.random.Generator, n: int) -> np.ndarray:
    iso = np.datetime_as_string(_times(rng, n), unit="ms")
    return _join(
        "time=", iso, "Z level=", np.char.lower(_pick(rng, LEVELS, n)),
        ' msg="request done" method=', _pick(rng, METHODS, n), " path=", _pick(rng, PATHS, n),
        " status=", _pick(rng, STATUSES, n), " duration=", rng.integers(1, 900, n),
        "ms user_id=u-", rng.integers(0, 5000, n), " region=eu-west-1",
    )  # fmt: skip


GENERATORS: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "jsonl": _jsonl,
    "access": _access,
    "plain": _plain,
    "syslog": _syslog,
    "logfmt": _logfmt,
}


def write_log(fmt: str, lines: int, directory: Path) -> Path:
    """A synthetic log of `lines` records in `fmt` (seeded: the same file every run)."""
    path = directory / f"bench.{fmt}.log"
    records = GENERATORS[fmt](np.random.default_rng(7), lines)
    path.write_text("\n".join(records.tolist()) + "\n", encoding="utf-8")
    return path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bare_scan(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of a bare count(*) of the file's lines with DuckDB's CSV reader."""
    con = duckdb.connect()
    options = (
        "columns = {'raw': 'VARCHAR'}, header = false, auto_detect = false, "
        r"delim = E'\x01\x02\x03\x04', quote = '', escape = '', "
        f"max_line_size = {MAX_LINE_BYTES}"
    )
    started, cpu = time.perf_counter(), _cpu()
    con.execute(f"SELECT count(*) FROM read_csv('{path}', {options})").fetchone()
    return time.perf_counter() - started, _cpu() - cpu


def timed_load(path: Path, fmt: str) -> tuple[float, float, int, int]:
    """Wall and CPU seconds, rows and rejected lines of one `load_log` into a fresh database."""
    con = duckdb.connect()
    con.execute(create_statement("events"))
    started, cpu = time.perf_counter(), _cpu()
    load = load_log(con, path, fmt=fmt, ctx=LoadContext(root=path.parent))
    return time.perf_counter() - started, _cpu() - cpu, load.rows, load.rejected


def measure(fmt: str, lines: int, repeat: int) -> dict[str, float | int | str]:
    """One format, in this process: write the file, then time the bare scan and the load."""
    with tempfile.TemporaryDirectory() as directory:
        path = write_log(fmt, lines, Path(directory))
        with path.open(encoding="utf-8") as handle:
            sniffed = sniff_log([handle.readline() for _ in range(64)])
        size = path.stat().st_size
        physical = sum(1 for _ in path.open("rb"))
        bares = [bare_scan(path) for _ in range(repeat)]
        loads = [timed_load(path, fmt) for _ in range(repeat)]
    return {
        "format": fmt,
        "sniffed": str(sniffed),
        "lines": physical,
        "records": loads[0][2],
        "rejected": loads[0][3],
        "mb": size / 1e6,
        "bare_s": statistics.median(bare[0] for bare in bares),
        "bare_cpu": statistics.median(bare[1] for bare in bares),
        "load_s": statistics.median(load[0] for load in loads),
        "load_cpu": statistics.median(load[1] for load in loads),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="records per format")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--formats", nargs="+", default=list(LOG_FORMATS), choices=LOG_FORMATS)
    parser.add_argument("--one", choices=LOG_FORMATS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.lines, args.repeat)))
        return
    print(f"duckdb {duckdb.__version__}, {args.lines:,} records per format, median of "
          f"{args.repeat}")  # fmt: skip
    header = f"{'format':<8}{'lines':>10}{'MB':>6}{'bare s':>8}{'load s':>8}{'lines/s':>10}"
    print(header + f"{'MB/s':>6}{'load/bare':>10}{'cpu ratio':>10}{'peak MB':>9}  sniffed")
    for fmt in args.formats:
        command = [sys.executable, __file__, "--one", fmt, "--lines", str(args.lines)]
        output = subprocess.run(
            [*command, "--repeat", str(args.repeat)], check=True, capture_output=True, text=True
        ).stdout
        row = json.loads(output)
        rate = row["lines"] / row["load_s"]
        cpu_ratio = row["load_cpu"] / max(row["bare_cpu"], 1e-9)
        print(
            f"{row['format']:<8}{row['lines']:>10,}{row['mb']:>6.0f}{row['bare_s']:>8.2f}"
            f"{row['load_s']:>8.2f}{rate:>10,.0f}{row['mb'] / row['load_s']:>6.0f}"
            f"{row['load_s'] / row['bare_s']:>10.1f}{cpu_ratio:>10.1f}{row['peak_mb']:>9.0f}"
            f"  {row['sniffed']}"
        )


if __name__ == "__main__":
    main()
