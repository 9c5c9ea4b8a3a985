"""Incident and baseline windows: given, or detected from the data.

The baseline is the same length just before the incident, plus the same hours on previous days
present in the data (seasonally matched), so a morning peak is compared with other mornings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from warroom.errors import InputError
from warroom.timeutil import iso_z

MAX_PREVIOUS_DAYS = 7
MIN_DAY_COVERAGE = 0.5  # a previous day counts when the data covers half its window


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    label: str

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InputError(
                f"window {iso_z(self.start)} – {iso_z(self.end)} is empty or reversed",
                hint="the end must come after the start",
            )

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def overlaps(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end

    def as_json(self) -> list[str]:
        return [iso_z(self.start), iso_z(self.end)]


@dataclass(frozen=True)
class Windows:
    incident: Window
    baselines: tuple[Window, ...]
    timezone: str = "UTC"
    source: str = "given"  # given | manifest | detected
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def baseline_seconds(self) -> float:
        return sum(w.seconds for w in self.baselines)


def default_baselines(
    incident: Window, data_start: datetime | None, data_end: datetime | None
) -> tuple[tuple[Window, ...], tuple[str, ...]]:
    """The window just before, then the same hours on each previous day the data covers."""
    length = incident.end - incident.start
    earliest = data_start or incident.start - length
    before_start = max(incident.start - length, earliest)
    baselines: list[Window] = []
    notes: list[str] = []
    if before_start < incident.start:
        baselines.append(Window(before_start, incident.start, "just before"))
        if before_start > incident.start - length:
            notes.append("the data starts less than one incident length before the incident")
    for days in range(1, MAX_PREVIOUS_DAYS + 1):
        shift = timedelta(days=days)
        start, end = incident.start - shift, incident.end - shift
        if data_start is None or end <= data_start:
            break
        covered = (end - max(start, data_start)) / (end - start)
        if covered < MIN_DAY_COVERAGE:
            break
        window = Window(
            max(start, data_start), end, f"same hours {days} day{'s' * (days > 1)} earlier"
        )
        if not any(window.overlaps(b) for b in baselines) and not window.overlaps(incident):
            baselines.append(window)
    if not any(b.label.startswith("same hours") for b in baselines):
        notes.append("history too short for a same-hours baseline on previous days")
    if not baselines:
        notes.append("no data before the incident: nothing to compare with")
    del data_end  # reserved: baselines after the incident are not used (recovery is not normal)
    return tuple(baselines), tuple(notes)


def make_windows(
    incident: tuple[datetime, datetime],
    *,
    baselines: list[tuple[datetime, datetime]] | None,
    data_start: datetime | None,
    data_end: datetime | None,
    timezone: str,
    source: str,
) -> Windows:
    """Windows from an explicit incident window and optional explicit baselines."""
    window = Window(incident[0], incident[1], "incident")
    if baselines:
        chosen = tuple(Window(s, e, f"baseline {i + 1}") for i, (s, e) in enumerate(baselines))
        for b in chosen:
            if b.overlaps(window):
                raise InputError(
                    f"baseline {iso_z(b.start)} – {iso_z(b.end)} overlaps the incident window",
                    hint="pick a baseline outside the incident",
                )
        return Windows(window, chosen, timezone, source, ())
    chosen, notes = default_baselines(window, data_start, data_end)
    return Windows(window, chosen, timezone, source, notes)
