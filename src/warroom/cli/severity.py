"""`warroom severity`: show the severity scale, check a framework file, list the presets."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, TypedDict

import typer
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from warroom.cli.context import app_context
from warroom.cli.output import JSON_OPTION, emit
from warroom.severity.framework import (
    PRESETS,
    CheckResult,
    Framework,
    check_framework_file,
    load_framework,
    preset_text,
)
from warroom.severity.models import Level, compact_duration

severity_app = typer.Typer(
    help=(
        "The severity scale: what each level means and what it sets in motion (who is paged, "
        "who is told, how often, what is owed afterwards).\n\n"
        "The scale comes from a YAML file: a preset ([bold]default[/bold], three levels; "
        "[bold]five-level[/bold], SEV0-SEV4) or your own, chosen with the global "
        "[bold]--framework[/bold] option."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def flowed(doc: str | None) -> str:
    """A docstring as help text: paragraphs kept, line breaks inside a paragraph joined.

    Typer's rich help keeps every line break; source lines stop at 100 characters, help
    paragraphs should flow to the width of the terminal.
    """
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _command(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(function: Callable[..., None]) -> Callable[..., None]:
        return severity_app.command(name, help=flowed(function.__doc__))(function)

    return register


@_command("show")
def show(
    ctx: typer.Context,
    level_id: str | None = typer.Argument(
        None, metavar="[LEVEL]", help="One level (such as SEV1) to see in full.", show_default=False
    ),
    rules: bool = typer.Option(
        False, "--rules", help="Also list the assessment's questions and rules."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the severity scale as a table, or one level in full.

    Example: [bold]warroom severity show SEV2[/bold], or
    [bold]warroom --framework five-level severity show --rules[/bold].
    """
    framework = load_framework(app_context(ctx).settings.severity_framework)
    if level_id is not None:
        level = framework.level(level_id)
        emit(level, as_json=as_json, human=lambda c: c.print(level_panel(framework, level)))
        return

    def human(out: Console) -> None:
        out.print(f"[bold]{framework.name}[/bold] [dim]({framework.id})[/dim]")
        if framework.description:
            out.print(framework.description)
        out.print(scale_table(framework))
        if rules:
            out.print(questions_table(framework))
            out.print(rules_table(framework))

    emit(framework.model_dump(mode="json", by_alias=True), as_json=as_json, human=human)


@_command("check")
def check(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The framework YAML file to check.")],
    as_json: bool = JSON_OPTION,
) -> None:
    """Check a severity framework file and list every problem as FILE:LINE: field: message.

    Exits with status 0 when the file is valid and 2 when it is not, so it fits in CI.
    """
    result = check_framework_file(path)
    emit(_check_summary(path, result), as_json=as_json, human=lambda _: _print_check(path, result))
    if not result.valid:
        count = len(result.problems)
        plural = "s" * (count != 1)
        sys.stderr.write(
            f"error: {path} is not a valid severity framework ({count} problem{plural}).\n"
        )
        raise typer.Exit(2)


def _check_summary(path: Path, result: CheckResult) -> dict[str, object]:
    return {
        "file": str(path),
        "valid": result.valid,
        "problems": [
            {"line": p.line, "field": p.field, "message": p.message} for p in result.problems
        ],
        "framework": None if result.framework is None else _outline(result.framework),
    }


def _print_check(path: Path, result: CheckResult) -> None:
    # Plain lines, never wrapped: editors and CI parse the FILE:LINE: prefixes.
    for problem in result.problems:
        _write(f"{path}:{problem.line or '?'}: {problem.field}: {problem.message}\n")
    framework = result.framework
    if framework is not None and result.valid:
        levels = ", ".join(level.id for level in framework.levels)
        _write(
            f"{path}: valid severity framework {framework.id!r}: {len(framework.levels)} "
            f"levels ({levels}), {len(framework.questions)} questions, "
            f"{len(framework.rules)} rules.\n"
        )


