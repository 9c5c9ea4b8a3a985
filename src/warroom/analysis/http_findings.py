"""The findings of the HTTP analyzer: a route whose failures surged, a status code that is new.

Kept apart from `analyzers/http.py` (which decides what is significant and what role a route
plays) so that each stays small; the wording follows the other analyzers (`wording.py`).
"""

from __future__ import annotations

from typing import Any

from warroom.analysis import stats
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import Finding, Role, Subject, Test
from warroom.analysis.routes import (
    OWN_BASELINE,
    CodeCount,
    NewCode,
    RouteReport,
    RouteResult,
    failing_examples,
)
from warroom.analysis.wording import count_of, q_text

ANALYZER = "http:v1"
QUESTION = "Which routes fail, with which status codes, compared with the baseline?"
TEST_NAME = "Fisher exact, one-sided (BH over routes x classes and codes)"


def route_finding(
    ctx: AnalysisContext,
    events: Any,
    report: RouteReport,
    found: RouteResult,
    *,
    role: Role,
    why: str,
) -> Finding:
    c = found.comparison
    kind = "server_error_surge" if found.klass == "5xx" else "client_error_surge"
    return Finding(
        id=f"http:{kind}:{found.route}",
        analyzer=ANALYZER,
        kind=kind,
        question=QUESTION,
        statement=_route_statement(found),
        score=stats.strength(found.q_value, c.lift, min_effect=ctx.params.min_ratio),
        incident={"failed": c.a_hits, "requests": c.a_total},
        baseline={"failed": c.b_hits, "requests": c.b_total, "compared_with": found.compared_with},
        test=Test(TEST_NAME, c.p_value, found.q_value, c.odds_ratio, report.family_size),
        effect=c.lift,
        effect_name="failure share lift",
        examples=failing_examples(ctx, events, found),
        caveat=(
            "could be wrong if one client retries its failures many times, or if the route "
            "only fails because something it depends on fails"
        ),
        subject=Subject("endpoint", found.route, role),
        evidence={
            "class": found.klass,
            "codes": [_code_json(x) for x in found.codes],
            "share_of_5xx_excess": round(report.excess_share(found.route), 4),
            "role_why": why,
        },
    )


def _route_statement(found: RouteResult) -> str:
    c = found.comparison
    codes = ", ".join(f"{x.code}: {x.incident:,}" for x in found.codes if x.incident)
    against = (
        f"{count_of(c.b_hits, c.b_total)} in the baseline"
        if found.compared_with == OWN_BASELINE
        else f"{c.b_hits / max(c.b_total, 1):.2%} of all requests in the baseline (a new route)"
    )
    return (
        f"{count_of(c.a_hits, c.a_total)} requests to {found.route} failed with {found.klass} "
        f"({codes}) in the incident window vs {against} ({c.lift:.1f}x, {q_text(found.q_value)})."
    )


def _code_json(code: CodeCount) -> dict[str, Any]:
    return {
        "code": code.code,
        "incident": code.incident,
        "baseline": code.baseline,
        "new": code.baseline == 0,
        "q_value": code.q_value,
        "lift": code.lift,
    }


def new_code_finding(report: RouteReport, code: NewCode) -> Finding:
    c = code.comparison
    where = ", ".join(f"{r} ({n:,})" for r, n in code.routes)
    statement = (
        f"Status {code.code} is new: {count_of(c.a_hits, c.a_total)} requests in the incident "
        f"window, none of {c.b_total:,} in the baseline ({q_text(code.q_value)}); on {where}."
    )
    return Finding(
        id=f"http:new_status:{code.code}",
        analyzer=ANALYZER,
        kind="new_status",
        question=QUESTION,
        statement=statement,
        score=stats.strength(code.q_value, c.lift),
        incident={"responses": c.a_hits, "requests": c.a_total},
        baseline={"responses": c.b_hits, "requests": c.b_total},
        test=Test(TEST_NAME, c.p_value, code.q_value, c.odds_ratio, report.family_size),
        effect=c.lift,
        effect_name="share lift",
        caveat="could be wrong if the baseline is short or a load balancer started answering",
        evidence={"code": code.code, "routes": [{"route": r, "count": n} for r, n in code.routes]},
    )
