"""What every scenario is: a story, a few knobs on the world, and a fault applied to it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import time
from typing import ClassVar

import numpy as np

from warroom.simulate.eventlog import ERROR
from warroom.simulate.faults import Fault
from warroom.simulate.metrics import MetricSet
from warroom.simulate.model import Simulation
from warroom.simulate.timeline import US, iso
from warroom.simulate.traffic import set_failure
from warroom.simulate.truth import Answer
from warroom.simulate.world import SERVICES


@dataclass(frozen=True)
class Outcome:
    """What a scenario did: the answer (None when nothing is wrong) and the story told."""

    answer: Answer | None
    story: str
    also_accept: tuple[Answer, ...] = ()
    onset_us: int | None = None  # when the symptoms really began, if not the timeline's onset


class Scenario(ABC):
    """Base class: implement `apply` (and `shape_metrics` when the fault shows in metrics)."""

    name: ClassVar[str]
    story: ClassVar[str]  # one line, for `warroom simulate --list`
    history_days: ClassVar[int] = 2  # whole days of history before the incident day
    morning_rush: ClassVar[bool] = False
    changes_near_onset: ClassVar[bool] = True  # False: no change in the two hours before onset
    reports_format: ClassVar[str | None] = None  # force "csv" or "jsonl" for the reports

    def onset_clock(self) -> time | None:
        """A fixed local onset time, or None for one drawn from the seed (10:00-16:00)."""
        return None

    @abstractmethod
    def apply(self, sim: Simulation) -> Outcome:
        """Change the healthy world the way the story says; return the answer and the story."""

    def shape_metrics(self, sim: Simulation, metrics: MetricSet) -> None:  # noqa: B027
        """Reshape the metrics the fault shows in; most faults show only in the logs, so the
        default leaves the healthy metrics as they are."""


def fail(
    sim: Simulation, mask: np.ndarray, *, status: int, fault: Fault, slower_ms: float = 0.0
) -> int:
    """Fail the masked requests with `status` and `fault`; returns how many failed."""
    set_failure(sim.requests, mask, status=status, fault=sim.log.fault(fault))
    if slower_ms:
        extra = sim.rng(f"slower:{fault.exception_type}").exponential(slower_ms, int(mask.sum()))
        sim.requests["duration_us"][mask] += (extra * 1000).astype(np.int64)
    return int(mask.sum())


def error_lines(
    sim: Simulation,
    ts: np.ndarray,
    *,
    host: str,
    service: str,
    text: str,
    fault: Fault | None = None,
) -> None:
    """Error lines that are not requests (a crash loop, a kernel message)."""
    sim.log.add(
        np.asarray(ts, dtype=np.int64),
        host=sim.world.host_index(host),
        service=SERVICES.index(service),
        level=ERROR,
        message=sim.log.message(text),
        fault=sim.log.fault(fault) if fault else -1,
    )


def clock(moment_us: int, sim: Simulation) -> str:
    """HH:MM in the bundle's time zone, for stories."""
    local = (moment_us // US + sim.timeline.offset_s) % 86400
    return f"{local // 3600:02d}:{local // 60 % 60:02d}"


def when(sim: Simulation) -> str:
    """The onset for stories: local clock and UTC instant."""
    return f"{clock(sim.onset_us, sim)} {sim.world.timezone} ({iso(sim.onset_us)})"
