"""Dependencies: is an upstream service or system failing?

Detects: failures about reaching an upstream (timeouts, refused connections, gateway errors —
not a request's own bug, not our own connection pool) tied to it by fields, NGINX upstream
errors or message text (`analysis/upstreams.py`), rising in the incident window. Per upstream:
failures per call (Fisher) when its calls are logged, else failures per second (exact Poisson
rate ratio, traffic-adjusted); Benjamini–Hochberg over upstreams. A suspect when its failures are
new or surged, carry a large share of the incident's excess failures, and are not confined to
one of its calling routes or a minority of its calling hosts (then the route or host is broken);
the routes whose failures name it are marked as explained by it.
Needs: events.
Known false positives: an upstream that fails *because* of our own change (a bad config or
client) — a deploy-like change to a failing service just before the onset makes it context; a
retry storm multiplies one upstream's failures.
"""

from __future__ import annotations

from typing import Any

from warroom.analysis import stats, surge
from warroom.analysis.context import AnalysisContext
from warroom.analysis.dependency_stats import (
    UpstreamTest,
    compare_upstreams,
    confined_failures,
    routes_by_upstream,
)
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Role, Subject, Test
from warroom.analysis.nearby import change_before_onset
from warroom.analysis.scratch import scratch_table
from warroom.analysis.upstreams import count_upstreams, is_failure, with_upstream
from warroom.analysis.wording import count_of, q_text, rate_text

QUESTION = "Is an upstream service or system failing?"
FULL_WEIGHT_SHARE = 0.5  # an upstream behind half of the excess failures gets its full score
CAUSE_SHARE = 0.2  # below this share of the excess it is a clue, not a suspect
EXPLAINS_SHARE = 0.5  # a route is explained when half of its failures name the upstream
MAX_FINDINGS = 5


class Dependencies:
    id = "dependencies:v1"
    title = "Upstream dependencies"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset",)

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        events = ctx.table("events")
        exp = surge.exposure(ctx)
        if exp is None:
            return AnalyzerResult(notes=["no events in the incident window or the baseline"])
        rows = _rows(ctx, events)
        counts = count_upstreams(rows)
        # every failure is in exactly one (name, period) row, the unnamed ones under NULL: the
        # totals per period come from the same scan
        totals = counts.groupby("period", as_index=False)["failures"].sum()
        tested = compare_upstreams(
            counts, totals.rename(columns={"failures": "n"}), exp, ctx.params
        )
        failing = [t for t in tested.upstreams if t.significant][:MAX_FINDINGS]
        result = AnalyzerResult(eliminated=_eliminations(tested, failing))
        result.facts = {"failing": [t.name for t in failing], "causes": {}, "explained_routes": {}}
        if failing:
            with scratch_table(ctx, _incident_failures(rows), label="failures") as failed:
                _explain(ctx, rows, failed, failing, result)
        return result


def _explain(
    ctx: AnalysisContext,
    rows: Any,
    failed: Any,
    failing: list[UpstreamTest],
    result: AnalyzerResult,
) -> None:
    """Findings for the failing upstreams, with their roles and the routes they explain."""
    routes = routes_by_upstream(failed, [t.name for t in failing])
    per_call = [t.name for t in failing if t.per_call]
    confined = confined_failures(rows, per_call, ctx.params)
    for found in failing:
        role, why = _role(ctx, failed, found)
        if found.name in confined:
            role, why = "context", confined[found.name].why()
        explains: list[str] = []
        if role == "cause":
            result.facts["causes"][found.name] = round(found.share, 4)
            explains = [r for r, s in routes.get(found.name, {}).items() if s >= EXPLAINS_SHARE]
        for route in explains:
            result.facts["explained_routes"].setdefault(route, found.name)
        result.findings.append(_finding(ctx, failed, found, explains, role=role, why=why))


def _rows(ctx: AnalysisContext, events: Any) -> Any:
    rows = events.mutate(period=ctx.period(events.ts))
    rows = rows.filter(rows.period.notnull())
    return rows.mutate(failure=is_failure(rows))


def _incident_failures(rows: Any) -> Any:
    """Failures of the incident window with the upstream each names (routes, roles and examples
    all read them, so they are kept in a scratch table)."""
    failed = rows.filter((rows.period == "incident") & rows.failure)
    columns = ["ts", "source", "line", "host", "service", "method", "path", "message", "name"]
    return with_upstream(failed).select(*columns)


