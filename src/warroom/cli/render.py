"""Rich renderings of the incident record, shared by `show`, `declare`, `timeline` and `demo`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from warroom.incidents.schemas import (
    ActionView,
    HypothesisView,
    IncidentSummary,
    IncidentView,
    TimelineEntryView,
)
from warroom.incidents.service import describe_duration

STATUS_STYLE = {
    "triage": "bold yellow",
    "investigating": "bold red",
    "identified": "bold magenta",
    "mitigated": "bold cyan",
    "resolved": "bold green",
    "closed": "dim",
    "not_incident": "dim",
}
OUTCOME_STYLE = {
    "helped": "green",
    "no_effect": "yellow",
    "made_worse": "bold red",
    "reverted": "cyan",
    "pending": "dim",
}
KIND_STYLE = {
    "status_change": "bold",
    "severity_change": "bold red",
    "hypothesis": "magenta",
    "action": "cyan",
    "finding": "blue",
    "role_change": "green",
    "key_time": "yellow",
    "status_update": "bold blue",
}


def when(moment: datetime | None, tz: tzinfo) -> str:
    """'2026-03-04 14:02 UTC' in the user's zone; '—' when unknown."""
    if moment is None:
        return "—"
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or "")


def short_when(moment: datetime, tz: tzinfo) -> str:
    """'05-04 14:02:10' — the timeline's column; the zone is in the table title."""
    return moment.astimezone(tz).strftime("%m-%d %H:%M:%S")


def status_text(status: str) -> Text:
    return Text(status.replace("_", " "), style=STATUS_STYLE.get(status, ""))


def incidents_table(rows: Sequence[IncidentSummary], tz: tzinfo) -> Table:
    table = Table(title=f"{len(rows)} incident{'s' * (len(rows) != 1)}", title_justify="left")
    for column in ("id", "severity", "status", "title", "services", "commander", "declared"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row.ref,
            Text(row.severity, style="bold"),
            status_text(row.status),
            row.title,
            ", ".join(row.services) or "—",
            row.commander or "—",
            when(row.declared_at, tz),
        )
    return table


def _header(view: IncidentView) -> Text:
    text = Text()
    text.append(f"{view.ref} ", style="bold")
    text.append(f"{view.severity} ", style="bold red")
    text.append_text(status_text(view.status))
    text.append(f"  {view.title}\n", style="bold")
    text.append(f"services: {', '.join(view.services) or '—'}", style="dim")
    if view.not_incident_reason:
        text.append(f"\nnot an incident: {view.not_incident_reason}", style="yellow")
    if view.summary:
        text.append(f"\n{view.summary}")
    return text


def _times_table(view: IncidentView, tz: tzinfo) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column()
    table.add_column(style="dim")
    table.add_column()
    times = [(k.replace("_", " "), when(v, tz)) for k, v in view.key_times.items()]
    spans = [(k.replace("_", " "), describe_duration(v)) for k, v in view.durations.items()]
    for index in range(max(len(times), len(spans))):
        left = times[index] if index < len(times) else ("", "")
        right = spans[index] if index < len(spans) else ("", "")
        table.add_row(*left, *right)
    return table


def _roles_line(view: IncidentView) -> Text:
    text = Text()
    for role, people in view.roles.items():
        text.append(f"{role.replace('_', ' ')}: ", style="dim")
        text.append((", ".join(people) or "—") + "   ")
    return text


def hypotheses_table(title: str, rows: Sequence[HypothesisView], tz: tzinfo, style: str) -> Table:
    table = Table(title=title, title_justify="left", title_style=style, expand=True)
    table.add_column("", width=5)
    table.add_column("hypothesis", ratio=3, overflow="fold")
    table.add_column("why", ratio=3, overflow="fold")
    table.add_column("by / when", ratio=2, overflow="fold")
    for row in rows:
        who = row.decided_by or row.created_by
        moment = row.decided_at or row.created_at
        evidence = "".join(f"\n↳ {e.kind}: {e.label or e.value[:80]}" for e in row.evidence)
        table.add_row(
            f"H{row.id}", row.statement, (row.why or "—") + evidence, f"{who}\n{when(moment, tz)}"
        )
    return table


def actions_table(rows: Sequence[ActionView], tz: tzinfo) -> Table:
    table = Table(title="Actions tried", title_justify="left", title_style="cyan", expand=True)
    table.add_column("", width=5)
    table.add_column("what", ratio=4, overflow="fold")
    table.add_column("who", ratio=1)
    table.add_column("when", ratio=2)
    table.add_column("outcome", ratio=2, overflow="fold")
    for row in rows:
        outcome = Text(row.outcome.replace("_", " "), style=OUTCOME_STYLE.get(row.outcome, ""))
        if row.outcome_note:
            outcome.append(f"\n{row.outcome_note}", style="dim")
        tested = f" (tests H{row.hypothesis_id})" if row.hypothesis_id else ""
        table.add_row(f"A{row.id}", row.what + tested, row.who, when(row.at, tz), outcome)
    return table


def timeline_table(rows: Sequence[TimelineEntryView], tz: tzinfo, title: str = "Timeline") -> Table:
    zone_name = datetime.now(tz).tzname() or "UTC"
    table = Table(title=f"{title} (times {zone_name})", title_justify="left", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("when", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("who", max_width=10, overflow="fold")
    table.add_column("what", ratio=1, min_width=30, overflow="fold")
    for row in rows:
        kind = Text(row.kind.replace("_", " "), style=KIND_STYLE.get(row.kind, ""))
        table.add_row(str(row.seq), short_when(row.occurred_at, tz), kind, row.author, row.text)
    return table


def print_incident(
    console: Console, view: IncidentView, tz: tzinfo, recent: Sequence[TimelineEntryView] = ()
) -> None:
    """The page a responder joining late reads first."""
    console.print(Panel(Group(_header(view), Text(""), _roles_line(view)), expand=True))
    console.print(_times_table(view, tz))
    if view.eliminated:
        console.print(hypotheses_table("Ruled out", view.eliminated, tz, "bold green"))
    if view.open_hypotheses:
        console.print(hypotheses_table("Open hypotheses", view.open_hypotheses, tz, "bold yellow"))
    if view.confirmed:
        console.print(hypotheses_table("Confirmed cause", view.confirmed, tz, "bold red"))
    if view.actions:
        console.print(actions_table(view.actions, tz))
    if recent:
        console.print(
            timeline_table(recent, tz, title=f"Latest of {view.timeline_count} timeline entries")
        )
