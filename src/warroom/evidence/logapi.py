"""The log half of evidence loading, `warroom.evidence.logs`, reached through one typed door.

The log loaders live in their own package; the bundle reader only needs its sniffer and its
loaders. Looking the module up at call time keeps the two halves independent (and lets tests
stand in a double for it).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, cast

import duckdb

from warroom.evidence.types import FileLoad, LoadContext


class LogAPI(Protocol):
    """What `warroom.evidence.logs` offers the bundle reader."""

    def sniff_log(self, sample: list[str]) -> str | None: ...

    def load_log(
        self, con: duckdb.DuckDBPyConnection, path: Path, *, fmt: str, ctx: LoadContext
    ) -> FileLoad: ...

    def load_logs(
        self,
        con: duckdb.DuckDBPyConnection,
        files: Sequence[tuple[Path, LoadContext]],
        *,
        fmt: str,
    ) -> list[FileLoad]: ...


def log_api() -> LogAPI:
    """The log package, as currently imported."""
    return cast(LogAPI, importlib.import_module("warroom.evidence.logs"))
