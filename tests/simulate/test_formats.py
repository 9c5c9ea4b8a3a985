"""Every file a bundle holds parses back in the format the contract names."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from croniter import croniter

from warroom.simulate.scenarios import CATALOGUE, REGISTRY
from warroom.simulate.writers import choose_layout

LINES = 5_000
SHARED = 20_000  # the size test_scenarios uses: those bundles are reused
ACCESS = re.compile(
    r"^\d+\.\d+\.\d+\.\d+ - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "
    r'"(GET|POST) (/\S*) HTTP/1\.1" (\d{3}) (\d+) "[^"]*" "([^"]+)" (\d+\.\d{3})$'
)
PYTHON_HEAD = re.compile(
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \[[\w.]+\] \S"
)
JAVA_HEAD = re.compile(
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} +(INFO|WARN|ERROR) 1 --- \[[\w-]+\] [\w.]+ : \S"
)
PYTHON_MORE = re.compile(
    r"^(Traceback \(most recent call last\):|  File \"|    \S|[\w.]+(Error|"
    r"Exception|Failure|Canceled|TimeoutError)\b)"
)
JAVA_MORE = re.compile(r"^(\tat \S|Caused by: [\w.]+|\t\.\.\. \d+ more|[\w.]+(Exception|Error)\b)")
PAIR = r'[\w.]+=(?:"(?:[^"\\]|\\.)*"|[^\s"]+)'
LOGFMT = re.compile(rf"^{PAIR}(?: {PAIR})*$")
RFC5424 = re.compile(
    r"^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) ([\w-]+) (\w+) "
    rf"(\d+) - - ({PAIR}(?: {PAIR})*)$"
)
RFC3164 = re.compile(
    r"^<(\d{1,3})>([A-Z][a-z]{2}) ([ \d]\d) (\d\d:\d\d:\d\d) ([\w-]+) (\w+)"
    rf"\[(\d+)\]: ({PAIR}(?: {PAIR})*)$"
)


def logfmt_pairs(text: str) -> dict[str, str]:
    return {
        key: value.strip('"')
        for key, value in (pair.split("=", 1) for pair in re.findall(PAIR, text))
    }


def test_formats_jsonl_records_carry_the_contract_fields(make_bundle) -> None:
    out, _ = make_bundle("dependency_outage", "jsonl", 11, SHARED)
    for path in sorted((out / "logs").glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert records, path
        keys = set().union(*(r.keys() for r in records))
        assert keys & {"timestamp", "@timestamp", "ts", "time"}
        assert keys & {"level", "log.level", "lvl", "severity"}
        assert keys & {"event", "message", "msg"}
        assert None not in [v for r in records for v in r.values()]  # absent, never null


def test_formats_access_logs_are_combined_with_request_time(make_bundle) -> None:
    out, _ = make_bundle("decimal_input", "access", 11, LINES)
    logs = sorted(out.glob("logs/*/access.log"))
    assert {p.parent.name for p in logs} == {f"web-{n}" for n in range(1, 7)} | {
        "api-1",
        "api-2",
        "api-3",
        "checkout-1",
        "checkout-2",
    }
    lines = [line for p in logs for line in p.read_text(encoding="utf-8").splitlines()]
    matches = [ACCESS.match(line) for line in lines]
    assert all(matches), next(line for line, m in zip(lines, matches, strict=True) if not m)
    assert any("?sku=" in m.group(2) and "&quantity=" in m.group(2) for m in matches if m)


@pytest.mark.parametrize(("scenario", "java"), [("bad_deploy", False), ("dependency_outage", True)])
def test_formats_app_logs_have_multiline_traces(make_bundle, scenario: str, java: bool) -> None:
    out, _ = make_bundle(scenario, "access", 11, LINES)
    name = "checkout-1" if java else "api-1"
    lines = (out / "logs" / name / "app.log").read_text(encoding="utf-8").splitlines()
    head, more = (JAVA_HEAD, JAVA_MORE) if java else (PYTHON_HEAD, PYTHON_MORE)
    continuation = [line for line in lines if not head.match(line)]
    assert continuation
    assert all(more.match(line) for line in continuation), continuation[:3]
    assert head.match(lines[0])
    marker = "Caused by: java.net.SocketTimeoutException" if java else "Traceback (most recent"
    assert any(line.startswith(marker) for line in continuation)


def test_formats_logfmt_lines_parse(make_bundle) -> None:
    out, _ = make_bundle("dropdown_value", "logfmt", 11, LINES)
    lines = [
        line
        for p in sorted(out.glob("logs/*.log"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]
    assert all(LOGFMT.match(line) for line in lines)
    parsed = [logfmt_pairs(line) for line in lines]
    assert all(datetime.fromisoformat(p["time"].replace("Z", "+00:00")) for p in parsed[:200])
    assert any(p.get("params.payment_method") == "sepa" for p in parsed)


@pytest.mark.parametrize(("seed", "pattern"), [(12, RFC5424), (11, RFC3164)])
def test_formats_syslog_lines_follow_their_rfc(
    make_bundle, seed: int, pattern: re.Pattern[str]
) -> None:
    index = CATALOGUE.index(REGISTRY["memory_leak"])
    rfc = choose_layout(fmt="syslog", seed=seed, scenario_index=index).syslog_rfc
    out, _ = make_bundle("memory_leak", "syslog", seed, LINES)
    lines = [
        line
        for p in sorted(out.glob("logs/syslog/*.log"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]
    assert pattern is (RFC5424 if rfc == 5424 else RFC3164)
    assert all(pattern.match(line) for line in lines)
    assert any("Out of memory: Killed process" in line for line in lines)


def _metric_rows(folder: Path) -> list[tuple[str, str, str, float]]:
    """(timestamp, host, metric, value) from whichever metric format the bundle has."""
    rows = []
    for path in sorted(folder.glob("*.csv")):
        table = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for record in table:
            if "metric" in record:
                rows.append(
                    (record["timestamp"], record["host"], record["metric"], float(record["value"]))
                )
            else:
                rows += [
                    (record["timestamp"], record["host"], k, float(v))
                    for k, v in record.items()
                    if k not in ("timestamp", "host") and v
                ]
    for path in sorted(folder.glob("*.om")):
        rows += _openmetrics_rows(path.read_text(encoding="utf-8"))
    return rows


def _openmetrics_rows(text: str) -> list[tuple[str, str, str, float]]:
    lines = text.splitlines()
    assert lines[-1] == "# EOF"
    sample = re.compile(r'^([a-z_]+)\{host="([\w-]+)"(?:,upstream="[\w-]+")?\} (\S+) (\d+)$')
    families: list[str] = []
    rows = []
    for line in lines[:-1]:
        if line.startswith("# TYPE "):
            families.append(line.split()[2])
            continue
        match = sample.match(line)
        assert match, line
        assert match.group(1) == families[-1]  # samples stay inside their family
        rows.append((match.group(4), match.group(2), match.group(1), float(match.group(3))))
    assert len(families) == len(set(families))
    return rows


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_formats_metrics_parse_in_every_format(make_bundle, seed: int) -> None:
    out, _ = make_bundle("null", "jsonl", seed, SHARED if seed == 11 else LINES)
    rows = _metric_rows(out / "metrics")
    metrics = {metric for _, _, metric, _ in rows}
    assert {
        "cpu_used_percent",
        "memory_used_percent",
        "disk_used_percent",
        "queue_depth",
        "jobs_processed",
        "http_requests_per_second",
        "upstream_latency_ms",
    } <= metrics
    hosts = {host for _, host, _, _ in rows}
    assert len(hosts) == 13
    assert all(0 <= value <= 100 for _, _, m, value in rows if m.endswith("_percent"))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_formats_changes_parse_in_every_format(make_bundle, seed: int) -> None:
    out, _ = make_bundle("null", "jsonl", seed, SHARED if seed == 11 else LINES)
    (path,) = list((out / "changes").iterdir())
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        records = list(csv.DictReader(io.StringIO(text)))
    elif path.suffix == ".json":
        records = json.loads(text)
    else:
        records = [json.loads(line) for line in text.splitlines()]
    assert len(records) >= 6
    assert len({r["id"] for r in records}) == len(records)
    allowed = {"deploy", "rollback", "config", "feature_flag", "migration", "infra", "other"}
    assert {r["type"] for r in records} <= allowed
    times = [r["timestamp"] for r in records]
    assert times == sorted(times)
    assert all(t.endswith("Z") for t in times)


def test_formats_crontab_jobs_are_valid_with_host_comments(make_bundle) -> None:
    out, _ = make_bundle("cron_overload", "jsonl", 11, SHARED)
    lines = (out / "cron" / "crontab").read_text(encoding="utf-8").splitlines()
    jobs = [line for line in lines if line and not line.startswith("#") and "=" not in line]
    assert len(jobs) == 7
    for job in jobs:
        fields = job.split(None, 6)
        assert croniter.is_valid(" ".join(fields[:5])), job
    placed = [i for i, line in enumerate(lines) if line.startswith("# hosts: ")]
    assert placed
    assert all(lines[i + 1] in jobs for i in placed)


def test_formats_reports_csv_and_manifest(make_bundle) -> None:
    out, truth = make_bundle("browser_specific", "jsonl", 11, SHARED)
    reports = list(
        csv.DictReader(
            io.StringIO((out / "reports" / "bug_reports.csv").read_text(encoding="utf-8"))
        )
    )
    assert {"created_at", "subject", "description", "browser"} <= set(reports[0])
    manifest = yaml.safe_load((out / "warroom.yaml").read_text(encoding="utf-8"))
    assert set(manifest) <= {"timezone", "window"}
    if "window" in manifest:
        assert manifest["window"]["incident"] == list(truth.window)
