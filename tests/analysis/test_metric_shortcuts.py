"""The speed shortcuts of the resources analyzer give what the direct computation gives.

`metric_series.load` names each stored series and tests it for a counter once per series, and
bins gauges without the window function; the direct computation below does all of it per
sample, as the module did before. Both run on awkward metrics: `__type__` labels, labels stored
in another order, a series split over several label maps, counters with resets, NaN and
infinite samples, samples without a host, two containers of one host.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from tests.analysis.synthetic import empty_store
from warroom.analysis import (
    changepoint,
    metric_series,
    metric_stats,
    resource_checks,
    upstreams,
)
from warroom.analysis.windows import Window

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
STEP_S = 5.0  # several samples per bin, so that bin means sum more than two values
HOURS = 6

# Every sample named and rated per row: the query metric_series used before its shortcuts.
DIRECT_SERIES = r"""
SELECT coalesce(host, container, '(no host)') AS host, metric,
       coalesce(array_to_string(list_sort(list_transform(
           list_filter(map_entries(labels), lambda e: e.key <> '__type__'),
           lambda e: e.key || '=' || e.value)), ','), '') AS lbl,
       ts, value,
       coalesce(labels['__type__'] = 'counter', false) OR metric LIKE '%\_total' ESCAPE '\'
           OR regexp_matches(lower(metric), 'restart|oom') AS counter
FROM metrics WHERE ts >= ? AND ts < ?"""

DIRECT_QUERY = f"""
WITH raw AS ({DIRECT_SERIES}),
finite AS (SELECT * FROM raw WHERE isfinite(value)),
deltas AS (
    SELECT *, value - lag(value) OVER w AS diff, epoch(ts) - epoch(lag(ts) OVER w) AS dt
    FROM finite WINDOW w AS (PARTITION BY host, metric, lbl ORDER BY ts)),
rated AS (
    SELECT host, metric, lbl, counter, ts, counter AND diff < 0 AS reset,
        CASE WHEN NOT counter THEN value
             WHEN dt > 0 THEN (CASE WHEN diff < 0 THEN value ELSE diff END) / dt END AS v
    FROM deltas)
SELECT host, metric, lbl, bool_or(counter) AS counter, floor(epoch(ts) / $bin) * $bin AS t,
       avg(v) AS v, count(*) FILTER (WHERE reset) AS resets
