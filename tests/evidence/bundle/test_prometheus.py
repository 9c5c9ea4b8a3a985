"""Live Prometheus: range queries over the windows against a real server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from warroom.evidence.bundle import load_bundle
from warroom.evidence.prometheus import choose_step

from .conftest import PrometheusServer, naive


def _manifest(folder: Path, url: str, *, window: bool = True, query: str = "jobs_queued") -> Path:
    lines = []
    if window:
        lines += [
            "window:",
            '  incident: ["2026-03-04T13:30:00Z", "2026-03-04T14:00:00Z"]',
            '  baseline: [["2026-03-04T13:00:00Z", "2026-03-04T13:30:00Z"]]',
        ]
    lines += ["prometheus:", f"  url: {url}", "  step: 60s"]
    lines += [f'  queries: {{queue_depth: "sum by (instance) ({query})"}}']
    (folder / "warroom.yaml").write_text("\n".join(lines) + "\n")
    return folder


def test_prometheus_default_and_manifest_queries_over_the_windows(
    prometheus_server: PrometheusServer, tmp_path: Path
) -> None:
    with load_bundle(_manifest(tmp_path, prometheus_server.url)) as bundle:
        summary = bundle.con.execute(
            "SELECT metric, host, labels, count(*), min(value), max(value), min(ts), max(ts) "
            "FROM metrics GROUP BY ALL ORDER BY metric"
        ).fetchall()
        queue = bundle.con.execute(
            "SELECT value FROM metrics WHERE metric = 'queue_depth' ORDER BY ts"
        ).fetchall()
        loads = sorted((load.path, load.rows) for load in bundle.files)
        skipped = bundle.inputs()["skipped"]
    start, end = naive(2026, 3, 4, 13, 0), naive(2026, 3, 4, 14, 0)
    assert summary == [
        ("memory_used_percent", "web-1", {"instance": "web-1:9100"}, 61, 75.0, 75.0, start, end),
        ("queue_depth", "worker-1", {"instance": "worker-1:9100"}, 61, 0.0, 60.0, start, end),
        ("up", "web-1", {"instance": "web-1:9100", "job": "node"}, 61, 1.0, 1.0, start, end),
    ]
    assert [row[0] for row in queue] == [float(minute) for minute in range(61)]
    assert loads == [
        ("prometheus:cpu_busy_percent", 0),
        ("prometheus:disk_used_percent", 0),
        ("prometheus:memory_used_percent", 61),
        ("prometheus:queue_depth", 61),
        ("prometheus:up", 61),
    ]
    assert skipped == []


def test_prometheus_rejected_query_is_skipped_and_the_rest_load(
    prometheus_server: PrometheusServer, tmp_path: Path
) -> None:
    folder = _manifest(tmp_path, prometheus_server.url, query="jobs_queued[")
    with load_bundle(folder) as bundle:
        skipped = bundle.inputs()["skipped"]
        samples = bundle.inputs()["metrics_samples"]
    assert samples == 61 * 2  # up and memory still came
    assert [item["path"] for item in skipped] == ["prometheus:queue_depth"]
    assert "failed" in skipped[0]["reason"]


def test_prometheus_unreachable_is_skipped_not_fatal(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with load_bundle(_manifest(tmp_path, url)) as bundle:
        skipped = bundle.inputs()["skipped"]
    assert len(skipped) == 1
    assert skipped[0]["path"] == url
    assert skipped[0]["reason"].startswith("cannot be reached")


def test_prometheus_without_a_window_is_skipped_with_the_reason(tmp_path: Path) -> None:
    with load_bundle(_manifest(tmp_path, "http://127.0.0.1:9", window=False)) as bundle:
        assert bundle.inputs()["skipped"] == [
            {
                "path": "http://127.0.0.1:9",
                "reason": "no incident window in the manifest, so there is no range to query",
            }
        ]


def test_prometheus_step_keeps_under_the_point_limit() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert choose_step((start, start + timedelta(hours=1)), step=None) == timedelta(seconds=15)
    week = choose_step((start, start + timedelta(days=7)), step=None)
    assert week == timedelta(seconds=61)  # 604800 s / 10000 points, rounded up
    assert choose_step((start, start + timedelta(days=7)), step="5m") == timedelta(minutes=5)
