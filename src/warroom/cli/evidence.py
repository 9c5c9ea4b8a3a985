"""`warroom evidence`: look at what warroom reads from an evidence bundle, before investigating."""

from __future__ import annotations

import dataclasses
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli.context import app_context
from warroom.cli.output import JSON_OPTION, emit
from warroom.timeutil import iso_z

if TYPE_CHECKING:
    from warroom.evidence.bundle import Bundle

evidence_app = typer.Typer(
    help="Check evidence bundles: what each file was read as, and what was skipped and why.",
    no_args_is_help=True,
)


BUNDLE_ARGUMENT = typer.Argument(
    ..., help="A bundle folder, or a .tar.gz / .zip of one.", show_default=False
)


@evidence_app.command("check")
def check(
    ctx: typer.Context,
    bundle: Path = BUNDLE_ARGUMENT,
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="Zone for times without an offset when the bundle's warroom.yaml sets none "
        "(default: $WARROOM_TIMEZONE, else UTC).",
        show_default=False,
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Parse every file again instead of using the cache."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Load a bundle and show every file's format, rows and rejected lines, and what was skipped."""
    settings = app_context(ctx).settings
    cache_dir = None if no_cache else settings.data_dir / "cache"
    # Imported here: the evidence engine (DuckDB, Arrow) is heavy, and every other command
    # (`warroom templates` on a pipe above all) should start without paying for it.
    from warroom.evidence.bundle import load_bundle
    from warroom.evidence.progress import evidence_progress

    progress = evidence_progress(quiet=as_json)
    with progress or nullcontext():
        loaded = load_bundle(
            bundle, cache_dir=cache_dir, timezone=timezone or settings.timezone, progress=progress
        )
    with loaded:
        summary = _summary(loaded)
    emit(summary, as_json=as_json, human=lambda console: _show(console, summary))


def _summary(bundle: Bundle) -> dict[str, Any]:
    window = bundle.manifest.window
    return {
        "root": str(bundle.root),
        "timezone": bundle.timezone,
        "window": {
            "incident": [iso_z(t) for t in window.incident] if window.incident else None,
            "baseline": [[iso_z(a), iso_z(b)] for a, b in window.baseline],
        },
        "from_cache": bundle.from_cache,
        "inputs": bundle.inputs(),
        "files": [dataclasses.asdict(load) for load in bundle.files],
        "notes": bundle.notes,
    }


def _show(console: Console, summary: dict[str, Any]) -> None:
    table = Table(title="Evidence read", title_justify="left")
    for column in ("file", "table", "format", "rows", "rejected"):
        table.add_column(column, justify="right" if column in ("rows", "rejected") else "left")
    for load in summary["files"]:
        table.add_row(
            load["path"],
            load["table"],
            load["format"],
            f"{load['rows']:,}",
            f"{load['rejected']:,}" if load["rejected"] else "",
        )
    console.print(table)
    for load in summary["files"]:
        for example in load["rejected_examples"]:
            console.print(f"  [yellow]rejected[/yellow] {load['path']}: {example}", markup=True)
    for item in summary["inputs"]["skipped"]:
        console.print(f"[yellow]skipped[/yellow] {item['path']}: {item['reason']}")
    for note in summary["notes"]:
        console.print(f"[blue]note[/blue] {note}")
    inputs = summary["inputs"]
    counts = ", ".join(
        f"{inputs[key]:,} {label}"
        for key, label in (
            ("events", "events"),
            ("metrics_samples", "metric samples"),
            ("changes", "changes"),
            ("cron_jobs", "cron jobs"),
            ("reports", "reports"),
            ("rejected_lines", "rejected lines"),
        )
    )
    cached = " (from the cache)" if summary["from_cache"] else ""
    console.print(f"{counts}; time zone {summary['timezone']}{cached}.")


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
