"""`warroom hypothesis | action | note | link`: the investigation notebook.

Keep notes of what was tried and which possible causes were eliminated, including why, so that
a responder who joins late sees at once what has been ruled out.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from warroom.cli.context import app_context
from warroom.cli.output import JSON_OPTION, emit
from warroom.errors import InputError
from warroom.incidents.enums import ActionOutcome, HypothesisStatus

hypothesis_app = typer.Typer(
    help="Possible causes: add them, then eliminate or confirm each one with the why.",
    no_args_is_help=True,
)
action_app = typer.Typer(
    help="Changes tried during the response, and what they did.", no_args_is_help=True
)

AT_OPTION = typer.Option(None, "--at", help="When it happened, if not now (14:02, -10m, ISO 8601).")
LINK_OPTION = typer.Option(
    [], "--link", help="A URL that backs this up (dashboard, log search); repeatable."
)
FINDING_OPTION = typer.Option([], "--finding", help="An investigation finding id; repeatable.")
OUTPUT_OPTION = typer.Option(
    None,
    "--output",
    help="A file holding a command's output to keep as evidence ('-' reads stdin).",
)


def _evidence(links: list[str], findings: list[str], output: Path | None) -> list[Any]:
    from warroom.incidents.schemas import EvidenceItem

    items = [EvidenceItem(kind="link", value=url) for url in links]
    items += [EvidenceItem(kind="finding", value=f) for f in findings]
    if output is not None:
        items.append(EvidenceItem(kind="output", value=_read_output(output), label=str(output)))
    return items


def _read_output(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror}", hint="give a readable file or '-'"
        ) from exc


def _when(context: Any, text: str | None) -> Any:
    from warroom.timeutil import parse_time

    return parse_time(text, tz=context.tz) if text else None


def _incident(text: str) -> int:
    from warroom.incidents.service import parse_ref

    return parse_ref(text)


def _hypothesis(text: str) -> int:
    from warroom.incidents.notebook import parse_item_ref

    return parse_item_ref(text, prefix="H")


@hypothesis_app.command("add")
def hypothesis_add(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id, e.g. INC-12 or 12."),
    statement: str = typer.Argument(
        ..., help='The possible cause, e.g. "the 14:02 deploy broke checkout".'
    ),
    link: list[str] = LINK_OPTION,
    finding: list[str] = FINDING_OPTION,
    at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Write down a possible cause. It stays open until you eliminate or confirm it."""
    from warroom.incidents import notebook
    from warroom.incidents.schemas import HypothesisView

    context = app_context(ctx)
    with context.store.transaction() as session:
        row = notebook.add_hypothesis(
            session=session,
            incident_id=_incident(incident),
            statement=statement,
            author=context.settings.user,
            evidence=_evidence(link, finding, None),
            at=_when(context, at),
        )
        view = HypothesisView.model_validate(row)
    emit(view, as_json=as_json, human=lambda c: c.print(f"H{view.id} open: {view.statement}"))


def _decide(
    ctx: typer.Context,
    ref: str,
    status: HypothesisStatus,
    why: str,
    evidence: list[Any],
    as_json: bool,
    at: str | None = None,
) -> None:
    from warroom.incidents import notebook
    from warroom.incidents.schemas import HypothesisView

    context = app_context(ctx)
    with context.store.transaction() as session:
        row = notebook.decide(
            session=session,
            hypothesis_id=_hypothesis(ref),
            status=status,
            why=why,
            author=context.settings.user,
            evidence=evidence,
            at=_when(context, at),
        )
        view = HypothesisView.model_validate(row)
    emit(
        view,
        as_json=as_json,
        human=lambda c: c.print(f"H{view.id} {view.status}: {view.statement} — {view.why}"),
    )


WHY_OPTION = typer.Option(..., "--why", "-w", help="What you saw that decides it (required).")


