"""The five normalised tables every loader writes and every analyzer reads.

All times are UTC `TIMESTAMP` (DuckDB, no offset stored). Text columns are NULL when the
source did not carry the field (never the empty string, so `IS NULL` means "unknown").
Contract: ../shared/specs/evidence-bundle.md.
"""

from __future__ import annotations

from typing import Final

# Column name -> DuckDB type, in table order. Loaders produce exactly these columns.
EVENTS: Final = {
    "ts": "TIMESTAMP",  # UTC
    "host": "VARCHAR",
    "container": "VARCHAR",
    "service": "VARCHAR",
    "level": "VARCHAR",  # normalised: trace, debug, info, warn, error, fatal
    "status": "SMALLINT",  # HTTP status
    "method": "VARCHAR",  # upper case
    "path": "VARCHAR",  # without the query string (that goes to attrs as query.<name>)
    "duration_ms": "DOUBLE",
    "message": "VARCHAR",
    "exception_type": "VARCHAR",
    "stack": "VARCHAR",  # the whole multi-line trace, when there is one
    "user": "VARCHAR",
    "attrs": "MAP(VARCHAR, VARCHAR)",  # every other field, flattened with dots
    "source": "VARCHAR",  # file path relative to the bundle root
    "line": "BIGINT",  # 1-based line number of the record's first line in `source`
    "format": "VARCHAR",  # jsonl, access, plain, syslog, logfmt
}

METRICS: Final = {
    "ts": "TIMESTAMP",
    "metric": "VARCHAR",
    "value": "DOUBLE",
    "host": "VARCHAR",
    "container": "VARCHAR",
    "labels": "MAP(VARCHAR, VARCHAR)",  # every label but host and container
    "source": "VARCHAR",
}

CHANGES: Final = {
    "id": "VARCHAR",  # the change event's id, or a commit's full sha, or "tag:<name>"
    "ts": "TIMESTAMP",
    # deploy, rollback, config, feature_flag, migration, infra, other; git: commit, tag
    "type": "VARCHAR",
    "service": "VARCHAR",
    "version": "VARCHAR",
    "hosts": "VARCHAR[]",  # empty list: all hosts
    "author": "VARCHAR",
    "description": "VARCHAR",
    "commit": "VARCHAR",
    "files": "VARCHAR[]",  # files a commit touched (git only)
    "source": "VARCHAR",
}

CRON_JOBS: Final = {
    "ref": "VARCHAR",  # the command exactly as written in the crontab
    "schedule": "VARCHAR",  # five fields, or a macro such as @hourly / @reboot
    "timezone": "VARCHAR",  # from CRON_TZ= / TZ=, else the bundle's time zone
    "user": "VARCHAR",  # system crontabs and cron.d carry one
    "hosts": "VARCHAR[]",  # from a '# hosts: a,b' comment; empty list: all hosts
    "source": "VARCHAR",
    "line": "BIGINT",
}

REPORTS: Final = {
    "ts": "TIMESTAMP",  # NULL when the report carried no time
    "subject": "VARCHAR",
    "text": "VARCHAR",  # description / body / text
    "browser": "VARCHAR",  # e.g. "Safari 17" (name and major), from browser or user_agent
    "os": "VARCHAR",  # e.g. "iOS 17"
    "device": "VARCHAR",
    "app_version": "VARCHAR",
    "user_agent": "VARCHAR",
    "customer": "VARCHAR",
    "url": "VARCHAR",
    "steps": "VARCHAR",
    "attrs": "MAP(VARCHAR, VARCHAR)",
    "source": "VARCHAR",
}

TABLES: Final = {
    "events": EVENTS,
    "metrics": METRICS,
    "changes": CHANGES,
    "cron_jobs": CRON_JOBS,
    "reports": REPORTS,
}


def create_statement(table: str) -> str:
    """`CREATE TABLE` for one normalised table, for loaders that start from an empty one."""
    columns = ", ".join(f'"{name}" {kind}' for name, kind in TABLES[table].items())
    return f'CREATE TABLE "{table}" ({columns})'
