from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.analysis.rhythm_data import T0, fail_in, fleet, run, scenario, store
from warroom.analysis.daily import BINS, DayGrid, span_ref
from warroom.analysis.investigation import Investigation

DAYS = 5
HOURS = (DAYS - 1) * 24 + 10  # the data ends at 10:00 UTC on the fifth day


def _day(n: int, hour: int, minute: int = 0) -> datetime:
    return T0 + timedelta(days=n, hours=hour, minutes=minute)


def _mornings(days: list[int], *, hour: int = 9, seed: int = 1) -> pd.DataFrame:
    """Pool timeouts from hour:00 to hour:30 UTC on `days`; the incident is the last day."""
    stretches = [(_day(d, hour), _day(d, hour, 30)) for d in days]
    frame = fail_in(fleet(seed=seed, hours=HOURS, per_second=0.3), stretches, share=0.4, seed=seed)
    return frame


def _suspects(result: Investigation) -> list[tuple[str, float]]:
    return [(s.ref, s.score) for s in result.suspects if s.kind == "time_of_day"]


@pytest.fixture(scope="module")
def every_morning() -> Investigation:
    con = store(_mornings(list(range(DAYS)), hour=8))
    return run(con, (_day(DAYS - 1, 7, 50), _day(DAYS - 1, 10)), timezone="Europe/Berlin")


def test_time_of_day_recurring_morning_peak_is_the_suspect(every_morning: Investigation) -> None:
    # 08:00-08:30 UTC is 09:00-09:30 in Berlin in March (CET, +01:00).
    assert every_morning.suspects[0].kind == "time_of_day"
    assert _suspects(every_morning)[0][0] == "09:00-09:30"
    finding = every_morning.finding("time_of_day:recurring:09:00-09:30")
    assert finding is not None and finding.score > 0.5
    assert finding.statement.startswith("Recurring daily 09:00–09:30 (Europe/Berlin): on 4 of 4")
    assert finding.baseline["days_recurring"] == 4 and finding.baseline["days"] == 4
    assert finding.p_value is not None and finding.p_value < 1e-10
    assert finding.effect is not None and finding.effect > 5
    assert (
        finding.incident["errors"] > 0 and finding.incident["events"] > finding.incident["errors"]
    )


def test_time_of_day_one_off_is_never_seen_before() -> None:
    con = store(_mornings([DAYS - 1]))
    result = run(con, (_day(DAYS - 1, 8, 50), _day(DAYS - 1, 10)))
    assert _suspects(result) == []
    finding = result.finding("time_of_day:not_recurring")
    assert finding is not None and finding.score == 0.0
    assert finding.statement.startswith("Never seen before at this time of day: on none of 4")
    assert any(e.cause == "a daily pattern (the time of day)" for e in result.eliminated)


def test_time_of_day_seen_once_before_is_not_a_daily_pattern() -> None:
    con = store(_mornings([1, DAYS - 1], seed=2))
    result = run(con, (_day(DAYS - 1, 8, 50), _day(DAYS - 1, 10)))
    assert _suspects(result) == []
    finding = result.finding("time_of_day:not_recurring")
    assert finding is not None and finding.statement.startswith("Not a daily pattern: only 1 of 4")


def test_time_of_day_quiet_data_raises_nothing() -> None:
    con = store(fleet(seed=3, hours=HOURS, per_second=0.3))
    result = run(con, (_day(DAYS - 1, 8, 50), _day(DAYS - 1, 10)))
    assert _suspects(result) == []
    assert all(f.score == 0.0 for f in result.findings if f.analyzer == "time_of_day:v1")


def test_time_of_day_needs_another_day() -> None:
    stretch = [(_day(0, 9), _day(0, 9, 30))]
    con = store(fail_in(fleet(seed=4, hours=10, per_second=0.3), stretch, share=0.4, seed=4))
    result = run(con, (_day(0, 8, 50), _day(0, 10)))
    assert _suspects(result) == []
    assert "time of day: other days have no data at these hours" in result.notes


def _grid(slot_start: int) -> DayGrid:
    empty = np.zeros((1, BINS))
    return DayGrid([date(2026, 3, 4)], empty, empty, slot_start, 12)


@pytest.mark.parametrize(
    ("slot_start", "first", "end", "ref"),
    [
        (8 * 60 + 50, 1, 7, "09:00-09:30"),  # 08:55-09:25
        (8 * 60 + 50, 2, 6, "09:00-09:30"),  # 09:00-09:20: the fading tail rounds up
        (8 * 60 + 50, 0, 9, "08:45-09:45"),  # 08:50-09:35
        (8 * 60 + 50, -2, 2, "08:45-09:00"),  # 08:40-09:00
        (8 * 60 + 50, 0, 40, "09:00-12:30"),  # 08:50-12:10: over two hours, half hours
        (23 * 60 + 50, 0, 8, "23:45-00:30"),  # across midnight
        (9 * 60, 0, 1, "09:00-09:15"),  # five minutes still make a quarter hour
    ],
)
def test_time_of_day_ref_on_quarter_hours(slot_start: int, first: int, end: int, ref: str) -> None:
    assert span_ref(_grid(slot_start), first, end) == ref


@pytest.mark.parametrize("seed", [1, 2])  # seed 1: window in the manifest; seed 2: detected
def test_morning_peak_scenario_names_the_time_of_day_first(seed: int, tmp_path: Path) -> None:
    truth, result = scenario("morning_peak", seed=seed, folder=tmp_path)
    top = result.suspects[0]
    assert top.kind == "time_of_day" and truth.accepts(top.kind, top.ref)
