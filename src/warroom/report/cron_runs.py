"""When each crontab job ran within a time span, from the cron_jobs table expanded with croniter.

A bundle holds a handful of jobs, so the loop is per job; each job's runs are capped so that an
every-minute job over a week cannot flood the chart. Problems (`@reboot`, a schedule croniter
rejects, a bad time zone) become notes, never errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from croniter import croniter

from warroom.analysis.wording import clip
from warroom.report.chart_data import Span, wall
from warroom.timeutil import zone

MAX_JOBS = 12
MAX_RUNS_PER_JOB = 2000


@dataclass
class CronRuns:
    runs: list[dict[str, Any]] = field(default_factory=list)  # {"job", "t", "schedule"}
    notes: list[str] = field(default_factory=list)


def cron_runs(con: Any, span: Span, tz: tzinfo, default_zone: str) -> CronRuns:
    jobs = con.execute(
        """
        SELECT DISTINCT ref, schedule, coalesce(timezone, ?) AS timezone
        FROM cron_jobs ORDER BY ref, schedule, timezone
        """,
        [default_zone],
    ).fetchall()
    out = CronRuns()
    if len(jobs) > MAX_JOBS:
        out.notes.append(f"{len(jobs)} cron jobs: only the first {MAX_JOBS} (by command) shown")
    for ref, schedule, job_zone in jobs[:MAX_JOBS]:
        label = clip(f"{schedule}  {ref}", 60)
        times = _expand(schedule, job_zone, span, out.notes, ref)
        out.runs += [{"job": label, "t": wall(t, tz), "schedule": schedule} for t in times]
    return out


def _expand(schedule: str, job_zone: str, span: Span, notes: list[str], ref: str) -> list[datetime]:
    if schedule.strip().startswith("@reboot"):
        notes.append(f"'{ref}' runs at boot (@reboot): no times to draw")
        return []
    try:
        local_zone = zone(job_zone)
        # Cron reads schedules on the job's wall clock, so iterate in its zone.
        runs = croniter(schedule, span.start.astimezone(local_zone))
    except Exception as exc:  # croniter raises a family of its own errors for bad schedules
        notes.append(f"'{ref}': schedule {schedule!r} not drawn ({exc})")
        return []
    times: list[datetime] = []
    while len(times) < MAX_RUNS_PER_JOB:
        moment = runs.get_next(datetime).astimezone(UTC)
        if moment >= span.end:
            return times
        times.append(moment)
    notes.append(f"'{ref}' runs more than {MAX_RUNS_PER_JOB} times in the span: the rest not drawn")
    return times
