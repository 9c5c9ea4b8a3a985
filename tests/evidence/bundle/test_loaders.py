"""Format variants beyond the basic bundle, and files that fail without failing the bundle."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warroom.evidence.bundle import load_bundle

from .conftest import naive

NAB = Path(__file__).parents[3] / ".." / "shared" / "datasets" / "nab" / "data"


def _load(folder: Path, sql: str) -> list[tuple[object, ...]]:
    with load_bundle(folder) as bundle:
        return bundle.con.execute(sql).fetchall()  # type: ignore[no-any-return]


def test_changes_csv_with_a_comma_separated_hosts_column(tmp_path: Path) -> None:
    (tmp_path / "deploys.csv").write_text(
        "id,timestamp,type,service,version,hosts,author,description,commit\n"
        'd1,2026-03-04T14:00:00Z,rollback,api,1.4.1,"web-1, web-2",ana,roll back,abc\n'
        "d2,2026-03-04T14:05:00Z,migration,db,,,bo,add index,\n"
    )
    assert _load(tmp_path, "SELECT id, type, hosts, version, commit FROM changes ORDER BY id") == [
        ("d1", "rollback", ["web-1", "web-2"], "1.4.1", "abc"),
        ("d2", "migration", [], None, None),
    ]


def test_changes_json_array_counts_elements(tmp_path: Path) -> None:
    (tmp_path / "changes.json").write_text(
        '[{"id": "a", "time": "2026-03-04T14:00:00+02:00", "type": "infra", "author": "x"},\n'
        ' {"id": "b", "type": "infra", "author": "y", "service": "s"}]\n'
    )
    with load_bundle(tmp_path) as bundle:
        rows = bundle.con.execute("SELECT id, ts FROM changes").fetchall()
        examples = bundle.files[0].rejected_examples
    assert rows == [("a", naive(2026, 3, 4, 12, 0))]
    assert examples[0].startswith("element 2: no readable time")


def test_reports_json_array_and_epoch_milliseconds(tmp_path: Path) -> None:
    (tmp_path / "tickets.json").write_text(
        '[{"created_at": 1772632800000, "text": "slow", "os": "Android 14.1", "device": "Pixel 8",'
        ' "customer": "c1", "plan": "pro"}]'
    )
    assert _load(tmp_path, "SELECT ts, text, os, device, attrs FROM reports") == [
        (naive(2026, 3, 4, 14, 0), "slow", "Android 14", "Pixel 8", {"plan": "pro"})
    ]


def test_crontab_hosts_comment_applies_to_the_next_line_only(tmp_path: Path) -> None:
    spool = tmp_path / "var" / "spool" / "cron" / "crontabs"
    spool.mkdir(parents=True)
    (spool / "alice").write_text(
        "# hosts: web-1\n0 1 * * * /bin/one\n0 2 * * * /bin/two\n"
        "# hosts: web-2\n\n0 3 * * * /bin/three\n"
    )
    assert _load(tmp_path, "SELECT ref, user, hosts FROM cron_jobs ORDER BY line") == [
        ("/bin/one", "alice", ["web-1"]),
        ("/bin/two", "alice", []),
        ("/bin/three", "alice", []),
    ]


def test_wide_csv_with_one_value_column_is_named_after_the_file(tmp_path: Path) -> None:
    (tmp_path / "ec2_cpu_utilization_x.csv").write_text(
        "timestamp,value\n2014-02-14 14:30:00,0.132\n2014-02-14 14:35:00,0.134\n"
    )
    assert _load(tmp_path, "SELECT metric, count(*) FROM metrics GROUP BY metric") == [
        ("ec2_cpu_utilization_x", 2)
    ]


def test_prometheus_timestamps_in_seconds_and_milliseconds(tmp_path: Path) -> None:
    (tmp_path / "a.om").write_text(
        '# TYPE x gauge\nx{host="h"} 1 1772632800\nx{host="h"} 2 1772632860000\n# EOF\n'
    )
    assert _load(tmp_path, "SELECT ts, value FROM metrics ORDER BY ts") == [
        (naive(2026, 3, 4, 14, 0), 1.0),
        (naive(2026, 3, 4, 14, 1), 2.0),
    ]


def test_prometheus_samples_take_the_type_of_their_family(tmp_path: Path) -> None:
    # a sample's own family first; else the family its name has with one suffix; else none
    (tmp_path / "a.prom").write_text(
        "# TYPE http_requests counter\n# TYPE rpc summary\n# TYPE lat histogram\n"
        "# TYPE jobs_total gauge\n# TYPE jobs counter\n# HELP up whether it is up\n"
        "# TYPE queue_total counter\n"
        + "".join(
            f'{name}{{host="h"}} 1 1772632800000\n'
            for name in (
                "http_requests_total", "rpc_sum", "rpc_count", "lat_bucket", "jobs_total",
                "up", "http_requests_totals", "queue_total_total", "rpc",
            )
        )
    )  # fmt: skip
    kinds = dict(_load(tmp_path, "SELECT metric, labels['__type__'] FROM metrics"))
    assert kinds == {
        "http_requests_total": "counter",
        "rpc_sum": "summary",
        "rpc_count": "summary",
        "lat_bucket": "histogram",
        "jobs_total": "gauge",  # its own family, not `jobs` + _total
        "up": None,
        "http_requests_totals": None,  # not a suffix
        "queue_total_total": "counter",  # one suffix off: `queue_total`
        "rpc": "summary",
    }


def test_file_a_loader_cannot_read_is_skipped_and_the_rest_load(tmp_path: Path) -> None:
    # duplicate label names cannot become a map: the file fails, the bundle does not
    (tmp_path / "bad.prom").write_text('# TYPE x gauge\nx{a="1",a="2"} 1 1772632800\n')
    (tmp_path / "good.csv").write_text("timestamp,metric,value\n2026-03-04T14:00:00Z,cpu,1\n")
    with load_bundle(tmp_path) as bundle:
        inputs = bundle.inputs()
    assert inputs["metrics_samples"] == 1
    assert [item["path"] for item in inputs["skipped"]] == ["bad.prom"]
    assert inputs["skipped"][0]["reason"].startswith("recognised as prometheus but unreadable: ")


def test_nab_series_load_whole(tmp_path: Path) -> None:
    if not NAB.is_dir():
        pytest.skip("../shared/datasets/nab is not there")
    source = sorted(NAB.glob("*/*.csv"))[0]
    shutil.copy(source, tmp_path / source.name)
    lines = source.read_text().count("\n") - 1
    with load_bundle(tmp_path) as bundle:
        assert bundle.inputs()["metrics_samples"] == lines
        assert bundle.files[0].format == "csv_wide"
        assert bundle.files[0].rejected == 0
