"""How fast `warroom simulate` writes bundles: the 5-million-line scale bundle and the default size.

    .venv/bin/python benchmarks/simulate_scale.py                  # 5M lines, jsonl and access
    .venv/bin/python benchmarks/simulate_scale.py --lines 1000000 --formats jsonl
    .venv/bin/python benchmarks/simulate_scale.py --all-scenarios  # every scenario, default size

Prints one line per bundle: scenario, format, lines written, bytes, seconds, lines per second.
Bundles are written to a temporary directory and removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from warroom.simulate import DEFAULT_LINES, FORMATS, SCENARIOS, generate


def count_lines(folder: Path) -> tuple[int, int]:
    """(log lines, bytes of the whole bundle)."""
    lines = 0
    size = 0
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        size += path.stat().st_size
        if path.parts[len(folder.parts)] == "logs":
            with path.open("rb") as handle:
                lines += sum(
                    chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")
                )
    return lines, size


def run(scenario: str, fmt: str, lines: int, seed: int, workdir: Path) -> None:
    out = workdir / f"{scenario}-{fmt}"
    started = time.perf_counter()
    generate(scenario, seed=seed, out=out, fmt=fmt, lines=lines)
    seconds = time.perf_counter() - started
    written, size = count_lines(out)
    print(
        f"{scenario:20s} {fmt:7s} lines={written:>10,d} bytes={size / 1e6:>8.1f}MB "
        f"seconds={seconds:7.2f} lines/s={written / seconds:>12,.0f}",
        flush=True,
    )
    shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--formats", nargs="+", default=["jsonl", "access"], choices=FORMATS)
    parser.add_argument("--scenario", default="canary_deploy", choices=list(SCENARIOS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--all-scenarios",
        action="store_true",
        help=f"every scenario in every format at the default size ({DEFAULT_LINES:,} lines)",
    )
    args = parser.parse_args()
    print(f"cores={os.cpu_count()} load={os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="warroom-sim-") as tmp:
        workdir = Path(tmp)
        if args.all_scenarios:
            for scenario in SCENARIOS:
                for fmt in FORMATS:
                    run(scenario, fmt, DEFAULT_LINES, args.seed, workdir)
        else:
            for fmt in args.formats:
                run(args.scenario, fmt, args.lines, args.seed, workdir)


if __name__ == "__main__":
    main()
