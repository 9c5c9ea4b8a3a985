"""`warroom assess`: answer a few questions, get the severity level and what it sets in motion."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from warroom.cli.context import app_context
from warroom.cli.output import JSON_OPTION, console, emit, err_console
from warroom.cli.severity import flowed
from warroom.errors import InputError
from warroom.severity.answers import Answers, AnswerValue, answers_from_options
from warroom.severity.assess import Assessment, assess
from warroom.severity.framework import Framework, load_framework
from warroom.severity.interactive import ask_answers
from warroom.severity.models import Level, compact_duration
from warroom.severity.triggers import Triggers, triggers
from warroom.timeutil import utcnow, zone

_ANSWERS = "Answers (leave any out when you do not know)"


def assess_command(
    ctx: typer.Context,
    *,
    customer_facing: bool | None = typer.Option(
        None,
        "--customer-facing/--no-customer-facing",
        help="Is a customer-facing service or feature affected?",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    scope: str | None = typer.Option(
        None,
        "--scope",
        metavar="all|subset|none",
        help="Are all customers affected, a subset, or none yet?",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    data_breach: bool | None = typer.Option(
        None,
        "--data-breach/--no-data-breach",
        help="Is customer data breached, compromised or lost?",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    core_impacted: bool | None = typer.Option(
        None,
        "--core-impacted/--no-core-impacted",
        help="Is core functionality (such as invoice creation) significantly impacted?",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    workaround: bool | None = typer.Option(
        None,
        "--workaround/--no-workaround",
        help="Is there a workaround customers can use?",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    performance_only: bool | None = typer.Option(
        None,
        "--performance-only/--no-performance-only",
        help="Is only performance degraded (slow, but working)?",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    failing_share: str | None = typer.Option(
        None,
        "--failing-share",
        metavar="SHARE",
        help="Share of requests failing: 0.4 or 40%.",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    customers_share: str | None = typer.Option(
        None,
        "--customers-share",
        metavar="SHARE",
        help="Share of customers affected: 0.15 or 15%.",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    revenue_per_minute: str | None = typer.Option(
        None,
        "--revenue-per-minute",
        metavar="AMOUNT",
        help="Revenue per minute at risk, in your billing currency.",
        rich_help_panel=_ANSWERS,
        show_default=False,
    ),
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            "-a",
            metavar="QUESTION=VALUE",
            help="Answer any question of the framework by its id, e.g. platform_wide=yes; "
            "repeat for more. VALUE '?' means unknown. See the ids with "
            "'warroom severity show --rules'.",
            rich_help_panel=_ANSWERS,
            show_default=False,
        ),
    ] = None,
    service: Annotated[
        list[str] | None,
        typer.Option(
            "--service",
            "-s",
            metavar="NAME",
            help="An affected service; fills in <service> in who to page. Repeat for more.",
            show_default=False,
        ),
    ] = None,
    ask: bool = typer.Option(
        False, "--ask", help="Ask the questions that no option answered, even in a script."
    ),
    no_input: bool = typer.Option(
        False, "--no-input", help="Never ask; a question without an answer counts as unknown."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Suggest a severity level from what you know about the incident, and say what it triggers.

    Run it with no options in a terminal and it asks the questions one by one. In a script,
    give the answers as options: an answer left out is [bold]unknown[/bold], and an unknown
    answer is taken as its worse case until you know (the output says which and why).

    Example: [bold]warroom assess --customer-facing --scope subset --no-data-breach
    --no-workaround --failing-share 12%[/bold]
    """
    settings = app_context(ctx).settings
    framework = load_framework(settings.severity_framework)
    flags: dict[str, bool | str | None] = {
        "customer_facing": customer_facing,
        "scope": scope,
        "data_breach": data_breach,
        "core_impacted": core_impacted,
        "workaround": workaround,
        "performance_only": performance_only,
        "failing_share": failing_share,
        "customers_share": customers_share,
        "revenue_per_minute": revenue_per_minute,
    }
    given = answers_from_options(framework, flags=flags, pairs=answer or [])
    answers = _complete(framework, given, ask=ask, no_input=no_input, as_json=as_json)
    assessment = assess(framework, answers)
    now = utcnow()
    level = framework.level(assessment.level)
    triggered = triggers(level, declared_at=now, now=now, services=service or [])
    # The assessment at the top level: `warroom declare --assessment FILE` reads this output.
    result = {**assessment.model_dump(mode="json"), "triggers": triggered.model_dump(mode="json")}

    def human(out: Console) -> None:
        render_assessment(out, framework, assessment)
        out.print(f"\n[bold]What {level.id} triggers[/bold]")
        out.print(_triggers_table(triggered, zone(settings.timezone), timed=True))

    emit(result, as_json=as_json, human=human)


