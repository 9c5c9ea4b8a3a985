"""Printing for people (Rich) and for scripts (--json), and the exit-code-2 error path."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console

from warroom.errors import WarroomError
from warroom.timeutil import iso_z

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of tables.")


def console() -> Console:
    # Built per call: CliRunner swaps sys.stdout between invocations.
    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def err_console() -> Console:
    return Console(file=sys.stderr, highlight=False)


def report_error(error: WarroomError) -> None:
    """One line on stderr that says what is wrong and how to fix it."""
    sys.stderr.write(f"error: {error.one_line()}\n")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(value: Any) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json(indent=2)
    return json.dumps(value, indent=2, default=_default, ensure_ascii=False)


def emit(value: Any, *, as_json: bool, human: Callable[[Console], None]) -> None:
    """Print `value` as JSON for scripts, or call `human` to render it for people."""
    if as_json:
        sys.stdout.write(to_json(value) + "\n")
    else:
        human(console())
