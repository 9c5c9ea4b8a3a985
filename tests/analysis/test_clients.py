from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.analysis.http_data import requests
from tests.analysis.request_data import (
    AGENTS,
    ONSET,
    SAFARI_17,
    T0,
    after,
    analysed,
    failing,
    incident_rows,
    with_attrs,
)
from tests.analysis.synthetic import empty_store
from warroom.analysis.analyzers.clients import Clients
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Finding
from warroom.analysis.windows import make_windows
from warroom.config import Settings
from warroom.evidence.schema import TABLES
from warroom.simulate import generate
from warroom.workflows import investigate_bundle

BROWSER = "clients:client_requests:browser=Safari 17"


def _by_id(result: AnalyzerResult) -> dict[str, Finding]:
    return {f.id: f for f in result.findings}


def _clients(*, seed: int, safari_fails: float, error_share: float = 0.003) -> pd.DataFrame:
    """Every request carries a user agent; after ONSET a share of Safari 17's POSTs fails."""
    rng = np.random.default_rng(seed + 1000)  # not the stream requests(seed) drew from
    frame = requests(seed=seed, error_share=error_share)
    agent = pd.Series(rng.choice(AGENTS, size=len(frame)), index=frame.index, dtype=object)
    version = pd.Series(rng.choice(["5.1.0", "5.2.0"], size=len(frame)), index=frame.index)
    broken = (
        after(frame, ONSET)
        & (frame["method"] == "POST")
        & (agent == SAFARI_17)
        & (rng.uniform(size=len(frame)) < safari_fails)
    )
    frame = failing(frame, broken)
    return with_attrs(frame, {"user_agent": agent, "app_version": version})


@pytest.fixture(scope="module")
def safari() -> pd.DataFrame:
    return _clients(seed=41, safari_fails=0.8)


def test_clients_failing_browser_is_named(safari: pd.DataFrame) -> None:
    result = Clients().run(analysed(safari))
    found = _by_id(result)
    finding = found[BROWSER]
    rows = incident_rows(safari)
    routes = rows[rows["method"] == "POST"]  # the routes with failures: both POST routes
    failed, ok = routes[routes["status"] >= 500], routes[routes["status"] < 500]
    is_safari = lambda part: int((part["attrs"].map(lambda a: a["user_agent"]) == SAFARI_17).sum())  # noqa: E731
    assert finding.incident == {
        "failing_with": is_safari(failed),
        "failing": len(failed),
        "succeeding_with": is_safari(ok),
        "succeeding": len(ok),
    }
    assert finding.subject is not None and finding.subject.role == "cause"
    assert finding.score > 0.9
    assert "came from browser Safari 17" in finding.statement
    # Safari 17 runs on Mac OS X: the OS finding is there, explained by the browser
    assert "clients:client_requests:os=Mac OS X 10" in found
    assert ("client", "os=Mac OS X 10") in set(map(tuple, finding.evidence["explains"]))
    assert not any("app_version" in f.id for f in result.findings)  # both versions fail alike
    assert result.facts["client_separators"][0] == "browser=Safari 17"


def test_clients_quiet_data_gives_no_strong_finding() -> None:
    quiet = _clients(seed=43, safari_fails=0.0, error_share=0.02)
    result = Clients().run(analysed(quiet))
    assert result.findings == []
    assert [e.cause for e in result.eliminated] == ["a single browser, OS or app version"]
    assert "2 app versions, 5 browsers, 3 operating systems" in result.eliminated[0].why


def _reports(con: duckdb.DuckDBPyConnection, rows: list[tuple[datetime | None, str, str]]) -> None:
    for ts, browser, os in rows:
        con.execute(
            "INSERT INTO reports (ts, subject, text, browser, os) VALUES (?, ?, ?, ?, ?)",
            [
                ts.replace(tzinfo=None) if ts else None,
                "Checkout broken",
                "ORD-12345 fails",
                browser,
                os,
            ],
        )


def _recount(ctx: AnalysisContext) -> AnalysisContext:
    ctx.row_counts = {
        t: ctx.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES
    }
    return ctx


