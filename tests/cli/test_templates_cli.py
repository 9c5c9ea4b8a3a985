"""`warroom templates` end to end through the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from warroom.cli.main import app

LOG = (
    "2026-03-04 14:00:01,001 ERROR [http-1] shop: Failed to parse quantity 1.5 for order 77\n"
    "2026-03-04 14:00:02,002 INFO [http-2] shop: Order 78 placed by user=alice\n"
    "2026-03-04 14:00:03,003 ERROR [http-1] shop: Failed to parse quantity abc for order 79\n"
)
MESSAGES = (
    "Failed to parse quantity 1.5 for order 77\n"
    "Order 78 placed\n"
    "Failed to parse quantity 2 for order 79\n"
)


def test_templates_cli_prints_id_and_template_per_stdin_line() -> None:
    result = CliRunner().invoke(app, ["templates"], input=MESSAGES)
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [row[1] for row in rows] == [
        "Failed to parse quantity <*> for order <*>",
        "Order <*> placed",
        "Failed to parse quantity <*> for order <*>",
    ]
    assert rows[0][0] == rows[2][0] != rows[1][0]


def test_templates_cli_reads_plain_and_gzip_files(tmp_path: Path) -> None:
    plain, packed = tmp_path / "app.log", tmp_path / "app.log.gz"
    plain.write_text(MESSAGES, encoding="utf-8")
    packed.write_bytes(gzip.compress(MESSAGES.encode()))
    first = CliRunner().invoke(app, ["templates", str(plain)])
    second = CliRunner().invoke(app, ["templates", str(packed)])
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_templates_cli_raw_summary_json_strips_headers() -> None:
    result = CliRunner().invoke(app, ["templates", "-", "--raw", "--summary", "--json"], input=LOG)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["lines"] == 3
    top = summary["templates"][0]
    assert top["template"] == "Failed to parse quantity <*> for order <*>"
    assert (top["count"], top["first_line"], top["last_line"]) == (2, 1, 3)
    assert top["example"] == LOG.splitlines()[0]  # the whole line, with its time


def test_templates_cli_summary_table_for_people() -> None:
    result = CliRunner().invoke(app, ["templates", "--summary"], input=MESSAGES)
    assert result.exit_code == 0
    assert "2 templates in 3 lines" in result.stdout
    assert "quantity <*>" in result.stdout
    assert "1-3" in result.stdout  # first and last line of the most frequent template


def test_templates_cli_jsonl_carries_params() -> None:
    result = CliRunner().invoke(app, ["templates", "--format", "jsonl"], input=MESSAGES)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["params"] == ["1.5", "77"]
    assert records[1] == {
        "line": 2,
        "template_id": records[1]["template_id"],
        "template": "Order <*> placed",
        "params": ["78"],
    }


def test_templates_cli_missing_file_is_a_one_line_error() -> None:
    result = CliRunner().invoke(app, ["templates", "/no/such/file.log"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: no such file: /no/such/file.log. Give a log file, or '-' to read standard input"
    ]


def test_templates_cli_bad_input_gets_a_template_for_every_line() -> None:
    data = b"\x00\x01\x02\xff\xfe\xfd\n\n" + b"a" * 1_000_000 + b"\n42 17\n"
    result = CliRunner().invoke(app, ["templates"], input=data)
    assert result.exit_code == 0
    templates = [line.split("\t")[1] for line in result.stdout.splitlines()]
    assert templates[:2] == ["<unparsable>", "<empty>"]
    assert templates[2].startswith("a" * 4000)
    assert templates[2].endswith(" <*>")  # a 1 MB line is cut to a bounded template
    assert templates[3] == "<*> <*>"
