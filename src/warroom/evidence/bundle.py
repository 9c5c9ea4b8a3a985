"""Read an evidence bundle into the five normalised tables: the entry point of `evidence/`.

`load_bundle(path)` opens a folder or an archive, reads the manifest, recognises every file by
its content, loads it into DuckDB (or takes the parsed tables from the cache), then reads git
history and live Prometheus. Nothing in a bundle aborts the load but a bundle that cannot be
opened or an invalid manifest: a file nothing recognises is skipped with the reason, and a
malformed line is counted with examples.
Contract: ../shared/specs/evidence-bundle.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
from rich.progress import Progress

from warroom.evidence.archive import ArchiveLimits
from warroom.evidence.cache import cache_key, read_cache, write_cache
from warroom.evidence.discover import Listing, OpenedBundle, Skipped, list_bundle, open_bundle
from warroom.evidence.live import load_live_sources
from warroom.evidence.loaders import load_files
from warroom.evidence.manifest import Manifest, parse_manifest
from warroom.evidence.progress import Tracker
from warroom.evidence.tabular import first, ident, open_connection, run
from warroom.evidence.types import FileLoad
from warroom.timeutil import zone

__all__ = ["Bundle", "Skipped", "load_bundle"]


@dataclass
class Bundle:
    """A loaded bundle: the tables on a DuckDB connection, and what was loaded or skipped."""

    con: duckdb.DuckDBPyConnection  # events, metrics, changes, cron_jobs, reports
    root: Path  # the bundle folder (an archive's lives in a temporary folder until close())
    manifest: Manifest
    timezone: str  # the manifest's, else the caller's, else UTC
    files: list[FileLoad]
    skipped: list[Skipped]
    notes: list[str] = field(default_factory=list)  # things worth saying that are not errors
    from_cache: bool = False
    _opened: OpenedBundle | None = field(default=None, repr=False)

    def count(self, table: str) -> int:
        """Rows in one of the five tables."""
        return int(first(self.con, f"SELECT count(*) FROM {ident(table)}")[0])

    def inputs(self) -> dict[str, Any]:
        """The contract's `inputs` object."""
        return {
            "events": self.count("events"),
            "metrics_samples": self.count("metrics"),
            "changes": self.count("changes"),
            "cron_jobs": self.count("cron_jobs"),
            "reports": self.count("reports"),
            "rejected_lines": sum(load.rejected for load in self.files),
            "skipped": [{"path": item.path, "reason": item.reason} for item in self.skipped],
        }

    def close(self) -> None:
        """Close the connection and remove an unpacked archive's temporary folder."""
        self.con.close()
        if self._opened is not None:
            self._opened.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def load_bundle(
    path: Path,
    *,
    cache_dir: Path | None = None,
    timezone: str | None = None,
    progress: Progress | None = None,
    limits: ArchiveLimits | None = None,
) -> Bundle:
    """Load a bundle folder, `.tar.gz` or `.zip` into the five tables.

    `cache_dir` (the settings' data dir `cache/`) keeps parsed files as Parquet; None: no cache.
    `timezone` applies when the manifest sets none (default UTC). `progress` gets one task that
    advances per file. An archive is unpacked within `limits`.
    """
    if timezone is not None:
        zone(timezone)  # a clear InputError for a typo, before any work
    opened = open_bundle(Path(path), limits=limits or ArchiveLimits())
    try:
        return _load(opened, cache_dir=cache_dir, timezone=timezone, progress=progress)
    except BaseException:
        opened.close()
        raise


def _load(
    opened: OpenedBundle, *, cache_dir: Path | None, timezone: str | None, progress: Progress | None
) -> Bundle:
    listing = list_bundle(opened.root)
    text = listing.manifest.read_text(errors="replace") if listing.manifest else ""
    manifest = parse_manifest(text, timezone=timezone) if text.strip() else Manifest()
    zone_name = manifest.timezone or timezone or "UTC"
    total = len(listing.files) + len(listing.repositories) + len(manifest.git)
    tracker = Tracker.start(progress, total=total + (1 if manifest.prometheus else 0))
    con = open_connection()
    try:
        entry = _cache_entry(cache_dir, listing, opened.root, manifest_text=text, zone=zone_name)
        parsed = read_cache(con, entry) if entry is not None else None
        from_cache = parsed is not None
        if parsed is None:
            parsed = load_files(
                con, opened.root, listing, manifest=manifest, timezone=zone_name, tracker=tracker
            )
            if entry is not None:
                write_cache(con, entry, parsed)
        else:
            tracker.step("Read from the cache", advance=len(listing.files))
        live = load_live_sources(con, opened, listing, manifest, tracker=tracker)
    except BaseException:
        con.close()
        raise
    bundle = Bundle(
        con=con,
        root=opened.root,
        manifest=manifest,
        timezone=zone_name,
        files=parsed.files + live.loads,
        skipped=sorted(opened.skipped + parsed.skipped + live.skipped, key=lambda s: s.path),
        from_cache=from_cache,
        _opened=opened,
    )
    bundle.notes = _notes(con)
    return bundle


def _cache_entry(
    cache_dir: Path | None, listing: Listing, root: Path, *, manifest_text: str, zone: str
) -> Path | None:
    if cache_dir is None:
        return None
    key = cache_key(listing=listing, root=root, manifest_text=manifest_text, timezone=zone)
    return Path(cache_dir) / key


def _notes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What is worth telling the user although nothing failed."""
    untimed = run(
        con,
        "SELECT source, count(*) FROM reports WHERE ts IS NULL GROUP BY source ORDER BY source",
    )
    reboot = run(
        con,
        "SELECT source, count(*) FROM cron_jobs WHERE schedule = '@reboot' "
        "GROUP BY source ORDER BY source",
    )
    return [
        *(
            f"{src}: {n} report(s) carry no time; kept, but not placed in a window"
            for src, n in untimed
        ),
        *(f"{src}: {n} @reboot job(s) run at boot and have no schedule" for src, n in reboot),
    ]
