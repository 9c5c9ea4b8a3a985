"""Run a scenario: build the world and its traffic, apply the fault, write bundle and truth.

The order matters for honesty: the healthy world (traffic, background failures, distractor
changes and cron jobs) is built first and identically for every scenario of a seed; the
scenario then changes only what its story says.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from warroom.errors import InputError
from warroom.simulate.background import (
    add_background_warnings,
    add_heartbeats,
    add_worker_jobs,
    heartbeat_line_count,
)
from warroom.simulate.cron import add_cron_runs, base_cron_jobs, cron_line_count
from warroom.simulate.distractors import add_change_lines, distractor_changes
from warroom.simulate.eventlog import ERROR, INFO, Columns, EventLog
from warroom.simulate.metrics import MetricSet, build_metrics
from warroom.simulate.model import Simulation
from warroom.simulate.options import DEFAULT_LINES, LOG_FORMATS
from warroom.simulate.randomness import stream
from warroom.simulate.scenarios import CATALOGUE, REGISTRY, Outcome, Scenario
from warroom.simulate.timeline import Timeline, build_timeline, iso
from warroom.simulate.traffic import add_background_failures, generate_requests
from warroom.simulate.truth import Answer, Truth
from warroom.simulate.world import World, build_world
from warroom.simulate.writers import choose_layout, write_logs, write_records

MIN_LINES, MAX_LINES = 5_000, 20_000_000  # the upper bound keeps memory under ~10 GB
# Shares of the log-line budget; requests take the rest.
WORKER_SHARE, WARNING_SHARE = 0.07, 0.004
# Top-level names a bundle consists of: what --force may replace.
BUNDLE_ENTRIES = ("logs", "metrics", "changes", "cron", "reports", "warroom.yaml", "truth.json")
Progress = Callable[[str], None]


def _check(scenario: str, fmt: str, lines: int) -> None:
    if scenario not in REGISTRY:
        raise InputError(
            f"unknown scenario {scenario!r}",
            hint="run `warroom simulate --list` to see the scenarios",
        )
    if fmt not in LOG_FORMATS:
        raise InputError(f"unknown log format {fmt!r}", hint=f"use one of {', '.join(LOG_FORMATS)}")
    if not MIN_LINES <= lines <= MAX_LINES:
        raise InputError(
            f"--lines {lines} is out of range", hint=f"ask for {MIN_LINES:,} to {MAX_LINES:,} lines"
        )


def prepare_out(out: Path, *, force: bool) -> None:
    """Refuse a non-empty directory unless forced; forcing removes only a bundle's own entries."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file", hint="give --out a directory")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise InputError(
                f"{out} is not empty",
                hint="choose an empty directory, or pass --force to replace a bundle",
            )
        for name in BUNDLE_ENTRIES:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    out.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class Result:
    """A finished simulation, in memory: what the writers need, and the scenario's outcome."""

    sim: Simulation
    outcome: Outcome
    events: Columns
    metrics: MetricSet


def healthy_world(scenario: Scenario, *, seed: int, fmt: str, lines: int) -> Simulation:
    """The world before the fault: traffic, background failures, distractor changes, cron."""
    world = build_world(seed=seed, lines=lines)
    timeline = build_timeline(
        world=world, history_days=scenario.history_days, onset_clock=scenario.onset_clock()
    )
    log = EventLog()
    requests = generate_requests(
        rng=stream(seed, "traffic"),
        world=world,
        timeline=timeline,
        count=_request_budget(world, timeline, lines),
        morning_rush=scenario.morning_rush,
    )
    add_background_failures(rng=stream(seed, "background-5xx"), columns=requests, log=log)
    sim = Simulation(
        scenario=scenario.name,
        seed=seed,
        fmt=fmt,
        world=world,
        timeline=timeline,
        requests=requests,
        log=log,
    )
    sim.changes = distractor_changes(sim, near_onset=scenario.changes_near_onset)
    sim.cron_jobs = base_cron_jobs(world)
    return sim


