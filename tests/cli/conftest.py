"""Run the real `warroom` command in-process with Typer's CliRunner, against a real store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from warroom.cli.main import app

Invoke = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """`cli("declare", "...")` runs warroom against a fresh SQLite store; never touches ~/.local."""
    monkeypatch.setenv("WARROOM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WARROOM_USER", "tester")
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that Rich does not wrap asserted text
    monkeypatch.delenv("WARROOM_DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, db: str | None = None) -> Result:
        prefix = ["--db", db] if db else []
        return runner.invoke(app, [*prefix, *args], input=input, catch_exceptions=False)

    return invoke


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def assert_bad_input(result: Result, *fragments: str) -> None:
    """Exit code 2 and exactly one line on stderr that names the problem."""
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
