"""The investigation as Markdown: paste it into the incident channel or the ticket."""

from __future__ import annotations

from warroom.analysis.investigation import Investigation
from warroom.report.next_steps import suggestions
from warroom.timeutil import iso_seconds, iso_z


def render_markdown(result: Investigation) -> str:
    lines: list[str] = ["# Investigation", ""]
    if result.onset.at is not None:
        lines.append(
            f"**Errors started at {iso_z(result.onset.at)}** "
            f"(confidence {result.onset.confidence:.0%}; {result.onset.signal})."
        )
    else:
        lines.append(f"**No clear onset** ({result.onset.signal}).")
    window = result.windows.incident
    baselines = ", ".join(w.label for w in result.windows.baselines) or "none"
    lines += [
        "",
        f"Incident window {iso_seconds(window.start)} – {iso_seconds(window.end)} "
        f"({result.windows.source}); "
        f"baselines: {baselines}.",
        "",
    ]
    lines += ["## Suspects", ""]
    if result.suspects:
        lines += ["| # | score | kind | what | why |", "|---|---|---|---|---|"]
        lines += [
            f"| {s.rank} | {s.score:.2f} | {s.kind} | `{_cell(s.ref)}` | {_cell(s.summary)} |"
            for s in result.suspects
        ]
    else:
        lines.append("No suspect: nothing in this evidence stands out from the baseline.")
    if result.eliminated:
        lines += ["", "## Ruled out", ""]
        lines += [f"- **{_cell(e.cause)}**: {_cell(e.why)}" for e in result.eliminated]
    lines += ["", "## What to check next", ""]
    lines += [f"- {s}" for s in suggestions(result)]
    lines += ["", "## Findings", ""]
    for finding in sorted(result.findings, key=lambda f: (-f.score, f.id)):
        p = "" if finding.p_value is None else f" (p = {finding.p_value:.2g}"
        p += (
            ""
            if not p
            else (f", q = {finding.q_value:.2g})" if finding.q_value is not None else ")")
        )
        lines.append(f"- `{finding.id}`: {finding.statement}{p}")
    lines += ["", "## Coverage", ""]
    lines += [
        f"- {c.analyzer}: {c.status}" + (f" — {c.note}" if c.note else "") for c in result.coverage
    ]
    lines += [f"- {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