def simulate(scenario: Scenario, *, seed: int, fmt: str, lines: int, step: Progress) -> Result:
    """The whole simulation in memory: events, metrics, changes, cron jobs, reports."""
    step("traffic")
    sim = healthy_world(scenario, seed=seed, fmt=fmt, lines=lines)
    step("scenario")
    outcome = scenario.apply(sim)
    step("background")
    _add_background(sim, lines)
    sim.requests["level"] = np.where(sim.requests["status"] >= 500, ERROR, INFO)
    sim.log.add_columns(sim.requests)
    events = sim.log.finish(start_us=sim.timeline.start_us, end_us=sim.timeline.end_us)
    step("metrics")
    metrics = build_metrics(world=sim.world, timeline=sim.timeline, events=events)
    scenario.shape_metrics(sim, metrics)
    return Result(sim, outcome, events, metrics)


def _request_budget(world: World, timeline: Timeline, lines: int) -> int:
    """What is left of the line budget for requests after the other kinds of lines."""
    fixed = heartbeat_line_count(world, timeline, lines)
    fixed += cron_line_count(world, timeline, base_cron_jobs(world))
    shared = int(lines * (1 - WORKER_SHARE - WARNING_SHARE))
    return max(shared - fixed, lines // 3)


def _add_background(sim: Simulation, lines: int) -> None:
    for change in sim.changes:
        add_change_lines(sim, change)
    for job in sim.cron_jobs:
        add_cron_runs(sim, job)
    add_heartbeats(sim, lines=lines)
    add_worker_jobs(sim, count=int(lines * WORKER_SHARE), skip=sim.job_filter)
    add_background_warnings(sim, count=int(lines * WARNING_SHARE))


def generate(
    scenario: str,
    *,
    seed: int,
    out: Path,
    fmt: str = "jsonl",
    lines: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> Truth:
    """Write the bundle of `scenario` with `seed` into `out` and return its truth.

    `lines` is about how many log lines to write (default DEFAULT_LINES); `force` replaces a
    bundle already in `out`; `progress` is called with the name of each step as it starts.
    """
    total = DEFAULT_LINES if lines is None else lines
    _check(scenario, fmt, total)
    prepare_out(out, force=force)
    step = progress or (lambda _name: None)
    chosen = REGISTRY[scenario]()
    result = simulate(chosen, seed=seed, fmt=fmt, lines=total, step=step)
    layout = choose_layout(fmt=fmt, seed=seed, scenario_index=CATALOGUE.index(type(chosen)))
    if chosen.reports_format:
        layout = dataclasses.replace(layout, reports=chosen.reports_format)
    step("logs")
    write_logs(out=out, sim=result.sim, events=result.events, layout=layout)
    step("records")
    write_records(out=out, sim=result.sim, metrics=result.metrics, layout=layout)
    truth = _truth(result, scenario=scenario, seed=seed, fmt=fmt)
    truth.write(out / "truth.json")
    return truth


def _commit_of(result: Result) -> tuple[Answer, ...]:
    """A culprit change may also be named by its commit, as the contract allows."""
    answer = result.outcome.answer
    if answer is None or answer.kind != "change":
        return ()
    return tuple(Answer("change", c.commit) for c in result.sim.changes if c.id == answer.ref)


def _truth(result: Result, *, scenario: str, seed: int, fmt: str) -> Truth:
    outcome, timeline = result.outcome, result.sim.timeline
    return Truth(
        scenario=scenario,
        seed=seed,
        format=fmt,
        answer=outcome.answer,
        also_accept=outcome.also_accept,
        story=outcome.story,
        onset=iso(outcome.onset_us or timeline.onset_us) if outcome.answer else None,
        window=(iso(timeline.window_us[0]), iso(timeline.window_us[1])),
    )
