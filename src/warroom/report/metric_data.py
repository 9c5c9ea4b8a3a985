"""Which metric series to show as baseline-vs-incident panels, and their numbers.

The series named by findings about resources (subject kind "resource", ref "<host>:<metric>")
come first; without such findings the report falls back to the series whose incident mean moved
furthest from the baseline mean, in baseline standard deviations. That ranking only picks what
to draw: it is not a test, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from warroom.analysis.investigation import Investigation
from warroom.analysis.windows import Windows
from warroom.report.chart_data import Span, naive, step_for, wall

MAX_PANELS = 6
# Counters climb by design: their level says nothing about the incident (their rate would).
COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket", "_created")


@dataclass(frozen=True)
class MetricSeries:
    host: str  # "" when the samples carry no host
    metric: str
    why: str  # "named by finding resources:..." or "moved 4.2 baseline SDs"

    @property
    def ref(self) -> str:
        return f"{self.host}:{self.metric}" if self.host else self.metric


def chosen_series(con: Any, result: Investigation) -> tuple[list[MetricSeries], str]:
    """The series to draw and how they were chosen (a sentence for the report)."""
    named = _named_by_findings(con, result)
    if named:
        return named[:MAX_PANELS], "series named by resource findings"
    movers = _top_movers(con, result.windows)
    how = (
        "no finding names a resource, so these are the series whose incident mean moved furthest "
        "from the baseline mean (in baseline standard deviations; a way to choose what to draw, "
        "not a test; counters are left out)"
    )
    return movers, how


def _named_by_findings(con: Any, result: Investigation) -> list[MetricSeries]:
    wanted: dict[tuple[str, str], str] = {}
    ordered = sorted(result.findings, key=lambda f: (-f.score, f.id))
    for finding in ordered:
        if finding.subject is not None and finding.subject.kind == "resource":
            for host, metric in _readings(finding.subject.ref):
                wanted.setdefault((host, metric), f"named by {finding.id}")
    if not wanted:
        return []
    present = {
        (host, metric)
        for host, metric in con.execute(
            "SELECT DISTINCT coalesce(host, ''), metric FROM metrics"
        ).fetchall()
    }
    return [MetricSeries(h, m, why) for (h, m), why in wanted.items() if (h, m) in present]


def _readings(ref: str) -> list[tuple[str, str]]:
    """'<host>:<metric>' — metric names may hold colons too (recording rules), so try both."""
    host, _, metric = ref.partition(":")
    last_host, _, last_metric = ref.rpartition(":")
    return list(dict.fromkeys([(host, metric), (last_host, last_metric), ("", ref)]))


def _top_movers(con: Any, windows: Windows) -> list[MetricSeries]:
    if not windows.baselines:
        return []
    baseline_sql = " OR ".join("(ts >= ? AND ts < ?)" for _ in windows.baselines)
    baseline_args = [naive(t) for b in windows.baselines for t in (b.start, b.end)]
    counters = " AND ".join(f"metric NOT LIKE '%{suffix}'" for suffix in COUNTER_SUFFIXES)
    rows = con.execute(
        f"""
        WITH tagged AS (
            SELECT coalesce(host, '') AS host, metric, value,
                   (ts >= ? AND ts < ?) AS in_incident
            FROM metrics
            WHERE isfinite(value) AND {counters}
              AND ((ts >= ? AND ts < ?) OR {baseline_sql})
        ), summary AS (
            SELECT host, metric,
                   avg(value) FILTER (in_incident) AS incident_mean,
                   avg(value) FILTER (NOT in_incident) AS baseline_mean,
                   stddev_samp(value) FILTER (NOT in_incident) AS baseline_sd,
                   count(*) FILTER (in_incident) AS incident_n,
                   count(*) FILTER (NOT in_incident) AS baseline_n
            FROM tagged GROUP BY host, metric
        )
        SELECT host, metric,
               abs(incident_mean - baseline_mean)
                 / greatest(baseline_sd, 0.01 * abs(baseline_mean), 1e-9) AS shift
        FROM summary WHERE incident_n >= 3 AND baseline_n >= 3
        ORDER BY shift DESC, host, metric LIMIT {MAX_PANELS}
        """,
        [
            naive(windows.incident.start),
            naive(windows.incident.end),
            naive(windows.incident.start),
            naive(windows.incident.end),
            *baseline_args,
        ],
    ).fetchall()
    return [
        MetricSeries(host, metric, f"moved {shift:.1f} baseline SDs")
        for host, metric, shift in rows
        if shift >= 1.0
    ]


def metric_points(con: Any, series: MetricSeries, span: Span, tz: tzinfo) -> list[dict[str, Any]]:
    """Bucket means of one series over the span (non-finite samples dropped)."""
    step = step_for(span)
    rows = con.execute(
        """
        SELECT time_bucket(to_seconds(?), ts) AS bucket, avg(value) FROM metrics
        WHERE coalesce(host, '') = ? AND metric = ? AND isfinite(value) AND ts >= ? AND ts < ?
        GROUP BY bucket ORDER BY bucket
        """,
        [step, series.host, series.metric, naive(span.start), naive(span.end)],
    ).fetchall()
    return [{"t": wall(bucket, tz), "value": float(value)} for bucket, value in rows]


def metric_spread(con: Any, series: MetricSeries, windows: Windows) -> list[dict[str, Any]]:
    """Quartiles of the series in the baseline windows and in the incident window."""
    periods = [("incident", windows.incident.start, windows.incident.end)] + [
        ("baseline", b.start, b.end) for b in windows.baselines
    ]
    case = " ".join("WHEN ts >= ? AND ts < ? THEN ?" for _ in periods)
    args: list[Any] = [a for name, s, e in periods for a in (naive(s), naive(e), name)]
    rows = con.execute(
        f"""
        WITH tagged AS (
            SELECT value, CASE {case} END AS period FROM metrics
            WHERE coalesce(host, '') = ? AND metric = ? AND isfinite(value)
        )
        SELECT period, count(*), min(value), quantile_cont(value, 0.25), median(value),
               quantile_cont(value, 0.75), max(value)
        FROM tagged WHERE period IS NOT NULL GROUP BY period ORDER BY period DESC
        """,
        [*args, series.host, series.metric],
    ).fetchall()
    keys = ("period", "n", "min", "q1", "median", "q3", "max")
    return [dict(zip(keys, row, strict=True)) for row in rows]
