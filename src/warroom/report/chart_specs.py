"""Altair (Vega-Lite) specifications for the HTML report, and their rendering to inline SVG.

Data arrive as small lists of dicts (see chart_data.py): times are wall-clock strings drawn on a
UTC scale. vl-convert renders the SVG in-process, so the report needs no JavaScript and no
network, and reads the same in a browser, a mail client or on paper.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

import altair as alt

WIDTH = 860
INCIDENT_COLOR = "#d62728"
BASELINE_COLOR = "#4c78a8"
ERROR_COLOR = "#b2182b"
TRAFFIC_COLOR = "#9ecae1"
LABEL_FONT = 12
LANE_PX = 16
MAX_LANES = 5
_ids = itertools.count(1)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render one chart to SVG whose ids cannot clash with another chart's on the same page."""
    import vl_convert

    svg = str(vl_convert.vegalite_to_svg(chart.to_dict()))
    prefix = f"c{next(_ids)}-"
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', svg)


def _data(rows: Sequence[dict[str, Any]]) -> Any:
    """Inline data: rows are a few hundred aggregates, so they live in the spec itself."""
    return {"values": list(rows)}


def _configure(chart: Any) -> Any:
    return (
        chart.configure(font="DejaVu Sans, Helvetica, Arial, sans-serif")
        .configure_axis(labelFontSize=LABEL_FONT, titleFontSize=13, labelLimit=320)
        .configure_legend(labelFontSize=LABEL_FONT, titleFontSize=13, orient="top")
        .configure_title(fontSize=15, anchor="start", subtitleFontSize=12)
        .configure_view(stroke="#ccc")
    )


def time_x(domain: tuple[str, str], title: str | None) -> alt.X:
    return alt.X(
        "t:T",
        title=title,
        scale=alt.Scale(type="utc", domain=list(domain)),
        axis=alt.Axis(format="%a %H:%M", labelOverlap=True, tickCount=10),
    )


def window_bands(bands: Sequence[dict[str, Any]], domain: tuple[str, str]) -> Any:
    """Shaded incident and baseline windows, with a legend."""
    return (
        alt.Chart(_data(list(bands)))
        .mark_rect(opacity=0.14)
        .encode(
            x=alt.X("start:T", scale=alt.Scale(type="utc", domain=list(domain)), title=None),
            x2="end:T",
            color=alt.Color(
                "window:N",
                title="windows",
                scale=alt.Scale(
                    domain=["incident", "baseline"], range=[INCIDENT_COLOR, BASELINE_COLOR]
                ),
            ),
        )
    )


def error_timeline(
    points: Sequence[dict[str, Any]],
    bands: Sequence[dict[str, Any]],
    marks: Sequence[dict[str, Any]],
    domain: tuple[str, str],
    *,
    title: str,
    x_title: str,
    height: int = 260,
) -> Any:
    """Errors per minute, windows shaded, and vertical marks (onset, changes) with labels.

    `marks` carry "t", "label", "kind" ("onset" or "change") and "lane" (None: no label).
    """
    lanes = max((m["lane"] for m in marks if m.get("lane") is not None), default=-1) + 1
    top = max((p["errors_per_min"] for p in points), default=0.0) or 1.0
    headroom = top * height / max(height - 10 - lanes * LANE_PX, height / 2)
    y = alt.Y("errors_per_min:Q", title="errors per minute", scale=alt.Scale(domain=[0, headroom]))
    line = (
        alt.Chart(_data(list(points)))
        .mark_line(color=ERROR_COLOR, strokeWidth=1.6, interpolate="step-after")
        .encode(x=time_x(domain, x_title), y=y)
    )
    layers: list[Any] = [window_bands(bands, domain), line, *_vertical_marks(marks, domain)]
    chart = alt.layer(*layers).properties(width=WIDTH, height=height, title=title)
    # Windows and marks are different things: one legend each, not one merged colour scale.
    return _configure(chart.resolve_scale(color="independent"))


def _vertical_marks(marks: Sequence[dict[str, Any]], domain: tuple[str, str]) -> list[Any]:
    if not marks:
        return []
    data = _data([{**m, "y": 6 + (m.get("lane") or 0) * LANE_PX} for m in marks])
    x = alt.X("t:T", scale=alt.Scale(type="utc", domain=list(domain)), title=None)
    scale = alt.Scale(domain=["onset", "change"], range=[INCIDENT_COLOR, "#555"])
    color = alt.Color("kind:N", title="marks", scale=scale)
    rules = alt.Chart(data).mark_rule(strokeDash=[5, 3], strokeWidth=1.4).encode(x=x, color=color)
    labelled = alt.Chart(data).transform_filter("datum.lane != null")
    texts = [
        labelled.transform_filter(f"datum.align == '{align}'")
        .mark_text(align=align, baseline="top", dx=4 if align == "left" else -4, fontSize=11.5)
        .encode(
            x=x,
            y=alt.Y("y:Q", scale=None),
            text="label:N",
            color=alt.Color("kind:N", legend=None, scale=scale),
        )
        for align in ("left", "right")
    ]
    return [rules, *texts]


