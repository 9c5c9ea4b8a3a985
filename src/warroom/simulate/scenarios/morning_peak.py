"""Morning peak: every working day at nine everyone logs on and the api runs out of capacity.

The errors repeat on every weekday of the history and never at the weekend; they follow the
request rate, not a change. The answer is the time of day.
"""

from __future__ import annotations

from datetime import time

import numpy as np

from warroom.simulate.faults import python_app_fault
from warroom.simulate.metrics import per_minute
from warroom.simulate.model import Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, clock
from warroom.simulate.timeline import MINUTE_US, iso
from warroom.simulate.traffic import set_failure
from warroom.simulate.truth import Answer

FAULT = python_app_fault(
    "sqlalchemy.exc.TimeoutError",
    "QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 30.00",
    "app.db",
    "connection",
    "return self._engine.connect()",
    line=44,
)
# The api serves this share of its rush-hour peak before requests start queueing.
CAPACITY = 0.55


class MorningPeak(Scenario):
    name = "morning_peak"
    story = "Every weekday at 09:00 everyone logs on and the api runs out of connections."
    history_days = 6
    morning_rush = True

    def onset_clock(self) -> time | None:
        return time(9, 0)

    def apply(self, sim: Simulation) -> Outcome:
        api = sim.on_service("api")
        grid = np.arange(sim.timeline.start_us, sim.timeline.end_us, MINUTE_US, dtype=np.int64)
        counts = per_minute(sim.requests["ts"][api], grid).astype(np.float64)
        rate = np.convolve(counts, np.ones(5) / 5, mode="same")  # minutes are noisy
        capacity = CAPACITY * float(rate.max())
        excess = np.clip((rate - capacity) / np.maximum(rate, 1), 0, 0.6)
        slot = np.clip((sim.requests["ts"] - grid[0]) // MINUTE_US, 0, grid.size - 1)
        draws = sim.rng("overload").random(slot.size)
        failing = api & (draws < excess[slot])
        sim.requests["duration_us"][api & (excess[slot] > 0)] *= 5
        set_failure(sim.requests, failing, status=503, fault=sim.log.fault(FAULT))
        today = sim.requests["ts"][failing & sim.after(sim.onset_us - 30 * MINUTE_US)]
        onset = int(today.min()) if today.size else sim.onset_us
        days = len({int(t // (86_400 * 1_000_000)) for t in sim.requests["ts"][failing]})
        story = (
            f"On {days} working days in a row, about 09:00 {sim.world.timezone} everyone logs "
            "on at once; the api's database pool (20 + 10 connections) cannot keep up and up to "
            "60 % of api requests fail with 503 for half an hour. Weekends are calm. Today it "
            f"started at {clock(onset, sim)} ({iso(onset)}). No change is involved: it is a "
            "capacity problem at a time of day."
        )
        alternatives = (Answer("time_of_day", "09:00-10:00"), Answer("time_of_day", "08:45-09:30"))
        return Outcome(
            Answer("time_of_day", "09:00-09:30"), story, also_accept=alternatives, onset_us=onset
        )
