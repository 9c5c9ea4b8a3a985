"""Clients: do the failing requests, and the customers who complain, share a browser, OS or app?

Detects: a browser ("Safari 17"), OS ("iOS 17") or app version far more common among the failing
requests of the incident window than among its succeeding ones, on the failing routes (user
agents parsed per distinct string, `analysis/client_stats.py`; Fisher's exact test, BH, lift >= 2,
>= 10 failing requests, like the inputs analyzer). Of two overlapping clients (Safari 17 runs on
Mac OS X), the one with the higher lift that carries most of the other's failures explains it.
From customer reports: how many arrived since the incident began and when the first came
relative to the onset (Poisson rate ratio against the reports before), which client they name
more often than the earlier reports did (Fisher, >= 5 reports), and which values they quote
(order numbers, codes) that failing requests carried, and whether their words name the failing
routes or the new error messages more often than earlier reports did (`report_text.py`).
Reports without a time are counted.
Needs: events with a user agent or app version field, or reports.
Known false positives: one client that mostly calls one broken route (compare the endpoint);
a bot with its own user agent that retries its failures.
"""

from __future__ import annotations

from typing import Any

from warroom.analysis import stats
from warroom.analysis.client_findings import (
    QUESTION,
    quoted_finding,
    report_client_finding,
    report_rate_finding,
    report_text_finding,
)
from warroom.analysis.client_stats import quoted_in_failures, request_clients, summarise_reports
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Subject, Test
from warroom.analysis.input_stats import Separator, corrected, failing_routes, value_separators
from warroom.analysis.report_text import match_reports, text_targets
from warroom.analysis.request_fields import RequestTables, request_tables
from warroom.analysis.scope import since_onset
from warroom.analysis.wording import count_of, q_text

FISHER = "Fisher exact (failing vs succeeding requests), BH over clients"
MAX_FINDINGS = 6
EXPLAINS_SHARE = 0.8  # carrying this share of another finding's failures explains it


class Clients:
    id = "clients:v1"
    title = "Clients of failing requests and of bug reports"
    question = QUESTION
    needs: tuple[str, ...] = ()  # events or reports: checked in run
    after: tuple[str, ...] = ("onset", "http", "messages")  # report words vs their findings

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        result = AnalyzerResult()
        if not ctx.has("events") and not ctx.has("reports"):
            result.notes.append("clients: no logs and no reports")
            return result
        if ctx.has("events"):
            periods = {"incident": (since_onset(ctx),), "baseline": ctx.baselines}
            with request_tables(ctx, periods) as tables:
                separators, seen = _request_separators(ctx, tables)
                quoted = quoted_in_failures(ctx.con, tables) if ctx.has("reports") else []
            result.findings += _request_findings(separators)
            result.facts["client_separators"] = [s.ref for s in separators if _strength(s) > 0]
            if seen and not result.findings:
                result.eliminated.append(_elimination(seen))
        else:
            quoted = []
        if ctx.has("reports"):
            _add_reports(ctx, result, quoted)
        return result


def _request_separators(
    ctx: AnalysisContext, tables: RequestTables
) -> tuple[list[Separator], dict[str, int]]:
    """Separators among the clients, and how many distinct values of each dimension were seen."""
    totals = ctx.con.execute(
        f"SELECT route, period, failed, CAST(sum(n) AS BIGINT) AS n "
        f'FROM "{tables.request_counts}" GROUP BY ALL'
    ).df()
    routes = failing_routes(totals, ctx.params.min_events)
    clients = request_clients(ctx.con, tables, routes)
    population = totals[totals["route"].isin(routes)]
    pending = []
    for key in sorted(clients["key"].unique()):
        mine = clients[clients["key"] == key]
        pending += value_separators(key, mine, population, routes, ctx.params)
    seen = {str(k): int(n) for k, n in clients.groupby("key")["value"].nunique().items()}
    return corrected(pending), seen


