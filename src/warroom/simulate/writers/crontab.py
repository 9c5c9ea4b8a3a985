"""A system crontab (five fields, user, command) with `# hosts:` comments for placed jobs."""

from __future__ import annotations

from pathlib import Path

from warroom.simulate.model import CronJob


def write_crontab(*, out: Path, jobs: list[CronJob], timezone: str) -> Path:
    """cron/crontab, as /etc/crontab looks on the shop's hosts."""
    lines = [
        "# /etc/crontab: system-wide crontab, managed by configuration management",
        "SHELL=/bin/sh",
        "PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin",
    ]
    if timezone != "UTC":
        lines.append(f"CRON_TZ={timezone}")
    lines.append("")
    for job in jobs:
        lines.append(f"# {job.comment}")
        if job.hosts:
            lines.append(f"# hosts: {','.join(job.hosts)}")
        lines.append(f"{job.schedule} {job.user} {job.command}")
    path = out / "cron" / "crontab"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
