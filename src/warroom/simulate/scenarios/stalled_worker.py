"""Stalled worker: one background worker stops taking jobs; its queue grows; almost no errors."""

from __future__ import annotations

import numpy as np

from warroom.simulate.eventlog import WARN
from warroom.simulate.faults import python_fault
from warroom.simulate.metrics import MetricSet, per_minute
from warroom.simulate.model import Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, error_lines, when
from warroom.simulate.timeline import MINUTE_US, US
from warroom.simulate.truth import Answer
from warroom.simulate.world import SERVICES

FAULT = python_fault(
    "TimeoutError",
    "lease renewal for the job queue timed out after 30 s",
    [
        (
            "/srv/worker/worker/lease.py",
            112,
            "renew",
            "self._broker.touch(self.lease_id, timeout=30)",
        ),
    ],
)


class StalledWorker(Scenario):
    name = "stalled_worker"
    story = "A background worker silently stops processing jobs; its queue grows, few errors."

    def __init__(self) -> None:
        self.stalled_jobs = np.zeros(0, dtype=np.int64)

    def stalled_host(self, sim: Simulation) -> str:
        workers = sim.world.hosts_of("worker")
        return workers[int(sim.rng("host").integers(0, len(workers)))]

    def apply(self, sim: Simulation) -> Outcome:
        host = self.stalled_host(sim)
        code = sim.world.host_index(host)

        def skip(ts: np.ndarray, hosts: np.ndarray) -> np.ndarray:
            mask = (ts >= sim.onset_us) & (hosts == code)
            self.stalled_jobs = ts[mask]
            return np.asarray(mask)

        sim.job_filter = skip
        error_lines(
            sim,
            np.array([sim.onset_us + 95 * US]),
            host=host,
            service="worker",
            text="lost the lease on the job queue, reconnecting",
            fault=FAULT,
        )
        sim.log.add(
            np.array([sim.onset_us + 40 * US, sim.onset_us + 16 * MINUTE_US]),
            host=code,
            service=SERVICES.index("worker"),
            level=WARN,
            message=sim.log.message("prefetch buffer full (64 jobs), pausing consumer"),
        )
        story = (
            f"At {when(sim)} the job consumer on {host} deadlocked after a lost lease. The "
            "process stays up (its health checks still pass) but it processes no jobs: its "
            "jobs-processed rate drops to zero and its queue keeps growing. There are only a "
            "couple of warnings and one error; no change was made."
        )
        also = (
            Answer("resource", f"{host}:jobs_processed"),
            Answer("resource", f"{host}:queue_depth"),
        )
        return Outcome(Answer("host", host), story, also_accept=also)

    def shape_metrics(self, sim: Simulation, metrics: MetricSet) -> None:
        host = self.stalled_host(sim)
        waiting = np.cumsum(per_minute(self.stalled_jobs, metrics.ts_us))
        depth = metrics.series[(host, "queue_depth")]
        metrics.series[(host, "queue_depth")] = depth + waiting
