"""HTTP: which routes fail, with which status codes, compared with the baseline?

Detects: per route (method + path, ids replaced by `{id}`), a rise in the share of requests
answered with 5xx, and apart from it with 4xx (a surge of 400s means a broken client or rejected
input, not a server failure); status codes absent from the whole baseline. Fisher's exact test per
route x class and route x code, Benjamini–Hochberg over the family (see `analysis/routes.py`).
An endpoint is a suspect (role cause) only when one route carries >= 80 % of the 5xx excess, no
failing dependency explains its errors, and no deploy-like change to its service landed in the 30
minutes before the onset; otherwise the route is where a broader failure shows (role context).
Needs: events with an HTTP status (access logs, request logs).
Known false positives: one client retrying its failures on one route; a traffic mix change
towards requests that always failed (the share is per route, so this stays small).
"""

from __future__ import annotations

from typing import Any

from warroom.analysis import stats
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Role, Subject, Test
from warroom.analysis.nearby import changes_before, onset_or_start, services_of
from warroom.analysis.routes import (
    OWN_BASELINE,
    RouteReport,
    RouteResult,
    analyse_routes,
    failing_examples,
    failing_rows,
    route_counts,
)
from warroom.analysis.wording import count_of, q_text

QUESTION = "Which routes fail, with which status codes, compared with the baseline?"
DOMINANT_SHARE = 0.8  # "one route alone carries the excess"
MAX_FINDINGS = 8  # per class
TEST_NAME = "Fisher exact, one-sided (BH over routes x classes and codes)"


class Http:
    id = "http:v1"
    title = "HTTP status codes by route"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset", "dependencies")

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        events = ctx.table("events")
        counts = route_counts(ctx, events)
        report = analyse_routes(counts, ctx.params) if len(counts) else None
        if report is None or min(report.totals[p]["requests"] for p in report.totals) == 0:
            return AnalyzerResult(notes=["no HTTP requests in the incident window or baseline"])
        result = AnalyzerResult()
        roles: dict[str, tuple[Role, str]] = {}
        for found in report.significant("5xx")[:MAX_FINDINGS]:
            roles[found.route] = _role(ctx, events, report, found)
            role, why = roles[found.route]
            result.findings.append(_route_finding(ctx, events, report, found, role=role, why=why))
        for found in report.significant("4xx")[:MAX_FINDINGS]:
            why = "a 4xx surge points at a client or at rejected input, not at the route itself"
            result.findings.append(
                _route_finding(ctx, events, report, found, role="context", why=why)
            )
        result.findings.extend(_new_code_finding(report, code) for code in report.new_codes)
        result.eliminated.extend(_eliminations(report, roles))
        result.facts = _facts(report, roles)
        return result


def _role(
    ctx: AnalysisContext, events: Any, report: RouteReport, found: RouteResult
) -> tuple[Role, str]:
    """cause, or context with the reason: another route fails too, a dependency, a change."""
    share = report.excess_share(found.route)
    if share < DOMINANT_SHARE:
        return "context", f"it carries {share:.0%} of the 5xx excess: other routes fail too"
    dependencies = ctx.facts.get("dependencies", {})
    upstream = dependencies.get("explained_routes", {}).get(found.route)
    if upstream:
        return "context", f"its errors name the failing upstream {upstream}"
    broad = sorted((-s, n) for n, s in dependencies.get("shares", {}).items() if s >= 0.5)
    if broad:
        share, name = -broad[0][0], broad[0][1]
        return "context", f"failures naming the upstream {name} rose with it ({share:.0%} of all)"
    rows = failing_rows(ctx, events, found)
    nearby = changes_before(ctx, at=onset_or_start(ctx), services=services_of(rows))
    if nearby:
        return "context", f"the {nearby[0].describe()} landed just before the onset"
    return "cause", f"it carries {share:.0%} of the 5xx excess and nothing broader explains it"


def _route_finding(
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
    codes = ", ".join(f"{x.code}: {x.incident:,}" for x in found.codes if x.incident)
    against = (
        f"{count_of(c.b_hits, c.b_total)} in the baseline"
        if found.compared_with == OWN_BASELINE
        else f"{c.b_hits / max(c.b_total, 1):.2%} of all requests in the baseline (a new route)"
    )
    statement = (
        f"{count_of(c.a_hits, c.a_total)} requests to {found.route} failed with {found.klass} "
        f"({codes}) in the incident window vs {against} ({c.lift:.1f}x, {q_text(found.q_value)})."
    )
    return Finding(
        id=f"http:{kind}:{found.route}",
        analyzer=Http.id,
        kind=kind,
        question=QUESTION,
        statement=statement,
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
            "codes": [
                {"code": x.code, "incident": x.incident, "baseline": x.baseline,
                 "new": x.baseline == 0, "q_value": x.q_value, "lift": x.lift}
                for x in found.codes
            ],
            "share_of_5xx_excess": round(report.excess_share(found.route), 4),
            "role_why": why,
        },
    )  # fmt: skip


def _new_code_finding(report: RouteReport, code: Any) -> Finding:
    c = code.comparison
    where = ", ".join(f"{r} ({n:,})" for r, n in code.routes)
    statement = (
        f"Status {code.code} is new: {count_of(c.a_hits, c.a_total)} requests in the incident "
        f"window, none of {c.b_total:,} in the baseline ({q_text(code.q_value)}); on {where}."
    )
    return Finding(
        id=f"http:new_status:{code.code}",
        analyzer=Http.id,
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


def _eliminations(report: RouteReport, roles: dict[str, tuple[Role, str]]) -> list[Elimination]:
    found: list[Elimination] = []
    inc, base = report.totals["incident"], report.totals["baseline"]
    tested = sum(1 for r in report.results if r.klass == "5xx")
    if not report.significant("5xx"):
        found.append(Elimination(
            "a failing endpoint",
            f"no route's share of 5xx rose: {count_of(inc['5xx'], inc['requests'])} requests "
            f"failed in the incident window vs {count_of(base['5xx'], base['requests'])} in the "
            f"baseline ({tested} routes with enough failures tested)",
        ))  # fmt: skip
    elif not any(role == "cause" for role, _ in roles.values()):
        top = max(report.excess, key=lambda r: (report.excess[r], r))
        why = roles[top][1] if top in roles else "other routes fail too"
        found.append(Elimination(
            "a single failing endpoint as the cause",
            f"{len(roles)} route(s) fail more than in the baseline; the largest share of the 5xx "
            f"excess is on {top}, but {why}",
            finding_ids=tuple(f"http:server_error_surge:{r}" for r in sorted(roles)),
        ))  # fmt: skip
    if not report.significant("4xx"):
        found.append(Elimination(
            "a broken client or rejected input (4xx)",
            f"no route's share of 4xx rose: {count_of(inc['4xx'], inc['requests'])} in the "
            f"incident window vs {count_of(base['4xx'], base['requests'])} in the baseline",
        ))  # fmt: skip
    return found


def _facts(report: RouteReport, roles: dict[str, tuple[Role, str]]) -> dict[str, Any]:
    failing = [r.route for r in report.significant("5xx")]
    dominant = next((r for r in failing if report.excess_share(r) >= DOMINANT_SHARE), None)
    return {
        "failing_routes": failing,
        "client_error_routes": [r.route for r in report.significant("4xx")],
        "dominant_route": dominant,
        "roles": {r: role for r, (role, _) in roles.items()},
        "new_codes": [c.code for c in report.new_codes],
    }
