"""The HTML report: its content on a simulated incident and on a small hand-built bundle, the
series behind its charts, and how it looks in a real Chromium (screenshots under /tmp)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from tests.analysis.synthetic import T0, add_events, empty_store, traffic
from tests.report.conftest import visit
from tests.report.small_bundle import (
    HOSTS,
    INPUT_FINDING,
    RESOURCE_FINDING,
    ZONE,
    small_investigation,
    small_store,
)
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.analysis.windows import Window, Windows
from warroom.config import Settings
from warroom.report.chart_data import Span, heat_cells
from warroom.report.chart_specs import assign_lanes
from warroom.report.charts import build_figures
from warroom.report.cron_runs import cron_runs
from warroom.report.html import format_p, format_value, render_html
from warroom.report.metric_data import chosen_series
from warroom.simulate import generate
from warroom.timeutil import zone
from warroom.workflows import open_investigation

SCREENSHOTS = Path("/tmp")
FIGURES = ("zoom", "hosts", "metrics", "cron", "heatmap", "timeline")


def drawn(html: str) -> dict[str, int]:
    """How many figures of each kind hold an SVG chart."""
    found = re.findall(r'<figure class="chart" data-figure="(\w+)">\s*<svg', html)
    return {key: found.count(key) for key in set(found)}


@pytest.fixture(scope="module")
def cron_case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, Path, dict]]:
    """The cron_overload scenario, investigated; the connection stays open for the tests."""
    root = tmp_path_factory.mktemp("cron")
    bundle = root / "cron_overload"
    generate("cron_overload", seed=1, out=bundle, fmt="jsonl")
    truth = json.loads((bundle / "truth.json").read_text())
    settings = Settings(data_dir=root / "data")
    with open_investigation(bundle, settings=settings, cache=False) as (result, con):
        page = root / "report.html"
        page.write_text(render_html(result, con, title="cron_overload"), encoding="utf-8")
        yield result, con, page, truth


@pytest.fixture(scope="module")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, Path]]:
    con = small_store()
    result = small_investigation(con)
    page = tmp_path_factory.mktemp("small") / "report.html"
    page.write_text(render_html(result, con, title="small bundle"), encoding="utf-8")
    yield result, con, page
    con.close()


def test_html_report_is_self_contained_and_complete(cron_case: tuple) -> None:
    result, _con, page, _truth = cron_case
    html = page.read_text()
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html), "no fetch from the network"
    assert "@import" not in html and "url(http" not in html
    assert drawn(html) == dict.fromkeys(FIGURES, 1) | {"metrics": drawn(html)["metrics"]}
    assert 1 <= drawn(html)["metrics"] <= 6
    assert "Errors started at 2026-04-21 10:22" in html  # the onset on the bundle's clock
    for finding in result.findings:
        assert f'id="f-{finding.id}"' in html
    for item in result.eliminated:
        assert str(escape(item.cause)) in html
    assert html.count("<svg") == sum(drawn(html).values())


def test_html_report_marks_the_onset_and_labels_the_cron_jobs(cron_case: tuple) -> None:
    result, _con, page, truth = cron_case
    html = page.read_text()
    local = result.onset.at.astimezone(zone("Europe/Berlin"))
    assert f"onset {local:%H:%M:%S}" in html
    assert truth["ref"] in html  # the culprit job is a row of the cron strip
    assert "Tue 10:" in html  # axes show Europe/Berlin wall-clock hours (UTC would be 08:..)


def test_cron_runs_follow_each_schedule_in_its_zone(cron_case: tuple) -> None:
    result, con, _page, truth = cron_case
    span = Span(datetime(2026, 4, 21, 8, 0, tzinfo=UTC), datetime(2026, 4, 21, 9, 0, tzinfo=UTC))
    found = cron_runs(con, span, zone("Europe/Berlin"), result.windows.timezone)
    culprit = [r["t"] for r in found.runs if r["job"].endswith(truth["ref"])]
    # 7, 22, 37 and 52 past each hour (Berlin is a whole-hour offset: same minutes in UTC).
    assert culprit == [f"2026-04-21T10:{m}:00Z" for m in ("07", "22", "37", "52")]


def test_cron_runs_in_a_half_hour_zone_and_bad_schedules_become_notes(small_case: tuple) -> None:
    _result, con, _page = small_case
    span = Span(T0, T0 + timedelta(hours=1))
    found = cron_runs(con, span, zone(ZONE), ZONE)
    assert [r["t"] for r in found.runs] == [
        "2026-03-04T05:40:00Z",  # */20 on the Kolkata clock: 05:40, 06:00, 06:20 local
        "2026-03-04T06:00:00Z",
        "2026-03-04T06:20:00Z",
    ]
    assert any("@reboot" in note for note in found.notes)
    assert any("/opt/bin/broken" in note and "61 * * * *" in note for note in found.notes)


def test_heat_map_counts_errors_on_the_local_clock() -> None:
    con = empty_store()
    con.execute(
        """
        INSERT INTO events (ts, host, level, status) VALUES
          (TIMESTAMP '2026-03-04 05:10:00', 'a', 'error', 500),
          (TIMESTAMP '2026-03-04 05:50:00', 'a', 'info', 200),
          (TIMESTAMP '2026-03-04 20:40:00', 'a', 'error', 503)
        """
    )
    cells = heat_cells(con, zone("Asia/Kolkata"))
    assert cells == [
        {"day": "Wed 2026-03-04", "hour": 10, "events": 1, "errors": 1},  # 05:10Z = 10:40 IST
        {"day": "Wed 2026-03-04", "hour": 11, "events": 1, "errors": 0},  # 05:50Z = 11:20 IST
        {"day": "Thu 2026-03-05", "hour": 2, "events": 1, "errors": 1},  # 20:40Z = 02:10 next day
    ]


def test_metric_panels_follow_resource_findings_else_top_movers(small_case: tuple) -> None:
    result, con, _page = small_case
    named, how = chosen_series(con, result)
    # the resources analyzer and the hand-written finding both name the stepped CPU series
    assert named[0].ref == RESOURCE_FINDING.subject.ref  # type: ignore[union-attr]
    assert named[0].why.startswith("named by resources:")
    assert "resource findings" in how
    about_resources = [
        f for f in result.findings if f.subject is not None and f.subject.kind == "resource"
    ]
    for finding in about_resources:
        result.findings.remove(finding)
    try:
        movers, how = chosen_series(con, result)
    finally:
        result.findings += about_resources
    refs = [s.ref for s in movers]
    assert refs[0] == "api-2:cpu_used_percent"  # stepped from ~33 to ~88
    assert "api-1:cpu_used_percent" not in refs  # flat: moved less than one baseline SD
    assert not any("_total" in ref for ref in refs)  # counters climb by design
    assert "not a test" in how


def test_quiet_metrics_give_no_mover_panels() -> None:
    con = empty_store()
    con.execute(
        """
        INSERT INTO metrics SELECT ts, 'cpu', 40 + (epoch(ts)::BIGINT // 60 % 5), 'h', NULL,
                                   NULL, 'm.csv'
        FROM generate_series(TIMESTAMP '2026-03-04 00:00', TIMESTAMP '2026-03-04 02:00',
                             INTERVAL 1 MINUTE) AS t(ts)
        """
    )
    incident = Window(T0 + timedelta(hours=1), T0 + timedelta(hours=2), "incident")
    windows = Windows(incident, (Window(T0, incident.start, "just before"),))
    result = type("R", (), {"findings": [], "windows": windows})()
    series, _how = chosen_series(con, result)  # type: ignore[arg-type]
    assert series == []


def test_input_and_resource_findings_are_tabled_with_their_numbers(small_case: tuple) -> None:
    _result, _con, page = small_case
    html = page.read_text()
    section = html.split('id="inputs"')[1].split('id="findings"')[0]
    assert "params.quantity:decimal" in section
    assert "with_shape = 412; failed = 530" in section
    assert "with_shape = 3; ok = 9,870" in section
    assert "1.5e-200" in section and "4.5e-199" in section and "odds ratio 2,560" in section
    assert f'id="f-{RESOURCE_FINDING.id}"' in html
    assert "named by resources:" in html  # the CPU panel says which finding asked for it
    assert INPUT_FINDING.statement.split(" is ")[0] in section


def test_small_report_draws_every_figure_and_labels_the_deploy(small_case: tuple) -> None:
    result, _con, page = small_case
    html = page.read_text()
    assert set(drawn(html)) == set(FIGURES)
    assert "CHG-1 deploy api 2.0.0" in html
    assert "Errors started at 2026-03-04 10:30" in html  # 05:00Z on the Kolkata clock
    assert result.suspects[0].ref == "CHG-1"
    assert "Note: &#39;/opt/bin/broken&#39;" in html  # the bad schedule is said, not hidden


def test_a_figure_that_fails_is_reported_and_the_rest_are_drawn(small_case: tuple) -> None:
    result, _con, _page = small_case
    con = small_store()
    con.execute("DROP TABLE cron_jobs")  # a bundle source that lost a table: not our data
    figures = {f.key: f for f in build_figures(con, result)}
    assert figures["cron"].svg is None and "could not be drawn" in figures["cron"].missing
    assert figures["zoom"].svg is not None and figures["heatmap"].svg is not None


def test_a_bundle_without_events_says_so() -> None:
    con = empty_store()
    incident = Window(T0, T0 + timedelta(hours=1), "incident")
    result = type("R", (), {"windows": Windows(incident, (), "UTC")})()
    figures = build_figures(con, result)  # type: ignore[arg-type]
    assert [f.missing for f in figures] == ["the bundle holds no log events"]


def test_change_labels_never_overlap() -> None:
    marks = [{"label": f"CHG-{i} deploy api 1.{i}.0"} for i in range(9)]
    offsets = [i * 60.0 for i in range(9)]  # one a minute over a day: all at the same spot
    assign_lanes(marks, 86_400.0, offsets)
    placed = [m for m in marks if m["lane"] is not None]
    assert 1 < len(placed) < len(marks)  # some stacked in lanes, the rest left off
    for lane in {m["lane"] for m in placed}:
        assert sum(1 for m in placed if m["lane"] == lane) == 1
    right_edge = [{"label": "onset 10:22:02"}]
    assign_lanes(right_edge, 3600.0, [3590.0])
    assert right_edge[0]["align"] == "right"  # kept inside the chart's right edge


def test_numbers_are_formatted_for_people() -> None:
    assert format_value(12345) == "12,345"
    assert format_value(2.0) == "2"
    assert format_value(0.04213) == "0.04213"
    assert format_value(3.2e-8) == "3.2e-08"
    assert format_value(None) == "—"
    assert format_value({"a": 1, "b": [1, 2]}) == "a: 1, b: 1, 2"
    assert format_p(0.0) == "< 1e-300" and format_p(None) == "—" and format_p(0.0123) == "0.012"


@pytest.mark.parametrize("case", ["cron_case", "small_case"])
def test_html_report_renders_in_chromium(
    case: str, request: pytest.FixtureRequest, browser: Any
) -> None:
    page = request.getfixturevalue(case)[2]
    shot = SCREENSHOTS / f"warroom-html-report-{case}.png"
    seen = visit(browser, page, shot)
    expected = drawn(page.read_text())
    assert len(seen.svg_sizes) == sum(expected.values()) >= len(FIGURES)
    assert all(w > 200 and h > 100 for w, h in seen.svg_sizes), seen.svg_sizes
    assert seen.console == []
    assert seen.requests == [page.resolve().as_uri()], "the page must not fetch anything"
    assert shot.stat().st_size > 50_000


def test_quiet_data_gives_a_calm_report() -> None:
    con = empty_store()
    add_events(con, traffic(seed=9, hours=4, per_second=1, hosts=HOSTS, error_share=0.01))
    inputs = {"events": 14_400, "metrics_samples": 0, "changes": 0, "cron_jobs": 0}
    window = (T0 + timedelta(hours=3), T0 + timedelta(hours=4))
    result = investigate(con, inputs=inputs, request=WindowRequest(incident=window))
    assert result.suspects == [] and result.onset.at is None
    html = render_html(result, con)
    assert 'class="headline calm"' in html and "Top suspect" not in html
    assert "No clear onset" in html and not re.search(r"onset \d\d:\d\d", html)  # no onset mark
    assert "Not drawn: no metrics in the bundle." in html
    assert "Not drawn: no crontabs in the bundle." in html
    assert set(drawn(html)) == {"zoom", "hosts", "heatmap", "timeline"}
