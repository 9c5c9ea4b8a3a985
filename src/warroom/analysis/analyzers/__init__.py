"""Built-in analyzers, registered through the same hook as plugins (DEFAULT_PLUGINS)."""

from __future__ import annotations

from warroom.analysis.analyzers.changes import Changes
from warroom.analysis.analyzers.clients import Clients
from warroom.analysis.analyzers.cron import Cron
from warroom.analysis.analyzers.dependencies import Dependencies
from warroom.analysis.analyzers.http import Http
from warroom.analysis.analyzers.inputs import Inputs
from warroom.analysis.analyzers.messages import Messages
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.analyzers.periodicity import Periodicity
from warroom.analysis.analyzers.resources import Resources
from warroom.analysis.analyzers.spread import Spread
from warroom.analysis.analyzers.stacks import Stacks
from warroom.analysis.analyzers.time_of_day import TimeOfDay
from warroom.analysis.analyzers.traffic import Traffic
from warroom.analysis.registry import Analyzer
from warroom.hookspecs import hookimpl


@hookimpl
def register_analyzers() -> list[Analyzer]:
    return [
        Onset(),
        Spread(),
        Changes(),
        Dependencies(),
        Http(),
        Messages(),
        Stacks(),
        # part 2: anomalies against the baseline, patterns over time and over inputs
        Traffic(),
        Resources(),
        Periodicity(),
        Cron(),
        TimeOfDay(),
        Inputs(),
        Clients(),
    ]
