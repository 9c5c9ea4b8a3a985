"""Benchmark: `warroom templates` against Drain3 on the same inputs, in the same run.

Prints three tables:
1. accuracy on the 8 Loghub-2k systems (corrected labels): GA, FGA, PA, FTA for both.
   warroom uses its one configuration; Drain3 gets what the logparser benchmark gives it per
   system (its regexes, similarity threshold and depth from benchmark_settings.json).
2. throughput on input (a): each system's messages repeated to 125,000 lines (1,000,000 in
   all) with every digit replaced by a fresh random one, so that lines do not repeat exactly.
3. throughput and peak memory on input (b): the messages of a simulated 5,000,000-line bundle
   (`warroom.simulate`, loaded as `warroom investigate` loads it).
warroom is timed end to end as a process (`warroom templates FILE > out`: start-up, reading,
mining, writing the per-line output); Drain3 in-process, parsing only (no start-up, no
output), which favours Drain3. Scoring uses the shared harness's own metric functions.

Usage:  .venv/bin/python benchmarks/templates.py [--quick] [--skip-b | --only-b]
            [--b-lines N] [--b-format jsonl|access|logfmt|syslog] [--data DIR]
Needs the `bench` extra (drain3) and ../shared (the data and the evaluation harness).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
# The checkout's own sources, whichever environment runs the benchmark.
WARROOM = [sys.executable, "-c", "from warroom.cli.main import run; run()", "templates"]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
SIMULATED_SCENARIO = "canary_deploy"
SYSTEMS = ["HDFS", "Hadoop", "Spark", "Zookeeper", "BGL", "HPC", "Thunderbird", "OpenStack"]


def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "loghub_eval", SHARED / "tools" / "loghub_eval.py"
    )
    if spec is None or spec.loader is None:
        raise SystemExit("../shared/tools/loghub_eval.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_system(data: Path, system: str) -> tuple[list[str], list[str]]:
    with (data / system / f"{system}_2k.log_structured.csv").open(
        newline="", encoding="utf-8"
    ) as f:
        rows = list(csv.DictReader(f))
    return [r["Content"] for r in rows], [r["EventTemplate"] for r in rows]


# warroom is started and measured by a small launcher process: Linux counts in a child's
# ru_maxrss the memory its parent had when it was forked (here gigabytes, after simulating a
# bundle), so a direct child of this process would report the benchmark's memory, not its own.
LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
print(f"\\nLAUNCHER {os.waitstatus_to_exitcode(status)} {wall} {usage.ru_maxrss}", file=sys.stderr)
"""


def run_warroom(path: Path) -> tuple[float, int, list[str]]:
    """Wall seconds, peak RSS (KiB), and the printed templates; one process, end to end."""
    with tempfile.NamedTemporaryFile(suffix=".tsv") as out:
        done = subprocess.run(
            [sys.executable, "-c", LAUNCHER, *WARROOM, str(path)],
            stdout=out,
            stderr=subprocess.PIPE,
            env=ENV,
            check=False,
        )
        errors = done.stderr.decode("utf-8", errors="replace")
        code, wall, peak_kib = errors.rsplit("LAUNCHER ", 1)[-1].split()
        if done.returncode != 0 or code != "0":
            raise SystemExit(f"warroom failed: {errors}")
        out.seek(0)
        templates = [line.split("\t", 1)[1] for line in out.read().decode().splitlines()]
    return float(wall), int(peak_kib), templates


def drain3_miner(settings: dict[str, Any] | None) -> Any:
    from drain3 import TemplateMiner
    from drain3.masking import MaskingInstruction
    from drain3.template_miner_config import TemplateMinerConfig

    config = TemplateMinerConfig()
    if settings is None:  # no dataset settings (the simulated bundle): Drain3's defaults
        config.masking_instructions = [MaskingInstruction(r"\d+(\.\d+)*", "*")]
    else:  # as logparser's Drain benchmark: its regexes replaced by <*>, its st and depth
        config.masking_instructions = [MaskingInstruction(r, "*") for r in settings["regex"]]
        config.drain_sim_th = settings["drain_st"]
        config.drain_depth = settings["drain_depth"]
    config.mask_prefix, config.mask_suffix = "<", ">"
    return TemplateMiner(config=config)


