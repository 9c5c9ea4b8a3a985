"""NGINX / Apache access logs: combined, common, trailing fields, malformed lines."""

from __future__ import annotations

from datetime import UTC, datetime


def test_access_combined_rows(load):
    loaded, rows = load("access_combined.log", "access", host="web-3", default_service="shop")
    assert (loaded.rows, loaded.rejected) == (4, 1)
    assert loaded.rejected_examples == [
        "line 4: not an access log line: this line is not an access log line"
    ]
    assert [row["line"] for row in rows] == [1, 2, 3, 5]
    first = rows[0]
    assert first["ts"] == datetime(2026, 3, 4, 13, 2, 11, tzinfo=UTC)  # +0100 in the line
    assert (first["host"], first["service"], first["level"]) == ("web-3", "shop", None)
    assert (first["status"], first["method"], first["path"]) == (200, "GET", "/api/orders/42")
    assert first["duration_ms"] == 43.0
    assert first["user"] is None
    assert first["message"] == "GET /api/orders/42?expand=items&expand=customer HTTP/1.1"
    assert first["attrs"] == {
        "client_ip": "10.0.0.7",
        "bytes": "1532",
        "protocol": "HTTP/1.1",
        "referer": "https://shop.example.com/cart",
        "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.3 Safari/605.1.15",
        "query.expand": "items,customer",
    }
    assert (rows[1]["status"], rows[1]["user"], rows[1]["duration_ms"]) == (502, "alice", 30001.0)


def test_access_junk_request_keeps_the_record(load):
    _, rows = load("access_combined.log", "access")
    tls = rows[2]
    assert (tls["status"], tls["method"], tls["path"]) == (400, None, None)
    assert tls["message"] == r"\x16\x03\x01\x00\xF1\x01\x00\x00\xED\x03\x03"
    assert tls["attrs"] == {"client_ip": "10.0.0.9", "bytes": "157"}
    assert tls["host"] is None  # an access log line never names its host


def test_access_trailing_pairs_and_quoted_fields(load):
    _, rows = load("access_combined.log", "access")
    last = rows[3]
    assert last["ts"] == datetime(2026, 3, 4, 13, 2, 14, tzinfo=UTC)
    assert last["duration_ms"] == 120.0  # rt= is the request time in seconds
    assert last["path"] == "/api/orders"
    assert last["attrs"] == {
        "client_ip": "10.0.0.7",
        "bytes": "2011",
        "protocol": "HTTP/2.0",
        "user_agent": "curl/8.5.0",
        "rt": "0.120",
        "uct": "0.001",
        "urt": "0.118",
        "extra.1": "10.0.0.1, 10.0.0.2",
        "query.page": "2",
        "query.q": "red shoes",
    }


def test_access_common_format(load):
    loaded, rows = load("access_common.log", "access")
    assert (loaded.rows, loaded.rejected) == (3, 0)
    assert [row["ts"] for row in rows] == [
        datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC),
        datetime(2000, 10, 10, 20, 56, 1, tzinfo=UTC),
        datetime(2000, 10, 10, 20, 56, 9, tzinfo=UTC),
    ]
    assert [(row["status"], row["method"], row["path"]) for row in rows] == [
        (200, "GET", "/apache_pb.gif"),
        (304, "HEAD", "/index.html"),
        (408, None, None),
    ]
    assert rows[0]["user"] == "frank"
    assert rows[1]["attrs"] == {"client_ip": "192.168.1.20", "protocol": "HTTP/1.0"}
    assert {row["duration_ms"] for row in rows} == {None}


def test_access_escaped_quotes_fall_back_to_the_expression(load, tmp_path):
    path = tmp_path / "access.log"
    path.write_text(
        '10.0.0.1 - - [04/Mar/2026:14:02:11 +0000] "GET /search?q=%22red%22 HTTP/1.1" 200 5 '
        '"-" "bot \\"quoted\\" agent" 0.5\n'
        '10.0.0.2 - - [04/Mar/2026:14:02:12 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl"\n'
        '10.0.0.3 - - [31/Feb/2026:14:02:12 +0000] "GET /b HTTP/1.1" 200 5 "-" "curl"\n'
    )
    loaded, rows = load(path, "access")
    assert loaded.rejected_examples == [
        'line 3: time not understood: 10.0.0.3 - - [31/Feb/2026:14:02:12 +0000] "GET /b HTTP/1.1"'
        ' 200 5 "-" "curl"'
    ]
    assert rows[0]["attrs"]["user_agent"] == 'bot \\"quoted\\" agent'
    assert rows[0]["attrs"]["query.q"] == '"red"'
    assert rows[0]["duration_ms"] == 500.0
    assert rows[1]["attrs"]["user_agent"] == "curl"
