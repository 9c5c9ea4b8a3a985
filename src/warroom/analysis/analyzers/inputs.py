"""Inputs: which request fields, values or value shapes do the failing requests share?

Detects: a field value (`payment_method=sepa`) or a value shape (`quantity` with a decimal point,
empty, missing, negative, too long, non-ASCII...) far more common among the failing requests of
the incident window than among its succeeding ones, on the routes that fail. Fields are `attrs`
(JSON fields, query-string parameters) and key=value pairs inside messages (syslog, plain lines);
and the values behind the variables of one message template logged both as an error and as a
normal line, error lines vs the others (`analysis/message_inputs.py`, a family of its own).
Fisher's exact test per field x value and field x shape, Benjamini–Hochberg over all of them,
lift >= 2, >= 10 failing requests (`analysis/input_stats.py`). A separator is a cause when the
requests that have it failed more often than in the baseline (or did not exist then); one that
failed as often before is context. Id-like fields (one value per request) are listed, not ranked.
Needs: events with fields and a status or an error level.
Known false positives: a value that only one broken client sends (the client is the cause, the
value its symptom); a field that changes with the route inside a route family that is pooled.
"""

from __future__ import annotations

from warroom.analysis import stats
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Subject, Test
from warroom.analysis.input_stats import InputReport, Separator, find_separators
from warroom.analysis.message_inputs import ROUTE_PREFIX, is_message_route, message_tables
from warroom.analysis.request_fields import request_tables
from warroom.analysis.scope import since_onset
from warroom.analysis.windows import Window
from warroom.analysis.wording import clip, count_of, q_text

QUESTION = "Do the failing requests share a field value or a shape of value?"
TEST_NAME = "Fisher exact (failing vs succeeding requests), BH over fields x values and shapes"
MAX_FINDINGS = 8
EXPLAINS_ROUTE_SHARE = 0.8  # carried by this share of a route's failures, it explains the route
SHAPE_WORDS = {
    "decimal": "with a decimal point",
    "integer": "that is a whole number",
    "negative": "that is negative",
    "zero": "that is zero",
    "empty": "that is empty",
    "missing": "",  # worded apart: the field is absent
    "whitespace": "with white space at its start or end",
    "non_ascii": "with non-ASCII characters",
    "too_long": "that is unusually long",
    "special_chars": "with special characters (quotes, brackets, ;, <, >...)",
}


class Inputs:
    id = "inputs:v1"
    title = "Request inputs of failing requests"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset", "messages")  # messages names the mixed-level templates

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        periods = {"incident": (since_onset(ctx),), "baseline": ctx.baselines}
        with request_tables(ctx, periods) as tables:
            report = find_separators(ctx.con, tables, ctx.params)
        result = AnalyzerResult(facts=_facts(report))
        result.findings += _message_findings(ctx, periods)
        if not report.routes:
            result.notes.append("inputs: no route with enough failing requests to compare")
            return result
        if report.id_like:
            result.notes.append(
                f"inputs: id-like fields (about one value per request) not ranked: "
                f"{', '.join(report.id_like)}"
            )
        significant = [s for s in report.separators if _strength(s) > 0][:MAX_FINDINGS]
        result.findings[:0] = [_finding(s, report, significant) for s in significant]
        if not significant and report.fields:
            result.eliminated.append(_elimination(report))
        return result


def _message_findings(
    ctx: AnalysisContext, periods: dict[str, tuple[Window, ...]]
) -> list[Finding]:
    """Values inside messages of one template, its error lines vs its other lines (its own
    Benjamini–Hochberg family: lines, not requests)."""
    templates = ctx.facts.get("messages", {}).get("mixed_levels", [])
    if not templates:
        return []
    with message_tables(ctx, periods, templates) as tables:
        if tables is None:
            return []
        report = find_separators(ctx.con, tables, ctx.params)
    significant = [s for s in report.separators if _strength(s) > 0][:MAX_FINDINGS]
    return [_finding(s, report, significant) for s in significant]


def _strength(separator: Separator) -> float:
    return stats.strength(separator.q_value, separator.comparison.lift)


def _coverage(separator: Separator, report: InputReport) -> float:
    """Share of all failing requests of the incident window that carry it."""
    return separator.failing / report.failed_total if report.failed_total else 0.0


