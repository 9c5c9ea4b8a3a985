"""`warroom investigate` on simulated bundles: the contract's JSON, Markdown, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.cli.conftest import Invoke, as_json, assert_bad_input
from warroom.analysis.schemas import investigation_schema
from warroom.simulate import generate


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "bad_deploy"
    generate("bad_deploy", seed=11, out=out, fmt="jsonl")
    return out


def test_investigate_json_follows_the_contract(cli: Invoke, bundle: Path) -> None:
    report = as_json(cli("investigate", str(bundle), "--format", "json"))
    jsonschema.validate(report, investigation_schema())
    truth = json.loads((bundle / "truth.json").read_text())
    assert report["inputs"]["events"] > 10_000
    assert report["onset"]["at"] is not None
    assert {a["analyzer"] for a in report["coverage"]} >= {"onset:v1"}
    accepted = {(truth["kind"], truth["ref"])} | {
        (a["kind"], a["ref"]) for a in truth["also_accept"]
    }
    top3 = [(s["kind"], s["ref"]) for s in report["suspects"][:3]]
    assert accepted & set(top3), (top3, accepted)


def test_investigate_markdown_and_file_output(cli: Invoke, bundle: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = cli("investigate", str(bundle), "--output", str(target))
    assert result.exit_code == 0, result.stderr
    text = target.read_text()
    assert text.startswith("# Investigation")
    assert "## Suspects" in text and "## What to check next" in text


def test_investigate_records_into_an_incident_without_duplicates(cli: Invoke, bundle: Path) -> None:
    incident = as_json(cli("declare", "api errors", "--severity", "SEV2", "--json"))
    for _ in range(2):
        result = cli("investigate", str(bundle), "--format", "json", "--incident", incident["ref"])
        assert result.exit_code == 0, result.stderr
    shown = as_json(cli("show", incident["ref"], "--json"))
    keys = [
        h["source_key"] for h in shown["open_hypotheses"] + shown["eliminated"] if h["source_key"]
    ]
    assert keys, "the investigation should have opened or eliminated hypotheses"
    assert len(keys) == len(set(keys))


def test_investigate_bad_input(cli: Invoke, tmp_path: Path, bundle: Path) -> None:
    assert_bad_input(cli("investigate", str(tmp_path / "missing")), "missing")
    assert_bad_input(cli("investigate", str(bundle), "--start", "14:00"), "both --start and --end")
    assert_bad_input(
        cli("investigate", str(bundle), "--start", "noonish", "--end", "13:00"), "malformed time"
    )


def test_investigate_html_goes_to_a_default_file_in_the_current_directory(
    cli: Invoke, bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workdir = tmp_path / "here"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    result = cli("investigate", str(bundle), "--format", "html")
    assert result.exit_code == 0, result.stderr
    written = list(workdir.glob("investigation-bad_deploy-*.html"))
    assert len(written) == 1, list(workdir.iterdir())
    assert str(written[0]) in result.stdout  # says where it went
    html = written[0].read_text()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert html.count("<svg") >= 5
    truth = json.loads((bundle / "truth.json").read_text())
    assert f"<code>{truth['ref']}</code>" in html  # the culprit is among the suspects


def test_investigate_html_bad_output_paths(cli: Invoke, bundle: Path, tmp_path: Path) -> None:
    assert_bad_input(
        cli("investigate", str(bundle), "--format", "html", "-o", str(tmp_path / "no" / "r.html")),
        "cannot write the report",
        "no directory",
    )
    assert_bad_input(
        cli("investigate", str(bundle), "-o", str(tmp_path)), "cannot write the report", "directory"
    )


def test_report_writes_that_fail_are_bad_input(tmp_path: Path) -> None:
    from warroom.cli.investigate import Format, _format, write_report
    from warroom.errors import InputError

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write the report"):
        write_report(blocker / "report.html", "<html></html>")  # parent is a file: OSError
    assert _format(Format.AUTO, Path("out.HTML")) is Format.HTML
