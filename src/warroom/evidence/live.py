"""The sources read on every load, never cached: git repositories and live Prometheus.

Git repositories come from the bundle (a folder with `.git`) and from the manifest's `git`
list (paths relative to the bundle's folder, or to the archive's). Prometheus comes from the
manifest's `prometheus`. Anything that cannot be read is listed as skipped with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import httpx

from warroom.evidence.discover import Listing, OpenedBundle, Skipped
from warroom.evidence.git import GitError, is_repository, load_git
from warroom.evidence.manifest import Manifest
from warroom.evidence.progress import Tracker
from warroom.evidence.prometheus import load_prometheus
from warroom.evidence.types import FileLoad


@dataclass
class Live:
    """What the live sources added."""

    loads: list[FileLoad] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def repositories(
    opened: OpenedBundle, listing: Listing, manifest: Manifest
) -> list[tuple[str, Path]]:
    """(source name, folder) of every repository to read: the bundle's, then the manifest's."""
    found = [(_name(repo, opened.root), repo) for repo in listing.repositories]
    for entry in manifest.git:
        folder = Path(entry).expanduser()
        found.append((entry, folder if folder.is_absolute() else opened.base / folder))
    return found


def _name(repo: Path, root: Path) -> str:
    rel = repo.relative_to(root).as_posix()
    return rel if rel != "." else root.name


def load_live_sources(
    con: duckdb.DuckDBPyConnection,
    opened: OpenedBundle,
    listing: Listing,
    manifest: Manifest,
    *,
    tracker: Tracker,
    transport: httpx.BaseTransport | None = None,
) -> Live:
    """Read every git repository and the Prometheus source of a bundle."""
    live = Live()
    span = manifest.span()
    for source, folder in repositories(opened, listing, manifest):
        tracker.step(f"Reading git history of {source}")
        if not folder.is_dir() or not is_repository(folder):
            live.skipped.append(Skipped(source, "not a git repository (no .git folder there)"))
            continue
        try:
            loaded = load_git(con, folder, source=source, span=span, service=manifest.service)
        except GitError as exc:
            live.skipped.append(Skipped(source, str(exc)))
            continue
        live.loads.append(loaded)
    if manifest.prometheus is not None:
        tracker.step(f"Querying {manifest.prometheus.url}")
        result = load_prometheus(con, manifest.prometheus, span=span, transport=transport)
        live.loads += result.loads
        live.skipped += [Skipped(path, reason) for path, reason in result.skipped]
    return live
