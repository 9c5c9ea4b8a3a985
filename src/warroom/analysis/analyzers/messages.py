"""Error messages: which log messages are new, surged, or gone since the baseline?

Detects: message templates (the template miner, run in the engine: `analysis/message_keys.py`)
that are new in the incident window (absent from the baseline), surged, or vanished — regular
lines of the baseline (heartbeats, "job completed", success lines) that stopped or fell
sharply. Rates per second of data, exact Poisson rate-ratio tests (one-sided up, or down for
vanished), adjusted for the change in ordinary log volume, Benjamini–Hochberg over all
templates tested (`surge.py`).
Needs: events with a message.
Known false positives: a logging change (a new log line in a release) looks like a new message;
a line that only appears under load surges with traffic beyond the volume adjustment; a word
variable with fewer than 10 distinct values (a user name) is not recognised by the miner and
splits one message into a few templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warroom.analysis import signals, surge
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Test
from warroom.analysis.message_keys import (
    digits_zeroed,
    key_of_zeroed,
    message_templates,
    with_templates,
)
from warroom.analysis.templates.masking import PLACEHOLDER
from warroom.analysis.wording import clip, q_text, rate_text, short_key

QUESTION = "Which log messages are new, surged, or gone since the baseline?"
MAX_RISING = 10
MAX_VANISHED = 5
MAX_MIXED = 5  # templates whose values the inputs analyzer compares (error vs other lines)
TEST_NAME = "Poisson rate ratio (conditional binomial), traffic-adjusted, BH over templates"
KINDS = {"new": "new_message", "surged": "surged_message", "vanished": "vanished_message"}


@dataclass(frozen=True)
class TemplateInfo:
    template_id: str
    errors: tuple[int, int]  # error lines (incident, baseline)
    examples: tuple[str, ...]  # real messages from the incident window, else the baseline


class Messages:
    id = "messages:v1"
    title = "Log messages"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset",)

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        events = ctx.table("events")
        exp = surge.exposure(ctx)
        if exp is None:
            return AnalyzerResult(notes=["no events in the incident window or the baseline"])
        counts, info = _template_counts(ctx, events)
        report = surge.shifts(
            counts,
            exp,
            params=ctx.params,
            may_vanish=lambda c: info[c.key].errors[1] == 0,  # regular lines, not errors
        )
        rising = [s for s in report.shifts if s.direction != "vanished"][:MAX_RISING]
        vanished = [s for s in report.shifts if s.direction == "vanished"][:MAX_VANISHED]
        findings = [_finding(s, info[s.key], exp) for s in [*rising, *vanished]]
        findings.sort(key=lambda f: (-f.score, f.id))
        return AnalyzerResult(
            findings=findings,
            eliminated=_eliminations(counts, info, report, rising, vanished),
            facts={
                "new": [s.key for s in rising if s.direction == "new"],
                "surged": [s.key for s in rising if s.direction == "surged"],
                "vanished": [s.key for s in vanished],
                # for `message_keys.template_parameters`: the values behind each <*>
                "template_ids": {s.key: info[s.key].template_id for s in [*rising, *vanished]},
                "volume_ratio": exp.volume_ratio,
                # for the inputs analyzer: the values inside these, error lines vs the rest
                "mixed_levels": _mixed_levels(counts, info, ctx.params.min_events),
            },
        )


def _template_counts(
    ctx: AnalysisContext, events: Any
) -> tuple[list[surge.KeyCount], dict[str, TemplateInfo]]:
    """Per template and period: lines, error lines, and example messages. Messages are grouped
    (with their digits zeroed, then by their digit-masked key) before the templates are joined
    on, so the masking runs once per group and the miner once per distinct shape, never per
    line."""
    mined = message_templates(ctx)
    rows = events.filter(events.message.notnull())
    rows = rows.mutate(period=ctx.period(rows.ts), err=signals.is_error(rows).cast("int64"))
    rows = rows.filter(rows.period.notnull())
    raw = rows.group_by(["message", "period"]).aggregate(n=rows.count(), errors=rows.err.sum())
    # then messages that differ only in their digits (ids, counts, times), then their keys:
    # min, max and the least hash over the groups are those over every message
    raw = raw.group_by([digits_zeroed(raw.message).name("zeroed"), "period"]).aggregate(
        n=raw.n.sum(),
        errors=raw.errors.sum(),
        low=raw.message.min(),
        high=raw.message.max(),
        pick=raw.message.argmin(raw.message.hash()),
    )
    raw = raw.mutate(key=key_of_zeroed(raw.zeroed))
    by_key = raw.group_by(["key", "period"]).aggregate(
        n=raw.n.sum(),
        errors=raw.errors.sum(),
        low=raw.low.min(),
        high=raw.high.max(),
        pick=raw.pick.argmin(raw.pick.hash()),  # a third example, the same every run
    )
    keyed = with_templates(mined, by_key)
    grouped = keyed.group_by(["template", "template_id", "period"]).aggregate(
        n=keyed.n.sum(),
        errors=keyed.errors.sum(),
        low=keyed.low.min(),
        high=keyed.high.max(),
        pick=keyed.pick.argmin(keyed.pick.hash()),
    )
    return _collect(grouped.order_by(["template", "period"]).execute())


def _collect(table: Any) -> tuple[list[surge.KeyCount], dict[str, TemplateInfo]]:
    by: dict[str, dict[str, Any]] = {}
    for row in table.itertuples():
        by.setdefault(str(row.template), {})[row.period] = row
    counts, info = [], {}
    for template, periods in sorted(by.items()):
        inc, base = periods.get("incident"), periods.get("baseline")
        counts.append(surge.KeyCount(template, _n(inc, "n"), _n(base, "n")))
        shown = inc if inc is not None else base
        assert shown is not None  # every template was seen in one of the periods
        examples = tuple(dict.fromkeys(str(m) for m in (shown.low, shown.pick, shown.high)))
        info[template] = TemplateInfo(
            str(shown.template_id), (_n(inc, "errors"), _n(base, "errors")), examples
        )
    return counts, info


def _mixed_levels(
    counts: list[surge.KeyCount], info: dict[str, TemplateInfo], floor: int
) -> list[dict[str, str]]:
    """Templates with variables logged in the incident window both as errors and as other
    lines (at least `floor` of each), most error lines first."""
    mixed = [
        (info[c.key].errors[0], c.key)
        for c in counts
        if PLACEHOLDER in c.key
        and info[c.key].errors[0] >= floor
        and c.incident - info[c.key].errors[0] >= floor
    ]
    return [
        {"template_id": info[key].template_id, "template": key}
        for _, key in sorted(mixed, key=lambda pair: (-pair[0], pair[1]))[:MAX_MIXED]
    ]


def _n(row: Any, column: str) -> int:
    return 0 if row is None else int(getattr(row, column))


def _finding(shift: surge.Shift, info: TemplateInfo, exp: surge.Exposure) -> Finding:
    c = shift.comparison
    level = "error" if info.errors[0] + info.errors[1] > 0 else "non-error"
    caveat = (
        "could be wrong if the release changed what is logged, or if traffic to this path shifted"
        if shift.direction != "vanished"
        else "could be wrong if the work behind this line moved elsewhere or was switched off"
    )
    return Finding(
        id=f"messages:{KINDS[shift.direction]}:{short_key(shift.key)}",
        analyzer=Messages.id,
        kind=KINDS[shift.direction],
        question=QUESTION,
        statement=_statement(shift, level, exp),
        score=shift.score,
        incident={"lines": c.incident_count, "error_lines": info.errors[0],
                  "seconds": exp.incident_seconds},
        baseline={"lines": c.baseline_count, "error_lines": info.errors[1],
                  "seconds": exp.baseline_seconds},
        test=Test(TEST_NAME, c.p_value, shift.q_value, None, shift.family_size),
        effect=shift.effect,
        effect_name="rate ratio" if shift.direction != "vanished" else "rate fall (baseline/now)",
        examples=tuple(clip(e, 300) for e in info.examples[:3]),
        caveat=caveat,
        evidence={"template": shift.key, "template_id": info.template_id, "level": level,
                  "traffic_factor": round(shift.volume_factor, 4)},
    )  # fmt: skip


def _statement(shift: surge.Shift, level: str, exp: surge.Exposure) -> str:
    c = shift.comparison
    now = f"{c.incident_count:,} times ({rate_text(c.incident_count, exp.incident_seconds)})"
    before = (
        f"{c.baseline_count:,} ({rate_text(c.baseline_count, exp.baseline_seconds)})"
        if c.baseline_count
        else "none"
    )
    verb = {"new": "is new", "surged": "surged", "vanished": "fell away"}[shift.direction]
    size = "none before" if shift.direction == "new" else f"{shift.effect:.1f}x"
    return (
        f"The {level} message {clip(shift.key, 160)!r} {verb}: {now} in the incident window vs "
        f"{before} in the baseline ({size}, {q_text(shift.q_value)})."
    )


def _eliminations(
    counts: list[surge.KeyCount],
    info: dict[str, TemplateInfo],
    report: surge.ShiftReport,
    rising: list[surge.Shift],
    vanished: list[surge.Shift],
) -> list[Elimination]:
    found: list[Elimination] = []
    error_templates = [c for c in counts if info[c.key].errors[0] > 0]
    if error_templates and not any(info[s.key].errors[0] > 0 for s in rising):
        why = (
            f"none of the {len(error_templates)} error messages of the incident window is new "
            f"or surged ({report.tested_rises} templates with enough lines tested)"
        )
        found.append(Elimination("a new kind of error message", why))
    if report.tested_falls and not vanished:
        why = (
            f"all {report.tested_falls} regular messages of the baseline (heartbeats, success "
            "lines) kept their rate in the incident window"
        )
        found.append(Elimination("stopped work (a regular message that vanished)", why))
    return found
