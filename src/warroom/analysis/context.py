"""What every analyzer receives: windows, tables on the engine, parameters, earlier facts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, cast

from warroom.analysis import stats
from warroom.analysis.windows import Window, Windows

T = TypeVar("T")


@dataclass(frozen=True)
class Params:
    """Thresholds shared by the analyzers (DESIGN: significance and material size)."""

    alpha: float = stats.ALPHA
    min_ratio: float = stats.MIN_RATIO
    min_events: int = stats.MIN_EVENTS
    max_examples: int = 3


@dataclass
class AnalysisContext:
    """Analyzers read the normalised tables through this, never the files.

    `con` is the DuckDB connection holding events, metrics, changes, cron_jobs and reports;
    `backend` is the same connection seen through Ibis. `facts` carries results of analyzers that
    ran earlier (the onset, the spread) to those that need them.
    """

    con: Any  # duckdb.DuckDBPyConnection
    windows: Windows
    params: Params = field(default_factory=Params)
    facts: dict[str, Any] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    # Results shared by analyzers of one run that are no facts (the mined message templates).
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _tables: dict[str, Any] = field(default_factory=dict, repr=False, init=False)

    @cached_property
    def backend(self) -> Any:
        import ibis

        return ibis.duckdb.from_connection(self.con)

    def table(self, name: str) -> Any:
        """An Ibis table expression over one normalised table. Kept per name: building one
        asks DuckDB for the schema, and the normalised tables do not change during a run."""
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

    def remember(self, key: str, build: Callable[[], T]) -> T:
        """What `build()` gives, built on the first ask and kept in `memo` for the rest of the
        investigation (for work several analyzers or findings ask for)."""
        if key not in self.memo:
            self.memo[key] = build()
        return cast(T, self.memo[key])

    def has(self, name: str) -> bool:
        return self.row_counts.get(name, 0) > 0

    @property
    def incident(self) -> Window:
        return self.windows.incident

    @property
    def baselines(self) -> tuple[Window, ...]:
        return self.windows.baselines

    def in_window(self, ts: Any, window: Window) -> Any:
        """Ibis boolean: `ts` falls in [start, end). Times in the tables are naive UTC."""
        return (ts >= _naive(window.start)) & (ts < _naive(window.end))

    def in_baseline(self, ts: Any) -> Any:
        return self.in_any(ts, self.baselines)

    def in_any(self, ts: Any, windows: Sequence[Window]) -> Any:
        """Ibis boolean: `ts` falls in one of `windows`."""
        if not windows:
            return ts.isnull() & ts.notnull()  # always false, keeps the expression typed
        condition = self.in_window(ts, windows[0])
        for window in windows[1:]:
            condition = condition | self.in_window(ts, window)
        return condition

    def period(self, ts: Any) -> Any:
        """Ibis string: 'incident', 'baseline' or NULL for each timestamp."""
        import ibis

        return ibis.cases(
            (self.in_window(ts, self.incident), "incident"),
            (self.in_baseline(ts), "baseline"),
            else_=None,
        )


def _naive(moment: Any) -> Any:
    """DuckDB TIMESTAMP columns hold UTC without an offset; compare like with like."""
    from datetime import UTC

    return moment.astimezone(UTC).replace(tzinfo=None)
