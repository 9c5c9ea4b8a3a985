"""`warroom simulate`: write a realistic evidence bundle with a known answer."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from warroom.cli.output import JSON_OPTION, emit
from warroom.errors import InputError
from warroom.simulate.options import DEFAULT_LINES, STEPS
from warroom.simulate.options import LOG_FORMATS as FORMATS

if TYPE_CHECKING:
    from warroom.simulate import Truth


def _list(as_json: bool) -> None:
    from warroom.simulate import SCENARIOS  # the simulator, imported when it is used

    def human(console: Console) -> None:
        table = Table(title="Scenarios", show_lines=False)
        table.add_column("scenario", style="bold")
        table.add_column("story")
        for name, story in SCENARIOS.items():
            table.add_row(name, story)
        console.print(table)

    emit([{"scenario": n, "story": s} for n, s in SCENARIOS.items()], as_json=as_json, human=human)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str], None] | None]:
    """A Rich progress bar over the generation steps, only when a person is watching."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task("simulating", total=len(STEPS))

        def step(name: str) -> None:
            bar.update(task, description=f"simulating: {name}", advance=1)

        yield step


def _summary(truth: Truth, out: Path) -> Callable[[Console], None]:
    def human(console: Console) -> None:
        answer = f"{truth.answer.kind} {truth.answer.ref}" if truth.answer else "none (null case)"
        console.print(
            f"Wrote the [bold]{truth.scenario}[/bold] bundle (seed {truth.seed}, "
            f"{truth.format}) to {out}"
        )
        console.print(f"  answer: {answer}")
        console.print(f"  onset:  {truth.onset or '-'}")
        console.print(f"  window: {truth.window[0]} .. {truth.window[1]}")
        console.print(f"  truth:  {out / 'truth.json'}")

    return human


def simulate(
    scenario: Annotated[
        str | None,
        typer.Argument(help="Which incident to simulate (see --list).", show_default=False),
    ] = None,
    *,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: same seed, same bundle, byte for byte.")
    ] = 1,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Directory to write the bundle and truth.json into (made if missing).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help=f"Log format: {', '.join(FORMATS)}.")
    ] = "jsonl",
    lines: Annotated[
        int,
        typer.Option("--lines", help="About how many log lines to write (5 million: 50 hosts)."),
    ] = DEFAULT_LINES,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the bundle in a non-empty --out directory.")
    ] = False,
    list_scenarios: Annotated[
        bool, typer.Option("--list", help="List the scenarios and exit.")
    ] = False,
    as_json: bool = JSON_OPTION,
) -> None:
    """Write a realistic evidence bundle for a known incident, plus its answer in truth.json.

    Example: [bold]warroom simulate bad_deploy --seed 7 --out ./bundle --format access[/bold],
    then [bold]warroom investigate ./bundle[/bold] and compare with ./bundle/truth.json.
    """
    if list_scenarios:
        _list(as_json)
        return
    if scenario is None or out is None:
        raise InputError(
            "simulate needs a SCENARIO and --out DIR",
            hint="for example `warroom simulate null --out ./bundle`; "
            "`warroom simulate --list` shows the scenarios",
        )
    from warroom.simulate import generate

    with _progress(sys.stdout.isatty() and not as_json) as step:
        truth = generate(
            scenario, seed=seed, out=out, fmt=fmt, lines=lines, force=force, progress=step
        )
    emit({**truth.to_dict(), "out": str(out)}, as_json=as_json, human=_summary(truth, out))


def register(app: typer.Typer) -> None:
    app.command("simulate", rich_help_panel="Investigate")(simulate)
