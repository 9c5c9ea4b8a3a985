"""The investigation in the terminal: what a senior engineer would post first in the channel."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from warroom.analysis.investigation import Investigation
from warroom.report.next_steps import suggestions
from warroom.timeutil import iso_seconds

STRONG, MODERATE = 0.5, 0.2


def print_investigation(
    console: Console, result: Investigation, *, tz: tzinfo, verbose: bool = False
) -> None:
    console.print(_headline(result, tz))
    console.print(_suspects(result))
    if result.eliminated:
        console.print(_eliminated(result))
    console.print(_findings(result, verbose=verbose))
    steps = suggestions(result)
    if steps:
        console.print(
            Panel(
                "\n".join(f"• {s}" for s in steps), title="What to check next", title_align="left"
            )
        )
    console.print(_coverage(result))


def _headline(result: Investigation, tz: tzinfo) -> Panel:
    window = result.windows.incident
    text = Text()
    if result.onset.at is not None:
        local = result.onset.at.astimezone(tz)
        text.append("Errors started at ", style="bold")
        text.append(f"{local:%Y-%m-%d %H:%M:%S %Z}", style="bold red")
        text.append(f"  (confidence {result.onset.confidence:.0%}, {result.onset.signal})\n")
    else:
        text.append("No clear onset: ", style="bold")
        text.append(result.onset.signal + "\n")
    text.append(
        f"Incident window {iso_seconds(window.start)} – {iso_seconds(window.end)} "
        f"({result.windows.source}); ",
        style="dim",
    )
    text.append(f"compared with {len(result.windows.baselines)} baseline(s): ", style="dim")
    text.append(", ".join(w.label for w in result.windows.baselines) or "none", style="dim")
    text.append("\n" + evidence_line(result.inputs), style="dim")
    return Panel(text, title="Investigation", title_align="left")


def evidence_line(inputs: dict[str, Any]) -> str:
    def n(key: str) -> str:
        return f"{int(inputs.get(key, 0)):,}"

    return (
        f"Evidence: {n('events')} log events, {n('metrics_samples')} metric samples, "
        f"{n('changes')} changes, {n('cron_jobs')} cron jobs, {n('reports')} reports; "
        f"{n('rejected_lines')} lines rejected, {len(inputs.get('skipped', []))} files skipped."
    )


def _suspects(result: Investigation) -> Table | Text:
    if not result.suspects:
        return Text(
            "No suspect: nothing in this evidence stands out from the baseline.\n",
            style="bold green",
        )
    table = Table(title="Suspects", title_justify="left", expand=True)
    table.add_column("#", width=3)
    table.add_column("score", width=6)
    table.add_column("kind", width=11)
    table.add_column("what", ratio=2, overflow="fold")
    table.add_column("why", ratio=5, overflow="fold")
    for suspect in result.suspects:
        style = (
            "bold red"
            if suspect.score >= STRONG
            else "yellow"
            if suspect.score >= MODERATE
            else "dim"
        )
        table.add_row(
            str(suspect.rank),
            Text(f"{suspect.score:.2f}", style=style),
            suspect.kind,
            suspect.ref,
            suspect.summary,
        )
    return table


def _eliminated(result: Investigation) -> Table:
    table = Table(title="Ruled out", title_justify="left", title_style="bold green", expand=True)
    table.add_column("cause", ratio=2, overflow="fold")
    table.add_column("why", ratio=5, overflow="fold")
    for item in result.eliminated:
        table.add_row(item.cause, item.why)
    return table


def _findings(result: Investigation, *, verbose: bool) -> Table:
    shown = [
        f for f in result.findings if verbose or f.score > 0 or f.kind.startswith(("no_", "first_"))
    ]
    table = Table(
        title=f"Findings ({len(shown)} of {len(result.findings)})",
        title_justify="left",
        expand=True,
    )
    table.add_column("id", ratio=2, overflow="fold", style="dim")
    table.add_column("finding", ratio=6, overflow="fold")
    table.add_column("p / q", width=16)
    for finding in sorted(shown, key=lambda f: (-f.score, f.id)):
        p = "—" if finding.p_value is None else f"p={finding.p_value:.2g}"
        q = "" if finding.q_value is None else f"\nq={finding.q_value:.2g}"
        body = Group(
            Text(finding.statement),
            *(
                [Text(f"could be wrong if {finding.caveat}", style="dim italic")]
                if finding.caveat and verbose
                else []
            ),
        )
        table.add_row(finding.id, body, p + q)
    return table


def _coverage(result: Investigation) -> Text:
    text = Text("Analyzers: ", style="dim")
    for item in result.coverage:
        style = {"ran": "green", "skipped": "yellow", "failed": "bold red"}[item.status]
        text.append(f"{item.analyzer} ", style=style)
        text.append(
            f"({item.status}{', ' + item.note if item.note and item.status != 'ran' else ''})  ",
            style="dim",
        )
    for note in result.notes:
        text.append(f"\n• {note}", style="dim")
    return text
