from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from tests.analysis.http_data import INCIDENT, T0, context, log_lines, requests, store
from warroom.analysis.analyzers.messages import Messages
from warroom.analysis.finding import AnalyzerResult, Finding
from warroom.analysis.templates import template_id
from warroom.analysis.wording import short_key

ONSET = T0 + timedelta(hours=5, minutes=10)
TIMEOUT = "timeout after 5000 ms calling payments-gateway:443 (order {n})"
TIMEOUT_TEMPLATE = "timeout after <*> ms calling payments-gateway:<*> (order <*>)"
JOB = "job {n} completed in 12ms"
JOB_TEMPLATE = "job <*> completed in <*>"


def _background() -> list[pd.DataFrame]:
    return [
        requests(seed=1, per_second=0.5),
        log_lines(seed=2, message="heartbeat ok from worker {n}", per_minute=2),
        log_lines(seed=3, message="cache miss for key {n}", per_minute=1, level="warn"),
        log_lines(seed=4, message="payment {n} declined", per_minute=0.5, level="error"),
    ]


def _in(frame: pd.DataFrame, period: str) -> int:
    start, end = (t.replace(tzinfo=None) for t in INCIDENT)
    if period == "baseline":
        start, end = start - (end - start), start
    return int(((frame.ts >= start) & (frame.ts < end)).sum())


def _by_id(result: AnalyzerResult) -> dict[str, Finding]:
    return {f.id: f for f in result.findings}


@pytest.fixture(scope="module")
def incident() -> tuple[AnalyzerResult, pd.DataFrame, pd.DataFrame]:
    timeouts = log_lines(
        seed=5, message=TIMEOUT, per_minute=3, start=ONSET, hours=50 / 60, level="error"
    )
    jobs = log_lines(seed=6, message=JOB, per_minute=6, hours=5 + 10 / 60)
    result = Messages().run(context(store(*_background(), timeouts, jobs)))
    return result, timeouts, jobs


def test_messages_new_error_template_with_numbers_and_real_examples(
    incident: tuple[AnalyzerResult, pd.DataFrame, pd.DataFrame],
) -> None:
    result, timeouts, _ = incident
    finding = _by_id(result)[f"messages:new_message:{short_key(TIMEOUT_TEMPLATE)}"]
    assert finding.kind == "new_message"
    assert finding.incident["lines"] == _in(timeouts, "incident") == finding.incident["error_lines"]
    assert finding.baseline["lines"] == 0
    assert finding.evidence == {
        "template": TIMEOUT_TEMPLATE,
        "template_id": template_id(TIMEOUT_TEMPLATE),
        "level": "error",
        "traffic_factor": 1.0,
    }
    assert finding.q_value is not None and finding.q_value < 1e-20
    assert finding.score > 0.8
    assert set(finding.examples) <= set(timeouts["message"])  # real lines, all different
    assert 2 <= len(set(finding.examples)) == len(finding.examples) <= 3
    assert "is new" in finding.statement and "none before" in finding.statement
    assert finding.subject is None
    assert result.facts["new"] == [TIMEOUT_TEMPLATE]


def test_messages_vanished_success_line(
    incident: tuple[AnalyzerResult, pd.DataFrame, pd.DataFrame],
) -> None:
    result, _, jobs = incident
    finding = _by_id(result)[f"messages:vanished_message:{short_key(JOB_TEMPLATE)}"]
    assert finding.incident["lines"] == _in(jobs, "incident")
    assert finding.baseline["lines"] == _in(jobs, "baseline")
    assert finding.effect is not None and finding.effect > 4
    assert "fell away" in finding.statement
    assert result.facts["vanished"] == [JOB_TEMPLATE]


def test_messages_steady_lines_and_old_errors_stay_silent(
    incident: tuple[AnalyzerResult, pd.DataFrame, pd.DataFrame],
) -> None:
    result, _, _ = incident
    templates = {f.evidence["template"] for f in result.findings}
    assert templates == {TIMEOUT_TEMPLATE, JOB_TEMPLATE}
    assert [f.id for f in result.findings] == sorted(
        (f.id for f in result.findings), key=lambda i: (-_by_id(result)[i].score, i)
    )


def test_messages_surged_error_that_existed_before() -> None:
    before = log_lines(seed=7, message=TIMEOUT, per_minute=0.3, hours=5 + 10 / 60, level="error")
    after = log_lines(
        seed=8, message=TIMEOUT, per_minute=6, start=ONSET, hours=50 / 60, level="error"
    )
    result = Messages().run(context(store(*_background(), before, after)))
    finding = _by_id(result)[f"messages:surged_message:{short_key(TIMEOUT_TEMPLATE)}"]
    assert finding.baseline["lines"] == _in(before, "baseline") > 0
    assert finding.incident["lines"] == _in(before, "incident") + _in(after, "incident")
    assert "surged" in finding.statement


def test_messages_quiet_data_finds_nothing_and_eliminates() -> None:
    jobs = log_lines(seed=9, message=JOB, per_minute=6)
    result = Messages().run(context(store(*_background(), jobs)))
    assert result.findings == []
    causes = {e.cause: e.why for e in result.eliminated}
    assert "none of the 2 error messages" in causes["a new kind of error message"]
    assert "kept their rate" in causes["stopped work (a regular message that vanished)"]


def test_messages_more_traffic_does_not_make_every_line_surge() -> None:
    lines = []
    for seed, (message, level) in enumerate(
        [("request {n} served", "info"), (JOB, "info"), ("payment {n} declined", "error")]
    ):
        lines.append(log_lines(seed=seed, message=message, per_minute=4, hours=5, level=level))
        lines.append(
            log_lines(
                seed=seed + 10,
                message=message,
                per_minute=10,
                start=T0 + timedelta(hours=5),
                hours=1,
                level=level,
            )
        )
    result = Messages().run(context(store(*lines)))
    assert result.findings == []
