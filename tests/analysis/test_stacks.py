from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd
import pytest

from tests.analysis.http_data import T0, context, fixture, log_lines, requests, store
from warroom.analysis.analyzers.stacks import MAX_TRACE_LINES, Stacks
from warroom.analysis.finding import AnalyzerResult, Finding

ONSET = T0 + timedelta(hours=5, minutes=10)
JAVA_TYPE = "org.springframework.web.util.NestedServletException"
JAVA_FRAMES = [
    "com.shop.checkout.service.PaymentService.reconcile",
    "com.shop.checkout.service.PaymentService.apply",
    "com.shop.checkout.web.CheckoutController.submit",
]


def _python_background() -> pd.DataFrame:
    """A Python exception that was there all along (it must not be blamed)."""
    return log_lines(
        seed=2,
        message="order lookup failed",
        per_minute=1,
        level="error",
        stack=fixture("python_traceback.txt"),
        exception_type="shop.orders.errors.OrderNotFound",
    )


def _java_after_onset(seed: int, per_minute: float = 3) -> pd.DataFrame:
    frame = log_lines(
        seed=seed,
        message="checkout failed",
        per_minute=per_minute,
        start=ONSET,
        hours=50 / 60,
        level="error",
        exception_type=JAVA_TYPE,
        method="POST",
        path="/api/checkout",
    )
    # Line numbers differ between pods running different builds: still one group.
    trace = fixture("java_caused_by.txt")
    frame["stack"] = [
        re.sub(r"\.java:(\d+)", lambda m, i=i: f".java:{int(m.group(1)) + i % 3}", trace)
        for i in range(len(frame))
    ]
    return frame


def _only(result: AnalyzerResult) -> Finding:
    assert len(result.findings) == 1, [f.statement for f in result.findings]
    return result.findings[0]


@pytest.fixture(scope="module")
def java_incident() -> tuple[AnalyzerResult, pd.DataFrame]:
    java = _java_after_onset(seed=3)
    frames = [requests(seed=1, per_second=0.5), _python_background(), java]
    return Stacks().run(context(store(*frames))), java


def test_stacks_new_exception_with_frames_root_cause_and_route(
    java_incident: tuple[AnalyzerResult, pd.DataFrame],
) -> None:
    result, java = java_incident
    finding = _only(result)
    assert finding.kind == "new_exception"
    assert finding.incident["exceptions"] == len(java)  # every one of them, whatever its lines
    assert finding.baseline["exceptions"] == 0
    assert finding.evidence["exception_type"] == JAVA_TYPE
    assert finding.evidence["root_cause"] == "java.lang.IllegalStateException"
    assert finding.evidence["language"] == "java"
    assert finding.evidence["top_frames"] == JAVA_FRAMES
    assert finding.evidence["routes"] == [{"route": "POST /api/checkout", "count": len(java)}]
    assert finding.q_value is not None and finding.q_value < 1e-20
    (trace,) = finding.examples
    assert trace in {s.rstrip("\n") for s in java["stack"]}
    assert "thrown on POST /api/checkout (100%)" in finding.statement
    assert "caused by java.lang.IllegalStateException" in finding.statement


def test_stacks_old_exception_stays_silent_and_facts_name_the_new_one(
    java_incident: tuple[AnalyzerResult, pd.DataFrame],
) -> None:
    result, _ = java_incident
    assert [r["type"] for r in result.facts["rising"]] == [JAVA_TYPE]
    assert result.eliminated == []


def test_stacks_surged_go_panic_and_long_trace_truncated() -> None:
    panic = fixture("go_panic.txt")
    long_panic = panic + "".join(
        f"main.worker{i}(0x1)\n\t/app/cmd/worker.go:{i} +0x1\n" for i in range(60)
    )
    before = log_lines(seed=4, message="panic", per_minute=0.2, level="fatal", stack=long_panic)
    after = log_lines(
        seed=5,
        message="panic",
        per_minute=4,
        start=ONSET,
        hours=50 / 60,
        level="fatal",
        stack=long_panic,
    )
    result = Stacks().run(context(store(requests(seed=6, per_second=0.5), before, after)))
    finding = _only(result)
    assert finding.kind == "surged_exception"
    assert finding.evidence["exception_type"] == "panic"
    assert finding.evidence["top_frames"] == [
        "store.(*OrderStore).Get",
        "api.(*Handler).GetOrder.func",
        "main.worker0",
    ]
    (trace,) = finding.examples
    assert trace.count("\n") == MAX_TRACE_LINES
    assert trace.endswith("more lines)")


def test_stacks_quiet_data_eliminates_a_new_exception() -> None:
    result = Stacks().run(context(store(requests(seed=7, per_second=0.5), _python_background())))
    assert result.findings == []
    (elimination,) = result.eliminated
    assert elimination.cause == "a new exception in the code"
    assert "none of the 1 exception groups" in elimination.why


def test_stacks_without_exceptions_notes_it() -> None:
    result = Stacks().run(context(store(requests(seed=8, per_second=0.5))))
    assert result.findings == [] and result.eliminated == []
    assert result.notes == ["no exceptions in the incident window or the baseline"]


def test_stacks_exception_type_parsed_from_the_trace_when_the_log_has_none() -> None:
    node = log_lines(
        seed=9,
        message="unhandled",
        per_minute=3,
        start=ONSET,
        hours=50 / 60,
        level="error",
        stack=fixture("node_error.txt"),
    )
    result = Stacks().run(context(store(requests(seed=10, per_second=0.5), node)))
    finding = _only(result)
    assert finding.evidence["exception_type"] == "TypeError"
    assert finding.evidence["top_frames"][0] == "cart/pricing.js:lineTotal"


def test_stacks_same_place_new_message_template_is_a_new_group() -> None:
    """The old failure keeps its rate; the same code path failing with another message (its
    ids varying from event to event) is one new group, found by its message template."""
    trace = fixture("python_traceback.txt")
    old_message = "order 81723 not found"
    assert old_message in trace
    locked = log_lines(
        seed=11,
        message="order lookup failed",
        per_minute=3,
        start=ONSET,
        hours=50 / 60,
        level="error",
        exception_type="shop.orders.errors.OrderNotFound",
    )
    locked["stack"] = [
        trace.replace(old_message, f"order {n} is locked by checkout {n * 7}")
        for n in range(1000, 1000 + len(locked))
    ]
    frames = [requests(seed=12, per_second=0.5), _python_background(), locked]
    finding = _only(Stacks().run(context(store(*frames))))
    assert finding.kind == "new_exception"
    assert finding.incident["exceptions"] == len(locked)
    assert finding.evidence["message_template"] == "order <*> is locked by checkout <*>"
    assert finding.evidence["exception_type"] == "shop.orders.errors.OrderNotFound"
