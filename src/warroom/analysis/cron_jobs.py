"""The crontab jobs as the cron analyzer tests them: read, scoped to their hosts, described."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from warroom.analysis.context import AnalysisContext
from warroom.analysis.rhythm import ErrorSeconds, clock_times
from warroom.errors import InputError
from warroom.timeutil import zone


@dataclass(frozen=True)
class Job:
    ref: str
    schedule: str
    timezone: str
    hosts: tuple[str, ...]


def read_jobs(ctx: AnalysisContext, notes: list[str]) -> list[Job]:
    rows = ctx.con.execute(
        "SELECT ref, schedule, timezone, hosts FROM cron_jobs ORDER BY source, line, ref"
    ).fetchall()
    jobs = []
    for ref, schedule, timezone, hosts in rows:
        tz = timezone or ctx.windows.timezone
        try:
            zone(tz)
        except InputError:
            notes.append(f"cron: {ref!r}: unknown time zone {tz!r}, read in {ctx.windows.timezone}")
            tz = ctx.windows.timezone
        jobs.append(Job(str(ref), str(schedule or ""), tz, tuple(hosts or ())))
    return jobs


def job_errors(errors: ErrorSeconds, job: Job, notes: list[str]) -> ErrorSeconds:
    """The errors on the job's hosts; all errors when the logs name no host at all."""
    if not job.hosts:
        return errors
    if not (errors.hosts != "").any():
        notes.append(f"cron: logs carry no host names, {job.ref!r} tested against all errors")
        return errors
    return errors.on(job.hosts)


def run_times_text(ctx: AnalysisContext, runs: Any) -> str:
    """'runs at :07, :22, :37, :52' for sub-hourly jobs, else its first few run times."""
    tz = ctx.windows.timezone
    gap = float(np.median(np.diff(runs))) if runs.size > 1 else 0.0
    if gap and 3600 % gap == 0 and 3600 / gap <= 12:
        minutes = sorted(
            set(clock_times([float(r) for r in runs[: int(3600 / gap)]], tz, with_hour=False))
        )
        return f"at {', '.join(minutes)} {tz}"
    return (
        f"e.g. at {', '.join(clock_times([float(r) for r in runs[:3]], tz, with_hour=True))} {tz}"
    )
