"""Find what a bundle holds: open it (folder or archive), walk it, and name each file's host.

The walk only lists and stats files (the cache key is made from that listing, before anything
is read). A folder with a `.git` inside is a git repository: it is read with git and not walked
as files. Links that point out of the bundle and links to folders are not followed.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from warroom.errors import InputError
from warroom.evidence.archive import ArchiveLimits, extract, is_archive
from warroom.evidence.git import is_repository
from warroom.evidence.manifest import MANIFEST_NAME

# Folder names that say what is inside, not where it ran.
_GENERIC_FOLDERS = frozenset(
    [
        "logs",
        "log",
        "var",
        "nginx",
        "apache",
        "apache2",
        "httpd",
        "app",
        "apps",
        "etc",
        "cron",
        "cron.d",
        "crontabs",
        "spool",
        "metrics",
        "changes",
        "deploys",
        "reports",
        "tickets",
        "data",
        "evidence",
        "bundle",
        "tmp",
        "output",
        "opt",
        "srv",
        "home",
        "lib",
        "prometheus",
        "syslog",
        "journal",
        "containers",
        "pods",
        "services",
        "kubernetes",
        "k8s",
        "docker",
        "current",
        "archive",
        "old",
        "backup",
        "hosts",
        "nodes",
        "servers",
        "machines",
        "instances",
    ]
)
_HOST_PARENTS = frozenset({"hosts", "nodes", "servers", "machines", "instances"})
_HOST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}(\.[A-Za-z0-9_-]{1,63})*$")
_NOT_A_HOST = re.compile(r"^(v?\d+([._-]\d+)*|\d{4}-\d{2}-\d{2}.*)$")


@dataclass(frozen=True)
class Skipped:
    """A file (or archive member, or live source) that was not loaded, and why."""

    path: str
    reason: str


@dataclass
class OpenedBundle:
    """A bundle ready to walk; `temporary` is the folder to remove when it was an archive."""

    root: Path
    base: Path  # where relative paths in the manifest (git repositories) start
    temporary: Path | None = None
    skipped: list[Skipped] = field(default_factory=list)

    def close(self) -> None:
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            self.temporary = None


@dataclass
class Listing:
    """What the walk found: files to recognise, git repositories, and what it passed over."""

    files: list[Path] = field(default_factory=list)
    repositories: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    manifest: Path | None = None


def open_bundle(path: Path, *, limits: ArchiveLimits) -> OpenedBundle:
    """A folder as it is, or an archive unpacked safely into a temporary folder."""
    if path.is_dir():
        return OpenedBundle(root=path.resolve(), base=path.resolve())
    if not path.exists():
        raise InputError(
            f"bundle {path} does not exist", hint="pass a folder, a .tar.gz or a .zip of one"
        )
    if not is_archive(path):
        raise InputError(
            f"bundle {path} is neither a folder nor a .tar.gz/.zip archive",
            hint="pass the folder that holds the evidence files, or an archive of it",
        )
    temporary = Path(tempfile.mkdtemp(prefix="warroom-bundle-"))
    try:
        extracted = extract(path, temporary, limits=limits)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    skipped = [Skipped(f"{path.name}:{name}", reason) for name, reason in extracted.skipped]
    return OpenedBundle(
        root=_single_folder(temporary),
        base=path.resolve().parent,
        temporary=temporary,
        skipped=skipped,
    )


def _single_folder(folder: Path) -> Path:
    """Archives usually hold one top folder (`bundle/...`); that folder is the bundle root."""
    entries = [entry for entry in folder.iterdir() if entry.name not in ("__MACOSX",)]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return folder


def list_bundle(root: Path) -> Listing:
    """Walk the bundle in a fixed order (sorted), without following links out of it."""
    listing = Listing()
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs.sort()
        if here != root and is_repository(here):
            listing.repositories.append(here)
            dirs.clear()
            continue
        if here == root and is_repository(here):
            listing.repositories.append(here)
        for name in [d for d in dirs if (here / d).is_symlink()]:
            listing.skipped.append(
                Skipped(_rel(here / name, root), "link to a folder; not followed")
            )
        dirs[:] = [d for d in dirs if d != ".git" and not (here / d).is_symlink()]
        for name in sorted(names):
            _add_file(listing, here / name, root=root)
    return listing


def _add_file(listing: Listing, path: Path, *, root: Path) -> None:
    rel = _rel(path, root)
    if rel == MANIFEST_NAME:
        listing.manifest = path
        return
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            listing.skipped.append(Skipped(rel, "broken link"))
            return
        if not target.is_relative_to(root):
            listing.skipped.append(Skipped(rel, "link points outside the bundle; not followed"))
            return
    if not path.is_file():
        listing.skipped.append(Skipped(rel, "not a regular file (device, FIFO or socket)"))
        return
    listing.files.append(path)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def host_for(rel_path: str, *, globs: Mapping[str, str]) -> str | None:
    """The host of a file's records when they name none: manifest glob, else folder, else None."""
    for pattern, host in globs.items():
        if fnmatch.fnmatchcase(rel_path, pattern) or fnmatch.fnmatchcase(
            rel_path, pattern.rstrip("/") + "/*"
        ):
            return host
    folders = PurePosixPath(rel_path).parts[:-1]
    for index in range(len(folders) - 1, -1, -1):
        name = folders[index]
        under_hosts = index > 0 and folders[index - 1].lower() in _HOST_PARENTS
        if _looks_like_host(name, named_as_host=under_hosts):
            return name
    return None


def _looks_like_host(name: str, *, named_as_host: bool) -> bool:
    if name.lower() in _GENERIC_FOLDERS or not _HOST_NAME.match(name) or _NOT_A_HOST.match(name):
        return False
    return named_as_host or any(char.isdigit() for char in name)
