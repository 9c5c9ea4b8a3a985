from __future__ import annotations

import math
import re
from typing import Any

import duckdb
import ibis
import pandas as pd

from tests.analysis.http_data import fixture
from warroom.analysis.frames import (
    all_frames,
    app_frames,
    language,
    parsed_exception_type,
    root_cause,
)
from warroom.analysis.templates.stack import stack_fingerprint


def _parse(stacks: list[str]) -> list[dict[str, Any]]:
    con = duckdb.connect()
    con.register("s", pd.DataFrame({"i": range(len(stacks)), "stack": stacks}))
    table = ibis.duckdb.from_connection(con).table("s")
    parsed = table.mutate(
        lang=language(table.stack),
        app=app_frames(table.stack),
        every=all_frames(table.stack),
        kind=parsed_exception_type(table.stack),
        root=root_cause(table.stack),
    )
    rows = parsed.order_by("i").execute().to_dict("records")
    rows = [{k: (None if _missing(v) else v) for k, v in r.items()} for r in rows]
    # the fingerprint's type and frame parts (the message part is tested in templates/)
    return [{**r, "fp": stack_fingerprint(r["kind"] or "?", list(r["app"]), "")} for r in rows]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_frames_python_traceback_innermost_in_app_first() -> None:
    (row,) = _parse([fixture("python_traceback.txt")])
    assert row["lang"] == "python"
    assert row["kind"] == "shop.orders.errors.OrderNotFound"
    assert list(row["app"][:3]) == [
        "orders/repository.py:load_order",
        "orders/service.py:fetch",
        "orders/views.py:get_order",
    ]
    assert "flask/app.py:dispatch_request" in list(row["every"])
    assert "flask/app.py:dispatch_request" not in list(row["app"])


def test_frames_java_root_cause_first_and_generated_parts_dropped() -> None:
    (row,) = _parse([fixture("java_caused_by.txt")])
    assert row["lang"] == "java"
    assert row["kind"] == "org.springframework.web.util.NestedServletException"
    assert row["root"] == "java.lang.IllegalStateException"
    assert list(row["app"]) == [
        "com.shop.checkout.service.PaymentService.reconcile",
        "com.shop.checkout.service.PaymentService.apply",  # `$1` anonymous class numbering gone
        "com.shop.checkout.web.CheckoutController.submit",
        "com.shop.checkout.web.CheckoutController.lambda$submit",  # `$0` lambda numbering gone
    ]
    every = list(row["every"])
    assert "com.sun.proxy.$Proxy.reconcile" in every  # proxies are library frames
    assert "jdk.internal.reflect.GeneratedMethodAccessor.invoke" in every
    assert not any("CGLIB" in frame for frame in every)


def test_frames_go_panic_frames_without_arguments_or_toolchain() -> None:
    (row,) = _parse([fixture("go_panic.txt")])
    assert row["lang"] == "go"
    assert row["kind"] == "panic"
    assert list(row["app"]) == ["store.(*OrderStore).Get", "api.(*Handler).GetOrder.func"]
    assert "http.HandlerFunc.ServeHTTP" in list(row["every"])  # the Go toolchain: library


def test_frames_node_frames_skip_node_modules_and_internals() -> None:
    (row,) = _parse([fixture("node_error.txt")])
    assert row["lang"] == "node"
    assert row["kind"] == "TypeError"
    assert list(row["app"]) == [
        "cart/pricing.js:lineTotal",
        "cart/service.js:CartService.total",
        "cart/controller.js:CartController.checkout",
    ]


def _shifted(trace: str) -> str:
    """The same failure from another build: other line numbers, addresses and lambda ids."""
    trace = re.sub(r"line \d+", "line 999", trace)
    trace = re.sub(r"\.(java|go|js):\d+", r".\1:7", trace)
    trace = re.sub(r"0x[0-9a-f]+", "0xdead", trace)
    return trace.replace("$$5e1f2a3b", "$$77aa00bb").replace("lambda$submit$0", "lambda$submit$3")


def test_frames_fingerprint_ignores_what_changes_between_builds() -> None:
    names = ["python_traceback.txt", "java_caused_by.txt", "go_panic.txt", "node_error.txt"]
    traces = [fixture(n) for n in names]
    rows = _parse(traces + [_shifted(t) for t in traces])
    firsts, seconds = rows[:4], rows[4:]
    assert [r["fp"] for r in firsts] == [r["fp"] for r in seconds]
    assert len({r["fp"] for r in firsts}) == 4


def test_frames_other_code_path_gives_another_fingerprint() -> None:
    trace = fixture("node_error.txt")
    moved = trace.replace("at lineTotal (", "at discountTotal (")
    first, second = _parse([trace, moved])
    assert first["fp"] != second["fp"]


def test_frames_trace_with_only_library_frames_keeps_them() -> None:
    trace = (
        "java.net.SocketTimeoutException: Read timed out\n"
        "\tat java.base/java.net.SocketInputStream.socketRead0(Native Method)\n"
        "\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)\n"
    )
    (row,) = _parse([trace])
    assert row["kind"] == "java.net.SocketTimeoutException"
    assert list(row["app"]) == [
        "java.net.SocketInputStream.socketRead0",
        "java.net.SocketInputStream.read",
    ]


def test_frames_text_without_frames_has_none() -> None:
    (row,) = _parse(["something went wrong, no trace here"])
    assert row["lang"] is None
    assert list(row["app"]) == []
    assert row["kind"] is None


def test_frames_exception_message_of_each_language() -> None:
    from warroom.analysis.frames import exception_message

    stacks = [
        fixture("python_traceback.txt"),
        fixture("java_caused_by.txt"),
        fixture("go_panic.txt"),
        fixture("node_error.txt"),
        "no trace here",
    ]
    con = duckdb.connect()
    con.register("s", pd.DataFrame({"i": range(len(stacks)), "stack": stacks}))
    table = ibis.duckdb.from_connection(con).table("s")
    out = table.mutate(msg=exception_message(table.stack)).order_by("i").execute()
    assert list(out["msg"]) == [
        "order 81723 not found",
        "Request processing failed; nested exception is java.lang.IllegalStateException: "
        "payment total mismatch for order 81723",
        "runtime error: invalid memory address or nil pointer dereference",
        "Cannot read properties of undefined (reading 'price')",
        "no trace here",  # a text in no trace format: its first line
    ]
