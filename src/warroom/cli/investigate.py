"""`warroom investigate BUNDLE`: evidence in, onset, ranked suspects and ruled-out causes out."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from warroom.cli.context import AppContext, app_context
from warroom.errors import InputError


class Format(StrEnum):
    AUTO = "auto"
    TEXT = "text"
    JSON = "json"
    MD = "md"
    HTML = "html"


def investigate_command(
    ctx: typer.Context,
    bundle: Path = typer.Argument(
        ...,
        help="A directory (or .tar.gz / .zip) of logs, metrics, changes, crontabs, reports.",
    ),
    start: str | None = typer.Option(
        None, "--start", help="Incident window start (default: manifest, else detected)."
    ),
    end: str | None = typer.Option(
        None, "--end", help="Incident window end (default: manifest, else detected)."
    ),
    fmt: Format = typer.Option(
        Format.AUTO,
        "--format",
        "-f",
        help=(
            "text (default on a terminal), json (the contract; default otherwise), md, "
            "html (one self-contained file with charts)."
        ),
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write the report to this file (html: default investigation-<bundle>-<time>.html).",
    ),
    incident: str | None = typer.Option(
        None, "--incident", help="Record the findings in this incident's timeline and notebook."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show every finding, with its caveat."
    ),
    no_cache: bool = typer.Option(
        False,
        "--no-cache",
        help=(
            "Parse the bundle again even if a cached copy exists. Without it, later runs on "
            "unchanged files read the parsed copy and skip parsing, the slowest step on "
            "large bundles."
        ),
    ),
) -> None:
    """Investigate an evidence bundle: when errors started, ranked suspects, what is ruled out.

    Reads logs, metrics, changes, git history, crontabs and customer reports.

    Compares the incident window with its baselines:
    onset, changes, hosts, endpoints, new errors and stack traces,
    metrics that moved, periodic and cron-aligned bursts, time of day,
    the inputs (request fields, values inside messages) and clients
    that only failing requests share, and what customers' reports name.

    Ranks suspects with their statistics and lists the causes the data rules out.

    Inputs and the JSON output: docs/evidence.md; the analyses: docs/analyses.md.
    """
    context = app_context(ctx)
    chosen = _format(fmt, output)
    interactive = chosen is not Format.JSON and output is None and sys.stdout.isatty()
    if output is not None:
        check_writable(output)  # before minutes of analysis, not after
    with open_investigation(
        context, bundle, start=start, end=end, progress=interactive, cache=not no_cache
    ) as (result, con):
        if incident is not None:
            _record(context, incident, result)
        if chosen is Format.HTML:
            _write_html(result, con, bundle, output)
            return
    _write(context, result, chosen, output, verbose=verbose)


def _format(fmt: Format, output: Path | None) -> Format:
    if fmt is not Format.AUTO:
        return fmt
    if output is not None:
        by_suffix = {".json": Format.JSON, ".md": Format.MD, ".html": Format.HTML}
        return by_suffix.get(output.suffix.lower(), Format.TEXT)
    return Format.TEXT if sys.stdout.isatty() else Format.JSON


def run_investigation(
    context: AppContext,
    bundle: Path,
    *,
    start: str | None,
    end: str | None,
    progress: bool,
    cache: bool = True,
) -> Any:
    """Load the bundle and investigate it, with progress bars when someone is watching."""
    with open_investigation(
        context, bundle, start=start, end=end, progress=progress, cache=cache
    ) as (result, _con):
        return result


@contextmanager
def open_investigation(
    context: AppContext,
    bundle: Path,
    *,
    start: str | None,
    end: str | None,
    progress: bool,
    cache: bool = True,
) -> Iterator[tuple[Any, Any]]:
    """Like `run_investigation`, keeping the bundle's tables open (for the HTML charts)."""
    from warroom.workflows import open_investigation as open_bundle_investigation

    with ExitStack() as stack:
        bar = stack.enter_context(progress_bar()) if progress else None
        yield stack.enter_context(
            open_bundle_investigation(
                bundle, settings=context.settings, start=start, end=end, progress=bar, cache=cache
            )
        )


def progress_bar() -> Any:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        transient=True,
    )


def _record(context: AppContext, incident: str, result: Any) -> None:
    from warroom.incidents.investigations import record_investigation
    from warroom.incidents.service import parse_ref

    with context.store.transaction() as session:
        record_investigation(
            session=session,
            incident_id=parse_ref(incident),
            report=result.to_json(),
            author=context.settings.user,
        )


def _write(
    context: AppContext, result: Any, fmt: Format, output: Path | None, *, verbose: bool
) -> None:
    from warroom.cli.output import console, to_json
    from warroom.report.markdown import render_markdown
    from warroom.report.text import print_investigation

    if fmt is Format.JSON:
        text = to_json(result.to_json())
    elif fmt is Format.MD:
        text = render_markdown(result)
    elif output is None:
        print_investigation(console(), result, tz=context.tz, verbose=verbose)
        return
    else:
        import io

        from rich.console import Console

        capture = Console(record=True, width=120, file=io.StringIO())
        print_investigation(capture, result, tz=context.tz, verbose=verbose)
        text = capture.export_text()
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_report(output, text if text.endswith("\n") else text + "\n")


def _write_html(result: Any, con: Any, bundle: Path, output: Path | None) -> None:
    from warroom.report.html import render_html

    target = output or Path.cwd() / default_html_name(bundle, result)
    write_report(target, render_html(result, con, title=f"Investigation of {_stem(bundle)}"))
    sys.stdout.write(f"HTML report written to {target}\n")


def default_html_name(bundle: Path, result: Any) -> str:
    """investigation-<bundle>-<incident start, UTC>.html: unique per bundle and window."""
    start = result.windows.incident.start
    return f"investigation-{_stem(bundle)}-{start:%Y%m%dT%H%MZ}.html"


def _stem(bundle: Path) -> str:
    name = bundle.resolve().name or "bundle"
    for suffix in (".tar.gz", ".tgz", ".zip"):
        name = name.removesuffix(suffix)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name) or "bundle"


def check_writable(target: Path) -> None:
    """The obvious mistakes (a directory, a missing folder), caught before any work."""
    if target.is_dir():
        raise InputError(f"cannot write the report to {target}: it is a directory")
    if not target.parent.is_dir():
        raise InputError(
            f"cannot write the report to {target}: no directory {target.parent}",
            hint="create the directory first or choose another --output",
        )


def write_report(target: Path, text: str) -> None:
    """Write the report; a path we cannot write is the user's to fix (exit 2), not a crash."""
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write the report to {target}: {exc.strerror or exc}",
            hint="choose a writable --output path",
        ) from exc


def register(app: typer.Typer) -> None:
    app.command("investigate", rich_help_panel="Investigate")(investigate_command)
