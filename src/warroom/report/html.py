"""The investigation as one self-contained HTML file: headline, charts (inline SVG), tables.

The page needs nothing but itself: CSS inline, charts drawn as SVG by vl-convert, no script and
no fetch, so it can be mailed, attached to the ticket, opened offline or printed.
"""

from __future__ import annotations

import math
import re
from datetime import tzinfo
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from warroom.analysis.finding import Finding
from warroom.analysis.investigation import Investigation
from warroom.report.charts import Figure, build_figures
from warroom.report.next_steps import suggestions
from warroom.report.text import MODERATE, STRONG, evidence_line
from warroom.timeutil import iso_z, zone


def render_html(result: Investigation, con: Any, *, title: str = "Investigation") -> str:
    """The report for `result`; `con` is the DuckDB connection the investigation read."""
    tz = zone(result.windows.timezone)
    figures = build_figures(con, result)
    template = _environment().get_template("investigation.html.j2")
    return template.render(
        title=title,
        result=result,
        headline=_headline(result, tz),
        evidence=evidence_line(result.inputs),
        steps=suggestions(result),
        figures=_by_key(figures),
        input_findings=[f for f in result.findings if f.subject and f.subject.kind == "input"],
        findings=sorted(result.findings, key=lambda f: (-f.score, f.id)),
        strength=_strength,
    )


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("warroom.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        value=format_value, pq=format_p, ticks=code_ticks, svg=_svg, caveat=caveat_text
    )
    env.globals.update(effect=_effect, test_name=_test_name, iso_z=iso_z)
    return env


def _headline(result: Investigation, tz: tzinfo) -> dict[str, str]:
    window = result.windows.incident
    baselines = ", ".join(w.label for w in result.windows.baselines) or "none"
    onset = result.onset
    return {
        "onset": (
            f"{onset.at.astimezone(tz):%Y-%m-%d %H:%M:%S %Z}" if onset.at is not None else ""
        ),
        "onset_utc": iso_z(onset.at) if onset.at is not None else "",
        "confidence": f"{onset.confidence:.0%}",
        "signal": onset.signal,
        "window": (
            f"{iso_z(window.start)} – {iso_z(window.end)} ({result.windows.source}); "
            f"baselines: {baselines}"
        ),
    }


def _by_key(figures: list[Figure]) -> dict[str, list[Figure]]:
    grouped: dict[str, list[Figure]] = {}
    for figure in figures:
        grouped.setdefault(figure.key, []).append(figure)
    return grouped


def _strength(score: float) -> str:
    return "strong" if score >= STRONG else "moderate" if score >= MODERATE else "weak"


def format_value(value: Any) -> str:
    """Numbers as people read them: 12,345 · 0.0421 · 3.2e-08; lists and maps compactly."""
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value).lower()
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _number(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.3g}" if abs(value) < 1e-3 or abs(value) >= 1e6 else f"{value:,.4g}"


def caveat_text(caveat: str) -> str:
    """'Could be wrong if …' once, whether or not the analyzer wrote the words itself."""
    text = caveat.strip()
    if text.lower().startswith("could be wrong"):
        return text[0].upper() + text[1:]
    return f"Could be wrong if {text}"


def format_p(value: float | None) -> str:
    if value is None:
        return "—"
    return "< 1e-300" if value == 0 else f"{value:.2g}"  # 0 is an underflow, not certainty


def code_ticks(text: str) -> Markup:
    """Escape, then show `backticked` parts (as the wording helpers write them) as code."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _svg(svg: str) -> Markup:
    # vl-convert writes well-formed SVG with its text escaped; it is ours, not user HTML.
    return Markup(svg)


def _effect(finding: Finding) -> str:
    if finding.effect is None:
        return "—"
    return f"{finding.effect_name or 'effect'} {format_value(finding.effect)}"


def _test_name(finding: Finding) -> str:
    return finding.test.name if finding.test else "—"
