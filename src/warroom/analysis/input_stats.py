"""Which request fields, values and value shapes separate failing from succeeding requests?

Like for like: only requests of the incident window (from the onset on), only routes with failing
requests (>= min_events), and for each field only the routes that carry it (on at least half of
their requests), so a field that exists on one route is not "missing" on all the others. A
field that never varies within a route (the upstream it calls) cannot separate anything there.

For each field x value (categorical view) and field x shape: failing requests with it / all
failing, against succeeding requests with it / all succeeding; Fisher's exact test (one-sided:
more common among failures), lift, Benjamini–Hochberg over every hypothesis of the run. The same
requests in the baseline say whether it failed before too (then it is context, not the cause).
Id-like fields (nearly one value per request) are listed, and their values are never tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from warroom.analysis import stats
from warroom.analysis.context import Params
from warroom.analysis.input_shapes import SHAPES, is_too_long, value_counts
from warroom.analysis.request_fields import RequestTables

CARRIED_SHARE = 0.5  # a route carries a field present on at least half of its requests
ID_SHARE = 0.5  # distinct values per request at or above which a field is id-like
ID_MIN_DISTINCT = 20
# Not inputs: what the server answered (status, bytes, errors), how the request travelled, the
# canonical fields other analyzers own (route, user, client), and the dependency it called.
NOT_INPUT_RE = re.compile(
    r"(^|\.)(msg|message|event|level|severity|status|status_code|method|path|route|url|"
    r"target|user|user_id|duration|duration_ms|latency_ms|elapsed_ms|response_time|bytes|"
    r"body_bytes_sent|protocol|referer|referrer|user_agent|useragent|client_ip|remote_addr|"
    r"host|hostname|pid|facility|time|timestamp|ts|trace_id|span_id|request_id|upstream|"
    r"peer\.service|job|job_id)$|^(error|err|exception|stack|traceback)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Separator:
    """One field value or shape, failing vs succeeding requests in the incident window."""

    key: str
    view: str  # "value" or "shape"
    label: str  # the value, or the shape's name
    failing: int  # failing requests with it
    failing_total: int  # failing requests on the routes that carry the field
    succeeding: int
    succeeding_total: int
    comparison: stats.ProportionComparison
    baseline_failed: int  # requests with it that failed in the baseline
    baseline_total: int  # requests with it in the baseline
    rise_p: float | None  # failure share with it, incident vs baseline; None: new
    routes: tuple[str, ...]
    decimal_comma: int = 0  # failing decimals written with a comma (for the wording)
    q_value: float = 1.0
    family_size: int = 0
    values: tuple[str, ...] = ()  # shapes: the tested values that have the shape

    @property
    def ref(self) -> str:
        return f"{self.key}={self.label}" if self.view == "value" else f"{self.key}:{self.label}"

    @property
    def rose(self) -> bool:
        """It failed more than in the baseline, or the baseline has too few such requests to
        say otherwise (a stray one from just before a detected window must not count)."""
        if self.rise_p is None or self.baseline_total < stats.MIN_EVENTS:
            return True
        return self.rise_p < stats.ALPHA

    @property
    def route_share(self) -> float:
        """Share of the failing requests on its routes that carry it."""
        return self.failing / self.failing_total if self.failing_total else 0.0


@dataclass
class InputReport:
    separators: list[Separator] = field(default_factory=list)  # every hypothesis, q-values set
    id_like: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # fields compared
    routes: list[str] = field(default_factory=list)  # failing routes compared
    failed_total: int = 0  # every failing request of the incident window


def find_separators(con: Any, tables: RequestTables, params: Params) -> InputReport:
    totals = con.execute(f'SELECT route, period, failed, n FROM "{tables.request_counts}"').df()
    report = InputReport(failed_total=_sum(totals, period="incident", failed=True))
    report.routes = failing_routes(totals, params.min_events)
    carried = _carried_fields(con, tables, totals, report.routes)
    if carried.empty:
        return report
    report.fields = sorted(carried["key"].unique())
    values = value_counts(con, tables.field_counts, report.routes, report.fields)
    values["too_long"] = is_too_long(values)
    pending: list[Separator] = []
    for key in report.fields:
        routes = sorted(carried.loc[carried["key"] == key, "route"])
        mine = values[(values["key"] == key) & values["route"].isin(routes)]
        population = totals[totals["route"].isin(routes)]
        if _id_like(mine):
            report.id_like.append(key)
        else:
            pending += value_separators(key, mine, population, routes, params)
        pending += _shape_separators(key, mine, population, routes, params)
    report.separators = corrected(pending)
    return report


def _sum(frame: pd.DataFrame, **where: Any) -> int:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column] == wanted
    return int(frame.loc[mask, "n"].sum())


def failing_routes(totals: pd.DataFrame, floor: int) -> list[str]:
    failed = totals[(totals["period"] == "incident") & totals["failed"]]
    return sorted(failed.loc[failed["n"] >= floor, "route"].dropna())


def _carried_fields(
    con: Any, tables: RequestTables, totals: pd.DataFrame, routes: list[str]
) -> pd.DataFrame:
    """(route, key) pairs where the route carries the key and the key is an input."""
    if not routes:
        return pd.DataFrame(columns=["route", "key"])
    present = con.execute(
        f'SELECT route, key, CAST(sum(n) AS BIGINT) AS n FROM "{tables.field_counts}" '
        "WHERE period = 'incident' AND route IN (SELECT unnest($1::VARCHAR[])) GROUP BY ALL",
        [routes],
    ).df()
    incident = totals[totals["period"] == "incident"].groupby("route", as_index=False)["n"].sum()
    present = present[[NOT_INPUT_RE.search(str(k)) is None for k in present["key"]]]
    both = present.merge(incident, on="route", suffixes=("", "_route"))
    return both.loc[both["n"] >= CARRIED_SHARE * both["n_route"], ["route", "key"]]


def _id_like(values: pd.DataFrame) -> bool:
    incident = values[values["period"] == "incident"]
    distinct, rows = incident["value"].nunique(), int(incident["n"].sum())
    return distinct >= ID_MIN_DISTINCT and rows > 0 and distinct / rows >= ID_SHARE


@dataclass(frozen=True)
class _Population:
    """Requests on the routes that carry a field: (failing, succeeding, base failed, base all)."""

    failing: int
    succeeding: int
    baseline_failed: int
    baseline_total: int

    def minus(self, other: _Population) -> _Population:
        return _Population(
            self.failing - other.failing,
            self.succeeding - other.succeeding,
            self.baseline_failed - other.baseline_failed,
            self.baseline_total - other.baseline_total,
        )


def _population(totals: pd.DataFrame, rows: Any = None) -> _Population:
    """The four counts of `totals` (columns period, failed, n), or of its `rows` (a boolean
    mask): one pass over numpy arrays, no filtered copy of the frame (frames of id-like values
    have a row per value)."""
    n = totals["n"].to_numpy()
    incident = (totals["period"] == "incident").to_numpy()
    baseline = (totals["period"] == "baseline").to_numpy()
    failed = totals["failed"].eq(True).to_numpy()
    succeeded = totals["failed"].eq(False).to_numpy()
    if rows is not None:
        incident, baseline = incident & rows, baseline & rows
    base_failed = int(n[baseline & failed].sum())
    return _Population(
        int(n[incident & failed].sum()),
        int(n[incident & succeeded].sum()),
        base_failed,
        base_failed + int(n[baseline & succeeded].sum()),
    )


def value_separators(
    key: str, values: pd.DataFrame, totals: pd.DataFrame, routes: list[str], params: Params
) -> list[Separator]:
    found = []
    failing = values[(values["period"] == "incident") & values["failed"]]
    supported = failing.groupby("value")["n"].sum()
    for value in sorted(supported[supported >= params.min_events].index):
        rows = values[values["value"] == value]
        found.append(_separator(key, "value", str(value), _population(rows), totals, routes))
    return [s for s in found if s is not None]


def _shape_separators(
    key: str, values: pd.DataFrame, totals: pd.DataFrame, routes: list[str], params: Params
) -> list[Separator]:
    found = []
    population = _population(totals)
    for shape in SHAPES:
        if shape == "missing":
            hits = population.minus(_population(values))
            having = np.zeros(len(values), dtype=bool)
        else:
            having = values[shape].astype(bool).to_numpy()
            hits = _population(values, having)
        if hits.failing < params.min_events:
            continue
        separator = _separator(key, "shape", shape, hits, totals, routes)
        if separator is not None:
            rows = values.loc[having, ["value", "period", "failed", "decimal_comma", "n"]]
            comma = rows[(rows["period"] == "incident") & rows["failed"] & rows["decimal_comma"]]
            tested = tuple(sorted(rows["value"].astype(str).unique()))
            found.append(replace(separator, decimal_comma=int(comma["n"].sum()), values=tested))
    return found


def _separator(
    key: str, view: str, label: str, hits: _Population, totals: pd.DataFrame, routes: list[str]
) -> Separator | None:
    population = _population(totals)
    if population.succeeding == 0 or hits.succeeding >= population.succeeding:
        return None  # nothing succeeded without it: no contrast to draw
    comparison = stats.proportions(
        hits.failing, population.failing, hits.succeeding, population.succeeding
    )
    incident_total = hits.failing + hits.succeeding
    rise_p = None
    if hits.baseline_total > 0:
        rise_p = stats.proportions(
            hits.failing, incident_total, hits.baseline_failed, hits.baseline_total
        ).p_value
    return Separator(
        key, view, label, hits.failing, population.failing, hits.succeeding,
        population.succeeding, comparison, hits.baseline_failed, hits.baseline_total, rise_p,
        tuple(routes),
    )  # fmt: skip


def corrected(pending: list[Separator]) -> list[Separator]:
    q_values = stats.benjamini_hochberg([s.comparison.p_value for s in pending])
    done = [
        replace(s, q_value=q, family_size=len(pending))
        for s, q in zip(pending, q_values, strict=True)
    ]
    return sorted(done, key=lambda s: (s.q_value, -s.comparison.lift, s.ref))
