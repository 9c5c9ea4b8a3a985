"""`warroom demo`: simulate a bad release, investigate it, and record the whole incident."""

from __future__ import annotations

import sys
from contextlib import ExitStack

import typer

from warroom.cli.context import app_context


def demo(
    ctx: typer.Context,
    seed: int = typer.Option(
        7, "--seed", help="Which simulated day to use; the same seed gives the same incident."
    ),
) -> None:
    """Run a whole incident on simulated evidence: investigation, notebook, resolution.

    A bad api release is simulated as a realistic evidence bundle, investigated, and handled by a
    team: the incident is declared with an assessed severity, the findings are recorded, two
    tempting causes are ruled out with their why, and the real one is confirmed after a rollback.
    """
    from warroom.cli.investigate import progress_bar
    from warroom.cli.output import console
    from warroom.cli.render import print_incident
    from warroom.demo import run_demo
    from warroom.incidents import timeline, views
    from warroom.report.text import print_investigation

    context = app_context(ctx)
    out = console()
    with ExitStack() as stack:
        bar = stack.enter_context(progress_bar()) if sys.stdout.isatty() else None
        result = run_demo(
            settings=context.settings,
            store=context.store,
            framework=context.framework,
            seed=seed,
            progress=bar,
        )
    out.rule("[bold]1. The investigation[/bold]")
    out.print(f"Evidence bundle: {result.bundle}  (the simulated answer is in truth.json)\n")
    print_investigation(out, result.investigation, tz=context.tz)
    out.rule("[bold]2. The incident, as a responder joining late sees it[/bold]")
    with context.store.reader() as session:
        view = views.incident_view(session=session, incident_id=result.incident_id)
        entries = timeline.entries(session=session, incident_id=result.incident_id)
    print_incident(out, view, context.tz, entries)
    out.print(
        f"\nTry next:  warroom show {view.ref}   ·   warroom timeline {view.ref}   ·   "
        f"warroom investigate {result.bundle} --format md"
    )


def register(app: typer.Typer) -> None:
    app.command("demo", rich_help_panel="Start here")(demo)
