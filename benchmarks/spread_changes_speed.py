"""Speed of the onset, spread and changes analyzers on large normalised tables.

Builds an `events` table of N rows in DuckDB (three services on 50 hosts, background 500s, a new
exception on one api host from the onset on), 40 change events and 200 commits around it, then
runs `investigate` with a fixed incident window and prints each analyzer's seconds and the
throughput. The data is made by SQL in the engine, so building it is not what is measured.
`--without-services` leaves the service empty, as access logs do (services from host names).

    .venv/bin/python -m benchmarks.spread_changes_speed --rows 1000000 5000000 20000000
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

import duckdb

from warroom.analysis.analyzers.changes import Changes
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.analyzers.spread import Spread
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.evidence.schema import TABLES, create_statement

START = datetime(2026, 3, 4, tzinfo=UTC)
SPAN_S = 3 * 86400  # three days of history
ONSET_S = SPAN_S - 3600  # an hour before the end
BAD_HOST = "api-7"


def build(rows: int, *, services: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in TABLES:
        con.execute(create_statement(table))
    con.execute(
        f"""
        INSERT INTO events
        WITH base AS (
            SELECT i,
                TIMESTAMP '2026-03-04' + to_microseconds(CAST(i * {SPAN_S * 1e6 / rows} AS BIGINT))
                    AS ts,
                hash(i) % 50 AS h, hash(i * 7 + 1) % 1000 AS roll
            FROM range({rows}) t(i)
        ), named AS (
            SELECT *, CASE WHEN h < 24 THEN 'web' WHEN h < 36 THEN 'api' ELSE 'checkout' END AS svc,
                CASE WHEN h < 24 THEN 'web-' || (h + 1) WHEN h < 36 THEN 'api-' || (h - 23)
                     ELSE 'checkout-' || (h - 35) END AS host
            FROM base
        ), marked AS (
            SELECT *, (host = '{BAD_HOST}' AND i >= {int(rows * ONSET_S / SPAN_S)} AND roll < 600)
                    AS broken,
                roll < 3 AS background
            FROM named
        )
        SELECT ts, host, NULL, {"svc" if services else "NULL"},
            CASE WHEN broken OR background THEN 'error' ELSE 'info' END,
            CASE WHEN broken OR background THEN 500 ELSE 200 END, 'GET', '/api/items', 20.0,
            CASE WHEN broken THEN 'No space left on device' WHEN background THEN 'upstream failed'
                 ELSE 'ok' END,
            CASE WHEN broken THEN 'OSError' END, NULL, NULL, NULL, 'bench.jsonl', i + 1, 'jsonl'
        FROM marked
        """
    )
    _changes(con)
    return con


def _changes(con: duckdb.DuckDBPyConnection) -> None:
    onset = START + timedelta(seconds=ONSET_S)
    services = ("web", "api", "checkout")
    for n in range(40):
        at = onset - timedelta(minutes=17 * n + 3)
        con.execute(
            "INSERT INTO changes VALUES (?, ?, 'deploy', ?, ?, [], 'bot', 'release', ?, [], 'c')",
            [f"CHG-{n}", at.replace(tzinfo=None), services[n % 3], f"1.{n}.0", f"{n:07x}"],
        )
    for n in range(200):
        at = onset - timedelta(minutes=4 * n + 1)
        sha = f"{n + 1000:040x}"
        con.execute(
            "INSERT INTO changes VALUES (?, ?, 'commit', NULL, NULL, [], 'dev', 'fix', ?, [], 'g')",
            [sha, at.replace(tzinfo=None), sha],
        )


def measure(rows: int, *, services: bool) -> None:
    started = time.perf_counter()
    con = build(rows, services=services)
    built = time.perf_counter() - started
    onset = START + timedelta(seconds=ONSET_S)
    window = (onset - timedelta(minutes=10), START + timedelta(seconds=SPAN_S))
    started = time.perf_counter()
    result = investigate(
        con,
        inputs={},
        request=WindowRequest(incident=window),
        analyzers=[Onset(), Spread(), Changes()],
    )
    total = time.perf_counter() - started
    timings = ", ".join(f"{c.analyzer} {c.seconds:.2f} s" for c in result.coverage)
    top = result.suspects[0] if result.suspects else None
    print(
        f"{rows:>11,} events (built in {built:.1f} s): {total:.2f} s in all "
        f"({rows / total / 1e6:.2f} M events/s) — {timings}; "
        f"top suspect {top.kind + ' ' + top.ref if top else 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument(
        "--without-services",
        action="store_true",
        help="leave `service` empty, as access logs do: services come from host names",
    )
    args = parser.parse_args()
    for rows in args.rows:
        measure(rows, services=not args.without_services)


if __name__ == "__main__":
    main()
