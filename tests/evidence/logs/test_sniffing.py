"""Recognising log formats by content, and telling logs from files that are not logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.evidence.logs import LOG_FORMATS, sniff_log

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("app.jsonl", "jsonl"),
        ("access_combined.log", "access"),
        ("access_common.log", "access"),
        ("python_app.log", "plain"),
        ("java_app.log", "plain"),
        ("go_app.log", "plain"),
        ("node_app.log", "plain"),
        ("nginx_error.log", "plain"),
        ("syslog_3164.log", "syslog"),
        ("syslog_5424.log", "syslog"),
        ("go_logfmt.log", "logfmt"),
        ("heroku.log", "logfmt"),
    ],
)
def test_sniff_log_recognises_each_fixture(fixture, expected):
    lines = (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()
    assert sniff_log(lines[:64]) == expected
    assert expected in LOG_FORMATS


NOT_LOGS = {
    "json array": ['[{"timestamp": "2026-03-04T14:00:00Z", "message": "x"},', '{"a": 1}]'],
    "json array on one line": ['[{"timestamp": "2026-03-04T14:00:00Z", "message": "x"}]'],
    "json objects without a time key": ['{"id": 1, "name": "a"}', '{"id": 2, "name": "b"}'],
    "metrics csv": [
        "timestamp,host,cpu",
        "2026-03-04T14:00:00Z,web-1,0.5",
        "2026-03-04T14:01:00Z,web-1,0.7",
    ],
    "crontab": ["# m h dom mon dow command", "*/5 * * * * /usr/local/bin/sync.sh", "@daily backup"],
    "prometheus text": [
        "# HELP http_requests_total Requests.",
        "# TYPE http_requests_total counter",
        'http_requests_total{code="200"} 1027 1709560800000',
    ],
    "yaml": ["timezone: Europe/Berlin", "service: checkout", "window:", "  incident: []"],
    "prose": ["Dear team,", "the checkout was slow yesterday.", "Regards"],
    "env file": ["DATABASE_URL=postgres://db", "DEBUG=false"],
    "empty": [],
    "blank lines": ["", "   ", "\t"],
}


@pytest.mark.parametrize("lines", NOT_LOGS.values(), ids=NOT_LOGS.keys())
def test_sniff_log_returns_none_for_files_that_are_not_logs(lines):
    assert sniff_log(lines) is None


def test_sniff_log_tolerates_a_few_malformed_lines():
    good = '10.0.0.1 - - [04/Mar/2026:14:02:11 +0000] "GET / HTTP/1.1" 200 5 "-" "curl"'
    assert sniff_log([good] * 9 + ["garbage"]) == "access"
    assert sniff_log([good] * 5 + ["garbage"] * 5) is None


def test_sniff_log_plain_starting_mid_trace():
    lines = [
        "\tat com.example.Worker.run(Worker.java:10)",
        "2026-03-04 14:02:11,123 ERROR worker died",
        "2026-03-04 14:02:12,000 INFO restarting",
    ]
    assert sniff_log(lines) == "plain"


def test_sniff_log_iso_dated_lines_prefer_their_real_shape():
    rsyslog = ["2026-03-04T14:02:11.512345+01:00 web-4 sshd[811]: Failed password for root"]
    spring = ["2026-03-04T14:02:11.123+01:00  INFO 4242 --- [main] c.e.App : Started App"]
    heroku = ["2026-03-04T14:02:11.123456+00:00 app[web.1]: level=info msg=ok"]
    assert sniff_log(rsyslog * 3) == "syslog"
    assert sniff_log(spring * 3) == "plain"
    assert sniff_log(heroku * 3) == "logfmt"


def test_a_huge_word_on_the_first_line_does_not_stall_sniffing() -> None:
    # One 64 kB token without "=" used to make the logfmt pair search quadratic (minutes).
    giant = "x" * 65_536
    sample = [f"ts=2026-03-04T10:00:00Z level=error msg=boom {giant}"] + [
        f'ts=2026-03-04T10:00:0{i}Z level=info msg="ok {i}" route=/api' for i in range(1, 9)
    ]
    assert sniff_log(sample) == "logfmt"