def _elimination(seen: dict[str, int]) -> Elimination:
    names = {"browser": "browsers", "os": "operating systems", "app_version": "app versions"}
    counted = ", ".join(f"{n} {names.get(key, key)}" for key, n in sorted(seen.items()))
    return Elimination(
        "a single browser, OS or app version",
        f"the failing requests were spread over the clients ({counted}) as the successful "
        "ones were: none was more common among the failures",
    )


def _strength(separator: Separator) -> float:
    return stats.strength(separator.q_value, separator.comparison.lift)


def _request_findings(separators: list[Separator]) -> list[Finding]:
    found = [s for s in separators if _strength(s) > 0][:MAX_FINDINGS]
    return [_request_finding(s, found) for s in found]


def _explains(separator: Separator, found: list[Separator]) -> list[tuple[str, str]]:
    """The other clients whose failures this one carries, more specifically (higher lift)."""
    explains = [
        ("client", other.ref)
        for other in found
        if other.key != separator.key
        and separator.comparison.lift > other.comparison.lift
        and separator.failing >= EXPLAINS_SHARE * other.failing
    ]
    if separator.rose and separator.route_share >= EXPLAINS_SHARE:
        explains += [("endpoint", route) for route in separator.routes]
    return explains


def _request_finding(s: Separator, found: list[Separator]) -> Finding:
    routes = s.routes[0] if len(s.routes) == 1 else f"{len(s.routes)} failing routes"
    other = (
        f"none of {s.succeeding_total:,} successful ones did"
        if s.succeeding == 0
        else f"against {count_of(s.succeeding, s.succeeding_total)} successful ones"
    )
    before = (
        f"In the baseline {count_of(s.baseline_failed, s.baseline_total)} of its requests failed."
        if s.baseline_total
        else "The baseline had no request from it."
    )
    return Finding(
        id=f"clients:client_requests:{s.ref}",
        analyzer=Clients.id,
        kind="client_requests",
        question=QUESTION,
        statement=(
            f"{count_of(s.failing, s.failing_total)} failing requests to {routes} came from "
            f"{s.key} {s.label}; {other} (lift {s.comparison.lift:.0f}, Fisher "
            f"{q_text(s.q_value)}). {before}"
        ),
        score=_strength(s),
        incident={"failing_with": s.failing, "failing": s.failing_total,
                  "succeeding_with": s.succeeding, "succeeding": s.succeeding_total},
        baseline={"failed_with": s.baseline_failed, "with": s.baseline_total},
        test=Test(FISHER, s.comparison.p_value, s.q_value, None, s.family_size),
        effect=round(s.comparison.lift, 3),
        effect_name="lift (share among failing / share among succeeding requests)",
        caveat="could be wrong if this client mostly calls one broken route, or retries failures",
        subject=Subject("client", s.ref, "cause" if s.rose else "context"),
        evidence={"routes": list(s.routes), "explains": _explains(s, found)},
    )  # fmt: skip


def _add_reports(ctx: AnalysisContext, result: AnalyzerResult, quoted: list[Any]) -> None:
    onset = ctx.facts.get("onset", {}).get("at")
    data_start = min(w.start for w in (ctx.incident, *ctx.baselines))
    summary = summarise_reports(
        ctx.con, start=ctx.incident.start, end=ctx.incident.end, onset=onset, data_start=data_start
    )
    if summary.untimed:
        result.notes.append(
            f"clients: {summary.untimed} of {summary.total} reports carry no time: "
            "counted, but not placed before or after the onset"
        )
    result.facts["reports"] = {
        "since_incident": summary.incident,
        "before": summary.before,
        "untimed": summary.untimed,
        "first_after_onset_s": summary.first_after_onset_s,
    }
    if summary.rate is not None and summary.incident:
        result.findings.append(report_rate_finding(summary, onset))
    for client in summary.clients:
        if stats.strength(client.q_value, client.comparison.lift) > 0:
            result.findings.append(report_client_finding(client))
    if quoted:
        result.findings.append(quoted_finding(quoted))
    for match in match_reports(ctx.con, text_targets(ctx.facts), since=ctx.incident.start):
        result.findings.append(report_text_finding(match))