def _role(ctx: AnalysisContext, failed: Any, found: UpstreamTest) -> tuple[Role, str]:
    if found.share < CAUSE_SHARE:
        return "context", f"it carries only {found.share:.0%} of the excess failures"
    nearby = change_before_onset(ctx, ctx.table("events"), failed.filter(failed.name == found.name))
    if nearby:
        return "context", f"the {nearby.describe()} landed just before: our change may be why"
    return "cause", f"it carries {found.share:.0%} of the excess failures, with no change before"


def _finding(
    ctx: AnalysisContext,
    failed: Any,
    found: UpstreamTest,
    explains: list[str],
    *,
    role: Role,
    why: str,
) -> Finding:
    weight = min(1.0, found.share / FULL_WEIGHT_SHARE)
    kind = "new_dependency_failures" if found.base_failures == 0 else "dependency_failures"
    return Finding(
        id=f"dependencies:{kind}:{found.name}",
        analyzer=Dependencies.id,
        kind=kind,
        question=QUESTION,
        statement=_statement(found),
        score=round(stats.strength(found.q_value, found.effect) * weight, 4),
        incident={"failures": found.failures, "calls": found.calls, "seconds": found.seconds[0]},
        baseline={"failures": found.base_failures, "calls": found.base_calls,
                  "seconds": found.seconds[1]},
        test=Test(found.test_name, found.p_value, found.q_value, None, found.family_size),
        effect=found.effect,
        effect_name="failure share lift" if found.per_call else "failure rate ratio",
        examples=_examples(ctx, failed, found.name),
        caveat="could be wrong if our own change broke the calls, or one caller retries hard",
        subject=Subject("dependency", found.name, role),
        evidence={
            "share_of_excess_failures": round(found.share, 4),
            "score_weight": {"factor": round(weight, 4), "why": "share of the excess / 0.5"},
            "traffic_factor": round(found.volume_factor, 4),
            "role_why": why,
            "explains": [["endpoint", r] for r in explains],
        },
    )  # fmt: skip


def _statement(found: UpstreamTest) -> str:
    per = _how_many(found.failures, found.calls, found.seconds[0], per_call=found.per_call)
    before = _how_many(
        found.base_failures, found.base_calls, found.seconds[1], per_call=found.per_call
    )
    return (
        f"Calls to {found.name} fail: {per} in the incident window vs {before} in the baseline "
        f"({found.effect:.1f}x, {q_text(found.q_value)}); {found.share:.0%} of the excess failures."
    )


def _how_many(failures: int, calls: int, seconds: float, *, per_call: bool) -> str:
    if per_call:
        return f"{count_of(failures, calls)} calls failed"
    if failures == 0:
        return "none"
    return f"{failures:,} failures ({rate_text(failures, seconds)})"


def _examples(ctx: AnalysisContext, failed: Any, name: str) -> tuple[str, ...]:
    named = failed.filter(failed.name == name)
    first = named.order_by(["ts", "source", "line"]).limit(ctx.params.max_examples)
    return tuple(str(m)[:300] for m in first.message.fill_null("").execute() if m)


def _eliminations(tested: Any, failing: list[UpstreamTest]) -> list[Elimination]:
    if tested.incident_failures == 0:
        return []
    if tested.named_failures == 0:
        why = (
            f"none of the {tested.incident_failures:,} failures in the incident window names an "
            "upstream service (fields, NGINX upstream errors or message text)"
        )
        return [Elimination("an upstream dependency", why)]
    found: list[Elimination] = []
    quiet = [t for t in tested.upstreams if not t.significant and t.failures + t.base_failures]
    for t in quiet[:MAX_FINDINGS]:
        why = (
            f"failures naming {t.name} did not rise: {t.failures:,} in the incident window vs "
            f"{t.base_failures:,} in the baseline ({t.effect:.1f}x, {q_text(t.q_value)})"
        )
        found.append(Elimination(f"the upstream {t.name}", why, (), Subject("dependency", t.name)))
    if not failing:
        names = ", ".join(t.name for t in quiet[:3])
        why = f"failures naming upstreams ({names}) did not rise against the baseline"
        found.insert(0, Elimination("an upstream dependency", why))
    return found
