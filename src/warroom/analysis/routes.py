"""Per-route status statistics for the HTTP analyzer.

`route_counts` counts requests per route, status and period in the engine (a few thousand rows
come back); `analyse_routes` tests them with pandas and scipy. For each route and status class
(5xx server errors, 4xx client errors, kept apart) and for each status code, the share of the
route's requests that failed is compared between the incident window and the baseline with
Fisher's exact test; a route the baseline never saw is compared with all baseline requests.
Status codes absent from the whole baseline are tested as "new codes". Benjamini–Hochberg runs
over the whole family (routes x classes, routes x codes, new codes).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import ibis

from warroom.analysis import stats
from warroom.analysis.context import AnalysisContext, Params
from warroom.analysis.paths import coarse_path
from warroom.analysis.paths import route as route_key
from warroom.analysis.window_requests import window_requests
from warroom.timeutil import iso_z

CLASSES = {"5xx": (500, 599), "4xx": (400, 499)}
OWN_BASELINE = "its own baseline"
ALL_BASELINE = "all baseline requests (the route is new)"


@dataclass(frozen=True)
class CodeCount:
    code: int
    incident: int
    baseline: int
    q_value: float | None = None  # None: too few events to test
    lift: float | None = None


@dataclass(frozen=True)
class RouteResult:
    route: str
    klass: str  # "5xx" or "4xx"
    comparison: stats.ProportionComparison  # failed / requests, incident vs baseline
    q_value: float
    compared_with: str
    codes: tuple[CodeCount, ...]
    significant: bool


@dataclass(frozen=True)
class NewCode:
    code: int
    comparison: stats.ProportionComparison
    q_value: float
    routes: tuple[tuple[str, int], ...]  # routes that returned it in the incident, most first


@dataclass
class RouteReport:
    results: list[RouteResult] = field(default_factory=list)  # every (route, class) tested
    new_codes: list[NewCode] = field(default_factory=list)  # significant new codes only
    totals: dict[str, dict[str, int]] = field(default_factory=dict)  # period -> requests, 5xx..
    excess: dict[str, float] = field(default_factory=dict)  # route -> 5xx beyond the baseline
    family_size: int = 0

    def significant(self, klass: str) -> list[RouteResult]:
        found = [r for r in self.results if r.klass == klass and r.significant]
        return sorted(found, key=lambda r: (r.q_value, -r.comparison.lift, r.route))

    def excess_share(self, route: str) -> float:
        total = sum(max(value, 0.0) for value in self.excess.values())
        return max(self.excess.get(route, 0.0), 0.0) / total if total > 0 else 0.0


@dataclass(frozen=True)
class _Pending:
    """One hypothesis of the family, waiting for its q-value."""

    kind: str  # "class", "code" or "new"
    comparison: stats.ProportionComparison
    route: str = ""
    klass: str = ""
    code: int = 0
    against: str = OWN_BASELINE


def analyse_routes(counts: Any, params: Params) -> RouteReport:
    """`counts`: columns route, status (0 when unknown), period, n."""
    wide = counts.pivot_table(
        index=["route", "status"], columns="period", values="n", aggfunc="sum", fill_value=0
    )
    for period in ("incident", "baseline"):
        if period not in wide:
            wide[period] = 0
    wide = wide.reset_index()
    requests = wide.groupby("route")[["incident", "baseline"]].sum()
    report = RouteReport(totals=_totals(wide))
    if report.totals["baseline"]["requests"] == 0:
        return report
    pending: list[_Pending] = []
    for klass, (low, high) in CLASSES.items():
        in_class = wide[(wide.status >= low) & (wide.status <= high)]
        hits = in_class.groupby("route")[["incident", "baseline"]].sum()
        pending += _class_tests(klass, hits, requests, report.totals, params)
        pending += _code_tests(in_class, requests, report.totals, params)
    pending += _new_code_tests(wide, report.totals, params)
    _resolve(report, pending, wide, params)
    report.excess = _excess(wide, requests, report.totals)
    return report


def _totals(wide: Any) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = {}
    for period in ("incident", "baseline"):
        totals[period] = {"requests": int(wide[period].sum())}
        for klass, (low, high) in CLASSES.items():
            mask = (wide.status >= low) & (wide.status <= high)
            totals[period][klass] = int(wide.loc[mask, period].sum())
    return totals


def _compare(
    hits_in: int, req_in: int, hits_base: int, req_base: int, fallback: tuple[int, int]
) -> tuple[stats.ProportionComparison, str]:
    if req_base > 0:
        return stats.proportions(hits_in, req_in, hits_base, req_base), OWN_BASELINE
    return stats.proportions(hits_in, req_in, *fallback), ALL_BASELINE


def _class_tests(
    klass: str,
    hits: Any,
    requests: Any,
    totals: dict[str, dict[str, int]],
    params: Params,
) -> list[_Pending]:
    tests = []
    fallback = (totals["baseline"][klass], totals["baseline"]["requests"])
    for route, row in hits[hits.incident >= params.min_events].sort_index().iterrows():
        req = requests.loc[route]
        comparison, against = _compare(
            int(row.incident), int(req.incident), int(row.baseline), int(req.baseline), fallback
        )
        tests.append(_Pending("class", comparison, route=str(route), klass=klass, against=against))
    return tests


def _code_tests(
    in_class: Any,
    requests: Any,
    totals: dict[str, dict[str, int]],
    params: Params,
) -> list[_Pending]:
    tests = []
    code_totals = in_class.groupby("status")["baseline"].sum()
    tested = in_class[in_class.incident >= params.min_events].sort_values(["route", "status"])
    for row in tested.itertuples():
        req = requests.loc[row.route]
        fallback = (int(code_totals.loc[row.status]), totals["baseline"]["requests"])
        comparison, _ = _compare(
            int(row.incident), int(req.incident), int(row.baseline), int(req.baseline), fallback
        )
        tests.append(_Pending("code", comparison, route=str(row.route), code=int(row.status)))
    return tests


def _new_code_tests(wide: Any, totals: dict[str, dict[str, int]], params: Params) -> list[_Pending]:
    by_code = wide[wide.status >= 400].groupby("status")[["incident", "baseline"]].sum()
    fresh = by_code[(by_code.baseline == 0) & (by_code.incident >= params.min_events)]
    return [
        _Pending(
            "new",
            stats.proportions(
                int(row.incident), totals["incident"]["requests"], 0, totals["baseline"]["requests"]
            ),
            code=int(code),
        )
        for code, row in fresh.sort_index().iterrows()
    ]


def _passes(comparison: stats.ProportionComparison, q: float, params: Params) -> bool:
    return (
        q < params.alpha
        and comparison.lift >= params.min_ratio
        and comparison.a_hits >= params.min_events
    )


def _resolve(
    report: RouteReport,
    pending: list[_Pending],
    wide: Any,
    params: Params,
) -> None:
    q_values = stats.benjamini_hochberg([t.comparison.p_value for t in pending])
    report.family_size = len(pending)
    code_q: dict[tuple[str, int], tuple[float, float, bool]] = {}
    for test, q in zip(pending, q_values, strict=True):
        if test.kind == "code":
            passed = _passes(test.comparison, q, params)
            code_q[(test.route, test.code)] = (q, test.comparison.lift, passed)
        elif test.kind == "new" and _passes(test.comparison, q, params):
            report.new_codes.append(
                NewCode(test.code, test.comparison, q, _routes_with(wide, test.code))
            )
    for test, q in zip(pending, q_values, strict=True):
        if test.kind != "class":
            continue
        codes = _codes(wide, test.route, test.klass, code_q)
        significant = _passes(test.comparison, q, params) or any(
            code_q.get((test.route, c.code), (1.0, 0.0, False))[2] for c in codes
        )
        report.results.append(
            RouteResult(
                test.route, test.klass, test.comparison, q, test.against, codes, significant
            )
        )


def _routes_with(wide: Any, code: int) -> tuple[tuple[str, int], ...]:
    rows = wide[(wide.status == code) & (wide.incident > 0)]
    ranked = rows.sort_values(["incident", "route"], ascending=[False, True]).head(5)
    return tuple((str(r.route), int(r.incident)) for r in ranked.itertuples())


def _codes(
    wide: Any,
    route: str,
    klass: str,
    code_q: dict[tuple[str, int], tuple[float, float, bool]],
) -> tuple[CodeCount, ...]:
    low, high = CLASSES[klass]
    rows = wide[(wide.route == route) & (wide.status >= low) & (wide.status <= high)]
    found = []
    for row in rows.sort_values("status").itertuples():
        q, lift, _ = code_q.get((route, int(row.status)), (None, None, False))
        found.append(CodeCount(int(row.status), int(row.incident), int(row.baseline), q, lift))
    return tuple(found)


def _excess(wide: Any, requests: Any, totals: dict[str, dict[str, int]]) -> dict[str, float]:
    """5xx per route beyond what its baseline share predicts (all baseline for new routes)."""
    low, high = CLASSES["5xx"]
    failed = wide[(wide.status >= low) & (wide.status <= high)].groupby("route")
    hits = failed[["incident", "baseline"]].sum().reindex(requests.index, fill_value=0)
    overall = (totals["baseline"]["5xx"] + 0.5) / (totals["baseline"]["requests"] + 1)
    own = (hits.baseline + 0.5) / (requests.baseline + 1)
    share = own.where(requests.baseline > 0, overall)
    excess = hits.incident - requests.incident * share
    return {str(route): float(value) for route, value in excess.sort_index().items()}


def route_counts(ctx: AnalysisContext) -> Any:
    """Requests per route, status and period (from the requests `window_requests` keeps).
    Paths are normalised after grouping (by the raw, then by the coarse path), so the segment
    rules run once per distinct shape, not per request."""
    requests = window_requests(ctx)
    rows = requests.filter(requests.path.notnull())
    rows = rows.mutate(period=ctx.period(rows.ts), status=rows.status.fill_null(0))
    rows = rows.filter(rows.period.notnull())
    keys = ["method", "path", "status", "period"]
    raw = rows.group_by(keys).aggregate(n=rows.count())
    raw = raw.mutate(path=coarse_path(raw.path))
    coarse = raw.group_by(keys).aggregate(n=raw.n.sum())
    coarse = coarse.mutate(route=route_key(coarse))
    return coarse.group_by(["route", "status", "period"]).aggregate(n=coarse.n.sum()).execute()


def failing_rows(ctx: AnalysisContext, events: Any, found: RouteResult) -> Any:
    """Ibis: the incident requests of one route that failed with the result's status class
    (ts, source, line, service, method, path, status, message)."""
    low, high = CLASSES[found.klass]
    rows = _failed_requests(ctx, events)
    return rows.filter(rows.status.between(low, high) & (rows.route == found.route))


FAILED_COLUMNS = ("ts", "source", "line", "service", "method", "path", "status", "message")
_numbers = itertools.count(1)


def _failed_requests(ctx: AnalysisContext, events: Any) -> Any:
    """Every 4xx and 5xx request of the incident window with its route, as a temp table built
    once per investigation: each route finding asks for its examples and its services, and a
    scan of every event per question costs more than this one. Kept, like `request_tables`,
    as long as the connection."""
    name = ctx.remember("routes.failed_requests", lambda: _stage_failed_requests(ctx, events))
    return ctx.backend.table(name, database="temp")


def _stage_failed_requests(ctx: AnalysisContext, events: Any) -> str:
    name = f"_warroom_failed_requests_{next(_numbers)}"
    stage = f"{name}_stage"
    low, high = CLASSES["4xx"][0], CLASSES["5xx"][1]
    rows = events.filter(
        ctx.in_window(events.ts, ctx.incident)
        & events.status.between(low, high)
        & events.path.notnull()
    )
    rows = rows.select(*FAILED_COLUMNS, coarse=coarse_path(rows.path))
    con = ctx.con
    con.execute(f'CREATE TEMP TABLE "{stage}" AS {ibis.to_sql(rows, dialect="duckdb")}')
    try:
        # the route once per distinct (method, coarse path), as in `route_counts`
        staged = ctx.backend.table(stage, database="temp")
        shapes = staged.select("method", path=staged.coarse).distinct()
        shapes = shapes.mutate(route=route_key(shapes))
        columns = ", ".join(f"f.{c}" for c in FAILED_COLUMNS)
        con.execute(
            f'CREATE TEMP TABLE "{name}" AS SELECT {columns}, s.route FROM "{stage}" f '
            f"JOIN ({ibis.to_sql(shapes, dialect='duckdb')}) s "
            "ON f.method IS NOT DISTINCT FROM s.method AND f.coarse = s.path"
        )
    finally:
        con.execute(f'DROP TABLE IF EXISTS temp."{stage}"')
    return name


def failing_examples(ctx: AnalysisContext, events: Any, found: RouteResult) -> tuple[str, ...]:
    """Up to `max_examples` failed requests of the route, earliest first, as one line each."""
    rows = failing_rows(ctx, events, found)
    first = rows.order_by(["ts", "source", "line"]).limit(ctx.params.max_examples).execute()
    return tuple(
        f"{iso_z(r.ts.to_pydatetime())} {r.method or '-'} {r.path} {r.status} {r.message or ''}"
        .rstrip()
        for r in first.itertuples()
    )  # fmt: skip
