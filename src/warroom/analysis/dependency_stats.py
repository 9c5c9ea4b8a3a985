"""Per-upstream failure statistics for the dependencies analyzer.

Input: events counted per upstream name (NULL: names none) and period, with calls and failures.
An upstream whose successful calls are logged too (a field names it on every call) is tested by
its failure share per call (Fisher); one only named in failure messages by its failures per
second of data (exact Poisson rate ratio, with the traffic adjustment of `surge.py`). The share of
the incident's excess failures an upstream carries says how much of the incident it explains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from warroom.analysis import stats
from warroom.analysis.context import Params
from warroom.analysis.surge import Exposure
from warroom.analysis.upstreams import request_route

PER_CALL_TEST = "Fisher exact on failures per call, one-sided (BH over upstreams)"
PER_SECOND_TEST = "Poisson rate ratio on failures per second, one-sided (BH over upstreams)"


@dataclass(frozen=True)
class UpstreamTest:
    name: str
    failures: int
    calls: int
    base_failures: int
    base_calls: int
    per_call: bool
    p_value: float
    q_value: float | None  # None: too few failures to test
    effect: float
    share: float  # of the incident's excess failures, 0..1
    volume_factor: float
    seconds: tuple[float, float]
    family_size: int
    significant: bool

    @property
    def test_name(self) -> str:
        return PER_CALL_TEST if self.per_call else PER_SECOND_TEST


@dataclass
class UpstreamReport:
    upstreams: list[UpstreamTest] = field(default_factory=list)
    incident_failures: int = 0
    named_failures: int = 0


def test_upstreams(counts: Any, failures: Any, exp: Exposure, params: Params) -> UpstreamReport:
    """`counts`: a frame with name, period, calls, failures (named upstreams only);
    `failures`: all failures per period (period, n), named or not."""
    by: dict[str, dict[str, tuple[int, int]]] = {}
    for row in counts.itertuples():
        by.setdefault(str(row.name), {})[row.period] = (int(row.calls), int(row.failures))
    totals = {"incident": 0, "baseline": 0} | {r.period: int(r.n) for r in failures.itertuples()}
    report = UpstreamReport(incident_failures=totals["incident"])
    report.named_failures = sum(v.get("incident", (0, 0))[1] for v in by.values())
    factor = max(exp.volume_ratio, 1.0)
    scale = exp.incident_seconds * factor / exp.baseline_seconds
    total_excess = totals["incident"] - totals["baseline"] * scale
    names = sorted(by)
    draft = [_draft(n, by[n], exp, factor, params) for n in names]
    testable = [d for d in draft if d["failures"] >= params.min_events]
    q_values = stats.benjamini_hochberg([d["p"] for d in testable])
    q_of = {d["name"]: q for d, q in zip(testable, q_values, strict=True)}
    for d in draft:
        q = q_of.get(d["name"])
        excess = d["failures"] - d["base_failures"] * scale
        share = 0.0 if excess <= 0 else min(1.0, excess / max(total_excess, excess))
        significant = q is not None and q < params.alpha and d["effect"] >= params.min_ratio
        report.upstreams.append(UpstreamTest(
            d["name"], d["failures"], d["calls"], d["base_failures"], d["base_calls"],
            d["per_call"], d["p"], q, d["effect"], share, factor,
            (exp.incident_seconds, exp.baseline_seconds), len(testable), significant,
        ))  # fmt: skip
    report.upstreams.sort(key=_order)
    return report


def _draft(
    name: str, periods: dict[str, tuple[int, int]], exp: Exposure, factor: float, params: Params
) -> dict[str, Any]:
    calls, failures = periods.get("incident", (0, 0))
    base_calls, base_failures = periods.get("baseline", (0, 0))
    per_call = (
        base_calls > base_failures
        and calls >= params.min_events
        and base_calls >= params.min_events
    )
    if per_call:
        c = stats.proportions(failures, calls, base_failures, base_calls)
        p, effect = c.p_value, c.lift
    else:
        r = stats.rate_ratio(
            failures, exp.incident_seconds * factor, base_failures, exp.baseline_seconds
        )
        p, effect = r.p_value, r.ratio
    return {
        "name": name, "failures": failures, "calls": calls, "base_failures": base_failures,
        "base_calls": base_calls, "per_call": per_call, "p": p, "effect": effect,
    }  # fmt: skip


def _order(test: UpstreamTest) -> tuple[Any, ...]:
    if test.significant:
        return (0, -stats.strength(test.q_value, test.effect) * test.share, test.name)
    return (1, -(test.failures + test.base_failures), test.name)


def routes_by_upstream(
    failed: Any, names: Sequence[str], *, min_failures: int = 10
) -> dict[str, dict[str, float]]:
    """For each upstream in `names`: route -> share of the route's incident failures naming it.
    `failed`: the incident's failures, with the `name` each gives."""
    if not names:
        return {}
    failed = failed.mutate(route=request_route(failed))
    failed = failed.filter(failed.route.notnull())
    counts = failed.group_by(["route", "name"]).aggregate(n=failed.count()).execute()
    per_route = counts.groupby("route")["n"].sum()
    shares: dict[str, dict[str, float]] = {}
    for row in counts.sort_values(["route", "name"]).itertuples():
        total = int(per_route.loc[row.route])
        if row.name in names and total >= min_failures:
            shares.setdefault(row.name, {})[row.route] = int(row.n) / total
    return shares
