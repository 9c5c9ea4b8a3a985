"""HTTP: which routes fail, with which status codes, compared with the baseline?

Detects: per route (method + path, ids replaced by `{id}`), a rise in the share of requests
answered with 5xx, and apart from it with 4xx (a surge of 400s means a broken client or rejected
input, not a server failure); status codes absent from the whole baseline. Fisher's exact test per
route x class and route x code, Benjamini–Hochberg over the family (see `analysis/routes.py`).
An endpoint is a suspect (role cause) only when one route carries >= 80 % of the 5xx excess, no
upstream dependency is failing (`dependencies` facts), and no deploy-like change to its service or
a failing one landed in the 30 minutes before the onset; otherwise the route is where a broader
failure shows (role context).
Needs: events with an HTTP status (access logs, request logs).
Known false positives: one client retrying its failures on one route; a traffic mix change
towards requests that always failed (the share is per route, so this stays small).
"""

from __future__ import annotations

from typing import Any

from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Role
from warroom.analysis.http_findings import QUESTION, new_code_finding, route_finding
from warroom.analysis.nearby import change_before_onset
from warroom.analysis.routes import (
    RouteReport,
    RouteResult,
    analyse_routes,
    failing_rows,
    route_counts,
)
from warroom.analysis.wording import count_of

DOMINANT_SHARE = 0.8  # "one route alone carries the excess"
MAX_FINDINGS = 8  # per class


class Http:
    id = "http:v1"
    title = "HTTP status codes by route"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset", "dependencies")

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        events = ctx.table("events")
        counts = route_counts(ctx)
        report = analyse_routes(counts, ctx.params) if len(counts) else None
        if report is None or min(report.totals[p]["requests"] for p in report.totals) == 0:
            return AnalyzerResult(notes=["no HTTP requests in the incident window or baseline"])
        result = AnalyzerResult()
        roles: dict[str, tuple[Role, str]] = {}
        for found in report.significant("5xx")[:MAX_FINDINGS]:
            role, why = roles[found.route] = _role(ctx, events, report, found)
            result.findings.append(route_finding(ctx, events, report, found, role=role, why=why))
        for found in report.significant("4xx")[:MAX_FINDINGS]:
            why = "a 4xx surge points at a client or at rejected input, not at the route itself"
            result.findings.append(
                route_finding(ctx, events, report, found, role="context", why=why)
            )
        result.findings.extend(new_code_finding(report, code) for code in report.new_codes)
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
    causes = dependencies.get("causes", {})
    if causes:
        name = min(causes, key=lambda n: (-causes[n], n))
        return "context", f"failures naming {name} rose with it ({causes[name]:.0%} of the excess)"
    rows = failing_rows(ctx, events, found)
    nearby = change_before_onset(ctx, events, rows)
    if nearby:
        return "context", f"the {nearby.describe()} landed just before the onset"
    return "cause", f"it carries {share:.0%} of the 5xx excess and nothing broader explains it"


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
            f"{_routes(len(roles))} more than in the baseline; the largest share of the 5xx "
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


def _routes(count: int) -> str:
    return "1 route fails" if count == 1 else f"{count} routes fail"


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
