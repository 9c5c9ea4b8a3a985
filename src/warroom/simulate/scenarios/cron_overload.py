"""Cron overload: one of several cron jobs starts to swamp the api every time it runs.

Three jobs run on the api hosts, two of them every fifteen minutes (at different minutes):
only the bursts of one line up with its schedule.
"""

from __future__ import annotations

import numpy as np

from warroom.simulate.cron import run_times
from warroom.simulate.faults import python_app_fault
from warroom.simulate.metrics import MetricSet
from warroom.simulate.model import CronJob, Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, clock, fail
from warroom.simulate.timeline import MINUTE_US, iso
from warroom.simulate.truth import Answer

COMMAND = "/opt/app/bin/sync-inventory --full"
BURST_US = 3 * MINUTE_US
FAULT = python_app_fault(
    "sqlalchemy.exc.TimeoutError",
    "QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 30.00",
    "app.db",
    "connection",
    "return self._engine.connect()",
    line=44,
)


def culprit(sim: Simulation) -> CronJob:
    return CronJob(
        "7-59/15 * * * *",
        COMMAND,
        "app",
        sim.world.hosts_of("api"),
        "pull the supplier's inventory feed",
    )


def bursts(sim: Simulation) -> np.ndarray:
    """The culprit's runs from the first one at or after the drawn onset."""
    runs = run_times(
        culprit(sim), world=sim.world, start_us=sim.timeline.start_us, end_us=sim.timeline.end_us
    )
    return runs[runs >= sim.onset_us]


class CronOverload(Scenario):
    name = "cron_overload"
    story = "A cron job that runs every 15 minutes now exhausts the api's database pool each run."

    def apply(self, sim: Simulation) -> Outcome:
        sessions = CronJob(
            "*/30 * * * *",
            "/opt/app/bin/expire-sessions",
            "app",
            sim.world.hosts_of("api"),
            "drop expired sessions",
        )
        sim.cron_jobs += [culprit(sim), sessions]
        starts = bursts(sim)
        ts = sim.requests["ts"]
        inside = np.zeros(ts.size, dtype=bool)
        for start in starts:  # a few dozen runs: one vectorised mask each
            inside |= (ts >= start) & (ts < start + BURST_US)
        hit = inside & sim.on_service("api")
        sim.requests["duration_us"][hit] *= 6
        fail(sim, sim.chance("pool", hit, 0.35), status=503, fault=FAULT)
        story = (
            f"Since {clock(int(starts[0]), sim)} {sim.world.timezone} ({iso(int(starts[0]))}) "
            "the supplier's inventory feed is ten times larger. Every run of "
            f"'{COMMAND}' (at 7, 22, 37 and 52 past the hour) holds the api's database pool for "
            "three minutes: api requests slow down sixfold and a third fail with 503. The cache "
            "warmer runs every 15 minutes too (on the hour and quarters) and the session "
            "cleaner every 30; both are harmless."
        )
        return Outcome(Answer("cron", COMMAND), story, onset_us=int(starts[0]))

    def shape_metrics(self, sim: Simulation, metrics: MetricSet) -> None:
        busy = np.zeros(metrics.ts_us.size, dtype=bool)
        for start in bursts(sim):
            busy |= (metrics.ts_us >= start) & (metrics.ts_us < start + BURST_US)
        for host in sim.world.hosts_of("api"):
            cpu = metrics.series[(host, "cpu_used_percent")]
            cpu[busy] = np.round(np.clip(cpu[busy] + 55, 0, 99.5), 1)
