"""Git history near the windows, read with git itself from the bundle or the manifest."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from warroom.evidence.bundle import load_bundle

from .conftest import FakeLogs, naive

WINDOW = 'window:\n  incident: ["2026-03-04T14:00:00Z", "2026-03-04T15:00:00Z"]\n'


def _git(repo: Path, *args: str, when: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    command = ["git", "-c", "user.name=Ana", "-c", "user.email=ana@example.com", "-C", str(repo)]
    done = subprocess.run([*command, *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _repo(folder: Path) -> dict[str, str]:
    """old commit (February, with a lightweight tag), a fix on March 4, an annotated tag."""
    folder.mkdir(parents=True)
    _git(folder, "init", "-q", "-b", "main", when="2026-02-01T10:00:00Z")
    (folder / "README").write_text("old\n")
    _git(folder, "add", ".", when="2026-02-01T10:00:00Z")
    _git(folder, "commit", "-q", "-m", "old", when="2026-02-01T10:00:00Z")
    _git(folder, "tag", "old-tag", when="2026-02-01T10:00:00Z")
    (folder / "app.py").write_text("print('fixed')\n")
    (folder / "cfg.yaml").write_text("a: 1\n")
    _git(folder, "add", ".", when="2026-03-04T13:30:00Z")
    _git(folder, "commit", "-q", "-m", "fix checkout", when="2026-03-04T13:30:00Z")
    _git(folder, "tag", "-a", "v1.2", "-m", "release 1.2", when="2026-03-04T13:40:00Z")
    return {"fix": _git(folder, "rev-parse", "HEAD", when="2026-03-04T13:40:00Z")}


def test_git_repository_in_the_bundle_gives_commits_and_tags_near_the_window(
    tmp_path: Path, fake_logs: FakeLogs
) -> None:
    bundle_dir = tmp_path / "bundle"
    shas = _repo(bundle_dir / "checkout-service")
    (bundle_dir / "warroom.yaml").write_text(WINDOW + "service: checkout\n")
    with load_bundle(bundle_dir) as bundle:
        rows = bundle.con.execute("SELECT * FROM changes ORDER BY ts").fetchall()
        formats = [(load.path, load.format, load.rows) for load in bundle.files]
        skipped = bundle.inputs()["skipped"]
    fix = shas["fix"]
    assert rows == [
        (fix, naive(2026, 3, 4, 13, 30), "commit", "checkout", None, [], "Ana", "fix checkout",
         fix, ["app.py", "cfg.yaml"], "checkout-service"),
        ("tag:v1.2", naive(2026, 3, 4, 13, 40), "tag", "checkout", "v1.2", [], "Ana",
         "release 1.2", fix, [], "checkout-service"),
    ]  # fmt: skip
    assert formats == [("checkout-service", "git", 2)]
    assert skipped == []
    assert fake_logs.sniffed == []  # the repository's files are not walked as evidence


def test_git_without_a_window_reads_all_history(tmp_path: Path) -> None:
    bundle_dir = tmp_path / "bundle"
    _repo(bundle_dir / "svc")
    with load_bundle(bundle_dir) as bundle:
        ids = bundle.con.execute("SELECT type, description FROM changes ORDER BY ts, id").fetchall()
    assert ids == [
        ("commit", "old"),
        ("tag", "old"),
        ("commit", "fix checkout"),
        ("tag", "release 1.2"),
    ]


def test_git_repository_named_in_the_manifest_is_read(tmp_path: Path) -> None:
    _repo(tmp_path / "elsewhere" / "svc")
    bundle_dir = tmp_path / "bundle"
    bundle_dir.mkdir()
    (bundle_dir / "warroom.yaml").write_text(WINDOW + 'git: ["../elsewhere/svc", "../missing"]\n')
    with load_bundle(bundle_dir) as bundle:
        count = bundle.con.execute("SELECT count(*) FROM changes").fetchall()[0][0]
        skipped = bundle.inputs()["skipped"]
        loads = [(load.path, load.rows) for load in bundle.files]
    assert count == 2
    assert loads == [("../elsewhere/svc", 2)]
    assert skipped == [
        {"path": "../missing", "reason": "not a git repository (no .git folder there)"}
    ]
