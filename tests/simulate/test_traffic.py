"""The healthy world: traffic shape, background failures, browsers, calendar."""

from __future__ import annotations

import functools

import numpy as np
from ua_parser import parse

from warroom.simulate.eventlog import EventLog
from warroom.simulate.randomness import stream
from warroom.simulate.timeline import HOUR_US, build_timeline
from warroom.simulate.traffic import add_background_failures, daily_curve, generate_requests
from warroom.simulate.world import BROWSERS, build_world, incident_day


def test_traffic_daily_curve_is_quiet_at_night_and_busy_by_day() -> None:
    hours = np.arange(0, 24, 0.5)
    weekday = daily_curve(hours, np.zeros(hours.size), morning_rush=False)
    weekend = daily_curve(hours, np.full(hours.size, 6), morning_rush=False)
    assert weekday[hours == 4][0] < 0.25 * weekday[hours == 11][0]
    assert np.all(weekend < weekday)
    rush = daily_curve(hours, np.zeros(hours.size), morning_rush=True)
    assert rush[hours == 9][0] > 2 * weekday[hours == 9][0]


def _requests(seed: int) -> tuple[dict[str, np.ndarray], object]:
    world = build_world(seed=seed, lines=100_000)
    timeline = build_timeline(world=world, history_days=2, onset_clock=None)
    columns = generate_requests(
        rng=stream(seed, "traffic"), world=world, timeline=timeline, count=60_000
    )
    return columns, timeline


def test_traffic_follows_the_local_day() -> None:
    columns, timeline = _requests(5)
    hours = timeline.local_hours(columns["ts"])  # type: ignore[attr-defined]
    night = np.sum((hours >= 2) & (hours < 5))
    day = np.sum((hours >= 10) & (hours < 13))
    assert 50_000 <= columns["ts"].size <= 70_000
    assert day > 4 * night
    assert np.all(np.diff(columns["ts"]) >= 0)


def test_traffic_background_failures_are_rare() -> None:
    columns, _ = _requests(6)
    add_background_failures(rng=stream(6, "bg"), columns=columns, log=EventLog())
    share = np.mean(columns["status"] >= 500)
    assert 0.001 <= share <= 0.005
    assert np.all(columns["fault"][columns["status"] >= 500] >= 0)


def test_traffic_users_keep_their_browser() -> None:
    columns, _ = _requests(7)
    users, agents = columns["user"], columns["agent"]
    first = {}
    for user, agent in zip(users[:5000].tolist(), agents[:5000].tolist(), strict=True):
        assert first.setdefault(user, agent) == agent


@functools.lru_cache(maxsize=32)
def _parsed(user_agent: str) -> str:
    agent = parse(user_agent).user_agent
    return f"{agent.family} {agent.major}" if agent else ""


def test_traffic_browser_names_are_what_ua_parser_says() -> None:
    assert all(_parsed(b.user_agent) == b.name for b in BROWSERS)


def test_traffic_incident_days_are_weekdays_in_summer_time() -> None:
    days = [incident_day(seed) for seed in range(200)]
    assert all(day.weekday() in (1, 2, 3, 4) for day in days)
    assert min(days).month >= 4
    assert max(days).month <= 10
    world = build_world(seed=3, lines=5_000_000)
    assert len(world.hosts) == 50
    timeline = build_timeline(world=world, history_days=6, onset_clock=None)
    assert timeline.window_us[0] < timeline.onset_us < timeline.window_us[1]
    assert timeline.window_us[1] - timeline.window_us[0] >= HOUR_US
