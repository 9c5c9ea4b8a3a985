"""When things happen: the history a bundle covers, the onset, and the incident window.

All instants are integer microseconds since the Unix epoch (UTC), the unit of every time column.
The incident day and the onset come from the seed, never from the clock on the wall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import numpy as np

from warroom.simulate.randomness import stream
from warroom.simulate.world import World
from warroom.timeutil import iso_z, zone

US = 1_000_000
MINUTE_US = 60 * US
HOUR_US = 3600 * US
DAY_US = 24 * HOUR_US


@dataclass(frozen=True)
class Timeline:
    """The span of the data, the onset of the fault (None for the null case) and the window."""

    start_us: int
    end_us: int
    onset_us: int  # for the null case: where the quiet window was placed
    window_us: tuple[int, int]
    offset_s: int  # the bundle's UTC offset (constant: histories never cross a clock change)

    def local_hours(self, moments_us: np.ndarray) -> np.ndarray:
        """Fractional hour of the local day (0 <= h < 24) for each instant."""
        local = (moments_us + self.offset_s * US) % DAY_US
        return np.asarray(local / HOUR_US, dtype=np.float64)

    def local_weekday(self, moments_us: np.ndarray) -> np.ndarray:
        """Monday = 0 ... Sunday = 6, in local time (1970-01-01 was a Thursday)."""
        days = (moments_us + self.offset_s * US) // DAY_US
        return np.asarray((days + 3) % 7, dtype=np.int64)


def to_us(moment: datetime) -> int:
    return int(moment.timestamp()) * US + moment.microsecond


def iso(moment_us: int) -> str:
    """ISO 8601 in UTC with Z and whole seconds, as truth.json and change events carry it."""
    return iso_z(datetime.fromtimestamp(moment_us // US, tz=UTC))


def local_instant(world: World, day_offset: int, clock: time) -> int:
    """The instant of a local wall-clock time on the incident day (+ `day_offset` days)."""
    tz = zone(world.timezone)
    day = world.day + timedelta(days=day_offset)
    return to_us(datetime.combine(day, clock, tzinfo=tz))


def utc_offset_s(world: World) -> int:
    tz = zone(world.timezone)
    offset = datetime.combine(world.day, time(12), tzinfo=tz).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def build_timeline(
    *, world: World, history_days: int, onset_clock: time | None, lead_minutes: int = 10
) -> Timeline:
    """History from local midnight `history_days` before the incident day to the window's end.

    The onset is `onset_clock` on the incident day, or a time between 10:00 and 16:00 local
    drawn from the seed. The window opens a few minutes before the onset (when someone
    noticed) and lasts 60 to 90 minutes.
    """
    rng = stream(world.seed, "timeline")
    if onset_clock is None:
        seconds = int(rng.integers(10 * 3600, 16 * 3600))
        onset_clock = time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    onset = local_instant(world, 0, onset_clock)
    lead = (lead_minutes + int(rng.integers(0, 8))) * MINUTE_US
    start = (onset - lead) // (5 * MINUTE_US) * (5 * MINUTE_US)
    end = start + int(rng.integers(60, 91)) * MINUTE_US
    return Timeline(
        start_us=local_instant(world, -history_days, time(0)),
        end_us=end,
        onset_us=onset,
        window_us=(start, end),
        offset_s=utc_offset_s(world),
    )