def assign_lanes(marks: list[dict[str, Any]], domain_seconds: float, at: list[float]) -> None:
    """Stack labels in lanes so they never overlap; a label with no free lane is left off.

    `at[i]` is mark i's offset from the domain start in seconds. Labels near the right edge are
    drawn to the left of their rule so they stay inside the chart.
    """
    ends: list[float] = []  # per lane: the right edge (px) of the last label placed in it
    for mark, offset in sorted(zip(marks, at, strict=True), key=lambda pair: pair[1]):
        x = offset / domain_seconds * WIDTH
        width = 7.0 * len(mark["label"]) + 8
        left, mark["align"] = (x, "left") if x + width <= WIDTH else (x - width, "right")
        lane = next((i for i, end in enumerate(ends) if end + 6 <= left), None)
        if lane is None and len(ends) < MAX_LANES:
            lane = len(ends)
            ends.append(0.0)
        mark["lane"] = lane
        if lane is not None:
            ends[lane] = left + width


def host_bars(rows: Sequence[dict[str, Any]], *, title: str) -> Any:
    """Per host: its share of the incident's errors beside its share of the traffic."""
    values = [
        {"host": r["host"], "measure": measure, "share": r[key], "count": r[count]}
        for r in rows
        for measure, key, count in (
            ("share of errors", "error_share", "errors"),
            ("share of events", "event_share", "events"),
        )
    ]
    order = [r["host"] for r in rows]
    measures = ["share of errors", "share of events"]
    chart = (
        alt.Chart(_data(values))
        .mark_bar(height={"band": 1})
        .encode(
            y=alt.Y("host:N", sort=order, title=None),
            yOffset=alt.YOffset("measure:N", sort=measures),
            x=alt.X("share:Q", title="share of the incident window", axis=alt.Axis(format="%")),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(domain=measures, range=[ERROR_COLOR, TRAFFIC_COLOR]),
            ),
        )
        .properties(width=WIDTH - 160, height=alt.Step(13), title=title)
    )
    return _configure(chart)


def heat_map(cells: Sequence[dict[str, Any]], *, title: str) -> Any:
    """Errors per hour of day (columns) and day (rows), counts written in the cells."""
    days = list(dict.fromkeys(c["day"] for c in cells))
    base = alt.Chart(_data(list(cells))).encode(
        x=alt.X(
            "hour:O",
            title="hour of day",
            scale=alt.Scale(domain=list(range(24))),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("day:O", title=None, sort=days),
    )
    top = max((c["errors"] for c in cells), default=0)
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color("errors:Q", title="errors", scale=alt.Scale(scheme="orangered"))
    )
    text = base.mark_text(fontSize=10.5).encode(
        text="errors:Q",
        color=alt.condition(f"datum.errors > {top * 0.55}", alt.value("white"), alt.value("#222")),
    )
    chart = alt.layer(rect, text).properties(width=WIDTH - 120, height=alt.Step(26), title=title)
    return _configure(chart)


def cron_strip(
    points: Sequence[dict[str, Any]],
    runs: Sequence[dict[str, Any]],
    bands: Sequence[dict[str, Any]],
    domain: tuple[str, str],
    *,
    title: str,
    x_title: str,
) -> Any:
    """Errors per minute above one row of run ticks per cron job, on one shared time axis."""
    errors = alt.layer(
        window_bands(bands, domain),
        alt.Chart(_data(list(points)))
        .mark_line(color=ERROR_COLOR, strokeWidth=1.4, interpolate="step-after")
        .encode(x=time_x(domain, None), y=alt.Y("errors_per_min:Q", title="errors / min")),
    ).properties(width=WIDTH - 200, height=130)
    jobs = list(dict.fromkeys(r["job"] for r in runs))
    ticks = (
        alt.Chart(_data(list(runs)))
        .mark_tick(thickness=3, color="#333", bandSize=18)
        .encode(x=time_x(domain, x_title), y=alt.Y("job:N", sort=jobs, title=None))
        .properties(width=WIDTH - 200, height=alt.Step(24))
    )
    chart = alt.vconcat(errors, ticks, spacing=6).properties(title=title)
    return _configure(chart.resolve_scale(x="shared"))


def metric_panel(
    points: Sequence[dict[str, Any]],
    spread: Sequence[dict[str, Any]],
    bands: Sequence[dict[str, Any]],
    domain: tuple[str, str],
    *,
    title: str,
    subtitle: str,
    x_title: str,
) -> Any:
    """One series over time (windows shaded) beside its baseline and incident quartiles."""
    line = alt.layer(
        window_bands(bands, domain),
        alt.Chart(_data(list(points)))
        .mark_line(color="#333", strokeWidth=1.4)
        .encode(x=time_x(domain, x_title), y=alt.Y("value:Q", title=None)),
    ).properties(width=WIDTH - 260, height=150)
    periods = ["baseline", "incident"]
    color = alt.Color(
        "period:N",
        legend=None,
        scale=alt.Scale(domain=periods, range=[BASELINE_COLOR, INCIDENT_COLOR]),
    )
    base = alt.Chart(_data(list(spread))).encode(
        x=alt.X("period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=0)), color=color
    )
    box = alt.layer(
        base.mark_rule(strokeWidth=1.5).encode(y=alt.Y("min:Q", title=None), y2="max:Q"),
        base.mark_bar(size=30, opacity=0.55).encode(y="q1:Q", y2="q3:Q"),
        base.mark_tick(size=34, thickness=2.5).encode(y="median:Q", color=alt.value("black")),
    ).properties(width=150, height=150)
    chart = alt.hconcat(line, box, spacing=24).properties(
        title=alt.TitleParams(title, subtitle=subtitle)
    )
    return _configure(chart)
