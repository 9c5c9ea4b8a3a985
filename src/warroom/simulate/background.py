"""The healthy hum every bundle has: heartbeats, background jobs, and a few harmless warnings.

These lines exist before and during the incident alike, so the engine sees them in its
baseline and must not blame them.
"""

from __future__ import annotations

import numpy as np

from warroom.simulate.eventlog import INFO, WARN
from warroom.simulate.faults import python_fault
from warroom.simulate.model import JobFilter, Simulation
from warroom.simulate.timeline import MINUTE_US, US, Timeline
from warroom.simulate.traffic import arrival_times
from warroom.simulate.world import SERVICES, UPSTREAMS, World

JOBS = ("send_confirmation_email", "generate_invoice_pdf", "sync_search_index", "resize_images")
JOB_SHARES = (0.45, 0.25, 0.2, 0.1)
HEARTBEAT_SHARE = 0.06  # of the line budget
JOB_MEDIAN_MS = 420.0
JOB_RETRY_FAULT = python_fault(
    "smtplib.SMTPServerDisconnected",
    "Connection unexpectedly closed",
    [
        ("/srv/worker/worker/runner.py", 131, "run_job", "result = handler(**job.arguments)"),
        ("/srv/worker/worker/mailer.py", 64, "send", "self._smtp.send_message(message)"),
    ],
)
# (service, level, message, upstream): harmless warnings that recur all week.
WARNINGS = (
    (
        "api",
        WARN,
        "slow query on orders (1532 ms): SELECT * FROM orders WHERE customer_id = $1",
        "inventory-db",
    ),
    ("api", WARN, "cache miss storm: 212 keys expired in the last minute", "redis-cache"),
    (
        "checkout",
        WARN,
        "payments-gateway answered slowly (2140 ms), within the 5000 ms budget",
        "payments-gateway",
    ),
    ("web", WARN, "an upstream response is buffered to a temporary file", None),
    ("worker", WARN, "email-provider rate limit reached, backing off for 30 s", "email-provider"),
)


def host_codes(sim: Simulation, service: str) -> np.ndarray:
    return np.array([sim.world.host_index(h) for h in sim.world.hosts_of(service)])


def heartbeat_interval_us(world: World, timeline: Timeline, lines: int) -> int:
    """Whole minutes between health checks (1 to 30) so that they take ~6 % of the lines."""
    span = (timeline.end_us - timeline.start_us) * len(world.hosts)
    minutes = span / (HEARTBEAT_SHARE * lines) / MINUTE_US
    return int(np.clip(round(minutes), 1, 30)) * MINUTE_US


def heartbeat_line_count(world: World, timeline: Timeline, lines: int) -> int:
    every = heartbeat_interval_us(world, timeline, lines)
    return -(-(timeline.end_us - timeline.start_us) // every) * len(world.hosts)


def add_heartbeats(sim: Simulation, *, lines: int) -> None:
    """Every host reports 'health check ok' at a fixed interval and its own phase."""
    message = sim.log.message("health check ok")
    rng = sim.shared_rng("heartbeats")
    every = heartbeat_interval_us(sim.world, sim.timeline, lines)
    ticks = np.arange(sim.timeline.start_us, sim.timeline.end_us, every, dtype=np.int64)
    for code, service in enumerate(sim.world.host_service):
        phase = int(rng.integers(0, every))
        ts = ticks + phase + rng.integers(0, 2 * US, ticks.size)
        sim.log.add(ts, host=code, service=SERVICES.index(service), message=message)


def worker_job_times(sim: Simulation, count: int) -> np.ndarray:
    """Jobs follow the shop's traffic: confirmations and invoices come from orders."""
    return arrival_times(
        rng=sim.shared_rng("worker-times"), timeline=sim.timeline, count=count, morning_rush=False
    )


def add_worker_jobs(sim: Simulation, *, count: int, skip: JobFilter | None = None) -> None:
    """'job completed' lines on the worker hosts; `skip` drops the jobs that never ran."""
    rng = sim.shared_rng("worker-jobs")
    ts = worker_job_times(sim, count)
    workers = host_codes(sim, "worker")
    host = workers[rng.integers(0, workers.size, ts.size)]
    job = rng.choice(len(JOBS), size=ts.size, p=np.array(JOB_SHARES))
    duration = (rng.lognormal(np.log(JOB_MEDIAN_MS), 0.6, ts.size) * 1000).astype(np.int64)
    retry = rng.random(ts.size) < 0.004
    job_id = rng.integers(1_000_000, 9_999_999, ts.size)
    keep = np.ones(ts.size, dtype=bool) if skip is None else ~skip(ts, host)
    done, failed = keep & ~retry, keep & retry
    service = SERVICES.index("worker")
    sim.log.add(
        ts[done],
        host=host[done],
        service=service,
        job=job[done],
        obj=job_id[done],
        duration_us=duration[done],
        message=sim.log.message("job completed"),
    )
    sim.log.add(
        ts[failed],
        host=host[failed],
        service=service,
        job=job[failed],
        obj=job_id[failed],
        level=WARN,
        duration_us=duration[failed],
        fault=sim.log.fault(JOB_RETRY_FAULT),
        message=sim.log.message("job failed, will retry in 60 s"),
    )


def add_background_warnings(sim: Simulation, *, count: int) -> None:
    """A few warnings of every kind spread over the whole history."""
    rng = sim.shared_rng("warnings")
    for service, level, text, upstream in WARNINGS:
        hosts = host_codes(sim, service)
        ts = arrival_times(
            rng=rng, timeline=sim.timeline, count=count // len(WARNINGS), morning_rush=False
        )
        sim.log.add(
            ts,
            host=hosts[rng.integers(0, hosts.size, ts.size)],
            service=SERVICES.index(service),
            level=level,
            message=sim.log.message(text),
            upstream=UPSTREAMS.index(upstream) if upstream else -1,
        )


def add_lines(
    sim: Simulation,
    ts: np.ndarray,
    *,
    hosts: tuple[str, ...],
    service: str,
    text: str,
    level: int = INFO,
    fault: int = -1,
    upstream: int = -1,
) -> None:
    """Scenario helper: the same line at `ts` spread round-robin over `hosts`."""
    codes = np.array([sim.world.host_index(h) for h in hosts])
    sim.log.add(
        np.asarray(ts, dtype=np.int64),
        host=codes[np.arange(len(ts)) % codes.size],
        service=SERVICES.index(service),
        level=level,
        message=sim.log.message(text),
        fault=fault,
        upstream=upstream,
    )
