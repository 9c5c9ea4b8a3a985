"""The null case: the same world with all its distractors, and nothing wrong."""

from __future__ import annotations

from warroom.simulate.model import Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, clock


class Null(Scenario):
    name = "null"
    story = "A quiet day: deploys, cron jobs and background errors, but nothing is wrong."

    def apply(self, sim: Simulation) -> Outcome:
        start, end = sim.timeline.window_us
        story = (
            f"Someone asked whether anything was wrong between {clock(start, sim)} and "
            f"{clock(end, sim)} {sim.world.timezone}. Nothing was: the day has its usual deploys, "
            "flag and config changes, cron jobs, background errors and warnings, and none of "
            "them hurt. An investigation must name no suspect."
        )
        return Outcome(None, story)
