"""Host metrics at one-minute steps, derived from the generated traffic.

CPU and request rate follow the requests each host actually served; memory idles with load;
disk grows through the day until logrotate runs at midnight (and the nightly backup briefly
fills the database host); workers report jobs processed and queue depth, checkout hosts the
latency of the payments gateway. Scenarios then reshape the series they are about.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from warroom.simulate.eventlog import INFO, LINE, REQUEST, Columns
from warroom.simulate.randomness import stream
from warroom.simulate.timeline import MINUTE_US, Timeline
from warroom.simulate.world import HTTP_SERVICES, World

STEP_US = MINUTE_US
GATEWAY_LABELS = {"upstream": "payments-gateway"}
Key = tuple[str, str]  # (host, metric)


@dataclass
class MetricSet:
    """Samples on a regular grid: one array of values per (host, metric)."""

    ts_us: np.ndarray
    series: dict[Key, np.ndarray] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # metric -> extra labels

    def since(self, moment_us: int) -> np.ndarray:
        return np.asarray(self.ts_us >= moment_us)

    def metric_names(self) -> list[str]:
        return sorted({metric for _, metric in self.series})


def per_minute(ts: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """How many of the instants fall into each one-minute step of the grid."""
    slots = (ts - grid[0]) // STEP_US
    return np.bincount(slots[(slots >= 0) & (slots < grid.size)], minlength=grid.size)


def _load(counts: np.ndarray) -> np.ndarray:
    return np.asarray(counts / max(float(np.quantile(counts, 0.99)), 1.0))


def build_metrics(*, world: World, timeline: Timeline, events: Columns) -> MetricSet:
    """The healthy metrics of every host over the whole history."""
    rng = stream(world.seed, "metrics")
    grid = np.arange(timeline.start_us, timeline.end_us, STEP_US, dtype=np.int64)
    metrics = MetricSet(ts_us=grid, labels={"upstream_latency_ms": GATEWAY_LABELS})
    hours = timeline.local_hours(grid)
    for code, (host, service) in enumerate(zip(world.hosts, world.host_service, strict=True)):
        mine = events["host"] == code
        if service == "worker":
            done = (
                mine & (events["kind"] == LINE) & (events["job"] >= 0) & (events["level"] == INFO)
            )
            counts = per_minute(events["ts"][done], grid)
            metrics.series[(host, "jobs_processed")] = counts.astype(np.float64)
            depth = 4 + 0.05 * counts + rng.normal(0, 1.5, grid.size)
            metrics.series[(host, "queue_depth")] = np.round(np.clip(depth, 0, None))
        else:
            counts = per_minute(events["ts"][mine & (events["kind"] == REQUEST)], grid)
        load = _load(counts)
        _system_series(metrics, rng, host=host, load=load, hours=hours)
        if service in HTTP_SERVICES:
            metrics.series[(host, "http_requests_per_second")] = np.round(counts / 60.0, 3)
        if service == "checkout":
            latency = 180 + 40 * load + rng.normal(0, 12, grid.size)
            metrics.series[(host, "upstream_latency_ms")] = np.round(latency, 1)
    backup_host = world.hosts_of("api")[0]
    nightly = (hours >= 2.5) & (hours < 3.1)
    metrics.series[(backup_host, "disk_used_percent")][nightly] += 9.0
    return metrics


def _system_series(
    metrics: MetricSet,
    rng: np.random.Generator,
    *,
    host: str,
    load: np.ndarray,
    hours: np.ndarray,
) -> None:
    size = load.size
    cpu = 6 + 52 * load + rng.normal(0, 2.5, size)
    memory = rng.uniform(34, 48) + 5 * load + rng.normal(0, 0.6, size)
    disk = rng.uniform(28, 55) + 1.6 * hours / 24 + rng.normal(0, 0.04, size)
    metrics.series[(host, "cpu_used_percent")] = np.round(np.clip(cpu, 0.5, 100), 1)
    metrics.series[(host, "memory_used_percent")] = np.round(np.clip(memory, 1, 100), 1)
    metrics.series[(host, "disk_used_percent")] = np.round(disk, 2)
