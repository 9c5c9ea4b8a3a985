"""When each crontab job ran within a time span, for the cron strip of the HTML report.

Runs are expanded by the cron analyzer's own `expand_runs` (same schedule reading, time zones and
macros as the test the strip illustrates). A bundle holds a handful of jobs, so the loop is per
job; each job's runs are capped so that an every-minute job over a week cannot flood the chart.
Problems (`@reboot`, an invalid schedule, a bad time zone) become notes, never errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from warroom.analysis.alignment import ScheduleError, expand_runs
from warroom.analysis.wording import clip
from warroom.errors import InputError
from warroom.report.chart_data import Span, wall

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
    try:
        runs = expand_runs(schedule, job_zone, span.start, span.end)
    except (ScheduleError, InputError) as exc:  # InputError: a time zone we do not know
        notes.append(f"'{ref}': schedule {schedule!r} not drawn ({exc})")
        return []
    if runs.size > MAX_RUNS_PER_JOB:
        notes.append(f"'{ref}' runs over {MAX_RUNS_PER_JOB} times in the span: the rest not drawn")
    return [datetime.fromtimestamp(int(t), UTC) for t in runs[:MAX_RUNS_PER_JOB]]