@_command("presets")
def presets(
    name: str | None = typer.Argument(
        None,
        metavar="[NAME]",
        help="Print this preset's YAML, to copy as the start of your own file.",
        show_default=False,
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the built-in severity scales, or print one as YAML to start your own.

    Example: [bold]warroom severity presets default > severity.yaml[/bold], edit it, then
    [bold]warroom severity check severity.yaml[/bold].
    """
    if name is not None:
        text = preset_text(name.strip().lower())
        emit({"name": name, "yaml": text}, as_json=as_json, human=lambda _: _write(text))
        return
    outlines = {preset: _outline(load_framework(preset)) for preset in PRESETS}
    listed = [{"name": preset, **outline} for preset, outline in outlines.items()]

    def human(out: Console) -> None:
        table = Table("preset", "scale", "levels", "when no rule matches", title="Severity presets")
        for preset, item in outlines.items():
            table.add_row(preset, item["title"], ", ".join(item["levels"]), item["default"])
        out.print(table)
        out.print(
            "Use one with [bold]warroom --framework NAME[/bold], for example "
            "[bold]warroom --framework five-level severity show[/bold]."
        )

    emit(listed, as_json=as_json, human=human)


class _Outline(TypedDict):
    id: str
    title: str
    levels: list[str]
    default: str


def _outline(framework: Framework) -> _Outline:
    return {
        "id": framework.id,
        "title": framework.name,
        "levels": [level.id for level in framework.levels],
        "default": framework.default_level.id,
    }


def _write(text: str) -> None:
    sys.stdout.write(text)


def scale_table(framework: Framework) -> Table:
    """One row per level: what it means and what it sets in motion."""
    table = Table(show_lines=True, title="Severity levels, most severe first")
    for header in ("level", "when", "page at declaration", "pull in if not mitigated"):
        table.add_column(header, overflow="fold")
    table.add_column("status updates", overflow="fold")
    table.add_column("afterwards", overflow="fold")
    for level in framework.levels:
        response = level.response
        table.add_row(
            Text.assemble((level.id, "bold"), "\n", level.name),
            level.summary,
            "\n".join(response.page) or "nobody",
            "\n".join(
                f"{compact_duration(s.after)}: {', '.join(s.page)}" for s in response.escalation
            )
            or "-",
            "\n".join(update_lines(level)) or "-",
            "\n".join(follow_through(level)),
        )
    return table


def update_lines(level: Level) -> list[str]:
    """Audiences grouped by update cadence, fastest first: 'every 15m: responders, executives'."""
    by_cadence: dict[timedelta, list[str]] = {}
    for audience, every in level.response.updates.items():
        by_cadence.setdefault(every, []).append(audience.label)
    lines = [f"every {compact_duration(k)}: {', '.join(v)}" for k, v in sorted(by_cadence.items())]
    once = [a.label for a in level.response.notify if a not in level.response.updates]
    return lines + ([f"once: {', '.join(once)}"] if once else [])


def follow_through(level: Level) -> list[str]:
    """Customer communication, postmortem and follow-ups, one short line each."""
    response = level.response
    postmortem = response.postmortem
    return [
        f"customer comms: {'required' if response.customer_communication else 'not required'}",
        f"postmortem: due in {compact_duration(postmortem.due)}"
        if postmortem.required and postmortem.due is not None
        else "postmortem: optional",
        f"follow-ups: due in {compact_duration(response.follow_up_due)}",
    ]


def level_panel(framework: Framework, level: Level) -> Panel:
    """Everything about one level: meaning, examples, response, and the rules that lead to it."""
    response = level.response
    details = Table.grid(padding=(0, 2))
    details.add_column(style="bold")
    details.add_column()
    details.add_row("page at declaration", "\n".join(response.page) or "nobody")
    for step in response.escalation:
        details.add_row(f"after {compact_duration(step.after)}", ", ".join(step.page))
    details.add_row("notify", ", ".join(audience.label for audience in response.notify))
    for audience, every in response.updates.items():
        details.add_row(f"updates: {audience.label}", f"every {compact_duration(every)}")
    for line in follow_through(level):
        key, _, value = line.partition(": ")
        details.add_row(key, value)
    parts: list[RenderableType] = [Text(level.summary, style="bold")]
    if level.description:
        parts.append(Text(level.description))
    if level.examples:
        parts.append(Text("Examples:\n" + "\n".join(f"  • {e}" for e in level.examples)))
    parts.append(details)
    leading = [rule.id for rule in framework.rules if framework.level(rule.level).id == level.id]
    parts.append(Text(f"Rules that suggest it: {', '.join(leading) or 'none'}", style="dim"))
    spaced: list[RenderableType] = []
    for part in parts:
        spaced += [part, Text("")]
    return Panel(Group(*spaced[:-1]), title=f"{level.id} — {level.name}", title_align="left")


def questions_table(framework: Framework) -> Table:
    table = Table(title="Assessment questions")
    for header in ("question", "type", "asks", "notes"):
        table.add_column(header, overflow="fold")
    for question in framework.questions:
        kind = question.type if question.type != "choice" else "/".join(question.choices or [])
        notes = []
        if question.optional:
            notes.append("optional")
        if question.ask_if:
            notes.append(f"asked if {question.ask_if}")
        table.add_row(question.id, kind, question.prompt, "; ".join(notes))
    return table


def rules_table(framework: Framework) -> Table:
    table = Table(title="Assessment rules (the most severe level that matches wins)")
    for header in ("rule", "level", "when", "because"):
        table.add_column(header, overflow="fold")
    for rule in framework.rules:
        table.add_row(rule.id, framework.level(rule.level).id, rule.when, rule.because)
    return table


def register(app: typer.Typer) -> None:
    app.add_typer(severity_app, name="severity")
