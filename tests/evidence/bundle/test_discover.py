"""Walking a bundle folder, and the host of files whose records name none."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.evidence.bundle import load_bundle
from warroom.evidence.discover import host_for, list_bundle

GLOBS = {"logs/web-3/*": "web-3", "edge/*.log": "edge-1"}


@pytest.mark.parametrize(
    ("rel_path", "host"),
    [
        ("logs/web-3/access.log", "web-3"),  # manifest glob first
        ("logs/web-3/nested/access.log", "web-3"),
        ("edge/a.log", "edge-1"),
        ("web-4/access.log", "web-4"),  # a folder that looks like a host
        ("hosts/db-1/syslog", "db-1"),
        ("hosts/frontend/syslog", "frontend"),  # any name under hosts/ is a host
        (
            "ip-10-0-0-7.eu-west-1.compute.internal/app.log",
            "ip-10-0-0-7.eu-west-1.compute.internal",
        ),
        ("api01/var/log/app.log", "api01"),  # the nearest host-like folder
        ("logs/nginx/access.log", None),  # generic names are not hosts
        ("app/logs/var/x.log", None),
        ("2026-03-04/app.log", None),  # a date is not a host
        ("v2/app.log", None),  # nor a version
        ("access.log", None),
    ],
)
def test_host_for_file(rel_path: str, host: str | None) -> None:
    assert host_for(rel_path, globs=GLOBS) == host


def test_list_bundle_sorts_and_does_not_follow_links_out(tmp_path: Path) -> None:
    root = tmp_path / "b"
    (root / "z").mkdir(parents=True)
    (root / "a.csv").write_text("x\n")
    (root / "z" / "b.csv").write_text("x\n")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret\n")
    (root / "out").symlink_to(outside)
    (root / "in").symlink_to(root / "a.csv")
    (root / "gone").symlink_to(tmp_path / "missing")
    (root / "folder-link").symlink_to(tmp_path)
    (root / "warroom.yaml").write_text("service: a\n")
    listing = list_bundle(root)
    assert [p.relative_to(root).as_posix() for p in listing.files] == ["a.csv", "in", "z/b.csv"]
    assert listing.manifest == root / "warroom.yaml"
    assert [(s.path, s.reason) for s in listing.skipped] == [
        ("folder-link", "link to a folder; not followed"),
        ("gone", "broken link"),
        ("out", "link points outside the bundle; not followed"),
    ]


def test_bundle_with_links_out_never_reads_outside(tmp_path: Path) -> None:
    root = tmp_path / "b"
    root.mkdir()
    secret = tmp_path / "metrics.csv"
    secret.write_text("timestamp,metric,value\n2026-03-04T14:00:00Z,secret,1\n")
    (root / "m.csv").symlink_to(secret)
    with load_bundle(root) as bundle:
        assert bundle.inputs()["metrics_samples"] == 0
        assert bundle.inputs()["skipped"] == [
            {"path": "m.csv", "reason": "link points outside the bundle; not followed"}
        ]
