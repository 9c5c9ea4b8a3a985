"""Accuracy of onset + spread + changes on the simulator's scenarios, without the log loaders.

Each scenario is simulated in memory and its events and change events are written straight into
the normalised tables (the columns the loaders would produce), so this measures the analyzers
alone. Prints, per scenario, how often the truth is the top suspect (top-1) or among the first
three (top-3), in the scenario's window and in a detected one, and how often a wrong suspect
scored 0.5 or more; for the null scenario a hit means that no suspect did. Scenarios whose answer
is not a change or a host (a dependency, an endpoint) need other analyzers: here they only show
whether these three name a wrong suspect.

    .venv/bin/python -m benchmarks.spread_changes_scenarios --seeds 8 --lines 120000
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from datetime import UTC, datetime

import duckdb

from warroom.analysis.analyzers.changes import Changes
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.analyzers.spread import Spread
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.analysis.investigation import Investigation
from warroom.evidence.schema import TABLES, create_statement
from warroom.simulate.generator import simulate
from warroom.simulate.model import Simulation
from warroom.simulate.scenarios import REGISTRY
from warroom.simulate.writers.table import connect, event_table

SCENARIOS = (
    "bad_deploy",
    "canary_deploy",
    "endpoint_regression",
    "dependency_outage",
    "feature_flag",
    "disk_full",
    "null",
)
EVENTS = """
SELECT ts, host::VARCHAR, NULL, service::VARCHAR, lower(level::VARCHAR), status::SMALLINT,
    method::VARCHAR, path, duration_ms::DOUBLE, coalesce(exc_message::VARCHAR, message::VARCHAR),
    exc_type::VARCHAR, stack::VARCHAR, user_name, NULL, 'simulated', row_id + 1, 'jsonl'
FROM ev
"""


def tables(sim: Simulation, events: object) -> duckdb.DuckDBPyConnection:
    table = event_table(events=events, world=sim.world, log=sim.log, offset_s=sim.timeline.offset_s)
    rows = connect(table).execute(EVENTS).to_arrow_table()
    con = duckdb.connect()
    for name in TABLES:
        con.execute(create_statement(name))
    con.register("simulated", rows)
    con.execute("INSERT INTO events SELECT * FROM simulated")
    for c in sim.changes:
        row = [c.id, _naive(c.ts_us), c.type, c.service, c.version or None, list(c.hosts)]
        con.execute(
            "INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, [], 'changes.jsonl')",
            [*row, c.author, c.description, c.commit],
        )
    return con


def _quiet(_step: str) -> None:
    """The simulator reports its steps; a benchmark prints only figures."""


def _naive(moment_us: int) -> datetime:
    return datetime.fromtimestamp(moment_us / 1e6, tz=UTC).replace(tzinfo=None)


def hits(result: Investigation, answer: tuple[str, str] | None) -> tuple[bool, bool, bool]:
    """(top-1, top-3, a wrong suspect scored 0.5 or more)."""
    ranked = [(s.kind, s.ref) for s in result.suspects]
    wrong = any((s.kind, s.ref) != answer and s.score >= 0.5 for s in result.suspects)
    if answer is None:
        return not wrong, not wrong, wrong
    return ranked[:1] == [answer], answer in ranked[:3], wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--lines", type=int, default=120_000)
    args = parser.parse_args()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for name in SCENARIOS:
        for seed in range(1, args.seeds + 1):
            run = simulate(REGISTRY[name](), seed=seed, fmt="jsonl", lines=args.lines, step=_quiet)
            answer = run.outcome.answer
            truth = (answer.kind, answer.ref) if answer else None
            con = tables(run.sim, run.events)
            start, end = (_naive(us).replace(tzinfo=UTC) for us in run.sim.timeline.window_us)
            for request in (WindowRequest(incident=(start, end)), None):
                result = investigate(
                    con, inputs={}, request=request, analyzers=[Onset(), Spread(), Changes()]
                )
                for slot, value in enumerate((True, *hits(result, truth))):
                    tally[name][slot] += value
    for name, (runs, top1, top3, wrong) in tally.items():
        print(
            f"{name:20s} top-1 {top1 / runs:5.0%}  top-3 {top3 / runs:5.0%}  "
            f"wrong suspect >= 0.5 in {wrong} of {runs} runs"
        )


if __name__ == "__main__":
    main()
