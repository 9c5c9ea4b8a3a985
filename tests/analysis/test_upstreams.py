from __future__ import annotations

import duckdb
import ibis
import pandas as pd
import pytest

from tests.analysis.http_data import add
from warroom.analysis.upstreams import is_failure, request_route, upstream_counts, with_upstream
from warroom.evidence.schema import create_statement

NGINX_ERROR = (
    "*1893 upstream timed out (110: Connection timed out) while reading response header from "
    'upstream, client: 10.1.2.3, server: shop, request: "POST /api/pay/81723 HTTP/1.1", '
    'upstream: "http://payments-gateway.pay.svc.cluster.local:8080/pay", host: "shop"'
)
FAILURES = [
    ("timeout connecting to payments-gateway:443", None, "payments-gateway"),
    ("Timeout after 5000 ms calling payments-gateway (order 1)", None, "payments-gateway"),
    ("connection refused (postgres)", None, "postgres"),
    (NGINX_ERROR, None, "payments-gateway"),
    ("Error: getaddrinfo ENOTFOUND inventory-api", None, "inventory-api"),
    ("dial tcp 10.0.0.5:5432: connect: connection refused", None, "10.0.0.5"),
    (
        'connection to server at "db-primary" (10.0.0.3), port 5432 failed',
        "psycopg2.OperationalError",
        "db-primary",
    ),
    ("could not fetch session", "redis.exceptions.ConnectionError", "redis"),
    ("connection is closed", "org.postgresql.util.PSQLException", "postgres"),
    ('ERROR: column "total" does not exist', "org.postgresql.util.PSQLException", None),
    (
        "HTTPSConnectionPool(host='payments-gateway', port=443): Read timed out.",
        "requests.exceptions.ReadTimeout",
        "payments-gateway",
    ),
    ("connect ETIMEDOUT inventory-api:8080", None, "inventory-api"),
    ('Get "http://ledger:8080/balance": context deadline exceeded', None, "ledger"),
    ("dial tcp: lookup payments-gateway on 10.96.0.10:53: no such host", None, "payments-gateway"),
    ("timed out waiting for lock", None, None),
    (
        "request failed: GET /api/orders/7 -> 504 (psycopg.errors.QueryCanceled: canceling "
        "statement due to statement timeout)",
        None,
        None,
    ),
    ("payments-gateway did not answer within 5000 ms", None, "payments-gateway"),
    ("order 81723 timed out", None, None),
    ('msg="request failed" status=503 upstream=redis-cache', None, None),
    ('msg="cache read timed out" upstream=redis-cache', None, "redis-cache"),
    ('msg="request failed" upstream=inventory-db error="statement timeout"', None, None),
    (
        "QueuePool limit of size 20 overflow 10 reached, connection timed out (postgres)",
        "sqlalchemy.exc.TimeoutError",
        None,
    ),
    ("Read timed out", "java.net.SocketTimeoutException", None),
    ("order 81723 not found", None, None),
]


def _names(rows: list[dict[str, object]]) -> list[str | None]:
    con = duckdb.connect()
    con.execute(create_statement("events"))
    add(con, pd.DataFrame(rows).assign(line=range(len(rows))))
    table = ibis.duckdb.from_connection(con).table("events")
    table = table.mutate(period=ibis.literal("incident"), failure=is_failure(table))
    out = with_upstream(table).order_by("line").execute()
    return [n if isinstance(n, str) else None for n in out["name"]]


@pytest.mark.parametrize(("message", "exception", "expected"), FAILURES)
def test_upstreams_named_in_failure_text(
    message: str, exception: str | None, expected: str | None
) -> None:
    row = {"level": "error", "message": message, "exception_type": exception}
    assert _names([row]) == [expected]


def test_upstreams_java_connect_exception_in_the_stack() -> None:
    stack = (
        "java.net.ConnectException: Connection refused: payments-gateway/10.0.0.7:443\n"
        "\tat java.base/sun.nio.ch.Net.connect0(Native Method)\n"
    )
    row = {"level": "error", "message": "Request failed", "stack": stack}
    assert _names([row]) == ["payments-gateway"]


def test_upstreams_named_for_failures_about_the_call() -> None:
    rows = [
        {"level": "info", "message": "call ok", "attrs": {"peer.service": "Payments-Gateway"}},
        {
            "level": "info",
            "message": "ok",
            "attrs": {"http.url": "https://api.stripe.com/v1/c?x=1"},
        },
        {"level": "info", "message": "ok", "attrs": {"db.system": "postgresql"}},
        {"level": "info", "message": "timeout connecting to payments-gateway:443"},
        {"level": "warn", "message": "retrying: timeout connecting to payments-gateway:443"},
        {"level": "error", "message": "timeout connecting to payments-gateway:443"},
        # A field ties this failure to inventory-db, but it is about the request, not the call.
        {"level": "error", "message": "No enum constant CORE_B2C", "attrs": {"upstream": "inv"}},
        {"level": "error", "message": "inventory timed out", "attrs": {"upstream": "inv"}},
        {"level": "error", "message": "QueuePool limit reached", "attrs": {"upstream": "inv"}},
    ]
    assert _names(rows) == [
        None,  # a call that did not fail names no failing upstream
        None,
        None,
        None,
        "payments-gateway",
        "payments-gateway",
        None,
        "inv",
        None,
    ]


def test_upstreams_route_from_fields_or_nginx_request_line() -> None:
    con = duckdb.connect()
    con.execute(create_statement("events"))
    rows = [
        {"level": "error", "message": NGINX_ERROR},
        {"level": "error", "message": "x", "method": "get", "path": "/api/orders/7"},
        {"level": "error", "message": "request failed: POST /api/checkout?x=1 -> 504 (timeout)"},
        {"level": "error", "message": "no request here"},
    ]
    add(con, pd.DataFrame(rows).assign(line=range(len(rows))))
    table = ibis.duckdb.from_connection(con).table("events")
    out = table.mutate(route=request_route(table)).order_by("line").execute()
    routes = [r if isinstance(r, str) else None for r in out["route"]]
    assert routes == ["POST /api/pay/{id}", "GET /api/orders/{id}", "POST /api/checkout", None]


def test_upstreams_counts_calls_from_fields_and_failures_about_the_call() -> None:
    con = duckdb.connect()
    con.execute(create_statement("events"))
    gateway = {"peer.service": "payments-gateway"}
    rows = [
        *({"level": "info", "message": "ok", "attrs": gateway} for _ in range(5)),
        {"level": "error", "message": "payments-gateway did not answer", "attrs": gateway},
        {"level": "error", "message": "No enum constant CORE_B2C", "attrs": gateway},
        *({"level": "error", "message": f"connection refused (postgres) #{i}"} for i in range(3)),
        {"level": "error", "message": "NullPointerException"},
    ]
    add(con, pd.DataFrame(rows).assign(line=range(len(rows))))
    table = ibis.duckdb.from_connection(con).table("events")
    table = table.mutate(period=ibis.literal("incident"), failure=is_failure(table))
    counts = upstream_counts(table).order_by("name").execute()
    named = counts[counts["name"].notna()]
    assert named[["name", "calls", "failures"]].to_dict("records") == [
        {"name": "payments-gateway", "calls": 7, "failures": 1},
        {"name": "postgres", "calls": 3, "failures": 3},
    ]
    # The failures that name no upstream (the enum error is not about the call, the NPE names
    # nothing) come in one row without a name, for the caller to leave out.
    unnamed = counts[counts["name"].isna()]
    assert unnamed[["calls", "failures"]].to_dict("records") == [{"calls": 1, "failures": 2}]
