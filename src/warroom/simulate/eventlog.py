"""Columnar event store: every log record of a bundle as parallel numpy arrays.

Requests and log lines share one schema. Text is interned (messages, faults) and referred to by
index, so building a million events never builds a million Python strings. The writers turn
these columns into each log format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np

from warroom.simulate.faults import Fault

LEVELS: Final = ("debug", "info", "warn", "error", "fatal")
INFO, WARN, ERROR = 1, 2, 3
REQUEST, LINE = 0, 1

# name -> (dtype, value when a batch does not set it); -1 means "absent" for codes.
COLUMNS: Final[dict[str, tuple[type[np.generic], int]]] = {
    "ts": (np.int64, 0),  # microseconds since the epoch, UTC
    "host": (np.int16, 0),  # index into World.hosts
    "service": (np.int8, 0),  # index into world.SERVICES
    "kind": (np.int8, LINE),  # REQUEST or LINE
    "level": (np.int8, INFO),  # index into LEVELS
    "route": (np.int16, -1),  # index into world.ROUTES
    "obj": (np.int64, 0),  # the id substituted into the route's path
    "status": (np.int16, 0),
    "duration_us": (np.int64, -1),
    "user": (np.int32, -1),
    "agent": (np.int16, -1),  # index into world.BROWSERS
    "quantity": (np.int16, -1),  # index into world.QUANTITIES
    "payment": (np.int8, -1),  # index into world.PAYMENT_METHODS
    "upstream": (np.int8, -1),  # index into world.UPSTREAMS
    "message": (np.int32, -1),  # index into EventLog.messages
    "fault": (np.int32, -1),  # index into EventLog.faults
    "job": (np.int16, -1),  # index into background.JOBS
}
Columns = dict[str, np.ndarray]


def empty_columns(size: int) -> Columns:
    """Columns of `size` rows, each filled with its default."""
    return {name: np.full(size, default, dtype=dtype) for name, (dtype, default) in COLUMNS.items()}


class EventLog:
    """Collects batches of events, then hands them back as one time-sorted set of columns."""

    def __init__(self) -> None:
        self._batches: list[Columns] = []
        self.messages: list[str] = []
        self.faults: list[Fault] = []
        self._message_index: dict[str, int] = {}
        self._fault_index: dict[Fault, int] = {}

    def message(self, text: str) -> int:
        """The index of a message text, added on first use."""
        if text not in self._message_index:
            self._message_index[text] = len(self.messages)
            self.messages.append(text)
        return self._message_index[text]

    def fault(self, fault: Fault) -> int:
        if fault not in self._fault_index:
            self._fault_index[fault] = len(self.faults)
            self.faults.append(fault)
        return self._fault_index[fault]

    def add(self, ts: np.ndarray, **values: Any) -> None:
        """Add events at `ts`; every other column is an array of the same length or a scalar."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown event columns: {sorted(unknown)}")
        batch = empty_columns(len(ts))
        batch["ts"] = np.asarray(ts, dtype=np.int64)
        for name, value in values.items():
            batch[name][:] = value
        self._batches.append(batch)

    def add_columns(self, columns: Mapping[str, np.ndarray]) -> None:
        """Add a batch that already has every column (the generated requests)."""
        batch = empty_columns(len(columns["ts"]))
        for name, value in columns.items():
            batch[name][:] = value
        self._batches.append(batch)

    def finish(self, *, start_us: int, end_us: int) -> Columns:
        """All events inside [start, end), sorted by time (ties keep the order of addition)."""
        merged = {
            name: np.concatenate([batch[name] for batch in self._batches]) for name in COLUMNS
        }
        inside = (merged["ts"] >= start_us) & (merged["ts"] < end_us)
        order = np.argsort(merged["ts"][inside], kind="stable")
        return {name: column[inside][order] for name, column in merged.items()}
