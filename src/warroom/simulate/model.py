"""What a simulation builds besides log events: changes, cron jobs, customer reports.

`Simulation` is the working state a scenario receives: the world, the timeline, the requests
(mutable columns), the event log, and the lists it may add to.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from warroom.simulate.eventlog import Columns, EventLog
from warroom.simulate.randomness import stream
from warroom.simulate.timeline import Timeline
from warroom.simulate.world import ROUTES, SERVICES, World

# (times, host codes) of the worker's jobs -> mask of the jobs that never ran (a stalled worker)
JobFilter = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Change:
    """A change event (deploy, config, feature flag, ...) as the contract describes it."""

    id: str
    ts_us: int
    type: str
    service: str
    version: str
    hosts: tuple[str, ...]  # empty: all hosts of the service
    author: str
    description: str
    commit: str


@dataclass(frozen=True)
class CronJob:
    """One crontab line; `hosts` empty means it runs everywhere."""

    schedule: str
    command: str
    user: str
    hosts: tuple[str, ...]
    comment: str


@dataclass(frozen=True)
class Report:
    """A customer bug report or support ticket."""

    ts_us: int
    subject: str
    text: str
    browser: str
    os: str
    user_agent: str
    customer: str
    url: str


def make_change(
    *,
    seed: int,
    ts_us: int,
    type: str,
    service: str,
    version: str,
    author: str,
    description: str,
    hosts: tuple[str, ...] = (),
) -> Change:
    """A change whose id and commit are derived from its content, so they are stable per seed."""
    digest = zlib.crc32(f"{seed}:{service}:{type}:{ts_us}".encode())
    commit = f"{zlib.crc32(f'commit:{digest}'.encode()):08x}{digest:08x}"
    return Change(
        id=f"CHG-{digest % 90_000 + 10_000}",
        ts_us=ts_us,
        type=type,
        service=service,
        version=version,
        hosts=hosts,
        author=author,
        description=description,
        commit=commit,
    )


@dataclass
class Simulation:
    """The state one scenario run works on."""

    scenario: str
    seed: int
    fmt: str
    world: World
    timeline: Timeline
    requests: Columns
    log: EventLog
    changes: list[Change] = field(default_factory=list)
    cron_jobs: list[CronJob] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    job_filter: JobFilter | None = None

    def rng(self, purpose: str) -> np.random.Generator:
        """A stream of the scenario's own (its draws never shift the shared background)."""
        return stream(self.seed, f"{self.scenario}:{purpose}")

    def shared_rng(self, purpose: str) -> np.random.Generator:
        """A stream of the world's: the same in every scenario of this seed."""
        return stream(self.seed, f"world:{purpose}")

    @property
    def onset_us(self) -> int:
        return self.timeline.onset_us

    def after(self, moment_us: int) -> np.ndarray:
        """Mask of the requests at or after `moment_us`."""
        return np.asarray(self.requests["ts"] >= moment_us)

    def on_service(self, service: str) -> np.ndarray:
        return np.asarray(self.requests["service"] == SERVICES.index(service))

    def on_hosts(self, hosts: tuple[str, ...]) -> np.ndarray:
        codes = [self.world.host_index(h) for h in hosts]
        return np.isin(self.requests["host"], codes)

    def on_endpoint(self, endpoint: str) -> np.ndarray:
        return np.asarray(self.requests["route"] == self.world.route_index(endpoint))

    def on_method(self, method: str) -> np.ndarray:
        posts = [i for i, route in enumerate(ROUTES) if route.method == method]
        return np.isin(self.requests["route"], posts)

    def chance(self, purpose: str, mask: np.ndarray, share: float) -> np.ndarray:
        """A random `share` of the masked requests (the rest of the mask is dropped)."""
        draws = self.rng(purpose).random(mask.size)
        return np.asarray(mask & (draws < share))
