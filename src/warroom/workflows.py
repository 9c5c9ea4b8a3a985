"""Application workflows that join the evidence reader and the analysis engine.

`evidence` and `analysis` do not import each other; the CLI, the web app and the demo all
investigate a bundle through this one function, so they behave the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warroom.config import Settings
from warroom.errors import InputError

if TYPE_CHECKING:
    from warroom.analysis.investigate import WindowRequest
    from warroom.analysis.investigation import Investigation


def investigate_bundle(
    path: Path,
    *,
    settings: Settings,
    start: str | None = None,
    end: str | None = None,
    progress: Any = None,
    cache: bool = True,
) -> Investigation:
    """Load `path`, resolve the windows (command line, then manifest, then detection), analyse.

    `progress` is a Rich Progress to report on, or None to stay quiet.
    """
    with open_investigation(
        path, settings=settings, start=start, end=end, progress=progress, cache=cache
    ) as (result, _con):
        return result


@contextmanager
def open_investigation(
    path: Path,
    *,
    settings: Settings,
    start: str | None = None,
    end: str | None = None,
    progress: Any = None,
    cache: bool = True,
) -> Iterator[tuple[Investigation, Any]]:
    """Like `investigate_bundle`, but keeps the bundle open: yields the result and the DuckDB
    connection with the normalised tables, for reports that chart more than the findings say
    (the HTML report). The connection is closed when the block ends.
    """
    from warroom.analysis.investigate import investigate
    from warroom.evidence.bundle import load_bundle
    from warroom.timeutil import parse_time, zone

    with ExitStack() as stack:
        cache_dir = settings.data_dir / "cache" if cache else None
        loaded = load_bundle(
            path, cache_dir=cache_dir, timezone=settings.timezone, progress=progress
        )
        stack.callback(loaded.close)
        tz = zone(loaded.timezone)
        request = window_request(
            loaded.manifest,
            start=parse_time(start, tz=tz) if start else None,
            end=parse_time(end, tz=tz) if end else None,
        )
        result = investigate(
            loaded.con,
            inputs=loaded.inputs(),
            timezone=loaded.timezone,
            request=request,
            on_step=_analysis_step(progress),
        )
        yield result, loaded.con


def window_request(manifest: Any, *, start: datetime | None, end: datetime | None) -> WindowRequest:
    from warroom.analysis.investigate import WindowRequest

    if (start is None) != (end is None):
        raise InputError(
            "give both --start and --end, or neither", hint="e.g. --start 14:00 --end 15:00"
        )
    if start is not None and end is not None:
        return WindowRequest(incident=(start, end), source="given")
    window = manifest.window
    if window is not None and window.incident is not None:
        baselines = list(window.baseline) or None
        return WindowRequest(incident=window.incident, baselines=baselines, source="manifest")
    return WindowRequest()


def _analysis_step(progress: Any) -> Callable[[Any], None] | None:
    if progress is None:
        return None
    from warroom.analysis.registry import registered_analyzers

    task = progress.add_task("analysing", total=len(registered_analyzers()))

    def step(analyzer: Any) -> None:
        progress.update(task, advance=1, description=f"analysing: {analyzer.title}")

    return step
