"""Vectorised HTTP traffic: whole columns of requests drawn with numpy.

Arrivals follow a Poisson process whose rate follows the local daily curve (quiet nights, a
late-morning and an afternoon peak, an evening shopping bump, calmer weekends); each request
then gets a route, a host of the route's service, a user (who keeps one browser), a status
(with the healthy background of 4xx and 0.1-0.5 % 5xx), a duration and its parameters.
"""

from __future__ import annotations

import numpy as np

from warroom.simulate.eventlog import REQUEST, Columns, EventLog, empty_columns
from warroom.simulate.faults import BACKGROUND_JAVA, BACKGROUND_PYTHON
from warroom.simulate.timeline import MINUTE_US, Timeline
from warroom.simulate.world import (
    BROWSERS,
    JAVA_SERVICES,
    PAYMENT_SHARES,
    QUANTITIES,
    ROUTES,
    SERVICES,
    UPSTREAMS,
    World,
)

BACKGROUND_5XX = 0.003
# Integer quantities only: decimal ones appear only when a scenario sends them.
_QUANTITY_SHARES = np.array([0.46, 0.22, 0.11, 0.07, 0.05, 0.03, 0.04, 0.02, 0, 0, 0])


def _bump(hours: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.asarray(np.exp(-0.5 * ((hours - centre) / width) ** 2))


def daily_curve(hours: np.ndarray, weekday: np.ndarray, *, morning_rush: bool) -> np.ndarray:
    """Relative request rate by local hour and weekday (peak about 1)."""
    rate = 0.1 + 0.8 * _bump(hours, 11, 2.2) + 0.75 * _bump(hours, 15, 2.4)
    rate += 0.55 * _bump(hours, 20.5, 1.6)
    weekend = weekday >= 5
    if morning_rush:
        # Everyone logs on at nine on working days: a short, steep peak.
        rush = np.clip(1 - np.abs(hours - 9.15) / 0.4, 0, None) * 2.4
        rate = rate + np.where(weekend, 0, rush)
    return np.asarray(np.where(weekend, rate * 0.7, rate))


def arrival_times(
    *, rng: np.random.Generator, timeline: Timeline, count: int, morning_rush: bool
) -> np.ndarray:
    """About `count` sorted arrival instants over the whole history."""
    bins = np.arange(timeline.start_us, timeline.end_us, MINUTE_US, dtype=np.int64)
    curve = daily_curve(
        timeline.local_hours(bins), timeline.local_weekday(bins), morning_rush=morning_rush
    )
    per_bin = rng.poisson(count * curve / curve.sum())
    starts = np.repeat(bins, per_bin)
    return np.sort(starts + rng.integers(0, MINUTE_US, starts.size))


def _pick_hosts(rng: np.random.Generator, world: World, route: np.ndarray) -> np.ndarray:
    """A host of each request's service, uniformly (services' hosts are contiguous)."""
    route_service = np.array([SERVICES.index(r.service) for r in ROUTES])
    host_service = np.array([SERVICES.index(s) for s in world.host_service])
    first = np.array([np.argmax(host_service == s) for s in range(len(SERVICES))])
    count = np.bincount(host_service, minlength=len(SERVICES))
    service = route_service[route]
    return np.asarray(first[service] + (rng.random(route.size) * count[service]).astype(np.int64))


def _browsers_of(users: np.ndarray) -> np.ndarray:
    """Each user always browses with the same browser, drawn by market share."""
    shares = np.array([b.share for b in BROWSERS])
    position = (users.astype(np.float64) * 0.6180339887) % 1.0
    return np.searchsorted(np.cumsum(shares) / shares.sum(), position, side="right")


def _statuses(rng: np.random.Generator, route: np.ndarray) -> np.ndarray:
    """Healthy statuses: 200/201/302, plus the usual 404s, failed logins and bad input."""
    status = np.full(route.size, 200, dtype=np.int16)
    draws = rng.random(route.size)
    for index, r in enumerate(ROUTES):
        mine = route == index
        if r.method == "POST":
            status[mine] = 302 if r.template == "/api/login" else 201
        if "{id}" in r.template and r.method == "GET":
            status[mine & (draws < 0.012)] = 404
        if r.template == "/api/login":
            status[mine & (draws < 0.04)] = 401
    return status


def generate_requests(
    *,
    rng: np.random.Generator,
    world: World,
    timeline: Timeline,
    count: int,
    morning_rush: bool = False,
) -> Columns:
    """The healthy requests of the whole history, as event columns."""
    ts = arrival_times(rng=rng, timeline=timeline, count=count, morning_rush=morning_rush)
    n = ts.size
    weights = np.array([r.weight for r in ROUTES])
    route = rng.choice(len(ROUTES), size=n, p=weights / weights.sum())
    columns = empty_columns(n)
    users = (rng.pareto(1.1, n) * world.users / 40).astype(np.int64) % world.users + 1000
    medians = np.array([r.median_ms for r in ROUTES])
    upstreams = np.array([UPSTREAMS.index(r.upstream) if r.upstream else -1 for r in ROUTES])
    columns.update(
        ts=ts,
        kind=np.full(n, REQUEST),
        route=route,
        host=_pick_hosts(rng, world, route),
        service=np.array([SERVICES.index(r.service) for r in ROUTES])[route],
        obj=rng.integers(10_000, 990_000, n),
        status=_statuses(rng, route),
        user=users,
        agent=_browsers_of(users),
        upstream=upstreams[route],
        duration_us=(rng.lognormal(np.log(medians[route]), 0.45) * 1000).astype(np.int64),
    )
    _add_parameters(rng, columns)
    return columns


def _add_parameters(rng: np.random.Generator, columns: Columns) -> None:
    route = columns["route"]
    cart = np.array([r.params == "cart" for r in ROUTES])[route]
    payment = np.array([r.params == "payment" for r in ROUTES])[route]
    shares = _QUANTITY_SHARES / _QUANTITY_SHARES.sum()
    columns["quantity"][cart] = rng.choice(len(QUANTITIES), size=int(cart.sum()), p=shares)
    pay_shares = np.array(PAYMENT_SHARES) / sum(PAYMENT_SHARES)
    columns["payment"][payment] = rng.choice(len(pay_shares), size=int(payment.sum()), p=pay_shares)


def add_background_failures(
    *, rng: np.random.Generator, columns: Columns, log: EventLog, rate: float = BACKGROUND_5XX
) -> None:
    """Turn a small random share of requests into 500s with the usual background faults."""
    failing = rng.random(columns["ts"].size) < rate
    java = np.isin(columns["service"], [SERVICES.index(s) for s in JAVA_SERVICES])
    python_codes = np.array([log.fault(f) for f in BACKGROUND_PYTHON])
    java_codes = np.array([log.fault(f) for f in BACKGROUND_JAVA])
    pick = rng.integers(0, 1 << 30, columns["ts"].size)
    codes = np.where(
        java, java_codes[pick % java_codes.size], python_codes[pick % python_codes.size]
    )
    set_failure(columns, failing, status=500, fault=codes)
    columns["duration_us"][failing] += rng.integers(5, 400, int(failing.sum())) * 1000


def set_failure(columns: Columns, mask: np.ndarray, *, status: int, fault: object) -> None:
    """Mark the masked requests as failed with `status` and a fault index (scalar or array)."""
    columns["status"][mask] = status
    values = fault[mask] if isinstance(fault, np.ndarray) else fault
    columns["fault"][mask] = values