def run_drain3(lines: list[str], settings: dict[str, Any] | None) -> tuple[float, list[str]]:
    """Parsing seconds and each line's final template (as the published benchmarks score)."""
    miner = drain3_miner(settings)
    start = time.perf_counter()
    ids = [miner.add_log_message(line)["cluster_id"] for line in lines]
    wall = time.perf_counter() - start
    final = {cid: cluster.get_template() for cid, cluster in miner.drain.id_to_cluster.items()}
    return wall, [final[cid] for cid in ids]


def scores(h: ModuleType, truth: list[str], predicted: list[str]) -> tuple[float, ...]:
    ga, fga, *_ = h.grouping_scores(truth, predicted)
    fta, *_ = h.template_scores(truth, predicted)
    return ga, fga, h.parsing_accuracy(truth, predicted), fta


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def fresh_digits(lines: list[str], repeat_to: int, seed: int) -> list[str]:
    """`lines` repeated to `repeat_to` lines, every digit replaced by a random digit."""
    block = ("\n".join(lines) + "\n").encode("utf-8")
    data = np.frombuffer(block * (repeat_to // len(lines) + 1), dtype=np.uint8).copy()
    digits = (data >= ord("0")) & (data <= ord("9"))
    rng = np.random.default_rng(seed)
    data[digits] = rng.integers(ord("0"), ord("9") + 1, size=int(digits.sum()), dtype=np.uint8)
    return data.tobytes().decode("utf-8").split("\n")[:repeat_to]


def accuracy_table(h: ModuleType, data: Path, settings: dict[str, Any], work: Path) -> None:
    print("\n(1) Accuracy on Loghub-2k (corrected labels); warroom: one configuration for all")
    head = f"{'system':12} {'GA':>11} {'FGA':>11} {'PA':>11} {'FTA':>11}"
    print(
        head
        + "\n"
        + f"{'':12} {'wr   drain3':>11} {'wr   drain3':>11} {'wr   drain3':>11} {'wr   drain3':>11}"
    )
    totals = np.zeros((2, 4))
    for system in SYSTEMS:
        lines, truth = load_system(data, system)
        write_lines(work / f"{system}.txt", lines)
        ours = scores(h, truth, run_warroom(work / f"{system}.txt")[2])
        theirs = scores(h, truth, run_drain3(lines, settings[system])[1])
        totals += np.array([ours, theirs])
        print(
            f"{system:12} "
            + " ".join(f"{a:.3f} {b:.3f}" for a, b in zip(ours, theirs, strict=True))
        )
    avg = totals / len(SYSTEMS)
    print(
        f"{'Average':12} "
        + " ".join(f"{a:.3f} {b:.3f}" for a, b in zip(avg[0], avg[1], strict=True))
    )


def throughput_a(data: Path, settings: dict[str, Any], work: Path, per_system: int) -> None:
    """warroom mines all systems in one run (one configuration); Drain3 runs per system."""
    h = harness()
    blocks, truths, drain_rows = [], [], []
    for index, system in enumerate(SYSTEMS):
        lines, truth = load_system(data, system)
        big = fresh_digits(lines, per_system, seed=index)
        seconds, drained = run_drain3(big, settings[system])
        blocks.append(big)
        truths.append((truth * (per_system // len(truth) + 1))[:per_system])
        drain_rows.append((seconds, h.grouping_scores(truths[-1], drained)[0]))
    path = work / "a.txt"
    write_lines(path, [line for block in blocks for line in block])
    ours, peak_kib, predicted = run_warroom(path)
    path.unlink()
    total, their_time = per_system * len(SYSTEMS), sum(row[0] for row in drain_rows)
    print(f"\n(a) {len(SYSTEMS)} systems x {per_system:,} lines = {total:,}, fresh random digits;")
    print("    warroom: one run over all lines; Drain3: one run per system with its settings")
    print(f"{'system':12} {'drain3 l/s':>11} {'GA warroom':>11} {'GA drain3':>10}")
    for index, system in enumerate(SYSTEMS):
        ours_slice = predicted[index * per_system : (index + 1) * per_system]
        ga = h.grouping_scores(truths[index], ours_slice)[0]
        seconds, drain_ga = drain_rows[index]
        print(f"{system:12} {per_system / seconds:>11,.0f} {ga:>11.3f} {drain_ga:>10.3f}")
    print(
        f"warroom: {total / ours:,.0f} lines/s end to end ({ours:.2f} s, peak "
        f"{peak_kib / 1024:,.0f} MiB); drain3: {total / their_time:,.0f} lines/s parsing only "
        f"({their_time:.1f} s); speed-up {their_time / ours:.1f}x"
    )


def simulated_bundle_messages(
    work: Path, lines: int, *, seed: int, fmt: str = "jsonl"
) -> tuple[Path, int]:
    """Simulate a bundle of about `lines` log lines (`warroom.simulate`, in `fmt`) and write
    the messages of its events, as `warroom investigate` loads them, one per line.

    Returns the messages file and how many log lines the bundle holds."""
    from warroom.evidence.bundle import load_bundle
    from warroom.simulate import generate

    bundle = work / "bundle"
    generate(SIMULATED_SCENARIO, seed=seed, out=bundle, fmt=fmt, lines=lines)
    written = sum(p.read_bytes().count(b"\n") for p in (bundle / "logs").rglob("*") if p.is_file())
    path = work / "bundle-messages.txt"
    with load_bundle(bundle) as loaded:
        messages = loaded.con.sql(
            "SELECT replace(message, chr(10), ' ') AS m FROM events "
            "WHERE message IS NOT NULL ORDER BY source, line"
        ).to_arrow_table()
    with path.open("wb") as out:
        for chunk in messages.column("m").chunks:
            out.write(("\n".join(chunk.to_pylist()) + "\n").encode("utf-8"))
    shutil.rmtree(bundle)
    return path, written


def throughput_b(work: Path, lines: int, drain_sample: int, fmt: str) -> None:
    started = time.perf_counter()
    path, written = simulated_bundle_messages(work, lines, seed=1, fmt=fmt)
    data = path.read_bytes()
    count = data.count(b"\n")
    print(
        f"\n(b) Simulated bundle ({SIMULATED_SCENARIO}, seed 1, {fmt}): {written:,} log lines, "
        f"{count:,} messages ({len(data) / 1e6:,.0f} MB), prepared in "
        f"{time.perf_counter() - started:.0f} s"
    )
    ours, peak_kib, predicted = run_warroom(path)
    sample = data.decode("utf-8").split("\n")[:drain_sample]
    del data
    theirs, _ = run_drain3(sample, None)
    print(
        f"warroom: {ours:.2f} s end to end = {count / ours:,.0f} lines/s (target >= 1,000,000), "
        f"peak memory {peak_kib / 1024:,.0f} MiB (target <= 2,048), "
        f"{len(set(predicted)):,} templates"
    )
    print(
        f"drain3:  {len(sample) / theirs:,.0f} lines/s (parsing only, first {len(sample):,} lines)"
    )
    print(f"speed-up: {(count / ours) / (len(sample) / theirs):.1f}x")
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=SHARED / "datasets" / "loghub-2k")
    parser.add_argument(
        "--quick", action="store_true", help="smaller inputs (a: 12,500 per system; b: 500,000)"
    )
    parser.add_argument("--skip-b", action="store_true", help="skip the simulated 5M-line input")
    parser.add_argument("--only-b", action="store_true", help="only the simulated input")
    parser.add_argument("--b-lines", type=int, help="log lines of the simulated bundle")
    parser.add_argument(
        "--b-format",
        default="jsonl",
        choices=["jsonl", "access", "logfmt", "syslog"],
        help="log format of the simulated bundle (syslog messages carry the whole payload)",
    )
    args = parser.parse_args()
    settings = json.loads((args.data / "benchmark_settings.json").read_text())
    h = harness()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.only_b:
            accuracy_table(h, args.data, settings, work)
            throughput_a(args.data, settings, work, 12_500 if args.quick else 125_000)
        if not args.skip_b:
            b_lines = args.b_lines or (500_000 if args.quick else 5_000_000)
            throughput_b(work, b_lines, 50_000 if args.quick else 200_000, args.b_format)


if __name__ == "__main__":
    main()
