"""The `warroom` command: the root group, global options, and error translation."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from warroom import __version__
from warroom.cli.context import AppContext
from warroom.cli.output import report_error
from warroom.config import Settings
from warroom.errors import WarroomError


class WarroomGroup(TyperGroup):
    """Turns every WarroomError raised by a command into one line on stderr and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except WarroomError as error:
            report_error(error)
            raise typer.Exit(2) from error


app = typer.Typer(
    name="warroom",
    cls=WarroomGroup,
    help=(
        "An incident-response workbench: size the incident, keep its record and notebook, "
        "investigate the evidence, and learn from it afterwards.\n\n"
        "Start with [bold]warroom demo[/bold], or declare a real incident with "
        "[bold]warroom declare[/bold]."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"warroom {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        help="Database URL (sqlite:///file.db or postgresql://user@host/db). "
        "Default: $WARROOM_DATABASE_URL, else a SQLite file in your user data directory.",
        show_default=False,
    ),
    framework: str | None = typer.Option(
        None,
        "--framework",
        help="Severity framework: a preset (default, five-level) or a YAML file. "
        "Default: $WARROOM_SEVERITY_FRAMEWORK, else 'default'.",
        show_default=False,
    ),
    user: str | None = typer.Option(
        None, "--as", help="Name recorded as the author of what you write (default: $USER)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    overrides: dict[str, Any] = {}
    if db:
        overrides["database_url"] = db
    if framework:
        overrides["severity_framework"] = framework
    if user:
        overrides["user"] = user
    context = AppContext(settings=Settings(**overrides))
    ctx.obj = context
    ctx.call_on_close(context.close)


def _register_commands() -> None:
    # Each module adds its commands to `app`; the order here is the order in --help.
    from warroom.cli import assess as assess_commands
    from warroom.cli import db as db_commands
    from warroom.cli import demo as demo_commands
    from warroom.cli import evidence as evidence_commands
    from warroom.cli import incidents, investigate, notebook
    from warroom.cli import severity as severity_commands
    from warroom.cli import simulate as simulate_commands
    from warroom.cli import templates as templates_commands

    demo_commands.register(app)
    assess_commands.register(app)
    severity_commands.register(app)
    incidents.register(app)
    notebook.register(app)
    investigate.register(app)
    evidence_commands.register(app)
    templates_commands.register(app)
    simulate_commands.register(app)
    db_commands.register(app)


# Where each command appears in `warroom --help`, in the order people need them.
HELP_PANELS = {
    "Start here": ("demo",),
    "Severity": ("assess", "severity"),
    "Incidents": ("declare", "list", "show", "timeline", "status", "set-severity", "mark", "role"),
    "Notebook": ("hypothesis", "action", "note", "link"),
    "Investigate": ("investigate", "evidence", "templates", "simulate"),
    "Store": ("db",),
}


def _place_in_panels() -> None:
    panel_of = {name: panel for panel, names in HELP_PANELS.items() for name in names}
    for command in app.registered_commands:
        if command.name in panel_of:
            command.rich_help_panel = panel_of[command.name]
    for group in app.registered_groups:
        if group.name in panel_of:
            group.rich_help_panel = panel_of[group.name]


_register_commands()
_place_in_panels()


def run() -> None:
    """Console-script entry point."""
    app(prog_name="warroom")
