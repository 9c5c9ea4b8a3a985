"""Cron jobs: the crontab every bundle ships, and the log lines each run leaves.

Schedules are read with croniter in the bundle's time zone, the way cron itself runs them.
There are a few hundred runs per job at most, so a Python loop over runs is fine here.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import numpy as np
from croniter import croniter

from warroom.simulate.eventlog import INFO
from warroom.simulate.model import CronJob, Simulation
from warroom.simulate.timeline import US, Timeline, to_us
from warroom.simulate.world import SERVICES, World
from warroom.timeutil import zone


def base_cron_jobs(world: World) -> list[CronJob]:
    """The harmless jobs of every bundle: rotation, backups, reports, cache warming."""
    api = world.hosts_of("api")
    workers = world.hosts_of("worker")
    return [
        CronJob(
            "0 0 * * *",
            "/usr/sbin/logrotate /etc/logrotate.conf",
            "root",
            (),
            "rotate logs at midnight",
        ),
        CronJob(
            "30 2 * * *",
            "/usr/local/bin/backup-db.sh --target /backups/orders",
            "postgres",
            (api[0],),
            "nightly dump of the orders database",
        ),
        CronJob(
            "15 * * * *",
            "/opt/reports/bin/generate-report --hourly",
            "reports",
            (workers[0],),
            "hourly sales report",
        ),
        CronJob(
            "*/15 * * * *",
            "/opt/app/bin/refresh-cache --warm",
            "app",
            api,
            "keep the product cache warm",
        ),
        CronJob(
            "0 6 * * 1-5",
            "/opt/reports/bin/generate-report --daily-sales",
            "reports",
            (workers[-1],),
            "daily sales report for the morning meeting",
        ),
    ]


@functools.lru_cache(maxsize=256)
def run_times(job: CronJob, *, world: World, start_us: int, end_us: int) -> np.ndarray:
    """Every instant the job starts between start and end (local schedule, UTC instants)."""
    tz = zone(world.timezone)
    begin = datetime.fromtimestamp(start_us / US, tz=UTC).astimezone(tz)
    schedule = croniter(job.schedule, begin)
    times: list[int] = []
    while True:
        moment = to_us(schedule.get_next(datetime))
        if moment >= end_us:
            runs = np.array(times, dtype=np.int64)
            runs.setflags(write=False)  # shared through the cache
            return runs
        times.append(moment)


def job_hosts(world: World, job: CronJob) -> tuple[str, ...]:
    return job.hosts or world.hosts


def cron_line_count(world: World, timeline: Timeline, jobs: list[CronJob]) -> int:
    """How many lines the jobs' runs will write (two per run and host)."""
    return sum(
        2
        * len(job_hosts(world, job))
        * run_times(job, world=world, start_us=timeline.start_us, end_us=timeline.end_us).size
        for job in jobs
    )


def add_cron_runs(sim: Simulation, job: CronJob, *, finish_seconds: float = 40.0) -> np.ndarray:
    """syslog-style CRON lines plus the job's 'finished' line on each of its hosts.

    Returns the run start times, so a scenario can align its own effects with them.
    """
    rng = sim.shared_rng(f"cron:{job.command}")
    starts = run_times(
        job, world=sim.world, start_us=sim.timeline.start_us, end_us=sim.timeline.end_us
    )
    started = sim.log.message(f"({job.user}) CMD ({job.command})")
    finished = sim.log.message(f"job finished: {job.command}")
    for host in job_hosts(sim.world, job):
        code = sim.world.host_index(host)
        jitter = rng.integers(0, US, starts.size)
        took = (rng.gamma(4.0, finish_seconds / 4.0, starts.size) * US).astype(np.int64)
        sim.log.add(starts + jitter, host=code, service=SERVICES.index("cron"), message=started)
        sim.log.add(
            starts + jitter + took,
            host=code,
            service=SERVICES.index("cron"),
            message=finished,
            level=INFO,
            duration_us=took,
        )
    return starts