def interactive_assessment(framework: Framework) -> dict[str, Any]:
    """Ask the questions and show the suggestion (on stderr: stdout stays for --json output).

    Returns the assessment as JSON-ready data, as an incident stores it.
    """
    out = err_console()
    assessment = assess(framework, ask_answers(framework, out))
    render_assessment(out, framework, assessment)
    return assessment.model_dump(mode="json")


def print_triggers(
    console: Console,
    level: Level,
    *,
    declared_at: datetime | None,
    services: Sequence[str] = (),
    tz: tzinfo = UTC,
) -> None:
    """What `level` sets in motion; on the incident's clock when `declared_at` is given."""
    now = utcnow()
    triggered = triggers(level, declared_at=declared_at or now, now=now, services=services)
    console.print(f"[bold]What {level.id} triggers[/bold]")
    console.print(_triggers_table(triggered, tz, timed=declared_at is not None))


def _complete(
    framework: Framework,
    given: dict[str, AnswerValue | None],
    *,
    ask: bool,
    no_input: bool,
    as_json: bool,
) -> Answers:
    """The answers from the options, completed at the terminal when that is wanted."""
    if ask and no_input:
        raise InputError("--ask and --no-input contradict each other", hint="use one of them")
    if not (ask or (not given and not no_input and sys.stdin.isatty())):
        return Answers(values=given)
    # With --json the questions go to stderr, so that stdout stays one JSON document.
    prompter = err_console() if as_json else console()
    return ask_answers(framework, prompter, given=Answers(values=given))


def render_assessment(out: Console, framework: Framework, assessment: Assessment) -> None:
    """The suggested level and why, for people."""
    level = framework.level(assessment.level)
    heading = f"[bold]{level.id} — {level.name}[/bold]\n{level.summary}"
    out.print(Panel(heading, title="Suggested severity", title_align="left", expand=False))
    reasons = Table.grid(padding=(0, 1))
    reasons.add_column(no_wrap=True)
    reasons.add_column()
    for line in assessment.explanation:
        reasons.add_row(" •", Text(line))
    out.print("[bold]Why[/bold]")
    out.print(reasons)


def _triggers_table(triggered: Triggers, local: tzinfo, *, timed: bool) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row("page now", "\n".join(triggered.page_now) or "nobody")
    for step in triggered.escalations:
        deadline = _clock(step.due_at, triggered.now, local)
        when = f"  [dim](if not mitigated by {deadline})[/dim]" if timed else ""
        page = ", ".join(step.page)
        table.add_row(f"after {compact_duration(step.after)}", f"{page}{when}")
    table.add_row("notify", ", ".join(audience.label for audience in triggered.notify))
    for update in triggered.updates:
        next_due = _clock(update.next_due_at, triggered.now, local)
        when = f"  [dim](next due {next_due})[/dim]" if timed else ""
        table.add_row(f"updates: {update.label}", f"every {compact_duration(update.every)}{when}")
    comms = "required" if triggered.customer_communication else "not required"
    table.add_row("customer comms", comms)
    table.add_row(
        "postmortem",
        _due(triggered.postmortem_due_at, triggered, required=triggered.postmortem_required),
    )
    table.add_row("follow-ups", _due(triggered.follow_ups_due_at, triggered, required=True))
    return table


def _due(due_at: datetime | None, triggered: Triggers, *, required: bool) -> str:
    if not required or due_at is None:
        return "optional"
    return f"due within {compact_duration(due_at - triggered.declared_at)}"


def _clock(moment: datetime, now: datetime, local: tzinfo) -> str:
    shown = moment.astimezone(local)
    same_day = shown.date() == now.astimezone(local).date()
    return shown.strftime("%H:%M %Z" if same_day else "%a %d %b %H:%M %Z")


def register(app: typer.Typer) -> None:
    app.command("assess", help=flowed(assess_command.__doc__))(assess_command)
