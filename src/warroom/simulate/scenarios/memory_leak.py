"""Memory leak: a deploy in the morning leaks memory; hours later its hosts are OOM-killed.

The release went to some api hosts only (the rollout was paused), so the hosts that got it
climb and the other does not. The errors come long after the deploy: the link is the memory
trend that starts at the deploy on exactly those hosts.
"""

from __future__ import annotations

import numpy as np

from warroom.simulate.distractors import version
from warroom.simulate.eventlog import INFO
from warroom.simulate.faults import python_fault
from warroom.simulate.metrics import MetricSet
from warroom.simulate.model import Change, Simulation, make_change
from warroom.simulate.scenarios.base import Outcome, Scenario, clock, error_lines, fail, when
from warroom.simulate.timeline import HOUR_US, MINUTE_US, US
from warroom.simulate.truth import Answer
from warroom.simulate.world import SERVICES

DEGRADED_US = 10 * MINUTE_US  # garbage collection thrashes before the kill
RESTART_US = 50 * US
FAULT = python_fault(
    "MemoryError",
    "",
    [
        ("/srv/app/app/catalog/cache.py", 88, "remember", "self._entries[key] = render(product)"),
    ],
)


class MemoryLeak(Scenario):
    name = "memory_leak"
    story = "A morning api deploy leaks memory; hours later its hosts are OOM-killed and fail."

    def _plan(self, sim: Simulation) -> tuple[Change, tuple[str, ...], list[int]]:
        rng = sim.rng("plan")
        api = sim.world.hosts_of("api")
        leaking = tuple(api[: max(2, (2 * len(api)) // 3)])
        hours_before = float(rng.uniform(5, 7))
        change = make_change(
            seed=sim.seed,
            ts_us=sim.onset_us - int(hours_before * HOUR_US),
            type="deploy",
            service="api",
            version=version(sim.world, "api", 2),
            author="tom.okafor",
            description="api: cache rendered product cards in process",
            hosts=leaking,
        )
        kills = [
            sim.onset_us + DEGRADED_US + int(rng.integers(0, 12)) * MINUTE_US * i
            for i in range(len(leaking))
        ]
        return change, leaking, kills

    def apply(self, sim: Simulation) -> Outcome:
        change, leaking, kills = self._plan(sim)
        sim.changes.append(change)
        ts = sim.requests["ts"]
        for host, kill in zip(leaking, kills, strict=True):
            mine = sim.on_hosts((host,))
            thrash = mine & (ts >= kill - DEGRADED_US) & (ts < kill)
            sim.requests["duration_us"][thrash] *= 4
            fail(sim, sim.chance(f"thrash:{host}", thrash, 0.25), status=503, fault=FAULT)
            # While the process restarts the proxy answers 502 on its own: no exception.
            down = mine & (ts >= kill) & (ts < kill + RESTART_US)
            sim.requests["status"][down] = 502
            self._crash(sim, host=host, kill=kill, change=change)
        story = (
            f"At {clock(change.ts_us, sim)} api {change.version} ({change.id}) went to "
            f"{', '.join(leaking)}; it caches rendered product cards without a bound. Memory on "
            f"those hosts climbed all day; from {when(sim)} they thrash and are OOM-killed one "
            "after another, failing requests while they restart. The api host that kept the "
            "old release stays flat."
        )
        memory = tuple(Answer("resource", f"{h}:memory_used_percent") for h in leaking)
        return Outcome(Answer("change", change.id), story, also_accept=memory)

    def _crash(self, sim: Simulation, *, host: str, kill: int, change: Change) -> None:
        """The kernel's OOM line, then the service coming back up."""
        jitter = int(sim.rng(f"crash:{host}").integers(1_000, 900_000))
        error_lines(
            sim,
            np.array([kill + jitter]),
            host=host,
            service="kernel",
            text="Out of memory: Killed process 2231 (gunicorn) total-vm:8123456kB, "
            "anon-rss:7634012kB, file-rss:0kB, shmem-rss:0kB, oom_score_adj:0",
        )
        started = sim.log.message(f"starting api {change.version} (commit {change.commit[:7]})")
        sim.log.add(
            np.array([kill + RESTART_US + jitter]),
            host=sim.world.host_index(host),
            service=SERVICES.index("api"),
            level=INFO,
            message=started,
        )

    def shape_metrics(self, sim: Simulation, metrics: MetricSet) -> None:
        change, leaking, kills = self._plan(sim)
        grid = metrics.ts_us
        for host, kill in zip(leaking, kills, strict=True):
            memory = metrics.series[(host, "memory_used_percent")]
            climbing = (grid >= change.ts_us) & (grid < kill)
            share = (grid[climbing] - change.ts_us) / (kill - change.ts_us)
            memory[climbing] = np.round(memory[climbing] + (97 - memory[climbing]) * share, 1)
            after = grid >= kill + RESTART_US
            regrow = (grid[after] - kill) / (kill - change.ts_us)
            memory[after] = np.round(memory[after] + (97 - memory[after]) * regrow, 1)
