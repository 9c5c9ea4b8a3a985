"""Git history into the `changes` table: commits and tags near the windows, read with git itself.

`git log --all` with a fixed format gives each commit's sha, time, author, subject and the files
it touched; `git for-each-ref refs/tags` gives the tags with their dates. Only history within a
margin around the windows is read (all of it, capped, when no window is known), so the output
stays small and is parsed in Python. A commit's time is its committer date: when it landed.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from warroom.evidence.manifest import Interval
from warroom.evidence.tabular import insert_rows
from warroom.evidence.types import FileLoad

MARGIN = timedelta(days=2)  # a commit can wait a day or two between merge and deploy
MAX_COMMITS = 2000
GIT_TIMEOUT_S = 120
_RECORD, _FIELD = "\x1e", "\x1f"
_LOG_FORMAT = "%x1e%H%x1f%cI%x1f%an%x1f%s"
_TAG_FORMAT = (
    "%(refname:short)%1f%(objectname)%1f%(*objectname)%1f%(creatordate:iso-strict)"
    "%1f%(taggername)%1f%(authorname)%1f%(contents:subject)"
)


class GitError(Exception):
    """git is missing, or refused to read the folder; the message says which."""


def is_repository(folder: Path) -> bool:
    """A folder with a `.git` directory (or a `.git` file, for worktrees and submodules)."""
    return (folder / ".git").exists()


def _git(repo: Path, *args: str) -> str:
    executable = shutil.which("git")
    if executable is None:
        raise GitError("git is not installed, so the repository cannot be read")
    command = [executable, "-c", f"safe.directory={repo}", "-C", str(repo), *args]
    try:
        done = subprocess.run(command, capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git took longer than {GIT_TIMEOUT_S}s to read the history") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise GitError(f"git could not read it: {message[0] if message else 'unknown error'}")
    return done.stdout.decode("utf-8", errors="replace")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def read_commits(repo: Path, *, span: Interval | None) -> list[dict[str, Any]]:
    """Commits of every branch within the span (plus the margin), newest first, capped."""
    args = ["log", "--all", "--date=iso-strict", f"--format={_LOG_FORMAT}", "--name-only"]
    args.append(f"--max-count={MAX_COMMITS}")
    if span is not None:
        args += [f"--since={(span[0] - MARGIN).isoformat()}"]
        args += [f"--until={(span[1] + MARGIN).isoformat()}"]
    commits = []
    for record in _git(repo, *args).split(_RECORD)[1:]:
        header, _, files = record.partition("\n")
        sha, when, author, subject = [*header.split(_FIELD), "", "", ""][:4]
        commits.append(
            {
                "id": sha,
                "ts": _utc(when),
                "type": "commit",
                "author": author or None,
                "description": subject or None,
                "commit": sha,
                "files": [name for name in files.splitlines() if name.strip()],
            }
        )
    return commits


def read_tags(repo: Path, *, span: Interval | None) -> list[dict[str, Any]]:
    """Tags (annotated or lightweight) dated within the span plus the margin, newest first."""
    output = _git(
        repo, "for-each-ref", "refs/tags", "--sort=-creatordate", f"--format={_TAG_FORMAT}"
    )
    tags = []
    for line in output.splitlines():
        name, target, peeled, when, tagger, author, subject = [*line.split(_FIELD), *[""] * 7][:7]
        if not when:
            continue
        moment = _utc(when)
        if span is not None and not (
            _naive(span[0] - MARGIN) <= moment <= _naive(span[1] + MARGIN)
        ):
            continue
        tags.append(
            {
                "id": f"tag:{name}",
                "ts": moment,
                "type": "tag",
                "version": name,
                "author": tagger or author or None,
                "description": subject or None,
                "commit": peeled or target,
                "files": [],
            }
        )
    return tags[:MAX_COMMITS]


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def load_git(
    con: duckdb.DuckDBPyConnection,
    repo: Path,
    *,
    source: str,
    span: Interval | None,
    service: str | None,
) -> FileLoad:
    """Insert a repository's commits and tags near the windows into `changes`."""
    rows = read_commits(repo, span=span) + read_tags(repo, span=span)
    for row in rows:
        row.update(service=service, hosts=[], source=source)
    inserted = insert_rows(con, table="changes", rows=rows)
    return FileLoad(path=source, table="changes", format="git", rows=inserted)
