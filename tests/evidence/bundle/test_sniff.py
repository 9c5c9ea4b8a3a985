"""Recognition by content, and the precedence between formats that could both claim a file."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from warroom.evidence.sniff import HEAD_BYTES, Head, Sniffed, read_head, sniff

from .conftest import FakeLogs


def _format(lines: list[str], rel_path: str = "file") -> str:
    found = sniff(Head([line for line in lines if line.strip()]), rel_path=rel_path)
    return found.format if isinstance(found, Sniffed) else f"skipped: {found}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # change columns win over everything: a change file may carry a value column
        ("id,timestamp,type,service,version,value", "changes_csv"),
        # reports next: a text column and created_at
        ("created_at,subject,description,metric,value", "reports_csv"),
        ("timestamp,subject,browser", "reports_csv"),
        # then metrics long (a metric/name and a value column) before wide
        ("timestamp,metric,value,host", "csv_long"),
        ("ts,name,value", "csv_long"),
        ("timestamp,cpu,mem,host", "csv_wide"),
    ],
)
def test_sniff_csv_precedence(header: str, expected: str) -> None:
    width = len(header.split(","))
    row = ",".join(["2026-03-04T14:00:00Z", *["1"] * (width - 1)])
    assert _format([header, row]) == expected


def test_sniff_csv_without_a_known_layout_is_skipped_with_its_columns() -> None:
    assert _format(["alpha,beta", "x,y"]) == (
        "skipped: CSV whose columns (alpha, beta) match no metrics, changes or reports layout"
    )


def test_sniff_semicolon_csv() -> None:
    assert _format(["timestamp;metric;value", "2026-03-04T14:00:00Z;cpu;1"]) == "csv_long"


def test_sniff_json_change_events_before_logs(fake_logs: FakeLogs) -> None:
    line = '{"id":"c1","ts":"x","timestamp":"2026-03-04T14:00:00Z","type":"deploy","version":"1"}'
    assert _format([line]) == "changes_jsonl"
    assert fake_logs.sniffed == []


def test_sniff_json_array_of_changes() -> None:
    lines = [
        "[",
        '  {"id": "c1", "at": "2026-03-04T14:00:00Z", "type": "config",',
        '   "author": "a"}',
        "]",
    ]
    assert _format(lines) == "changes_json"


def test_sniff_json_with_a_level_is_left_to_the_log_sniffer(fake_logs: FakeLogs) -> None:
    line = (
        '{"ts":"2026-03-04T14:00:00Z","level":"info","type":"deploy","service":"a","version":"1"}'
    )
    assert _format([line]) == "jsonl"
    assert fake_logs.sniffed == [[line]]


def test_sniff_json_reports() -> None:
    line = '{"created_at":"2026-03-04T14:00:00Z","subject":"broken","browser":"Safari 17"}'
    assert _format([line]) == "reports_jsonl"


def test_sniff_prometheus_text() -> None:
    lines = ["# TYPE up gauge", 'up{instance="a:9100"} 1 1772632800000']
    assert _format(lines) == "prometheus"


def test_sniff_prometheus_without_type_lines_needs_labels() -> None:
    assert _format(['up{instance="a"} 1 1772632800']) == "prometheus"
    assert _format(["up 1 1772632800"]).startswith("skipped: no known format")


def test_sniff_crontab_before_everything_else() -> None:
    assert _format(["MAILTO=ops", "*/5 * * * * /usr/bin/flush"]) == "crontab"


def test_sniff_system_crontab_by_location_or_by_user_column() -> None:
    assert _format(["0 3 * * * backup /bin/backup"], "etc/cron.d/backup") == "crontab_system"
    assert _format(["0 3 * * * root /bin/backup", "5 * * * * www-data /bin/x"]) == "crontab_system"
    assert _format(["0 3 * * * /bin/backup --full"]) == "crontab"


def test_sniff_logfmt_lines_are_not_a_crontab() -> None:
    lines = ['ts=2026-03-04T14:00:00Z level=info msg="hello"', "ts=2026-03-04T14:00:01Z level=warn"]
    assert _format(lines).startswith("skipped: no known format")


def test_sniff_numbers_are_not_a_crontab() -> None:
    assert _format(["1 2 3 4 5 6", "1 2 3 4 5 7"]).startswith("skipped: no known format")


def test_sniff_single_json_document_is_skipped_with_the_reason() -> None:
    assert _format(["{", '  "a": 1', "}"]) == (
        "skipped: a single JSON document, not records (JSON lines, or an array of objects)"
    )


def test_read_head_reads_only_the_head(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("timestamp,metric,value\n" + "2026-03-04T14:00:00Z,cpu,1\n" * 20_000)
    head = read_head(path)
    assert head.problem is None
    assert len(head.lines) == 64
    assert path.stat().st_size > HEAD_BYTES


def test_read_head_decompresses_gzip(tmp_path: Path) -> None:
    path = tmp_path / "m.csv.gz"
    path.write_bytes(gzip.compress(b"timestamp,metric,value\n2026-03-04T14:00:00Z,cpu,1\n"))
    assert read_head(path).lines == ["timestamp,metric,value", "2026-03-04T14:00:00Z,cpu,1"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"\n  \n\n", "empty file"),
        (b"\x00\x01\x02", "binary file (contains NUL bytes)"),
        (bytes(range(128, 256)) * 4, "binary file (not UTF-8 text)"),
        (b"PK\x03\x04rest", "nested zip archive; archives inside a bundle are not expanded"),
        (
            b"\x1f\x8b\x08\x00garbage",
            "compressed with gzip but not readable (corrupt or truncated)",
        ),
    ],
)
def test_read_head_names_what_is_wrong(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    assert read_head(path).problem == problem


def test_read_head_spots_a_nested_tar_gz(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("inner.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    path = tmp_path / "inner.tar.gz"
    path.write_bytes(buffer.getvalue())
    assert (
        read_head(path).problem == "nested tar archive; archives inside a bundle are not expanded"
    )
