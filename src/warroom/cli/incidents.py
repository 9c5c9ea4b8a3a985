"""`warroom declare | list | show | timeline | status | set-severity | mark | role`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from warroom.cli.context import AppContext, app_context
from warroom.cli.output import JSON_OPTION, emit
from warroom.errors import InputError
from warroom.incidents.enums import EntryKind, IncidentStatus, KeyTime, Role


def _time(context: AppContext, text: str | None) -> datetime | None:
    from warroom.timeutil import parse_time

    return None if text is None else parse_time(text, tz=context.tz)


def _incident_id(text: str) -> int:
    from warroom.incidents.service import parse_ref

    return parse_ref(text)


def declare(
    ctx: typer.Context,
    title: str = typer.Argument(
        ..., help="What is broken, in a few words the whole company understands."
    ),
    severity: str | None = typer.Option(
        None, "--severity", "-s", help="Level id from the framework (see `warroom severity show`)."
    ),
    service: list[str] = typer.Option(
        [], "--service", help="Affected service; repeat for several."
    ),
    commander: str | None = typer.Option(None, "--commander", "-c", help="Incident commander."),
    summary: str = typer.Option("", "--summary", help="What is known so far."),
    impact_started: str | None = typer.Option(None, "--impact-started", help="When impact began."),
    detected: str | None = typer.Option(None, "--detected", help="When it was noticed."),
    assess: bool = typer.Option(
        False, "--assess", help="Answer the framework's questions now to choose the severity."
    ),
    assessment_file: Path | None = typer.Option(
        None, "--assessment", help="Use a saved `warroom assess --json` result.", exists=False
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Declare an incident: it starts in triage with a severity and, ideally, a commander.

    Times accept ISO 8601, a clock time (14:02) or '-15m'.
    """
    from warroom.incidents import service as incidents
    from warroom.incidents import views

    context = app_context(ctx)
    assessment = _assessment(context, assess=assess, path=assessment_file)
    if severity is None and assessment is None:
        raise InputError(
            "say how severe it is", hint="add --severity SEV2, or --assess to answer the questions"
        )
    level = severity or str(assessment["level"] if assessment else "")
    with context.store.transaction() as session:
        incident = incidents.declare(
            session=session,
            scale=context.framework,
            title=title,
            severity=level,
            author=context.settings.user,
            services=service,
            commander=commander,
            summary=summary,
            impact_started_at=_time(context, impact_started),
            detected_at=_time(context, detected),
            assessment=assessment,
        )
        view = views.incident_view(session=session, incident_id=incident.id)
    emit(view, as_json=as_json, human=lambda c: _print_declared(c, context, view))


def _assessment(context: AppContext, *, assess: bool, path: Path | None) -> dict[str, Any] | None:
    if path is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"cannot read the assessment {path}: {exc}",
                hint="save one with `warroom assess --json > assessment.json`",
            ) from exc
        if not isinstance(data, dict) or "level" not in data:
            raise InputError(
                f"{path} is not a warroom assessment", hint="use `warroom assess --json`"
            )
        return data
    if not assess:
        return None
    from warroom.cli.assess import interactive_assessment

    return interactive_assessment(context.framework)


def _print_declared(console: Any, context: AppContext, view: Any) -> None:
    from warroom.cli.render import print_incident

    print_incident(console, view, context.tz)
    from warroom.cli.assess import print_triggers

    print_triggers(
        console, context.framework.level(view.severity), declared_at=view.key_times["declared"]
    )