@hypothesis_app.command("eliminate")
def hypothesis_eliminate(
    ctx: typer.Context,
    hypothesis: str = typer.Argument(..., help="Hypothesis id, e.g. H3."),
    why: str = WHY_OPTION,
    link: list[str] = LINK_OPTION,
    finding: list[str] = FINDING_OPTION,
    output: Path | None = OUTPUT_OPTION,
    at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Rule a cause out, saying why (and citing evidence), so nobody chases it again."""
    _decide(
        ctx,
        hypothesis,
        HypothesisStatus.ELIMINATED,
        why,
        _evidence(link, finding, output),
        as_json,
        at,
    )


@hypothesis_app.command("confirm")
def hypothesis_confirm(
    ctx: typer.Context,
    hypothesis: str = typer.Argument(..., help="Hypothesis id, e.g. H3."),
    why: str = WHY_OPTION,
    link: list[str] = LINK_OPTION,
    finding: list[str] = FINDING_OPTION,
    output: Path | None = OUTPUT_OPTION,
    at: str | None = AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Confirm a cause, saying what proves it."""
    _decide(
        ctx,
        hypothesis,
        HypothesisStatus.CONFIRMED,
        why,
        _evidence(link, finding, output),
        as_json,
        at,
    )


@hypothesis_app.command("reopen")
def hypothesis_reopen(
    ctx: typer.Context,
    hypothesis: str = typer.Argument(..., help="Hypothesis id, e.g. H3."),
    why: str = WHY_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Open an eliminated or confirmed hypothesis again (the decision stays on the timeline)."""
    _decide(ctx, hypothesis, HypothesisStatus.OPEN, why, [], as_json)


@hypothesis_app.command("list")
def hypothesis_list(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Open, eliminated and confirmed hypotheses of an incident."""
    from warroom.cli.render import hypotheses_table
    from warroom.incidents import views

    context = app_context(ctx)
    with context.store.reader() as session:
        view = views.incident_view(session=session, incident_id=_incident(incident))
    groups = (
        ("Open hypotheses", view.open_hypotheses, "bold yellow"),
        ("Ruled out", view.eliminated, "bold green"),
        ("Confirmed cause", view.confirmed, "bold red"),
    )

    def human(console: Any) -> None:
        for title, rows, style in groups:
            console.print(hypotheses_table(title, rows, context.tz, style))

    payload = {
        "open": view.open_hypotheses,
        "eliminated": view.eliminated,
        "confirmed": view.confirmed,
    }
    emit(
        {k: [h.model_dump(mode="json") for h in v] for k, v in payload.items()},
        as_json=as_json,
        human=human,
    )


@action_app.command("add")
def action_add(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id."),
    what: str = typer.Argument(..., help='What was done, e.g. "restarted api-2".'),
    who: str | None = typer.Option(None, "--who", help="Who did it (default: you)."),
    at: str | None = typer.Option(None, "--at", help="When (default: now)."),
    outcome: ActionOutcome = typer.Option(
        ActionOutcome.PENDING, "--outcome", "-o", help="What it did, if known."
    ),
    note: str | None = typer.Option(None, "--note", help="Details of the outcome."),
    tests: str | None = typer.Option(
        None, "--tests", help="The hypothesis this action tests, e.g. H3."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a change tried: who, when, and what it did (helped, no_effect, made_worse...)."""
    from warroom.incidents import notebook
    from warroom.incidents.schemas import ActionView
    from warroom.timeutil import parse_time

    context = app_context(ctx)
    with context.store.transaction() as session:
        row = notebook.add_action(
            session=session,
            incident_id=_incident(incident),
            what=what,
            author=context.settings.user,
            who=who,
            at=parse_time(at, tz=context.tz) if at else None,
            outcome=outcome,
            note=note,
            hypothesis_id=_hypothesis(tests) if tests else None,
        )
        view = ActionView.model_validate(row)
    emit(
        view,
        as_json=as_json,
        human=lambda c: c.print(f"A{view.id} recorded: {view.what} ({view.outcome})"),
    )


@action_app.command("outcome")
def action_outcome(
    ctx: typer.Context,
    action: str = typer.Argument(..., help="Action id, e.g. A2."),
    outcome: ActionOutcome = typer.Argument(..., help="helped, no_effect, made_worse, reverted."),
    note: str | None = typer.Option(None, "--note", help="Details."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Say what an action did once you know."""
    from warroom.incidents import notebook
    from warroom.incidents.schemas import ActionView

    context = app_context(ctx)
    with context.store.transaction() as session:
        row = notebook.set_outcome(
            session=session,
            action_id=notebook.parse_item_ref(action, prefix="A"),
            outcome=outcome,
            author=context.settings.user,
            note=note,
        )
        view = ActionView.model_validate(row)
    emit(view, as_json=as_json, human=lambda c: c.print(f"A{view.id}: {view.outcome}"))


def note(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id."),
    text: str = typer.Argument(..., help="What you saw or did."),
    at: str | None = typer.Option(None, "--at", help="When it happened (default: now)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a note to the timeline."""
    from warroom.incidents import notebook
    from warroom.incidents.schemas import TimelineEntryView
    from warroom.timeutil import parse_time

    context = app_context(ctx)
    with context.store.transaction() as session:
        entry = notebook.add_note(
            session=session,
            incident_id=_incident(incident),
            text=text,
            author=context.settings.user,
            at=parse_time(at, tz=context.tz) if at else None,
        )
        view = TimelineEntryView.model_validate(entry)
    emit(view, as_json=as_json, human=lambda c: c.print(f"Noted (#{view.seq})."))


def link(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id."),
    url: str = typer.Argument(..., help="Dashboard, ticket, chat thread, log search..."),
    title: str | None = typer.Option(None, "--title", help="What it is."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Attach a link to the timeline."""
    from warroom.incidents import notebook
    from warroom.incidents.schemas import TimelineEntryView

    context = app_context(ctx)
    with context.store.transaction() as session:
        entry = notebook.add_link(
            session=session,
            incident_id=_incident(incident),
            url=url,
            author=context.settings.user,
            title=title,
        )
        view = TimelineEntryView.model_validate(entry)
    emit(view, as_json=as_json, human=lambda c: c.print(f"Linked (#{view.seq})."))


def register(app: typer.Typer) -> None:
    app.add_typer(hypothesis_app, name="hypothesis", rich_help_panel="Notebook")
    app.add_typer(action_app, name="action", rich_help_panel="Notebook")
    app.command("note", rich_help_panel="Notebook")(note)
    app.command("link", rich_help_panel="Notebook")(link)
