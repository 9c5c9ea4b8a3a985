"""A small bundle built in the test: six hours of traffic in Asia/Kolkata (UTC+05:30, so local
hours and cron schedules cannot line up with UTC by accident), a burst of errors after a deploy,
one CPU series that steps up, a counter, and crontab rows both good and bad.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb

from tests.analysis.synthetic import T0, add_events, burst, empty_store, traffic
from warroom.analysis.finding import Finding, Subject, Test
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.analysis.investigation import Investigation

ZONE = "Asia/Kolkata"
INCIDENT = (T0 + timedelta(hours=5), T0 + timedelta(hours=6))
DEPLOY_AT = INCIDENT[0] - timedelta(minutes=2)
HOSTS = ["api-1", "api-2", "api-3"]


def small_store() -> duckdb.DuckDBPyConnection:
    con = empty_store()
    frame = traffic(seed=5, hours=6, per_second=2, hosts=HOSTS, error_share=0.01)
    add_events(con, burst(frame, seed=6, at=INCIDENT[0], share=0.3, hosts=["api-2"]))
    start, end, step_up = (t.replace(tzinfo=None) for t in (T0, INCIDENT[1], INCIDENT[0]))
    con.execute(
        """
        INSERT INTO metrics
        SELECT ts, 'cpu_used_percent', CASE WHEN ts >= $3 THEN 85 ELSE 30 END
                   + (epoch(ts)::BIGINT // 60 % 7), 'api-2', NULL, NULL, 'metrics.csv'
        FROM generate_series($1, $2, INTERVAL 1 MINUTE) AS t(ts)
        UNION ALL
        SELECT ts, 'cpu_used_percent', 30 + (epoch(ts)::BIGINT // 60 % 5), 'api-1', NULL, NULL,
               'metrics.csv'
        FROM generate_series($1, $2, INTERVAL 1 MINUTE) AS t(ts)
        UNION ALL
        SELECT ts, 'http_requests_total', epoch(ts) - epoch($1), 'api-1', NULL, NULL, 'm.csv'
        FROM generate_series($1, $2, INTERVAL 1 MINUTE) AS t(ts)
        """,
        [start, end, step_up],
    )
    con.execute(
        """
        INSERT INTO cron_jobs VALUES
          ('/opt/bin/sync --all', '*/20 * * * *', $1, 'root', [], 'cron/crontab', 4),
          ('/opt/bin/warm-cache', '@reboot', $1, 'root', [], 'cron/crontab', 5),
          ('/opt/bin/broken', '61 * * * *', NULL, 'root', [], 'cron/crontab', 6)
        """,
        [ZONE],
    )
    con.execute(
        """
        INSERT INTO changes VALUES ('CHG-1', $1, 'deploy', 'api', '2.0.0', ['api-2'], 'dev',
                                    'api 2.0.0 on api-2', NULL, [], 'changes.jsonl')
        """,
        [DEPLOY_AT.replace(tzinfo=None)],
    )
    return con


def small_investigation(con: duckdb.DuckDBPyConnection) -> Investigation:
    """The real investigation, plus one finding each from the (separately developed) input and
    resource analyzers, written by hand so the report's tables for them can be checked."""
    counts = {
        t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
        for t in ("events", "changes", "cron_jobs", "reports")
    }
    metrics = int(con.execute("SELECT count(*) FROM metrics").fetchone()[0])  # type: ignore[index]
    inputs: dict[str, Any] = {
        **counts,
        "metrics_samples": metrics,
        "rejected_lines": 0,
        "skipped": [],
    }
    result = investigate(
        con, inputs=inputs, timezone=ZONE, request=WindowRequest(incident=INCIDENT)
    )
    result.findings += [INPUT_FINDING, RESOURCE_FINDING]
    return result


INPUT_FINDING = Finding(
    id="inputs:shape:params.quantity:decimal",
    analyzer="inputs:v1",
    kind="input_shape",
    question="Do failing requests carry an unusual input?",
    statement="params.quantity is a decimal in 412 of 530 failed requests vs 3 of 9,870 ok ones.",
    score=0.93,
    incident={"with_shape": 412, "failed": 530},
    baseline={"with_shape": 3, "ok": 9870},
    test=Test("Fisher exact", p_value=1.5e-200, q_value=4.5e-199),
    effect=2560.0,
    effect_name="odds ratio",
    subject=Subject("input", "params.quantity:decimal"),
)

RESOURCE_FINDING = Finding(
    id="resources:saturation:api-2:cpu_used_percent",
    analyzer="resources:v1",
    kind="resource_shift",
    question="Did a resource saturate?",
    statement="cpu_used_percent on api-2 rose from a median of 33 to 88.",
    score=0.7,
    incident={"median": 88.0, "samples": 61},
    baseline={"median": 33.0, "samples": 240},
    test=Test("Mann-Whitney U", p_value=2e-30, q_value=6e-30),
    effect=55.0,
    effect_name="median shift",
    subject=Subject("resource", "api-2:cpu_used_percent"),
)
