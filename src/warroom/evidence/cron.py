"""Crontabs: user crontabs, system crontabs and `cron.d` files, into the `cron_jobs` table.

A user crontab line is five schedule fields and a command; a system crontab (`/etc/crontab`,
`cron.d/*`) has a user between them. The `@hourly`-style macros are understood, `@reboot`
included (it has no schedule: it runs at boot). `CRON_TZ=` / `TZ=` lines set the time zone of the
jobs below them; a `# hosts: a,b` comment on the line just above a job names its hosts. Lines
that are none of these are rejected with the reason, never fatal.

Crontabs are a few dozen lines and validating a schedule needs croniter, so this parser reads
the file in Python; the size is capped so a huge file is not mistaken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb
from croniter import croniter

from warroom.errors import InputError
from warroom.evidence.tabular import insert_rows, read_text_file, relative_source
from warroom.evidence.types import MAX_REJECTED_EXAMPLES, FileLoad, LoadContext
from warroom.timeutil import zone

MAX_CRONTAB_BYTES = 1 << 20
MACROS = frozenset(
    {"@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_COMMENT = re.compile(r"^\s*(#.*)?$")
_HOSTS = re.compile(r"^\s*#\s*hosts\s*:\s*(.*?)\s*$", re.IGNORECASE)
_ENV = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_MACRO = re.compile(r"^\s*(@[A-Za-z]+)\s+(.*\S)\s*$")
_FIELDS = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*\S)\s*$")
_USER_AND_COMMAND = re.compile(r"^(\S+)\s+(.*\S)$")
_USER_NAME = re.compile(r"^[a-z_][a-z0-9_.-]*\$?$")
_COMMAND_LIKE = re.compile(r"[A-Za-z/]")


@dataclass(frozen=True)
class _Job:
    ref: str
    schedule: str
    timezone: str
    user: str | None
    hosts: tuple[str, ...]
    line: int


@dataclass
class _Parsed:
    jobs: list[_Job] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    rejected_count: int = 0

    def reject(self, number: int, reason: str, text: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REJECTED_EXAMPLES:
            self.rejected.append(f"line {number}: {reason}: {text.strip()[:200]}")


def _schedule(line: str) -> tuple[str, str] | None:
    """(schedule, rest) for a job line with a valid schedule, else None."""
    macro = _MACRO.match(line)
    if macro:
        name = macro.group(1).lower()
        return (name, macro.group(2)) if name in MACROS else None
    fields = _FIELDS.match(line)
    if not fields:
        return None
    expression = " ".join(fields.groups()[:5])
    return (expression, fields.group(6)) if croniter.is_valid(expression) else None


def sniff_crontab(lines: list[str], *, rel_path: str) -> str | None:
    """'crontab' or 'crontab_system' when the head reads as a crontab, else None."""
    jobs = [parsed for line in lines if (parsed := _schedule(line))]
    jobs = [job for job in jobs if _COMMAND_LIKE.search(job[1])]
    if not jobs:
        return None
    fitting = sum(bool(_COMMENT.match(line) or _ENV.match(line)) for line in lines) + len(jobs)
    if fitting * 3 < len(lines) * 2:  # two lines in three must be crontab lines
        return None
    return "crontab_system" if _is_system(rel_path, [rest for _, rest in jobs]) else "crontab"


def _is_system(rel_path: str, commands: list[str]) -> bool:
    """System crontabs carry a user before the command: by location, or by content."""
    parts = PurePosixPath(rel_path).parts
    if "cron.d" in parts[:-1] or parts[-2:] == ("etc", "crontab"):
        return True
    users = [_USER_AND_COMMAND.match(rest) for rest in commands]
    if not all(match and _USER_NAME.match(match.group(1)) for match in users):
        return False
    return any(match and match.group(1) == "root" for match in users)


def load_crontab(
    con: duckdb.DuckDBPyConnection, path: Path, *, system: bool, ctx: LoadContext
) -> FileLoad:
    """Parse one crontab into `cron_jobs`; invalid lines are rejected with the reason."""
    source = relative_source(path, ctx.root)
    text = read_text_file(path, limit=MAX_CRONTAB_BYTES)
    parsed = _parse(text, system=system, ctx=ctx, default_user=_spool_user(source, system))
    rows = [
        {
            "ref": job.ref,
            "schedule": job.schedule,
            "timezone": job.timezone,
            "user": job.user,
            "hosts": list(job.hosts),
            "source": source,
            "line": job.line,
        }
        for job in parsed.jobs
    ]
    insert_rows(con, table="cron_jobs", rows=rows)
    return FileLoad(
        path=source,
        table="cron_jobs",
        format="crontab_system" if system else "crontab",
        rows=len(rows),
        rejected=parsed.rejected_count,
        rejected_examples=parsed.rejected,
    )


def _spool_user(source: str, system: bool) -> str | None:
    """A user crontab kept in a spool folder (`.../crontabs/alice`) is named after its user."""
    parts = PurePosixPath(source).parts
    if system or len(parts) < 2 or parts[-2] not in ("crontabs", "cron"):
        return None
    return parts[-1].removesuffix(".gz")


def _parse(text: str, *, system: bool, ctx: LoadContext, default_user: str | None) -> _Parsed:
    parsed = _Parsed()
    timezone = ctx.timezone
    hosts: tuple[str, ...] | None = None
    default_hosts = (ctx.host,) if ctx.host else ()
    for number, line in enumerate(text.splitlines(), start=1):
        comment = _HOSTS.match(line)
        if comment:
            hosts = tuple(h.strip() for h in comment.group(1).split(",") if h.strip())
            continue
        if _COMMENT.match(line):
            hosts = None
            continue
        environment = _ENV.match(line)
        if environment:
            timezone = _zone_line(environment, timezone, number=number, parsed=parsed)
            hosts = None
            continue
        job = _job(line, number=number, system=system, parsed=parsed)
        if job is not None:
            schedule, user, command = job
            parsed.jobs.append(
                _Job(
                    ref=command,
                    schedule=schedule,
                    timezone=timezone,
                    user=user or default_user,
                    hosts=hosts if hosts is not None else default_hosts,
                    line=number,
                )
            )
        hosts = None
    return parsed


def _zone_line(match: re.Match[str], current: str, *, number: int, parsed: _Parsed) -> str:
    name, value = match.group(1), match.group(2).strip("'\"")
    if name not in ("CRON_TZ", "TZ"):
        return current
    try:
        zone(value)
    except InputError:
        parsed.reject(number, f"unknown time zone {value!r}", match.group(0))
        return current
    return value


def _job(
    line: str, *, number: int, system: bool, parsed: _Parsed
) -> tuple[str, str | None, str] | None:
    """(schedule, user, command) of a job line, or None after rejecting it with the reason."""
    found = _schedule(line)
    if found is None:
        parsed.reject(number, _why_not_a_job(line), line)
        return None
    schedule, rest = found
    if not system:
        return schedule, None, rest
    split = _USER_AND_COMMAND.match(rest)
    if split is None:
        parsed.reject(number, "a system crontab line needs a user and a command", line)
        return None
    return schedule, split.group(1), split.group(2)


def _why_not_a_job(line: str) -> str:
    macro = _MACRO.match(line)
    if macro:
        return f"unknown macro {macro.group(1)!r}"
    fields = _FIELDS.match(line)
    if fields:
        return f"invalid schedule {' '.join(fields.groups()[:5])!r}"
    return "not a crontab line (five schedule fields and a command expected)"
