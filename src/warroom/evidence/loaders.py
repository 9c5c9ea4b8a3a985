"""Recognise each listed file and hand it to its loader, in an order that serves syslog.

RFC 3164 syslog lines carry no year, so syslog files are loaded last, with the median time of
the records already loaded as `LoadContext.reference_time`. A loader that fails on a file (bad
encoding, a structure DuckDB cannot read) costs that file only: it is listed as skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warroom.errors import WarroomError
from warroom.evidence import changes, cron, metrics, reports
from warroom.evidence.discover import Listing, Skipped, host_for
from warroom.evidence.logapi import log_api
from warroom.evidence.manifest import Manifest
from warroom.evidence.progress import Tracker
from warroom.evidence.sniff import Sniffed, read_head, sniff
from warroom.evidence.tabular import CsvShape, first
from warroom.evidence.types import FileLoad, LoadContext

Loader = Callable[[duckdb.DuckDBPyConnection, Path, Sniffed, LoadContext], FileLoad]


@dataclass
class Parsed:
    """What parsing the files of a bundle produced, beside the tables themselves."""

    files: list[FileLoad]
    skipped: list[Skipped]


def _layout(found: Sniffed) -> str:
    return found.format.rsplit("_", 1)[1]  # changes_jsonl -> jsonl


def _shape(found: Sniffed) -> CsvShape:
    if found.csv is None:  # the CSV sniffer always sets it
        raise ValueError(f"{found.format} needs the CSV header")
    return found.csv


def _crontab(
    con: duckdb.DuckDBPyConnection, path: Path, found: Sniffed, ctx: LoadContext
) -> FileLoad:
    return cron.load_crontab(con, path, system=found.format == "crontab_system", ctx=ctx)


def _csv_long(
    con: duckdb.DuckDBPyConnection, path: Path, found: Sniffed, ctx: LoadContext
) -> FileLoad:
    return metrics.load_csv_long(con, path, shape=_shape(found), ctx=ctx)


def _csv_wide(
    con: duckdb.DuckDBPyConnection, path: Path, found: Sniffed, ctx: LoadContext
) -> FileLoad:
    return metrics.load_csv_wide(con, path, shape=_shape(found), ctx=ctx)


def _prometheus(
    con: duckdb.DuckDBPyConnection, path: Path, found: Sniffed, ctx: LoadContext
) -> FileLoad:
    return metrics.load_prometheus_text(con, path, ctx=ctx)


def _changes(
    con: duckdb.DuckDBPyConnection, path: Path, found: Sniffed, ctx: LoadContext
) -> FileLoad:
    return changes.load_changes(con, path, layout=_layout(found), shape=found.csv, ctx=ctx)


def _reports(
    con: duckdb.DuckDBPyConnection, path: Path, found: Sniffed, ctx: LoadContext
) -> FileLoad:
    return reports.load_reports(con, path, layout=_layout(found), shape=found.csv, ctx=ctx)


LOADERS: dict[str, Loader] = {
    "crontab": _crontab,
    "crontab_system": _crontab,
    "csv_long": _csv_long,
    "csv_wide": _csv_wide,
    "prometheus": _prometheus,
    **{f"changes_{layout}": _changes for layout in ("jsonl", "json", "csv")},
    **{f"reports_{layout}": _reports for layout in ("jsonl", "json", "csv")},
}


def _load_one(
    con: duckdb.DuckDBPyConnection, path: Path, found: Sniffed, ctx: LoadContext
) -> FileLoad:
    loader = LOADERS.get(found.format)
    if loader is not None:
        return loader(con, path, found, ctx)
    return log_api().load_log(con, path, fmt=found.format, ctx=ctx)


def load_files(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    listing: Listing,
    *,
    manifest: Manifest,
    timezone: str,
    tracker: Tracker,
) -> Parsed:
    """Recognise and load every listed file; syslog last (see the module docstring)."""
    parsed = Parsed(files=[], skipped=list(listing.skipped))
    recognised: list[tuple[Path, str, Sniffed]] = []
    for path in listing.files:
        rel = path.relative_to(root).as_posix()
        head = read_head(path)
        found = head.problem or sniff(head, rel_path=rel)
        if isinstance(found, str):
            parsed.skipped.append(Skipped(rel, found))
            tracker.step(f"Skipped {rel}")
        else:
            recognised.append((path, rel, found))
    base = LoadContext(
        root=root,
        timezone=timezone,
        default_service=manifest.service,
        field_aliases=manifest.fields.as_mapping(),
    )
    later = [item for item in recognised if item[2].format.startswith("syslog")]
    _load_in_batches(
        con, [item for item in recognised if item not in later], base, manifest, parsed, tracker
    )
    if later:
        base = replace(base, reference_time=median_time(con))
    _load_in_batches(con, later, base, manifest, parsed, tracker)
    order = {rel: index for index, (_, rel, _) in enumerate(recognised)}
    parsed.files.sort(key=lambda load: order.get(load.path, len(order)))
    return parsed


def _load_in_batches(
    con: duckdb.DuckDBPyConnection,
    items: list[tuple[Path, str, Sniffed]],
    base: LoadContext,
    manifest: Manifest,
    parsed: Parsed,
    tracker: Tracker,
) -> None:
    """Load every other file alone, and the log files of each format together (one pass)."""
    logs: dict[str, list[tuple[Path, str, Sniffed, LoadContext]]] = {}
    for path, rel, found in items:
        ctx = replace(base, host=host_for(rel, globs=manifest.hosts))
        if found.format in LOADERS:
            _guarded(con, path, rel, found, ctx, parsed=parsed, tracker=tracker)
        else:
            logs.setdefault(found.format, []).append((path, rel, found, ctx))
    for fmt, batch in logs.items():
        _guarded_logs(con, fmt, batch, parsed=parsed, tracker=tracker)


def _guarded_logs(
    con: duckdb.DuckDBPyConnection,
    fmt: str,
    batch: list[tuple[Path, str, Sniffed, LoadContext]],
    *,
    parsed: Parsed,
    tracker: Tracker,
) -> None:
    """Load log files of one format together; when that fails, remove what it inserted and
    load them one by one, so that only the unreadable file is skipped.

    Not in one transaction: the scratch tables of every batch would stay in memory until the
    commit (gigabytes on a large bundle). Only this load writes rows with these sources."""
    if len(batch) > 1:
        tracker.step(f"Reading {len(batch)} {fmt} files", advance=0)
        try:
            loads = log_api().load_logs(con, [(path, ctx) for path, _, _, ctx in batch], fmt=fmt)
        except (duckdb.Error, WarroomError, OSError, ValueError):
            con.execute(
                "DELETE FROM events WHERE source IN (SELECT unnest(?::VARCHAR[]))",
                [[rel for _, rel, _, _ in batch]],
            )
        else:
            parsed.files.extend(loads)
            for _, rel, _, _ in batch:
                tracker.step(f"Read {rel}")
            return
    for path, rel, found, ctx in batch:
        _guarded(con, path, rel, found, ctx, parsed=parsed, tracker=tracker)


def _guarded(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    rel: str,
    found: Sniffed,
    ctx: LoadContext,
    *,
    parsed: Parsed,
    tracker: Tracker,
) -> None:
    """Load one file in a transaction; a failure rolls it back and skips the file."""
    tracker.step(f"Reading {rel}")
    con.begin()
    try:
        loaded = _load_one(con, path, found, ctx)
    except (duckdb.Error, WarroomError, OSError, ValueError) as exc:
        con.rollback()
        reason = str(getattr(exc, "message", exc)).strip().splitlines()[0][:200]
        parsed.skipped.append(
            Skipped(rel, f"recognised as {found.format} but unreadable: {reason}")
        )
        return
    con.commit()
    parsed.files.append(loaded)


def median_time(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The median time of the events loaded so far, else of every other timed record."""
    for query in (
        "SELECT quantile_disc(ts, 0.5) FROM events",
        "SELECT quantile_disc(ts, 0.5) FROM (SELECT ts FROM metrics UNION ALL "
        "SELECT ts FROM changes UNION ALL SELECT ts FROM reports)",
    ):
        row = first(con, query)
        if row and row[0] is not None:
            moment: datetime = row[0]
            return moment.replace(tzinfo=UTC)
    return None
