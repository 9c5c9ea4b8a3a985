"""Syslog lines whose body is key=value pairs fill the same fields as a logfmt line."""

from __future__ import annotations

from datetime import UTC, datetime

REFERENCE = datetime(2026, 3, 5, tzinfo=UTC)

PAIRED = (
    '<131>Mar  4 14:02:11 api-1 api[1225]: msg="request failed" method=get '
    "path=/api/orders/42?page=2 status=500 duration=1.5s user=u7 error=TimeoutError "
    'upstream=orders-db error_message="statement timeout"\n'
    "<134>Mar  4 14:02:12 api-1 api[1225]: level=warn route=/api/cart status=429 pid=99\n"
    "<134>Mar  4 14:02:13 api-1 api[1225]: method=GET path=/health status=200\n"
    "<134>Mar  4 14:02:14 api-1 CRON[77]: (root) CMD (run-parts /etc/cron.hourly)\n"
    '<165>1 2026-03-04T14:02:15.003Z api-2 billing 811 ID47 [origin ip="10.0.0.5"] '
    "service=invoices status=503 method=POST path=/api/invoices\n"
)


def test_syslog_pairs_fill_the_logfmt_fields(load, tmp_path):
    path = tmp_path / "messages"
    path.write_text(PAIRED)
    loaded, rows = load(path, "syslog", reference_time=REFERENCE)
    assert (loaded.rows, loaded.rejected) == (5, 0)
    failed, limited, quiet, cron, invoices = rows
    assert failed["ts"] == datetime(2026, 3, 4, 14, 2, 11, tzinfo=UTC)
    assert (failed["host"], failed["service"], failed["level"]) == ("api-1", "api", "error")
    assert (failed["status"], failed["method"], failed["path"]) == (500, "GET", "/api/orders/42")
    assert (failed["duration_ms"], failed["user"]) == (1500.0, "u7")
    assert (failed["message"], failed["exception_type"]) == ("request failed", "TimeoutError")
    assert failed["attrs"] == {
        "facility": "local0",
        "pid": "1225",
        "upstream": "orders-db",
        "error_message": "statement timeout",
        "query.page": "2",
    }
    # A level pair outranks the PRI's severity (info); `route` is a path key; the header's
    # pid wins over a pair of the same name; no msg pair: the body is the message.
    assert (limited["level"], limited["status"], limited["path"]) == ("warn", 429, "/api/cart")
    assert limited["attrs"] == {"facility": "local0", "pid": "1225"}
    assert limited["message"] == "level=warn route=/api/cart status=429 pid=99"
    assert (quiet["status"], quiet["level"]) == (200, "info")
    # Free text in the same file stays as it was.
    assert (cron["service"], cron["status"], cron["path"]) == ("CRON", None, None)
    assert cron["message"] == "(root) CMD (run-parts /etc/cron.hourly)"
    # RFC 5424: the service pair outranks APP-NAME, structured data stays in attrs.
    assert (invoices["host"], invoices["service"], invoices["status"]) == (
        "api-2",
        "invoices",
        503,
    )
    assert invoices["attrs"]["origin.ip"] == "10.0.0.5"
    assert invoices["attrs"]["msgid"] == "ID47"


def test_syslog_free_text_with_an_equals_sign_later_is_not_pairs(load, tmp_path):
    path = tmp_path / "messages"
    path.write_text(
        "<38>Mar  4 14:02:11 web-3 sshd[811]: Failed password for root port=22\n"
        "<30>Mar  4 14:02:12 web-3 systemd[1]: Started session status=ok\n"
    )
    loaded, rows = load(path, "syslog", reference_time=REFERENCE)
    assert (loaded.rows, loaded.rejected) == (2, 0)
    assert [row["status"] for row in rows] == [None, None]
    assert rows[0]["message"] == "Failed password for root port=22"
    assert rows[0]["attrs"] == {"facility": "auth", "pid": "811"}
