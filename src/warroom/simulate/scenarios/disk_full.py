"""Disk full: debug logging fills one api host's disk; that host's requests start failing."""

from __future__ import annotations

import numpy as np

from warroom.simulate.faults import python_app_fault
from warroom.simulate.metrics import MetricSet
from warroom.simulate.model import Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, error_lines, fail, when
from warroom.simulate.timeline import HOUR_US, MINUTE_US
from warroom.simulate.truth import Answer

FAULT = python_app_fault(
    "OSError",
    "[Errno 28] No space left on device",
    "app.sessions.store",
    "persist",
    "with open(tmp_path, 'wb') as handle:",
    line=121,
)
FILL_HOURS = 6


def full_host(sim: Simulation) -> str:
    """Any api host but the first (whose nightly backup is a harmless disk spike)."""
    api = sim.world.hosts_of("api")
    return api[1 + int(sim.rng("host").integers(0, len(api) - 1))]


class DiskFull(Scenario):
    name = "disk_full"
    story = "Debug logging fills one api host's disk; most of that host's requests fail."

    def apply(self, sim: Simulation) -> Outcome:
        host = full_host(sim)
        broken = sim.chance("broken", sim.after(sim.onset_us) & sim.on_hosts((host,)), 0.6)
        fail(sim, broken, status=500, fault=FAULT)
        complaints = np.arange(sim.onset_us, sim.timeline.end_us, 3 * MINUTE_US)
        error_lines(
            sim,
            complaints,
            host=host,
            service="api",
            fault=FAULT,
            text="logging error: cannot write to /var/log/app/app.log",
        )
        story = (
            f"Debug logging left on after an earlier investigation filled the disk of {host} "
            f"over {FILL_HOURS} hours; at {when(sim)} it reached 100 %. From then on 60 % of "
            f"the requests {host} serves fail with 'No space left on device'. It is one host of "
            "several, so its errors are only a share of all traffic."
        )
        resource = Answer("resource", f"{host}:disk_used_percent")
        return Outcome(Answer("host", host), story, also_accept=(resource,))

    def shape_metrics(self, sim: Simulation, metrics: MetricSet) -> None:
        disk = metrics.series[(full_host(sim), "disk_used_percent")]
        begin = sim.onset_us - FILL_HOURS * HOUR_US
        filling = (metrics.ts_us >= begin) & (metrics.ts_us < sim.onset_us)
        start_value = float(disk[np.argmax(filling)])
        progress = (metrics.ts_us[filling] - begin) / (sim.onset_us - begin)
        disk[filling] = np.round(start_value + (100 - start_value) * progress**1.5, 2)
        disk[metrics.since(sim.onset_us)] = 100.0