def list_command(
    ctx: typer.Context,
    status: list[IncidentStatus] = typer.Option(
        [], "--status", help="Only this status; repeatable."
    ),
    severity: list[str] = typer.Option([], "--severity", "-s", help="Only this level; repeatable."),
    service: str | None = typer.Option(None, "--service", help="Only incidents affecting it."),
    active: bool = typer.Option(False, "--active", help="Only incidents not yet resolved."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List incidents, newest first."""
    from warroom.cli.render import incidents_table
    from warroom.incidents import service as incidents
    from warroom.incidents import views

    context = app_context(ctx)
    with context.store.reader() as session:
        rows = incidents.list_incidents(
            session=session,
            statuses=status,
            severities=severity,
            service=service,
            active_only=active,
        )
        summaries = [views.summary(session=session, incident=row) for row in rows]
    emit(
        [s.model_dump(mode="json") for s in summaries],
        as_json=as_json,
        human=lambda c: c.print(incidents_table(summaries, context.tz)),
    )


def show(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id, e.g. INC-12 or 12."),
    recent: int = typer.Option(
        8, "--recent", help="How many of the latest timeline entries to show."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """What a responder joining late reads first: roles, times, what is ruled out and why.

    Also the open hypotheses, the confirmed cause, the actions tried and the latest timeline
    entries.
    """
    from warroom.cli.render import print_incident
    from warroom.incidents import timeline, views

    context = app_context(ctx)
    with context.store.reader() as session:
        view = views.incident_view(session=session, incident_id=_incident_id(incident))
        latest = (
            timeline.entries(session=session, incident_id=view.id)[-recent:] if recent > 0 else []
        )
    emit(view, as_json=as_json, human=lambda c: print_incident(c, view, context.tz, latest))


def timeline_command(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id, e.g. INC-12 or 12."),
    kind: list[EntryKind] = typer.Option(
        [], "--kind", "-k", help="Only entries of this kind; repeatable."
    ),
    since: str | None = typer.Option(None, "--since", help="Only entries at or after this time."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The incident's timeline, in the order things happened."""
    from warroom.cli.render import timeline_table
    from warroom.incidents import service as incidents
    from warroom.incidents import timeline

    context = app_context(ctx)
    incident_id = _incident_id(incident)
    with context.store.reader() as session:
        incidents.get(session=session, incident_id=incident_id)
        rows = timeline.entries(
            session=session, incident_id=incident_id, kinds=kind, since=_time(context, since)
        )
    emit(
        [r.model_dump(mode="json") for r in rows],
        as_json=as_json,
        human=lambda c: c.print(
            timeline_table(rows, context.tz, title=f"Timeline of INC-{incident_id}")
        ),
    )


def status_command(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id, e.g. INC-12 or 12."),
    status: IncidentStatus = typer.Argument(..., help="The new status."),
    reason: str | None = typer.Option(
        None, "--reason", "-r", help="Why (required for not_incident and reopening)."
    ),
    at: str | None = typer.Option(None, "--at", help="When it happened (default: now)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Move an incident to another status (triage → ... → closed, or not_incident).

    The lifecycle: triage → investigating → identified → mitigated → resolved → closed, and
    not_incident (kept as a bug, with the reason). Illegal moves are refused.
    """
    from warroom.incidents import service as incidents

    context = app_context(ctx)
    with context.store.transaction() as session:
        row = incidents.transition(
            session=session,
            incident_id=_incident_id(incident),
            target=status,
            author=context.settings.user,
            reason=reason,
            at=_time(context, at),
        )
        result = {"incident": row.ref, "status": row.status}
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(f"{result['incident']} is now {result['status']}."),
    )


def set_severity(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id, e.g. INC-12 or 12."),
    severity: str = typer.Argument(..., help="The new level id."),
    reason: str = typer.Option(..., "--reason", "-r", help="What changed (required)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Raise or lower an incident's severity; the reason is recorded with who and when."""
    from warroom.incidents import service as incidents

    context = app_context(ctx)
    with context.store.transaction() as session:
        row = incidents.change_severity(
            session=session,
            scale=context.framework,
            incident_id=_incident_id(incident),
            severity=severity,
            reason=reason,
            author=context.settings.user,
        )
        result = {"incident": row.ref, "severity": row.severity}

    def human(console: Any) -> None:
        from warroom.cli.assess import print_triggers

        console.print(f"{result['incident']} is now {result['severity']}.")
        print_triggers(console, context.framework.level(result["severity"]), declared_at=None)

    emit(result, as_json=as_json, human=human)


MARK_KEYS = {
    "impact-started": KeyTime.IMPACT_STARTED,
    "detected": KeyTime.DETECTED,
    "acknowledged": KeyTime.ACKNOWLEDGED,
    "declared": KeyTime.DECLARED,
}


def mark(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id, e.g. INC-12 or 12."),
    key: str = typer.Argument(..., help="impact-started, detected, acknowledged or declared."),
    at: str = typer.Option("now", "--at", help="When (ISO 8601, 14:02, -15m; default now)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a key time: when impact started, when it was detected or acknowledged."""
    from warroom.incidents import service as incidents
    from warroom.timeutil import iso_z

    context = app_context(ctx)
    if key.lower() not in MARK_KEYS:
        raise InputError(f"unknown key time {key!r}", hint="use one of: " + ", ".join(MARK_KEYS))
    from warroom.timeutil import parse_time

    moment = parse_time(at, tz=context.tz)
    with context.store.transaction() as session:
        row = incidents.mark_time(
            session=session,
            incident_id=_incident_id(incident),
            key=MARK_KEYS[key.lower()],
            at=moment,
            author=context.settings.user,
        )
        result = {"incident": row.ref, "key": MARK_KEYS[key.lower()].value, "at": iso_z(moment)}
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(f"{result['incident']}: {key} at {result['at']}."),
    )


role_app = typer.Typer(
    help="Who is commander, communications lead, scribe, responder — and since when.",
    no_args_is_help=True,
)


@role_app.command("assign")
def role_assign(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id."),
    role: Role = typer.Argument(..., help="The role."),
    person: str = typer.Argument(..., help="Who takes it."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Give someone a role; commander, communications lead and scribe are handed over."""
    _change_role(ctx, incident, role, person, relieve=False, as_json=as_json)


@role_app.command("relieve")
def role_relieve(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id."),
    role: Role = typer.Argument(..., help="The role."),
    person: str | None = typer.Option(None, "--person", help="Who (needed when several hold it)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """End someone's time in a role."""
    _change_role(ctx, incident, role, person, relieve=True, as_json=as_json)


def _change_role(
    ctx: typer.Context,
    incident: str,
    role: Role,
    person: str | None,
    *,
    relieve: bool,
    as_json: bool,
) -> None:
    from warroom.incidents import roles
    from warroom.incidents import service as incidents

    context = app_context(ctx)
    with context.store.transaction() as session:
        row = incidents.get(session=session, incident_id=_incident_id(incident), for_update=True)
        if relieve:
            done = roles.relieve(
                session=session,
                incident=row,
                role=role,
                author=context.settings.user,
                person=person,
            )
        else:
            done = roles.assign(
                session=session,
                incident=row,
                role=role,
                person=person or "",
                author=context.settings.user,
            )
        result = {
            "incident": row.ref,
            "role": role.value,
            "person": done.person,
            "change": "relieved" if relieve else "assigned",
        }
    words = "is no longer" if relieve else "is now"
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(
            f"{result['person']} {words} {role.label} of {result['incident']}."
        ),
    )


@role_app.command("history")
def role_history(
    ctx: typer.Context,
    incident: str = typer.Argument(..., help="Incident id."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Who held which role, from when to when."""
    from rich.table import Table

    from warroom.cli.render import when
    from warroom.incidents import roles
    from warroom.incidents import service as incidents

    context = app_context(ctx)
    with context.store.reader() as session:
        row = incidents.get(session=session, incident_id=_incident_id(incident))
        rows = roles.history(session=session, incident_id=row.id)
    table = Table(title=f"Roles of INC-{row.id}", title_justify="left")
    for column in ("role", "person", "from", "until", "assigned by"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.role.replace("_", " "),
            r.person,
            when(r.assigned_at, context.tz),
            when(r.relieved_at, context.tz) if r.relieved_at else "now",
            r.assigned_by,
        )
    emit([r.model_dump(mode="json") for r in rows], as_json=as_json, human=lambda c: c.print(table))


def register(app: typer.Typer) -> None:
    app.command("declare", rich_help_panel="Incidents")(declare)
    app.command("list", rich_help_panel="Incidents")(list_command)
    app.command("show", rich_help_panel="Incidents")(show)
    app.command("timeline", rich_help_panel="Incidents")(timeline_command)
    app.command("status", rich_help_panel="Incidents")(status_command)
    app.command("set-severity", rich_help_panel="Incidents")(set_severity)
    app.command("mark", rich_help_panel="Incidents")(mark)
    app.add_typer(role_app, name="role", rich_help_panel="Incidents")