FROM rated WHERE v IS NOT NULL AND ({{windows}})
GROUP BY ALL ORDER BY host, metric, lbl, t"""

DIRECT_NON_FINITE = f"SELECT count(*) FROM ({DIRECT_SERIES}) WHERE NOT isfinite(value)"


def direct_load(con: duckdb.DuckDBPyConnection, spans: list[Window]) -> metric_series.Loaded:
    """metric_series.load as it was: the per-sample query, split the same way."""
    start, end = min(w.start for w in spans), max(w.end for w in spans)
    bin_seconds = metric_series.nice_bin(spans[0].seconds, metric_series.MAX_BINS)
    naive = metric_series._naive
    windows = " OR ".join(
        f"(ts >= TIMESTAMP '{naive(w.start)}' AND ts < TIMESTAMP '{naive(w.end)}')" for w in spans
    )
    sql = DIRECT_QUERY.replace("$bin", str(bin_seconds)).format(windows=windows)
    bounds = [naive(start) - timedelta(seconds=bin_seconds), naive(end)]
    (bad,) = con.execute(DIRECT_NON_FINITE, bounds).fetchall()[0]
    # One thread: the direct query's bin means are then summed in time order every time. With
    # several, the rows of a bin can reach the aggregate in either order and the last digit of
    # the mean varies from run to run (the shortcut sums each bin in one place: it does not).
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute("SET threads = 1")
    try:
        columns = con.execute(sql, bounds).fetchnumpy()
    finally:
        con.execute(f"SET threads = {threads}")
    return metric_series.loaded_from(columns, bin_seconds, non_finite=bad)


def _grid() -> np.ndarray:
    return np.arange(START.timestamp(), START.timestamp() + HOURS * 3600, STEP_S)


def _add(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    values: np.ndarray,
    *,
    host: str | None,
    container: str | None = None,
    labels: dict[str, str] | None = None,
    every: int = 1,
    offset: int = 0,
) -> None:
    """One stored series; `every`/`offset` keep only some samples (to interleave two parts)."""
    t = _grid()[offset::every]
    frame = pd.DataFrame(
        {
            "ts": pd.to_datetime(t, unit="s"),
            "metric": metric,
            "value": values[offset::every][: len(t)],
            "host": host,
            "container": container,
        }
    )
    con.register("incoming", frame)
    if labels is None:
        mapping = "CAST(NULL AS MAP(VARCHAR, VARCHAR))"
    else:
        mapping = f"MAP({list(labels)!r}, {list(labels.values())!r})"
    con.execute(
        f"INSERT INTO metrics SELECT ts, metric, value, host, container, {mapping}, 'test' "
        "FROM incoming"
    )
    con.unregister("incoming")


def awkward_store(seed: int) -> duckdb.DuckDBPyConnection:
    rng = np.random.default_rng(seed)
    n = len(_grid())
    con = empty_store()
    gauge = {"__type__": "gauge", "mount": "/", "device": "sda1"}
    _add(con, "disk_used_percent", np.round(rng.uniform(40, 60, n), 3), host="db-1", labels=gauge)
    # The same labels stored in another order, and without __type__: one named series each.
    other = {"device": "sda1", "mount": "/"}
    _add(con, "disk_used_percent", np.round(rng.uniform(40, 60, n), 3), host="db-2", labels=other)
    # Values with many digits: the bin means must not differ in the last one.
    _add(con, "cpu_used_percent", rng.normal(50, 10, n), host="api-1", labels={})
    _add(con, "cpu_used_percent", rng.normal(50, 10, n), host="api-2", labels=None)
    # Non-finite samples are left out (and counted).
    spiky = rng.normal(5, 1, n)
    spiky[rng.choice(n, 40, replace=False)] = np.nan
    spiky[rng.choice(n, 5, replace=False)] = np.inf
    _add(con, "queue_depth", spiky, host="worker-1", labels={"queue": "emails"})
    # A counter declared by # TYPE, with resets (restarts of the process).
    requests = np.cumsum(rng.poisson(30, n)).astype(float)
    requests[n // 3 :] -= requests[n // 3 - 1] - 5
    requests[2 * n // 3 :] -= requests[2 * n // 3 - 1] - 2
    _add(
        con, "http_requests", requests, host="api-1", labels={"__type__": "counter", "code": "200"}
    )
    # Counters by name: `_total` and restart / OOM counts.
    _add(con, "jobs_done_total", np.cumsum(rng.poisson(3, n)).astype(float), host="worker-1")
    restarts = np.cumsum(rng.random(n) < 0.01).astype(float)
    _add(con, "container_restarts", restarts, host=None, container="app-7", labels={"app": "a"})
    # One named series stored as two label maps (a file with # TYPE, one without), interleaved:
    # the counter part makes the whole series a rate, its gauge part stays as it is.
    split = np.cumsum(rng.poisson(10, n)).astype(float)
    typed = {"__type__": "counter", "route": "/pay"}
    _add(con, "payments", split, host="api-3", labels=typed, every=2, offset=0)
    _add(con, "payments", split, host="api-3", labels={"route": "/pay"}, every=2, offset=1)
    # Two containers on one host make one series (at distinct times: samples at the same time
    # have no order, so their float sum has none either); samples without host or container too.
    both = rng.normal(60, 5, n)
    _add(con, "memory_used_percent", both, host="web-1", container="c1", every=2, offset=0)
    _add(con, "memory_used_percent", both, host="web-1", container="c2", every=2, offset=1)
    _add(con, "memory_used_percent", rng.normal(30, 5, n), host=None, container=None)
    return con


def spans() -> list[Window]:
    """A long first span (it sets the bin), then windows with gaps between them."""
    hour = timedelta(hours=1)
    return [
        Window(START + hour, START + 5 * hour, "span"),
        Window(START + 4 * hour, START + 5 * hour, "incident"),
        Window(START + 2 * hour, START + 3 * hour, "baseline"),
        Window(START + timedelta(minutes=30), START + hour, "earlier"),
    ]


def _assert_same(found: metric_series.Loaded, expected: metric_series.Loaded) -> None:
    assert found.bin_seconds == expected.bin_seconds
    assert found.notes == expected.notes
    assert [s.name for s in found.series] == [s.name for s in expected.series]
    for got, want in zip(found.series, expected.series, strict=True):
        assert (got.host, got.metric, got.labels, got.counter) == (
            want.host,
            want.metric,
            want.labels,
            want.counter,
        ), want.name
        np.testing.assert_array_equal(got.seconds, want.seconds, err_msg=want.name)
        np.testing.assert_array_equal(got.values, want.values, err_msg=want.name)


@pytest.mark.parametrize("seed", [0, 1])
def test_series_names_counters_and_bin_means_equal_the_per_sample_computation(seed: int) -> None:
    con = awkward_store(seed)
    expected = direct_load(con, spans())
    found = metric_series.load(con, spans())
    _assert_same(found, expected)
    # The awkward cases are really there (else the comparison proves little).
    by_name = {s.name: s for s in found.series}
    assert by_name["api-1:http_requests{code=200}"].counter
    assert by_name["app-7:container_restarts{app=a}"].counter
    assert by_name["api-3:payments{route=/pay}"].counter
    assert not by_name["db-1:disk_used_percent{device=sda1,mount=/}"].counter
    assert "db-2:disk_used_percent{device=sda1,mount=/}" in by_name
    assert "(no host):memory_used_percent" in by_name
    assert any("NaN or infinite" in note for note in found.notes)
    assert any("http_requests reset 2 time(s)" in note for note in found.notes)
    assert found.bin_seconds >= 4 * STEP_S  # bins of several samples


def test_gauge_only_fleet_equals_the_per_sample_computation() -> None:
    """The common case: no counter at all, so no sample goes through the window function."""
    rng = np.random.default_rng(7)
    n = len(_grid())
    con = empty_store()
    for host in ("a-1", "a-2", "a-3"):
        _add(con, "cpu_used_percent", rng.normal(40, 8, n), host=host, labels={"__type__": "gauge"})
        _add(con, "upstream_latency_ms", rng.gamma(2, 30, n), host=host, labels={"upstream": "db"})
    found = metric_series.load(con, spans())
    _assert_same(found, direct_load(con, spans()))
    assert len(found.series) == 6 and not any(s.counter for s in found.series)


def test_no_samples_in_the_windows_gives_no_series() -> None:
    con = empty_store()
    far = [Window(START + timedelta(days=9), START + timedelta(days=10), "span")]
    _add(con, "cpu_used_percent", np.ones(len(_grid())), host="a-1")
    assert metric_series.load(con, far).series == []
    assert direct_load(con, far).series == []


def test_bin_means_are_the_same_on_every_run() -> None:
    """Same input, same output, to the last digit, with several threads."""
    con = awkward_store(3)
    con.execute("SET threads = 2")
    first = metric_series.load(con, spans())
    for _ in range(5):
        again = metric_series.load(con, spans())
        assert [s.values.tobytes() for s in again.series] == [
            s.values.tobytes() for s in first.series
        ]


def _direct_knee(seconds: np.ndarray, values: np.ndarray) -> int:
    """flat_then_linear as first written: every (candidates x n) array made anew."""
    n = len(values)
    step = max(1, n // metric_stats.TREND_POINTS)
    candidates = np.arange(0, n - metric_stats.MIN_SAMPLES, step)
    if len(candidates) == 0:
        return 0
    x = np.maximum(seconds[None, :] - seconds[candidates][:, None], 0.0)
    x_mean = x.mean(axis=1, keepdims=True)
    y_centered = values - values.mean()
    sxx = ((x - x_mean) ** 2).sum(axis=1)
    sxy = ((x - x_mean) * y_centered[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        explained = np.where(sxx > 0, sxy**2 / sxx, 0.0)
    return int(candidates[int(np.argmax(explained))])


def _trend_inputs(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    seconds = np.sort(rng.choice(np.arange(0, 60.0 * 4 * n, 60.0), n, replace=False))
    knee = int(rng.integers(0, n))
    values = rng.normal(50, 3, n) + np.where(np.arange(n) > knee, 0.05 * (np.arange(n) - knee), 0)
    if rng.random() < 0.4:
        values = np.round(values)  # ties
    return seconds, values


def test_knee_theil_sen_and_the_tests_equal_the_direct_computations() -> None:
    rng = np.random.default_rng(11)
    for _ in range(150):
        n = int(rng.integers(6, 900))
        seconds, values = _trend_inputs(rng, n)
        assert metric_stats.flat_then_linear(seconds, values) == _direct_knee(seconds, values)
        thin = max(1, n // metric_stats.TREND_POINTS)
        fit = scipy_stats.theilslopes(values[::thin], seconds[::thin])
        slope, intercept = metric_stats.theil_sen(seconds[::thin], values[::thin])
        assert (slope, intercept) == (float(fit.slope), float(fit.intercept))
        tau, direct_tau = (
            metric_stats._kendalltau(seconds, values),
            scipy_stats.kendalltau(seconds, values),
        )
        assert (tau.statistic, tau.pvalue) == (direct_tau.statistic, direct_tau.pvalue)
        split = int(rng.integers(1, n))
        a, b = values[:split], values[split:]
        got, want = metric_stats._mannwhitneyu(a, b), scipy_stats.mannwhitneyu(a, b)
        assert (got.statistic, got.pvalue) == (want.statistic, want.pvalue)
    # Small samples without ties take the exact distribution: the same there too.
    a, b = np.array([1.0, 4.0, 2.5, 8.0, 3.0]), np.array([5.0, 6.5, 7.0, 9.0, 10.0, 11.0])
    got, want = metric_stats._mannwhitneyu(a, b), scipy_stats.mannwhitneyu(a, b)
    assert (got.statistic, got.pvalue) == (want.statistic, want.pvalue)


def test_seasonal_reference_equals_numpy_nanmedian() -> None:
    rng = np.random.default_rng(5)
    for rows in (1, 2, 3, 4):
        stacked = np.round(rng.normal(10, 5, (rows, 700)), int(rng.integers(0, 4)))
        stacked[rng.random(stacked.shape) < 0.35] = np.nan
        known = ~np.all(np.isnan(stacked), axis=0)
        stacked = stacked[:, known]
        found = resource_checks.nanmedian_columns(stacked)
        np.testing.assert_array_equal(found, np.nanmedian(stacked, axis=0))
        assert found.tobytes() == np.nanmedian(stacked, axis=0).tobytes()
    # Signed zeros: a lone -0.0, pairs and triples of zeros of either sign.
    zeros = np.array(
        [
            [-0.0, -0.0, -0.0, 1.0, 0.0],
            [np.nan, -0.0, 0.0, np.nan, -0.0],
            [np.nan, np.nan, -0.0, -0.0, -0.0],
        ]
    )
    found = resource_checks.nanmedian_columns(zeros)
    assert found.tobytes() == np.nanmedian(zeros, axis=0).tobytes()


def _direct_epidemic(
    counts: np.ndarray, exposure: np.ndarray, *, min_bins: int
) -> changepoint.Segment | None:
    """changepoint.epidemic as first written: every (start, end) pair of the full grid."""
    n = len(counts)
    if n < min_bins + 1 or counts.sum() == 0:
        return None
    cum_c = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    cum_e = np.concatenate([[0.0], np.cumsum(exposure, dtype=float)])
    total_c, total_e = cum_c[-1], cum_e[-1]
    start, end = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    inside_c, inside_e = cum_c[end] - cum_c[start], cum_e[end] - cum_e[start]
    outside_c, outside_e = total_c - inside_c, total_e - inside_e
    ll = changepoint._poisson_ll(inside_c, inside_e) + changepoint._poisson_ll(outside_c, outside_e)
    null = float(changepoint._poisson_ll(np.array([total_c]), np.array([total_e]))[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_in = np.where(inside_e > 0, inside_c / inside_e, 0.0)
        rate_out = np.where(outside_e > 0, outside_c / outside_e, np.inf)
    valid = (end - start >= min_bins) & (rate_in > rate_out) & (outside_e > 0)
    llr = np.where(valid, ll - null, -np.inf)
    best = int(np.argmax(llr))
    if not np.isfinite(llr.flat[best]) or llr.flat[best] <= 0:
        return None
    s, e = divmod(best, n + 1)
    return changepoint.Segment(s, e, float(rate_in[s, e]), float(rate_out[s, e]), float(llr[s, e]))


def test_epidemic_segment_equals_the_full_grid_search() -> None:
    rng = np.random.default_rng(3)
    segments = 0
    for case in range(120):
        n = int(rng.integers(1, 400))
        exposure = rng.poisson(200, n).astype(float)
        exposure[rng.random(n) < 0.05] = 0.0  # empty bins
        rate = np.full(n, 0.01)
        if case % 4:  # a raised segment, else none (quiet data)
            a = int(rng.integers(0, n))
            rate[a : a + int(rng.integers(1, n + 1))] = rng.uniform(0.01, 0.2)
        counts = rng.poisson(rate * exposure).astype(float)
        if case % 7 == 0:
            counts[:] = np.round(counts / 5) * 5  # ties between segments
        for min_bins in (1, 2, 3):
            found = changepoint.epidemic(counts, exposure, min_bins=min_bins)
            assert found == _direct_epidemic(counts, exposure, min_bins=min_bins)
            segments += found is not None
    assert segments > 100
    # Nothing raised: both say None.
    flat, none = np.full(50, 3.0), np.zeros(50)
    assert changepoint.epidemic(none, flat * 100, min_bins=1) is None
    assert _direct_epidemic(none, flat * 100, min_bins=1) is None
    assert changepoint.epidemic(flat, flat * 100, min_bins=1) == _direct_epidemic(
        flat, flat * 100, min_bins=1
    )


def test_upstream_field_lookup_equals_ibis_map_get() -> None:
    """The engine's map_extract_value against Ibis's MapValue.get: missing keys, NULL maps,
    empty values."""
    import ibis

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE events (attrs MAP(VARCHAR, VARCHAR), exception_type VARCHAR, "
        "message VARCHAR, stack VARCHAR)"
    )
    con.execute(
        "INSERT INTO events (attrs) VALUES (MAP {'peer.service': 'payments', 'x': 'y'}), "
        "(MAP {'upstream': ''}), (MAP {'upstream': '', 'db.system': 'postgres'}), (MAP {}), "
        "(NULL), (MAP {'http.url': 'http://a:80/b', 'error.message': 'boom'})"
    )
    events = ibis.duckdb.from_connection(con).table("events")
    direct = ibis.coalesce(*(events.attrs.get(k).nullif("") for k in upstreams.ATTR_KEYS))
    error_text = ibis.coalesce(*(events.attrs.get(k) for k in upstreams.ERROR_TEXT_KEYS))
    found = events.select(
        a=upstreams.field_value(events).fill_null("-"),
        b=direct.fill_null("-"),
        c=upstreams.probe_text(events),
    ).execute()
    assert found["a"].tolist() == found["b"].tolist()
    assert found["a"].tolist() == ["payments", "-", "postgres", "-", "-", "http://a:80/b"]
    expected = events.select(c=error_text.fill_null("")).execute()["c"].tolist()
    assert [text.split("\n")[2] for text in found["c"]] == expected
