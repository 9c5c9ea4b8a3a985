"""Benchmark: `warroom templates` against Drain3 on the same inputs, in the same run.

Prints three tables:
1. accuracy on the 8 Loghub-2k systems (corrected labels): GA, FGA, PA, FTA for both.
   warroom uses its one configuration; Drain3 gets what the logparser benchmark gives it per
   system (its regexes, similarity threshold and depth from benchmark_settings.json).
2. throughput on input (a): each system's messages repeated to 125,000 lines (1,000,000 in
   all) with every digit replaced by a fresh random one, so that lines do not repeat exactly.
3. throughput and peak memory on input (b): a simulated 5,000,000-line application log.
warroom is timed end to end as a process (`warroom templates FILE > out`: start-up, reading,
mining, writing the per-line output); Drain3 in-process, parsing only (no start-up, no
output), which favours Drain3. Scoring uses the shared harness's own metric functions.

Usage:  .venv/bin/python benchmarks/templates.py [--quick] [--skip-b] [--data DIR]
Needs the `bench` extra (drain3) and ../shared (the data and the evaluation harness).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
WARROOM = [str(ROOT / ".venv" / "bin" / "warroom"), "templates"]
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


def run_warroom(path: Path) -> tuple[float, int, list[str]]:
    """Wall seconds, peak RSS (KiB), and the printed templates; one process, end to end."""
    with tempfile.NamedTemporaryFile(suffix=".tsv") as out:
        start = time.perf_counter()
        process = subprocess.Popen([*WARROOM, str(path)], stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(
                f"warroom failed: {process.stderr.read().decode() if process.stderr else ''}"
            )
        out.seek(0)
        templates = [line.split("\t", 1)[1] for line in out.read().decode().splitlines()]
    return wall, usage.ru_maxrss, templates


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


# The simulated application: message formats with typed slots, as a web shop's services log.
APP_FORMATS = [
    ("GET /api/orders/{int} returned {status} in {int} ms", 30),
    ("POST /api/cart/{int}/items returned {status} in {int} ms", 12),
    ("Failed to parse quantity '{float}' for sku {sku}", 6),
    ("user {user} logged in from {ip}", 8),
    ("user {user} logged out after {int} s", 5),
    ("payment {uuid} declined: card expired", 2),
    ("payment {uuid} declined: insufficient funds", 2),
    ("payment {uuid} captured: {float} EUR", 6),
    ("cache miss for key session:{hex}", 9),
    ("DB query on orders took {int} ms (rows={int})", 7),
    ("Retrying request to inventory-{int}.svc.cluster.local (attempt {int}/5)", 3),
    ("connection to {ip}:{int} reset by peer", 2),
    ("worker {int} picked job {uuid} from queue emails", 4),
    ("job {uuid} finished in {float} s", 4),
    ("Slow request: /api/search?q={word}&page={int} took {int} ms", 2),
    ("config reloaded from /etc/shop/{word}.yaml", 1),
    ("Disk usage on /var/lib/postgresql at {int}%", 1),
    ("Health check OK", 3),
    ("GC pause of {int} ms (heap {int} MB -> {int} MB)", 2),
    ("email to {user}@example.com queued as {hex}", 2),
]
WORDS = ["shoes", "socks", "hat", "coat", "scarf", "boots", "gloves", "belt", "bag", "tie"]


def _slot(kind: str, rng: Any) -> str:
    values = {
        "int": lambda: str(rng.integers(0, 100_000)),
        "float": lambda: f"{rng.random() * 100:.2f}",
        "status": lambda: str(rng.choice([200, 201, 404, 500, 502])),
        "sku": lambda: f"SKU-{rng.integers(1000, 9999)}",
        "user": lambda: f"user{rng.integers(0, 500)}",
        "ip": lambda: ".".join(str(rng.integers(1, 255)) for _ in range(4)),
        "uuid": lambda: "-".join(rng.bytes(n).hex() for n in (4, 2, 2, 2, 6)),
        "hex": lambda: rng.bytes(8).hex(),
        "word": lambda: str(rng.choice(WORDS)),
    }
    return values[kind]()


def simulated_messages(count: int, *, seed: int) -> bytes:
    """`count` lines drawn from pools of rendered messages, then given fresh random digits."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    pool: list[str] = []
    for text, _ in APP_FORMATS:
        parts = text.replace("}", "{").split("{")
        for _ in range(2000):
            pool.append("".join(_slot(p, rng) if i % 2 else p for i, p in enumerate(parts)) + "\n")
    weights = np.array([w for _, w in APP_FORMATS], dtype=float)
    chosen = rng.choice(len(APP_FORMATS), size=count, p=weights / weights.sum())
    picks = chosen * 2000 + rng.integers(0, 2000, size=count)
    taken = pa.array(pool, type=pa.large_string()).take(pa.array(picks))
    data = np.frombuffer(taken.buffers()[2], dtype=np.uint8)[
        : int(np.frombuffer(taken.buffers()[1], dtype=np.int64)[-1])
    ].copy()
    digits = (data >= ord("0")) & (data <= ord("9"))
    data[digits] = rng.integers(ord("0"), ord("9") + 1, size=int(digits.sum()), dtype=np.uint8)
    return data.tobytes()


def throughput_b(work: Path, lines: int, drain_sample: int) -> None:
    path = work / "bundle.log"
    path.write_bytes(simulated_messages(lines, seed=11))
    size_mb = path.stat().st_size / 1e6
    print(f"\n(b) Simulated application log: {lines:,} lines, {size_mb:,.0f} MB")
    ours, peak_kib, predicted = run_warroom(path)
    sample = path.read_bytes().decode("utf-8").split("\n")[:drain_sample]
    theirs, _ = run_drain3(sample, None)
    print(
        f"warroom: {ours:.2f} s end to end = {lines / ours:,.0f} lines/s, peak memory "
        f"{peak_kib / 1024:,.0f} MiB, {len(set(predicted)):,} templates"
    )
    print(
        f"drain3:  {len(sample) / theirs:,.0f} lines/s (parsing only, first {len(sample):,} lines)"
    )
    print(f"speed-up: {(lines / ours) / (len(sample) / theirs):.1f}x")
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=SHARED / "datasets" / "loghub-2k")
    parser.add_argument(
        "--quick", action="store_true", help="smaller inputs (a: 12,500 per system; b: 500,000)"
    )
    parser.add_argument("--skip-b", action="store_true", help="skip the simulated 5M-line input")
    args = parser.parse_args()
    settings = json.loads((args.data / "benchmark_settings.json").read_text())
    h = harness()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        accuracy_table(h, args.data, settings, work)
        throughput_a(args.data, settings, work, 12_500 if args.quick else 125_000)
        if not args.skip_b:
            throughput_b(
                work, 500_000 if args.quick else 5_000_000, 50_000 if args.quick else 200_000
            )


if __name__ == "__main__":
    main()
