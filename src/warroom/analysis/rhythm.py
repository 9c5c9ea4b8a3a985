"""Time helpers for the periodicity, cron and time-of-day analyzers.

- `active_span`: where a rhythm is looked for — the incident window, stretched towards the end of
  the data (by at most its own length, or an hour), because a job that breaks things keeps
  running after the window someone picked and three cycles need room.
- `error_seconds`: error counts per epoch second (optionally per host), computed in the engine;
  only seconds that hold errors come back.
- `rayleigh`: the Rayleigh test of uniformity for phases (Zar, Biostatistical Analysis, 27.4).
- `clock_times`: instants written as wall-clock times in the bundle's time zone (":07, :22").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from warroom.analysis import signals
from warroom.analysis.context import AnalysisContext
from warroom.analysis.windows import Window
from warroom.timeutil import zone

MAX_STRETCH = timedelta(hours=24)
MIN_STRETCH = timedelta(hours=1)


def data_bounds(ctx: AnalysisContext) -> tuple[datetime, datetime] | None:
    """First and last event, aware UTC (cached in the facts: several analyzers ask)."""
    shared = ctx.facts.setdefault("rhythm", {})
    if "bounds" not in shared:
        ((low, high),) = ctx.con.execute("SELECT min(ts), max(ts) FROM events").fetchall()
        shared["bounds"] = None if low is None else (_utc(low), _utc(high))
    bounds: tuple[datetime, datetime] | None = shared["bounds"]
    return bounds


def active_span(ctx: AnalysisContext) -> Window:
    """The incident window, stretched to the end of the data (at most a day after its start)."""
    window = ctx.incident
    bounds = data_bounds(ctx)
    if bounds is None:
        return window
    # Stretch by at most the window's own length (an hour for short windows): far enough for
    # three cycles of a job, not so far that tomorrow's incident folds onto today's.
    stretch = max(window.end - window.start, MIN_STRETCH)
    end = min(bounds[1] + timedelta(seconds=1), window.end + stretch, window.start + MAX_STRETCH)
    start = max(window.start, bounds[0])
    end = max(end, window.end)
    return Window(start, end, "active span") if end > start else window


@dataclass(frozen=True)
class ErrorSeconds:
    """Errors per epoch second (only seconds with errors), with the host when asked for."""

    seconds: NDArray[np.int64]
    counts: NDArray[np.float64]
    hosts: NDArray[np.str_]

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def on(self, hosts: Sequence[str]) -> ErrorSeconds:
        if not hosts:
            return self
        keep = np.isin(self.hosts, list(hosts))
        return ErrorSeconds(self.seconds[keep], self.counts[keep], self.hosts[keep])


def error_seconds(ctx: AnalysisContext, windows: Sequence[Window]) -> ErrorSeconds:
    """Errors per (second, host) inside any of `windows`, aggregated in the engine.

    Periodicity and cron ask for the active span, the baselines, or both: one query counts
    the errors of all of them per (second, host, which windows hold the event) and each ask
    sums its windows' rows. Window edges fall inside seconds, hence the per-event flags.
    """
    known = [active_span(ctx), *ctx.baselines]
    index = {(w.start, w.end): i for i, w in enumerate(known)}
    asked = [index.get((w.start, w.end)) for w in windows]
    if any(i is None for i in asked):
        return _counted(_count_seconds(ctx, windows), range(len(windows)))
    frame = ctx.remember("rhythm.error_seconds", lambda: _count_seconds(ctx, known))
    return _counted(frame, [i for i in asked if i is not None])


def _count_seconds(ctx: AnalysisContext, windows: Sequence[Window]) -> Any:
    """Errors per second, host and membership of each window (columns w0, w1, ...)."""
    events = ctx.table("events")
    rows = events.filter(ctx.in_any(events.ts, windows) & signals.is_error(events))
    flags = {f"w{i}": ctx.in_window(rows.ts, window) for i, window in enumerate(windows)}
    rows = rows.mutate(s=rows.ts.epoch_seconds(), h=rows.host.fill_null(""), **flags)
    return rows.group_by(["s", "h", *flags]).aggregate(n=rows.count()).execute()


def _counted(frame: Any, chosen: Sequence[int]) -> ErrorSeconds:
    """The (second, host) counts of the rows in any of the `chosen` windows, ordered."""
    keep = np.zeros(len(frame), dtype=bool)
    for i in chosen:
        keep |= frame[f"w{i}"].to_numpy(dtype=bool)
    summed = frame[keep].groupby(["s", "h"], sort=True)["n"].sum().reset_index()
    return ErrorSeconds(
        summed["s"].to_numpy(dtype=np.int64),
        summed["n"].to_numpy(dtype=float),
        summed["h"].to_numpy(dtype=str),
    )


@dataclass(frozen=True)
class Rayleigh:
    n: int
    resultant: float  # mean resultant length R-bar, 0 (uniform) .. 1 (all at one phase)
    mean_phase: float  # radians, 0..2pi
    z: float  # n * R-bar^2
    p_value: float


def rayleigh(phases: NDArray[np.float64], weights: NDArray[np.float64]) -> Rayleigh:
    """Rayleigh test that the (weighted) phases are uniform on the circle."""
    n = float(weights.sum())
    if n < 2:
        return Rayleigh(int(n), 0.0, 0.0, 0.0, 1.0)
    c, s = float(weights @ np.cos(phases)), float(weights @ np.sin(phases))
    r = math.hypot(c, s)
    resultant = r / n
    # Zar's approximation, good to three decimals from n = 10 and usable below.
    p = math.exp(math.sqrt(1 + 4 * n + 4 * (n * n - r * r)) - (1 + 2 * n))
    phase = math.atan2(s, c) % (2 * math.pi)
    return Rayleigh(int(n), resultant, phase, n * resultant**2, min(max(p, 0.0), 1.0))


def phases(seconds: NDArray[np.int64], period: float, offset: float = 0.0) -> NDArray[np.float64]:
    return 2 * np.pi * np.mod(seconds.astype(float) + 0.5 - offset, period) / period


def clock_times(epochs: Sequence[float], timezone: str, *, with_hour: bool) -> list[str]:
    """Epoch seconds as local wall-clock times: ':07' (minutes only) or '09:07'."""
    tz = zone(timezone)
    texts = []
    for epoch in epochs:
        local = datetime.fromtimestamp(round(epoch), tz=UTC).astimezone(tz)
        texts.append(local.strftime("%H:%M" if with_hour else ":%M"))
    return texts


def period_text(seconds: float) -> str:
    """'15 min', '1 h', '1 h 30 min', '45 s'."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes else []
    parts += [f"{secs} s"] if secs else []
    return " ".join(parts)


def _utc(value: Any) -> datetime:
    moment: datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
