"""Scenario benchmark: does `warroom investigate` name the simulated cause?

For every scenario x seed x log format: simulate a bundle, investigate it (no cache), and compare
the ranked suspects with the bundle's truth.json. Prints per-scenario and overall figures:
top-1 and top-3 accuracy on non-null cases, the share of null cases with a suspect scored >= 0.5,
and the median onset error in seconds.

    python benchmarks/scenarios.py                       # part 1 scenarios, 5 seeds, 4 formats
    python benchmarks/scenarios.py --part 2 --seeds 3    # the part 2 scenarios
    python benchmarks/scenarios.py --scenarios bad_deploy --formats jsonl --seeds 1 -v
    python benchmarks/scenarios.py --part all --seeds 3 --first-seed 2   # seeds 2, 3, 4

Targets (issues 3 and 4): top-1 >= 0.9, top-3 = 1.0, no suspect >= 0.5 on null cases,
median onset error <= 60 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

PART1 = (
    "bad_deploy",
    "canary_deploy",
    "endpoint_regression",
    "dependency_outage",
    "feature_flag",
    "disk_full",
    "null",
)
PART2 = (
    "cron_overload",
    "decimal_input",
    "dropdown_value",
    "memory_leak",
    "browser_specific",
    "morning_peak",
    "stalled_worker",
)
FORMATS = ("jsonl", "access", "logfmt", "syslog")


@dataclass
class Case:
    scenario: str
    seed: int
    fmt: str
    rank: int | None  # rank of the first suspect the truth accepts; None: not in the list
    top_score: float  # the best suspect's score (null cases: must stay < 0.5)
    onset_error_s: float | None
    seconds: float
    top: str  # the first suspect, for reading failures


def run_case(scenario: str, seed: int, fmt: str) -> Case:
    from warroom.config import Settings
    from warroom.simulate import generate
    from warroom.workflows import investigate_bundle

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder:
        bundle = Path(folder) / "bundle"
        truth = generate(scenario, seed=seed, out=bundle, fmt=fmt)
        settings = Settings(data_dir=Path(folder) / "data")
        result = investigate_bundle(bundle, settings=settings, cache=False)
    rank = next((s.rank for s in result.suspects if truth.accepts(s.kind, s.ref)), None)
    onset_error = None
    if truth.onset and result.onset.at is not None:
        expected = datetime.fromisoformat(truth.onset.replace("Z", "+00:00"))
        onset_error = abs((result.onset.at - expected).total_seconds())
    top = (
        f"{result.suspects[0].kind} {result.suspects[0].ref} ({result.suspects[0].score:.2f})"
        if result.suspects
        else "—"
    )
    return Case(
        scenario,
        seed,
        fmt,
        rank,
        result.suspects[0].score if result.suspects else 0.0,
        onset_error,
        time.perf_counter() - started,
        top,
    )


def summarise(cases: list[Case]) -> dict[str, object]:
    real = [c for c in cases if c.scenario != "null"]
    null = [c for c in cases if c.scenario == "null"]
    onsets = [c.onset_error_s for c in real if c.onset_error_s is not None]
    return {
        "cases": len(cases),
        "top1": sum(c.rank == 1 for c in real) / len(real) if real else None,
        "top3": sum(c.rank is not None and c.rank <= 3 for c in real) / len(real) if real else None,
        "null_with_strong_suspect": sum(c.top_score >= 0.5 for c in null) / len(null)
        if null
        else None,
        "median_onset_error_s": statistics.median(onsets) if onsets else None,
        "onsets_found": f"{len(onsets)}/{len(real)}",
    }


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def print_table(cases: list[Case], *, verbose: bool) -> None:
    print(
        f"{'scenario':<22}{'cases':>6}{'top-1':>8}{'top-3':>8}{'null≥0.5':>10}{'onset err (s)':>15}"
    )
    for scenario in dict.fromkeys(c.scenario for c in cases):
        row = summarise([c for c in cases if c.scenario == scenario])
        print(
            f"{scenario:<22}{row['cases']!s:>6}{_fmt(row['top1']):>8}{_fmt(row['top3']):>8}"
            f"{_fmt(row['null_with_strong_suspect']):>10}{_fmt(row['median_onset_error_s']):>15}"
        )
    total = summarise(cases)
    print(
        f"{'ALL':<22}{total['cases']!s:>6}{_fmt(total['top1']):>8}{_fmt(total['top3']):>8}"
        f"{_fmt(total['null_with_strong_suspect']):>10}{_fmt(total['median_onset_error_s']):>15}"
    )
    misses = [
        c
        for c in cases
        if (c.scenario != "null" and c.rank != 1) or (c.scenario == "null" and c.top_score >= 0.5)
    ]
    if misses or verbose:
        print("\ncases off target:" if misses else "")
        for case in misses if not verbose else cases:
            print(
                f"  {case.scenario} seed={case.seed} {case.fmt}: rank={case.rank} top={case.top} "
                f"onset_err={_fmt(case.onset_error_s)} ({case.seconds:.1f} s)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("1", "2", "all"), default="1")
    parser.add_argument("--scenarios", help="comma-separated scenario names (overrides --part)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument(
        "--first-seed", type=int, default=0, help="start at this seed (to split a long run)"
    )
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write every case as JSON here")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    chosen = {"1": PART1, "2": PART2, "all": PART1 + PART2}[args.part]
    scenarios = tuple(args.scenarios.split(",")) if args.scenarios else chosen
    grid = [
        (s, seed, f)
        for s in scenarios
        for seed in range(args.first_seed, args.first_seed + args.seeds)
        for f in args.formats.split(",")
    ]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        cases = list(pool.map(run_case, *zip(*grid, strict=True)))
    print_table(cases, verbose=args.verbose)
    print(f"\n{len(cases)} cases in {time.perf_counter() - started:.0f} s with {args.jobs} workers")
    if args.json:
        args.json.write_text(
            json.dumps([asdict(c) for c in cases], indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
