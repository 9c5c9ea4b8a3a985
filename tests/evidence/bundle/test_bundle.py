"""End to end: the basic fixture bundle into the five tables, row by row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from warroom.errors import InputError
from warroom.evidence.bundle import load_bundle

from .conftest import FakeLogs, naive


def _rows(bundle_con: object, sql: str) -> list[tuple[object, ...]]:
    return bundle_con.execute(sql).fetchall()  # type: ignore[attr-defined,no-any-return]


def test_bundle_loads_every_format_into_exact_rows(basic_bundle: Path) -> None:
    with load_bundle(basic_bundle) as bundle:
        metrics = _rows(bundle.con, "SELECT * FROM metrics ORDER BY source, metric, ts")
        changes = _rows(bundle.con, "SELECT * FROM changes ORDER BY ts")
        cron = _rows(bundle.con, "SELECT * FROM cron_jobs ORDER BY source, line")
        reports = _rows(bundle.con, "SELECT * FROM reports ORDER BY source, ts NULLS LAST")
        events = _rows(bundle.con, "SELECT ts, host, source FROM events")
    at, eu, wide = naive, {"region": "eu"}, "metrics/db-wide.csv"
    assert metrics == [
        (at(2026, 3, 4, 14, 0), "connections", 10.0, "db-1", None, eu, wide),
        (at(2026, 3, 4, 14, 2), "connections", 12.0, "db-1", None, eu, wide),
        (at(2026, 3, 4, 14, 0), "replication_lag_s", 0.5, "db-1", None, eu, wide),
        (at(2026, 3, 4, 14, 1), "replication_lag_s", 0.7, "db-1", None, eu, wide),
        (at(2026, 3, 4, 14, 0), "cpu", 0.5, "web-1", None, {"service": "checkout"},
         "metrics/long.csv"),
        (at(2026, 3, 4, 14, 2), "cpu", 0.7, "web-2", None,
         {"service": "checkout", "instance": "web-2:9100"}, "metrics/long.csv"),
        (at(2026, 3, 4, 14, 0), "http_requests_total", 1027.0, "web-1", None,
         {"instance": "web-1:9100", "code": "200", "path": '/a"b', "__type__": "counter"},
         "metrics/node.prom"),
        (at(2026, 3, 4, 14, 1), "http_requests_total", 3.0, "web-1", None,
         {"instance": "web-1:9100", "code": "200", "path": '/a"b', "__type__": "counter"},
         "metrics/node.prom"),
        (at(2026, 3, 4, 14, 0, 1, 500000), "queue", float("inf"), "h1", "worker",
         {"__type__": "gauge"}, "metrics/node.prom"),
    ]  # fmt: skip
    assert changes == [
        ("chg-2", at(2026, 3, 4, 13, 10), "feature_flag", "checkout", None, ["web-1", "web-3"],
         "bo", "flag on", None, [], "changes/changes.jsonl"),
        ("chg-1", at(2026, 3, 4, 13, 55), "deploy", "api", "1.4.2", ["web-1", "web-2"], "ana",
         "Deploy 1.4.2", "abc1234", [], "changes/changes.jsonl"),
        ("def5678", at(2026, 3, 4, 14, 30), "other", "checkout", None, [], "cy", None, "def5678",
         [], "changes/changes.jsonl"),
    ]  # fmt: skip
    assert cron == [
        ("/usr/local/bin/backup.sh --full", "0 3 * * *", "America/New_York", "root",
         ["db-1", "db-2"], "etc/cron.d/backup", 4),
        ("/usr/local/bin/warm-cache", "@reboot", "America/New_York", "root", [],
         "etc/cron.d/backup", 5),
        ("/usr/bin/flush-queue   >/dev/null 2>&1", "*/5 * * * *", "Europe/Berlin", None,
         ["web-3"], "web-3/crontab", 2),
        ("/usr/bin/rotate", "@hourly", "Europe/Berlin", None, ["web-3"], "web-3/crontab", 3),
    ]  # fmt: skip
    agent = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
    )
    assert reports == [
        (at(2026, 3, 4, 14, 20), None, "Cart empties", "Chrome 122", "Windows 10", None, "5.1.0",
         None, None, "https://shop/cart", "add, pay", {}, "reports/app.jsonl"),
        (at(2026, 3, 4, 14, 5), "Checkout broken", 'Payment fails, "again"', "Mobile Safari 17",
         "iOS 17", None, None, agent, "acme", None, None, {"priority": "high"},
         "reports/tickets.csv"),
        (None, "No time", "text here", None, None, None, None, None, "bob", None, None, {},
         "reports/tickets.csv"),
    ]  # fmt: skip
    assert events == [(at(2026, 3, 4, 14, 0), "frontend", "hosts/frontend/app.log")]


def test_bundle_inputs_count_rows_rejects_and_skips(basic_bundle: Path) -> None:
    with load_bundle(basic_bundle) as bundle:
        inputs = bundle.inputs()
        rejected = {load.path: load.rejected for load in bundle.files}
        notes = bundle.notes
    assert inputs == {
        "events": 1,
        "metrics_samples": 9,
        "changes": 3,
        "cron_jobs": 4,
        "reports": 3,
        "rejected_lines": 3 + 1 + 3 + 2 + 3,
        "skipped": [
            {"path": "empty.log", "reason": "empty file"},
            {"path": "junk.bin", "reason": "binary file (contains NUL bytes)"},
            {"path": "notes.txt", "reason": "no known format (first line: 'hello world')"},
        ],
    }
    assert rejected["metrics/long.csv"] == 3
    assert rejected["etc/cron.d/backup"] == 3
    assert notes == [
        "reports/tickets.csv: 1 report(s) carry no time; kept, but not placed in a window",
        "etc/cron.d/backup: 1 @reboot job(s) run at boot and have no schedule",
    ]


def test_bundle_rejected_examples_say_why(basic_bundle: Path) -> None:
    with load_bundle(basic_bundle) as bundle:
        examples = {load.path: load.rejected_examples for load in bundle.files}
    assert examples["etc/cron.d/backup"] == [
        "line 6: invalid schedule '61 * * * *': 61 * * * * root /bin/false",
        "line 7: unknown time zone 'Mars/Olympus': TZ=Mars/Olympus",
        "line 8: unknown macro '@fortnightly': @fortnightly root /bin/true",
    ]
    assert examples["changes/changes.jsonl"][0] == "line 3: not a JSON object: not json"
    assert examples["changes/changes.jsonl"][1].startswith(
        "line 4: no readable time (timestamp, at or time): "
    )
    assert examples["metrics/node.prom"] == [
        'value is NaN: queue{container="worker"} NaN 1772632800',
        'sample has no timestamp: queue{container="worker"} 5',
        "not a sample line: garbage here",
    ]


def test_bundle_timezone_argument_applies_without_a_manifest_zone(basic_bundle: Path) -> None:
    (basic_bundle / "warroom.yaml").write_text("service: checkout\n")
    with load_bundle(basic_bundle, timezone="UTC") as bundle:
        assert bundle.timezone == "UTC"
        row = bundle.con.execute(
            "SELECT ts FROM reports WHERE subject = 'Checkout broken'"
        ).fetchall()
    assert row == [(naive(2026, 3, 4, 15, 5),)]


def test_bundle_manifest_window_is_parsed_to_utc(basic_bundle: Path) -> None:
    with load_bundle(basic_bundle) as bundle:
        window = bundle.manifest.window
    assert window.incident == (
        datetime(2026, 3, 4, 14, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    )


def test_bundle_path_that_does_not_exist_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as caught:
        load_bundle(tmp_path / "nowhere")
    assert caught.value.hint


def test_bundle_path_that_is_a_plain_file_is_an_input_error(tmp_path: Path) -> None:
    plain = tmp_path / "bundle.txt"
    plain.write_text("not an archive\n")
    with pytest.raises(InputError, match=r"neither a folder nor a \.tar\.gz/\.zip"):
        load_bundle(plain)


def test_bundle_unknown_timezone_argument_is_an_input_error(basic_bundle: Path) -> None:
    with pytest.raises(InputError, match="unknown time zone"):
        load_bundle(basic_bundle, timezone="Mars/Olympus")


def test_bundle_asks_the_log_sniffer_only_for_files_nothing_else_claims(
    basic_bundle: Path, fake_logs: FakeLogs
) -> None:
    load_bundle(basic_bundle).close()
    first_lines = sorted(sample[0] for sample in fake_logs.sniffed)
    assert first_lines == ["hello world", '{"ts":"2026-03-04T14:00:00Z","level":"info","msg":"up"}']


def test_bundle_loads_syslog_last_with_the_median_time_as_reference(
    tmp_path: Path, fake_logs: FakeLogs
) -> None:
    (tmp_path / "a-syslog").write_text("Mar  4 14:00:00 web-1 app[1]: hello\n")
    times = ["2026-03-04T10:00:00Z", "2026-03-04T12:00:00Z", "2026-03-05T08:00:00Z"]
    (tmp_path / "z-app.jsonl").write_text(
        "".join(f'{{"ts":"{t}","level":"info","msg":"x"}}\n' for t in times)
    )
    load_bundle(tmp_path).close()
    assert [(rel, fmt) for rel, fmt, _ in fake_logs.loaded] == [
        ("z-app.jsonl", "jsonl"),
        ("a-syslog", "syslog"),
    ]
    assert fake_logs.loaded[0][2].reference_time is None
    assert fake_logs.loaded[1][2].reference_time == datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_bundle_gzip_files_are_read_transparently(tmp_path: Path) -> None:
    import gzip

    body = b"timestamp,metric,value\n2026-03-04T14:00:00Z,cpu,1.5\n"
    (tmp_path / "m.csv.gz").write_bytes(gzip.compress(body))
    with load_bundle(tmp_path) as bundle:
        rows = bundle.con.execute("SELECT metric, value FROM metrics").fetchall()
        formats = [load.format for load in bundle.files]
    assert rows == [("cpu", 1.5)]
    assert formats == ["csv_long"]
