"""The progress bar people see while a bundle loads (and nothing when output is for scripts)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


def evidence_progress(*, quiet: bool, console: Console | None = None) -> Progress | None:
    """A Rich progress bar when standard output is a terminal and output is not for scripts.

    Use it as a context manager around `load_bundle(..., progress=...)`; None means no bar.
    """
    console = console or Console(file=sys.stdout)
    if quiet or not console.is_terminal:
        return None
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@dataclass
class Tracker:
    """Advances one progress task, if there is a progress bar at all."""

    progress: Progress | None = None
    task: TaskID | None = None

    @classmethod
    def start(cls, progress: Progress | None, *, total: int) -> Tracker:
        if progress is None:
            return cls()
        return cls(progress, progress.add_task("Reading evidence", total=max(total, 1)))

    def step(self, description: str, *, advance: int = 1) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, advance=advance, description=description)