def _finding(separator: Separator, report: InputReport, found: list[Separator]) -> Finding:
    coverage = _coverage(separator, report)
    # A perfect separator of a sliver of the failures explains little of the incident.
    score = round(_strength(separator) * min(1.0, 0.5 + coverage), 4)
    explains = [
        ("input", other.ref)
        for other in found
        if separator.view == "shape"
        and other.view == "value"
        and other.key == separator.key
        and other.label in separator.values
    ]
    if (
        separator.rose
        and separator.route_share >= EXPLAINS_ROUTE_SHARE
        and not any(is_message_route(r) for r in separator.routes)
    ):
        # the route fails because of this input: the endpoint is where it shows
        explains += [("endpoint", route) for route in separator.routes]
    kind = "input_value" if separator.view == "value" else "input_shape"
    return Finding(
        id=f"inputs:{kind}:{separator.ref}",
        analyzer=Inputs.id,
        kind=kind,
        question=QUESTION,
        statement=_statement(separator),
        score=score,
        incident={
            "failing_with": separator.failing,
            "failing": separator.failing_total,
            "succeeding_with": separator.succeeding,
            "succeeding": separator.succeeding_total,
        },
        baseline={"failed_with": separator.baseline_failed, "with": separator.baseline_total},
        test=Test(TEST_NAME, separator.comparison.p_value, separator.q_value, None,
                  separator.family_size),
        effect=round(separator.comparison.lift, 3),
        effect_name="lift (share among failing / share among succeeding requests)",
        examples=tuple(f"{separator.key}={v}" for v in separator.values[:3]),
        caveat=_caveat(separator),
        subject=Subject("input", separator.ref, "cause" if separator.rose else "context"),
        evidence={
            "routes": list(separator.routes),
            "share_of_all_failures": round(coverage, 4),
            "baseline_rise_p": separator.rise_p,
            "explains": explains,
        },
    )  # fmt: skip


def _statement(s: Separator) -> str:
    if s.view == "value":
        having = f"had {s.key} = {s.label}"
    elif s.label == "missing":
        having = f"had no {s.key} at all"
    elif s.label == "decimal" and s.decimal_comma:
        comma = "point or comma" if s.decimal_comma < s.failing else "comma"
        having = f"had a {s.key} with a decimal {comma}"
    else:
        having = f"had a {s.key} {SHAPE_WORDS[s.label]}"
    other = (
        f"none of {s.succeeding_total:,} successful ones did"
        if s.succeeding == 0
        else f"against {count_of(s.succeeding, s.succeeding_total)} successful ones"
    )
    if any(is_message_route(r) for r in s.routes):
        return _message_statement(s, having)
    routes = s.routes[0] if len(s.routes) == 1 else f"{len(s.routes)} failing routes"
    return (
        f"{count_of(s.failing, s.failing_total)} failing requests to {routes} {having}; {other} "
        f"(lift {s.comparison.lift:.0f}, Fisher {q_text(s.q_value)}). {_before(s)}"
    )


def _message_statement(s: Separator, having: str) -> str:
    """The same separator said of log lines: error lines of a template vs its other lines."""
    where = (
        f"the message '{clip(s.routes[0][len(ROUTE_PREFIX) :], 80)}'"
        if len(s.routes) == 1
        else f"{len(s.routes)} messages"
    )
    other = (
        f"none of its {s.succeeding_total:,} other lines did"
        if s.succeeding == 0
        else f"against {count_of(s.succeeding, s.succeeding_total)} of its other lines"
    )
    before = (
        "The baseline had no such line."
        if s.baseline_total == 0
        else f"In the baseline {count_of(s.baseline_failed, s.baseline_total)} such lines "
        "were errors."
    )
    return (
        f"{count_of(s.failing, s.failing_total)} error lines of {where} {having}; {other} "
        f"(lift {s.comparison.lift:.0f}, Fisher {q_text(s.q_value)}). {before}"
    )


def _before(s: Separator) -> str:
    if s.baseline_total == 0:
        return "The baseline had no such request."
    return f"In the baseline {count_of(s.baseline_failed, s.baseline_total)} such requests failed."


def _caveat(s: Separator) -> str:
    if not s.rose:
        return "these requests failed about as often in the baseline: a standing problem"
    return (
        "could be wrong if one client both sends these values and breaks for another reason "
        "(check the clients analysis), or if the field changes with what the request does"
    )


def _elimination(report: InputReport) -> Elimination:
    return Elimination(
        "a bad input value or shape",
        f"no value or shape of {len(report.fields)} fields ({', '.join(report.fields[:5]) or '-'}) "
        f"was more common among the failing requests of {len(report.routes)} failing routes "
        f"than among their successful ones",
    )


def _facts(report: InputReport) -> dict[str, object]:
    return {
        "fields": report.fields,
        "id_like": report.id_like,
        "routes": report.routes,
        "separators": [s.ref for s in report.separators if _strength(s) > 0],
    }
