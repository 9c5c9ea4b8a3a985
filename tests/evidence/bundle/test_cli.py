"""`warroom evidence check`: the bundle as a person and a script see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warroom.cli.main import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("WARROOM_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_cli_evidence_check_json(runner: CliRunner, basic_bundle: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["evidence", "check", str(basic_bundle), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["inputs"]["metrics_samples"] == 9
    assert summary["timezone"] == "Europe/Berlin"
    assert summary["window"] == {
        "incident": ["2026-03-04T14:00:00Z", "2026-03-04T15:00:00Z"],
        "baseline": [],
    }
    assert summary["from_cache"] is False
    again = json.loads(
        runner.invoke(app, ["evidence", "check", str(basic_bundle), "--json"]).output
    )
    assert again["from_cache"] is True  # the cache lives in the settings' data dir
    assert (tmp_path / "data" / "cache").is_dir()


def test_cli_evidence_check_for_people(runner: CliRunner, basic_bundle: Path) -> None:
    result = runner.invoke(app, ["evidence", "check", str(basic_bundle), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "metrics/node.prom" in result.output
    assert "skipped junk.bin: binary file (contains NUL bytes)" in result.output
    assert "note etc/cron.d/backup: 1 @reboot job(s)" in result.output
    assert "1 events, 9 metric samples, 3 changes, 4 cron jobs, 3 reports" in result.output


def test_cli_evidence_check_missing_bundle_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["evidence", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_cli_evidence_check_bad_manifest_names_the_line(
    runner: CliRunner, basic_bundle: Path
) -> None:
    (basic_bundle / "warroom.yaml").write_text("service: a\nwindw: {}\n")
    result = runner.invoke(app, ["evidence", "check", str(basic_bundle)])
    assert result.exit_code == 2
    assert "warroom.yaml line 2: unknown key 'windw'" in result.output
