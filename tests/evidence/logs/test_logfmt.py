"""logfmt: Go (logrus, go-kit, slog) lines and Heroku router and app lines."""

from __future__ import annotations

from datetime import UTC, datetime


def test_logfmt_go_rows(load):
    loaded, rows = load("go_logfmt.log", "logfmt", default_service="billing-svc")
    assert (loaded.rows, loaded.rejected) == (4, 1)
    assert loaded.rejected_examples == [
        'line 5: no readable time: level=debug msg="no time on this line"'
    ]
    assert [(row["line"], row["ts"], row["level"], row["message"]) for row in rows] == [
        (1, datetime(2026, 3, 4, 14, 2, 10, tzinfo=UTC), "info", "starting worker"),
        (2, datetime(2026, 3, 4, 14, 2, 11, tzinfo=UTC), "error", "charge failed"),
        (3, datetime(2026, 3, 4, 14, 2, 12, 500000, tzinfo=UTC), "warn", 'retrying "charge"'),
        (4, datetime(2026, 3, 4, 14, 2, 13, tzinfo=UTC), "info", "request done"),
    ]
    assert rows[0]["attrs"] == {"component": "billing", "version": "1.8.2"}
    charge = rows[1]
    assert charge["exception_type"] == "stripe: card_declined"
    assert (charge["user"], charge["duration_ms"]) == ("u-17", 1503.0)  # duration=1.503s
    assert charge["attrs"] == {"component": "billing", "order_id": "42", "amount": "19.99"}
    assert rows[2]["attrs"] == {"caller": "worker.go:88", "attempt": "2", "backoff": "250ms"}
    done = rows[3]
    assert (done["method"], done["path"], done["status"], done["duration_ms"]) == (
        "GET",
        "/api/orders",
        200,
        12.5,
    )
    assert done["attrs"] == {"note": "", "query.page": "2"}  # an empty value is kept
    assert {row["service"] for row in rows} == {"billing-svc"}


def test_logfmt_heroku_router_and_app_lines(load):
    loaded, rows = load("heroku.log", "logfmt", host="heroku")
    assert (loaded.rows, loaded.rejected) == (4, 0)
    ok, timeout, app, text = rows
    assert ok["ts"] == datetime(2026, 3, 4, 14, 2, 11, 123456, tzinfo=UTC)
    assert (ok["level"], ok["method"], ok["path"], ok["status"]) == (
        "info",
        "GET",
        "/api/orders",
        200,
    )
    assert (ok["duration_ms"], ok["container"], ok["host"], ok["service"]) == (
        42.0,
        "web.1",
        "heroku",
        None,
    )
    assert ok["attrs"] == {
        "host": "shop.herokuapp.com",
        "request_id": "8601b555-6a76-4b1e-a2f5-3b35c1e6d5d2",
        "fwd": "203.0.113.7",
        "dyno": "web.1",
        "connect": "0ms",
        "bytes": "1548",
        "protocol": "https",
        "query.page": "2",
    }
    assert (timeout["level"], timeout["status"], timeout["duration_ms"]) == ("error", 503, 30000.0)
    assert (timeout["attrs"]["code"], timeout["attrs"]["desc"]) == ("H12", "Request timeout")
    assert (app["container"], app["level"], app["message"]) == (
        "web.2",
        "error",
        "payment provider timed out",
    )
    assert app["attrs"] == {"order": "43"}
    assert (text["message"], text["level"], text["attrs"]) == (
        "Completed 500 Internal Server Error in 30012ms",
        None,
        {},
    )


def test_logfmt_program_tag_is_the_service(load, tmp_path):
    path = tmp_path / "worker.log"
    path.write_text(
        "2026-03-04T14:02:11Z billing[4242]: level=warn msg=slow t_ms=5\n"
        "no pairs and no time here\n"
        't=2026-03-04T14:02:12Z lvl=eror msg="log15 style" a=1 a=2 Key=x key=y\n'
    )
    loaded, rows = load(path, "logfmt")
    assert loaded.rejected_examples == [
        "line 2: neither key=value pairs nor a time: no pairs and no time here"
    ]
    first, second = rows
    assert (first["service"], first["level"], first["attrs"]) == (
        "billing",
        "warn",
        {"pid": "4242", "t_ms": "5"},
    )
    assert (second["ts"], second["level"]) == (datetime(2026, 3, 4, 14, 2, 12, tzinfo=UTC), "error")
    assert second["attrs"] == {"a": "1", "Key": "x", "key": "y"}
