"""`warroom simulate` as a person and a script use it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from warroom.cli.main import app
from warroom.simulate import SCENARIOS

runner = CliRunner()


def test_cli_list_shows_every_scenario() -> None:
    result = runner.invoke(app, ["simulate", "--list"])
    assert result.exit_code == 0
    for name in SCENARIOS:
        assert name in result.stdout


def test_cli_list_as_json() -> None:
    result = runner.invoke(app, ["simulate", "--list", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [item["scenario"] for item in listed] == list(SCENARIOS)


def test_cli_writes_a_bundle_and_prints_its_truth(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = runner.invoke(
        app,
        [
            "simulate",
            "disk_full",
            "--seed",
            "3",
            "--out",
            str(out),
            "--lines",
            "5000",
            "--format",
            "logfmt",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["kind"] == "host"
    assert printed["out"] == str(out)
    assert json.loads((out / "truth.json").read_text(encoding="utf-8"))["ref"] == printed["ref"]
    assert list(out.glob("logs/*.log"))


def test_cli_summary_for_people(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "null", "--out", str(tmp_path), "--lines", "5000"])
    assert result.exit_code == 0
    assert "none (null case)" in result.stdout
    assert "truth.json" in result.stdout


def test_cli_refuses_a_non_empty_out_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["simulate", "null", "--out", str(tmp_path), "--lines", "5000"])
    assert result.exit_code == 2
    assert "not empty" in result.stderr
    assert "--force" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_needs_a_scenario_and_out() -> None:
    result = runner.invoke(app, ["simulate"])
    assert result.exit_code == 2
    assert "--list" in result.stderr


def test_cli_unknown_format_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "null", "--out", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 2
    assert "unknown log format" in result.stderr
