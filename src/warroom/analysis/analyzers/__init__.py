"""Built-in analyzers, registered through the same hook as plugins (DEFAULT_PLUGINS)."""

from __future__ import annotations

from warroom.analysis.analyzers.changes import Changes
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.analyzers.spread import Spread
from warroom.analysis.registry import Analyzer
from warroom.hookspecs import hookimpl


@hookimpl
def register_analyzers() -> list[Analyzer]:
    return [
        Onset(),
        Spread(),
        Changes(),
    ]
