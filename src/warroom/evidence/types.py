"""What the bundle reader hands each file loader, and what a loader hands back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MAX_REJECTED_EXAMPLES = 5


@dataclass(frozen=True)
class LoadContext:
    """Everything a loader needs to know beyond the file itself."""

    root: Path  # the bundle's root directory
    timezone: str = "UTC"  # IANA name for times without an offset
    default_service: str | None = None  # manifest `service`
    host: str | None = None  # host for records that name none (manifest glob or parent folder)
    # manifest `fields`: canonical field -> extra source keys, e.g. {"host": ("server",)}
    field_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # RFC 3164 syslog has no year: pick the one that puts records nearest this time
    reference_time: datetime | None = None


@dataclass
class FileLoad:
    """The outcome of loading one file into a normalised table."""

    path: str  # relative to the bundle root, with forward slashes
    table: str  # events, metrics, changes, cron_jobs, reports
    format: str  # jsonl, access, plain, syslog, logfmt, csv_long, ...
    rows: int = 0
    rejected: int = 0
    rejected_examples: list[str] = field(default_factory=list)