def test_clients_reports_follow_the_onset_and_name_the_browser(safari: pd.DataFrame) -> None:
    ctx = analysed(safari)
    before = [(T0 + timedelta(hours=h), "Chrome 134", "Windows 10") for h in (0.5, 1.5, 2.5, 3.5)]
    since = [
        (ONSET + timedelta(minutes=m), "Safari 17", "Mac OS X 10") for m in (7, 9, 15, 22, 31, 40)
    ]
    _reports(ctx.con, [*before, *since, (None, "Safari 17", "Mac OS X 10")])
    result = Clients().run(_recount(ctx))
    found = _by_id(result)
    rate = found["clients:report_rate"]
    assert (rate.incident["reports"], rate.baseline["reports"]) == (6, 4)
    assert rate.statement.endswith("The first came 7 min after the onset.")
    assert rate.subject is None  # when reports came is a clue, not a cause
    named = found["clients:report_client:browser=Safari 17"]
    assert named.incident == {"reports_with": 6, "reports": 6}
    assert named.baseline == {"reports_with": 0, "reports": 4}
    assert named.subject is not None and named.subject.key == ("client", "browser=Safari 17")
    assert result.notes == [
        "clients: 1 of 11 reports carry no time: counted, but not placed before or after the onset"
    ]
    assert result.facts["reports"]["first_after_onset_s"] == 7 * 60


def test_clients_reports_alone_and_without_times_do_not_crash() -> None:
    con = empty_store()
    _reports(con, [(None, "Safari 17", "Mac OS X 10")] * 3)
    windows = make_windows(
        (T0, T0 + timedelta(hours=1)), baselines=None, data_start=T0 - timedelta(hours=3),
        data_end=T0 + timedelta(hours=1), timezone="UTC", source="given",
    )  # fmt: skip
    ctx = _recount(AnalysisContext(con=con, windows=windows))
    result = Clients().run(ctx)
    assert result.findings == []
    assert result.facts["reports"] == {
        "since_incident": 0, "before": 0, "untimed": 3, "first_after_onset_s": None,
    }  # fmt: skip
    assert result.notes[0].startswith("clients: 3 of 3 reports carry no time")


def test_clients_unparseable_user_agents_are_skipped() -> None:
    frame = _clients(seed=45, safari_fails=0.8)
    garbage = ["-", "", "???", "Mozilla/5.0 (compatible)"]
    frame["attrs"] = [dict(a, user_agent=garbage[i % 4]) for i, a in enumerate(frame["attrs"])]
    result = Clients().run(analysed(frame))
    assert not any("browser=" in f.id for f in result.findings if f.score >= 0.5)


def test_clients_values_quoted_in_reports_are_matched_to_failing_requests(
    safari: pd.DataFrame,
) -> None:
    frame = safari.copy()
    late_failures = after(frame, ONSET) & (frame["status"] >= 500)
    frame["attrs"] = [
        dict(a, order_ref="ORD-12345") if hit else a
        for a, hit in zip(frame["attrs"], late_failures, strict=True)
    ]
    ctx = analysed(frame)
    _reports(ctx.con, [(ONSET + timedelta(minutes=5), "Safari 17", "Mac OS X 10")])
    found = _by_id(Clients().run(_recount(ctx)))
    quoted = found["clients:reports_quote_failures"]
    expected = len(incident_rows(frame[late_failures]))
    assert quoted.evidence["values"] == [{"value": "ORD-12345", "failing_requests": expected}]
    assert quoted.score == 0.0 and quoted.subject is None


@pytest.mark.slow
def test_clients_names_the_browser_in_a_simulated_syslog_bundle(tmp_path: Path) -> None:
    """End to end: user agents inside syslog key=value bodies, bug reports beside them."""
    truth = generate(
        "browser_specific", seed=3, out=tmp_path / "bundle", fmt="syslog", lines=40_000
    )
    settings = Settings(data_dir=tmp_path / "data")
    result = investigate_bundle(tmp_path / "bundle", settings=settings, cache=False)
    top = result.suspects[0]
    assert (top.kind, top.ref) == ("client", "browser=Safari 17")
    assert truth.accepts(top.kind, top.ref)
    assert "clients:report_client:browser=Safari 17" in top.finding_ids
    # the customers' words ("cart", "checkout") name the failing routes: context, never a cause
    worded = [f for f in result.findings if f.kind == "report_text"]
    assert worded and all(f.subject is None or f.subject.role == "context" for f in worded)
    assert {w for f in worded for w in f.evidence["words"]} & {"cart", "checkout"}
