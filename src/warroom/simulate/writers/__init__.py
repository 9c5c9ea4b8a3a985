"""Writers: one per output format, and `write_bundle`, which lays a whole bundle out on disk.

The log format is the caller's choice; the other formats (metrics, changes, reports, syslog
RFC, whether the manifest names the window) rotate with the seed and the scenario, so a
benchmark over seeds and scenarios meets all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warroom.simulate.eventlog import Columns
from warroom.simulate.metrics import MetricSet
from warroom.simulate.model import Simulation
from warroom.simulate.writers.access import write_access
from warroom.simulate.writers.changes import CHANGE_FORMATS, write_changes
from warroom.simulate.writers.crontab import write_crontab
from warroom.simulate.writers.jsonl import write_jsonl
from warroom.simulate.writers.logfmt import write_logfmt
from warroom.simulate.writers.manifest import write_manifest
from warroom.simulate.writers.metrics import METRIC_FORMATS, write_metrics
from warroom.simulate.writers.reports import REPORT_FORMATS, write_reports
from warroom.simulate.writers.sql import install_macros, offset_text
from warroom.simulate.writers.syslog import write_syslog
from warroom.simulate.writers.table import connect, event_table


@dataclass(frozen=True)
class Layout:
    """Which format each part of the bundle is written in."""

    logs: str
    syslog_rfc: int
    metrics: str
    changes: str
    reports: str
    include_window: bool


def choose_layout(*, fmt: str, seed: int, scenario_index: int) -> Layout:
    """The formats for one bundle, rotating with seed and scenario."""
    turn = seed + scenario_index
    return Layout(
        logs=fmt,
        syslog_rfc=5424 if turn % 2 == 0 else 3164,
        metrics=METRIC_FORMATS[turn % len(METRIC_FORMATS)],
        changes=CHANGE_FORMATS[(seed + 2 * scenario_index) % len(CHANGE_FORMATS)],
        reports=REPORT_FORMATS[turn % len(REPORT_FORMATS)],
        include_window=(seed // 2 + scenario_index) % 2 == 0,
    )


def write_logs(*, out: Path, sim: Simulation, events: Columns, layout: Layout) -> list[Path]:
    """The log files of the bundle, in the layout's log format."""
    table = event_table(events=events, world=sim.world, log=sim.log, offset_s=sim.timeline.offset_s)
    con = connect(table)
    install_macros(con)
    try:
        if layout.logs == "jsonl":
            return write_jsonl(con, out=out, world=sim.world, offset_s=sim.timeline.offset_s)
        if layout.logs == "access":
            return write_access(
                con,
                out=out,
                world=sim.world,
                offset=offset_text(sim.timeline.offset_s).replace(":", ""),
            )
        if layout.logs == "logfmt":
            return write_logfmt(con, out=out, world=sim.world)
        return write_syslog(con, out=out, world=sim.world, rfc=layout.syslog_rfc)
    finally:
        con.close()


def write_records(*, out: Path, sim: Simulation, metrics: MetricSet, layout: Layout) -> list[Path]:
    """Everything but the logs: metrics, changes, crontab, reports and the manifest."""
    written = write_metrics(out=out, metrics=metrics, world=sim.world, fmt=layout.metrics)
    written.append(write_changes(out=out, changes=sim.changes, fmt=layout.changes))
    written.append(write_crontab(out=out, jobs=sim.cron_jobs, timezone=sim.world.timezone))
    optional = (
        write_reports(out=out, reports=sim.reports, fmt=layout.reports),
        write_manifest(
            out=out,
            timezone=sim.world.timezone,
            window_us=sim.timeline.window_us if layout.include_window else None,
        ),
    )
    written += [path for path in optional if path is not None]
    return written
