"""Stack traces: which exceptions are new or surged, and where in the code are they thrown?

Detects: exceptions grouped by fingerprint: type + their top 3 normalised in-app frames
(`analysis/frames.py`: Python, Java with `Caused by:`, Go panics, Node) + the template of their
message (the template miner, `analysis/templates/stack.py`), counted per window; groups that are new
(absent from the baseline) or surged, by exact Poisson rate-ratio tests on rates per second,
traffic-adjusted, Benjamini–Hochberg over the groups (`surge.py`). Each finding carries the top
frames, the root cause (Java), the routes it was thrown on, and one example trace.
Needs: events with an exception type or a stack trace.
Known false positives: a release that moves code (other frames, same bug) shows as a new group
while the old one vanishes; an exception that is caught, logged and harmless still counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import ibis

from warroom.analysis import surge
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Test
from warroom.analysis.frames import (
    DEPTH,
    app_frames,
    exception_message,
    language,
    parsed_exception_type,
    root_cause,
)
from warroom.analysis.paths import route
from warroom.analysis.scratch import scratch_table
from warroom.analysis.templates.stack import (
    UNKNOWN_EXCEPTION,
    message_key,
    stack_fingerprint,
    templates_of_keys,
)
from warroom.analysis.wording import clip, q_text, rate_text, short_key

QUESTION = "Which exceptions are new or surged, and where in the code are they thrown?"
MAX_FINDINGS = 8
MAX_TRACE_LINES = 40
MAX_TRACE_CHARS = 4000
TEST_NAME = "Poisson rate ratio (conditional binomial), traffic-adjusted, BH over stack groups"


@dataclass
class StackGroup:
    kind: str
    frames: tuple[str, ...]
    root: str | None
    language: str | None
    example: str | None
    message_template: str = ""
    counts: Counter[str] = field(default_factory=Counter)  # period -> events
    routes: Counter[str] = field(default_factory=Counter)  # route -> incident events


class Stacks:
    id = "stacks:v1"
    title = "Stack traces"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset",)

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        events = ctx.table("events")
        groups = _groups(ctx, events)
        exp = surge.exposure(ctx) if groups else None
        if exp is None:
            return AnalyzerResult(notes=["no exceptions in the incident window or the baseline"])
        counts = [
            surge.KeyCount(fp, g.counts["incident"], g.counts["baseline"])
            for fp, g in sorted(groups.items())
        ]
        report = surge.shifts(counts, exp, params=ctx.params)
        rising = report.shifts[:MAX_FINDINGS]
        result = AnalyzerResult(findings=[_finding(s, groups[s.key], exp) for s in rising])
        in_incident = sum(1 for c in counts if c.incident)
        if in_incident and not rising:
            why = (
                f"none of the {in_incident} exception groups of the incident window is new or "
                f"surged against the baseline ({report.tested_rises} with enough events tested)"
            )
            result.eliminated.append(Elimination("a new exception in the code", why))
        result.facts = {"rising": [{"type": groups[s.key].kind, "fingerprint": s.key,
                                    "direction": s.direction} for s in rising]}  # fmt: skip
        return result


def _groups(ctx: AnalysisContext, events: Any) -> dict[str, StackGroup]:
    """Exceptions per fingerprint, period and route. Traces are parsed once per distinct text,
    in the engine; their messages come back as digit-masked keys and are mined together."""
    rows = events.filter(events.stack.notnull() | events.exception_type.notnull())
    rows = rows.select("exception_type", "stack", "method", "path", period=ctx.period(rows.ts))
    # the exceptions of the windows, scanned out of the events once for the count and the groups
    with scratch_table(ctx, rows.filter(rows.period.notnull()), label="stack_rows") as kept:
        if int(kept.count().execute()) == 0:  # spares compiling the frame parser for nothing
            return {}
        return _collect(_fingerprinted(_parsed_groups(kept)))


def _parsed_groups(rows: Any) -> Any:
    """Per distinct (type, trace, period, route): the count and the parsed trace (DataFrame)."""
    rows = rows.mutate(route=ibis.ifelse(rows.path.notnull(), route(rows), ibis.null("string")))
    keys = ["exception_type", "stack", "period", "route"]
    distinct = rows.group_by(keys).aggregate(n=rows.count())
    text = distinct.stack.fill_null("")
    parsed = distinct.mutate(
        kind=ibis.coalesce(distinct.exception_type, parsed_exception_type(text)).fill_null(
            UNKNOWN_EXCEPTION
        ),
        top=app_frames(text)[:DEPTH].join("\n").fill_null(""),
        root=root_cause(text),
        lang=language(text),
        key=message_key(exception_message(text)),
    )
    return (
        parsed.group_by(["kind", "top", "key", "period", "route"])
        .aggregate(
            n=parsed.n.sum(),
            root=parsed.root.min(),
            lang=parsed.lang.min(),
            example=parsed.stack.min(),
        )
        .execute()
    )


def _fingerprinted(table: Any) -> Any:
    """Per fingerprint (type + top frames + message template), period and route."""
    by_key = table.groupby("key")["n"].sum().sort_index()
    template_of = dict(
        zip(by_key.index, templates_of_keys(list(by_key.index), list(by_key)), strict=True)
    )
    table = table.assign(template=[template_of[key] for key in table["key"]])
    table["fp"] = [
        stack_fingerprint(kind, [f for f in top.split("\n") if f], template)
        for kind, top, template in zip(table["kind"], table["top"], table["template"], strict=True)
    ]
    return (
        table.groupby(["fp", "period", "route"], dropna=False)
        .agg(
            n=("n", "sum"),
            kind=("kind", "min"),
            top=("top", "min"),
            template=("template", "min"),
            root=("root", "min"),
            lang=("lang", "min"),
            example=("example", "min"),
        )
        .reset_index()
    )


def _collect(table: Any) -> dict[str, StackGroup]:
    groups: dict[str, StackGroup] = {}
    ordered = table.sort_values(["fp", "period", "route"], na_position="first")
    for row in ordered.itertuples():
        group = groups.get(row.fp)
        if group is None:
            frames = tuple(f for f in (_text(row.top) or "").split("\n") if f)
            group = StackGroup(
                _text(row.kind) or "(unknown exception)",
                frames,
                _text(row.root),
                _text(row.lang),
                _text(row.example),
                str(row.template),
            )
            groups[row.fp] = group
        if row.period == "incident" and _text(row.example):
            group.example = min(filter(None, (group.example, _text(row.example))))
        group.counts[row.period] += int(row.n)
        if row.period == "incident" and _text(row.route):
            group.routes[row.route] += int(row.n)
    return groups


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _statement(shift: surge.Shift, group: StackGroup, exp: surge.Exposure) -> str:
    c = shift.comparison
    where = f" at {' < '.join(group.frames)}" if group.frames else ""
    cause = f" (caused by {group.root})" if group.root else ""
    on = ", ".join(
        f"{r} ({n / max(c.incident_count, 1):.0%})" for r, n in group.routes.most_common(3)
    )
    size = "none before" if shift.direction == "new" else f"{shift.effect:.1f}x"
    return (
        f"{'New' if shift.direction == 'new' else 'Surged'} exception {group.kind}{cause}{where}: "
        f"{c.incident_count:,} in the incident window "
        f"({rate_text(c.incident_count, exp.incident_seconds)}) vs {c.baseline_count:,} in the "
        f"baseline ({size}, {q_text(shift.q_value)}){'; thrown on ' + on if on else ''}."
    )


def _finding(shift: surge.Shift, group: StackGroup, exp: surge.Exposure) -> Finding:
    c = shift.comparison
    routes = group.routes.most_common(3)
    kind = "new_exception" if shift.direction == "new" else "surged_exception"
    return Finding(
        id=f"stacks:{kind}:{short_key(shift.key)}",
        analyzer=Stacks.id,
        kind=kind,
        question=QUESTION,
        statement=_statement(shift, group, exp),
        score=shift.score,
        incident={"exceptions": c.incident_count, "seconds": exp.incident_seconds},
        baseline={"exceptions": c.baseline_count, "seconds": exp.baseline_seconds},
        test=Test(TEST_NAME, c.p_value, shift.q_value, None, shift.family_size),
        effect=shift.effect,
        effect_name="rate ratio",
        examples=(_truncated(group.example),) if group.example else (),
        caveat="could be wrong if a release moved the code (new frames for an old failure)",
        evidence={
            "exception_type": group.kind, "root_cause": group.root, "language": group.language,
            "top_frames": list(group.frames), "message_template": group.message_template,
            "fingerprint": shift.key,
            "routes": [{"route": r, "count": n} for r, n in routes],
            "traffic_factor": round(shift.volume_factor, 4),
        },
    )  # fmt: skip


def _truncated(trace: str | None) -> str:
    lines = (trace or "").splitlines()
    shown = "\n".join(lines[:MAX_TRACE_LINES])
    if len(lines) > MAX_TRACE_LINES:
        shown += f"\n... ({len(lines) - MAX_TRACE_LINES} more lines)"
    return clip(shown, MAX_TRACE_CHARS)
