"""Fixtures for the bundle reader: a stand-in for the log package, and a real Prometheus.

The log half (`warroom.evidence.logs`) is written separately; these tests use a small double of
its two functions so that the bundle reader's own behaviour is what they check. The double
recognises JSON log lines (a `level` key) and RFC 3164 syslog, and inserts each JSON record's
time into `events` so that the syslog reference time has something to be the median of.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import pytest

from warroom.evidence.types import FileLoad, LoadContext

FIXTURES = Path(__file__).parent / "fixtures"


def naive(*parts: int) -> datetime:
    """A UTC time as DuckDB hands back a TIMESTAMP: without tzinfo."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)  # type: ignore[misc]


@dataclass
class FakeLogs:
    """Records every call the bundle reader makes to the log package."""

    sniffed: list[list[str]] = field(default_factory=list)
    loaded: list[tuple[str, str, LoadContext]] = field(default_factory=list)

    def sniff_log(self, sample: list[str]) -> str | None:
        self.sniffed.append(sample)
        if sample[0].startswith("{") and '"level"' in sample[0]:
            return "jsonl"
        if sample[0][:4] in ("Jan ", "Feb ", "Mar ", "Apr "):
            return "syslog"
        return None

    def load_log(
        self, con: duckdb.DuckDBPyConnection, path: Path, *, fmt: str, ctx: LoadContext
    ) -> FileLoad:
        rel = path.relative_to(ctx.root).as_posix()
        self.loaded.append((rel, fmt, ctx))
        rows = 0
        if fmt == "jsonl":
            result = con.execute(
                "INSERT INTO events (ts, host, source, format) SELECT CAST(ts AS TIMESTAMP), ?, ?, "
                "'jsonl' FROM read_json(?, columns = {'ts': 'VARCHAR'})",
                [ctx.host, rel, str(path)],
            ).fetchall()
            rows = int(result[0][0])
        return FileLoad(path=rel, table="events", format=fmt, rows=rows)

    def load_logs(
        self,
        con: duckdb.DuckDBPyConnection,
        files: Sequence[tuple[Path, LoadContext]],
        *,
        fmt: str,
    ) -> list[FileLoad]:
        return [self.load_log(con, path, fmt=fmt, ctx=ctx) for path, ctx in files]


@pytest.fixture(autouse=True)
def fake_logs(monkeypatch: pytest.MonkeyPatch) -> FakeLogs:
    """Stand the double in for `warroom.evidence.logs` for every test in this folder."""
    fake = FakeLogs()
    module = types.ModuleType("warroom.evidence.logs")
    module.sniff_log = fake.sniff_log  # type: ignore[attr-defined]
    module.load_log = fake.load_log  # type: ignore[attr-defined]
    module.load_logs = fake.load_logs  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "warroom.evidence.logs", module)
    return fake


@pytest.fixture
def basic_bundle(tmp_path: Path) -> Path:
    """A copy of the basic fixture bundle (tests may change it)."""
    target = tmp_path / "basic"
    shutil.copytree(FIXTURES / "basic", target)
    return target


# --- a real Prometheus on 127.0.0.1 -------------------------------------------------------

PROM_START = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # one sample a minute for an hour from here
PROM_MINUTES = 61


@dataclass(frozen=True)
class PrometheusServer:
    url: str
    start: datetime
    end: datetime


def _openmetrics() -> str:
    """Known samples: up=1, memory 75% used on web-1, jobs_queued = minutes since start."""
    stamps = [int((PROM_START + timedelta(minutes=m)).timestamp()) for m in range(PROM_MINUTES)]
    lines = ["# TYPE up gauge"]
    lines += [f'up{{instance="web-1:9100",job="node"}} 1 {t}' for t in stamps]
    lines += ["# TYPE node_memory_MemAvailable_bytes gauge"]
    lines += [f'node_memory_MemAvailable_bytes{{instance="web-1:9100"}} 25 {t}' for t in stamps]
    lines += ["# TYPE node_memory_MemTotal_bytes gauge"]
    lines += [f'node_memory_MemTotal_bytes{{instance="web-1:9100"}} 100 {t}' for t in stamps]
    lines += ["# TYPE jobs_queued gauge"]
    lines += [f'jobs_queued{{instance="worker-1:9100"}} {m} {t}' for m, t in enumerate(stamps)]
    return "\n".join([*lines, "# EOF", ""])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited with code {process.returncode}")
        with contextlib.suppress(httpx.TransportError):  # not listening yet
            if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("prometheus did not become ready within 60s")


@pytest.fixture(scope="session")
def prometheus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    """A real Prometheus on a free loopback port, its TSDB filled with `_openmetrics()`."""
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if binary is None or promtool is None:
        message = (
            "the prometheus and promtool binaries are not installed (apt-get install prometheus)"
        )
        if os.environ.get("WARROOM_REQUIRE_PROMETHEUS") == "1":
            pytest.fail(message + ", and WARROOM_REQUIRE_PROMETHEUS=1 requires them")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("prometheus")
    (folder / "samples.om").write_text(_openmetrics())
    (folder / "prometheus.yml").write_text("global:\n  scrape_interval: 1h\n")
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", "samples.om", "data"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    url = f"http://127.0.0.1:{_free_port()}"
    command = [
        binary,
        f"--config.file={folder / 'prometheus.yml'}",
        f"--storage.tsdb.path={folder / 'data'}",
        "--storage.tsdb.retention.time=100y",
        f"--web.listen-address={url.removeprefix('http://')}",
    ]
    log = (folder / "prometheus.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(url, process)
        end = PROM_START + timedelta(minutes=PROM_MINUTES - 1)
        yield PrometheusServer(url=url, start=PROM_START, end=end)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
