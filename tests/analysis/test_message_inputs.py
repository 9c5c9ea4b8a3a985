"""Values inside one message template, its error lines vs its other lines (message_inputs.py)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from tests.analysis.synthetic import T0, add_events, empty_store, worker_lines
from warroom.analysis.analyzers.inputs import Inputs
from warroom.analysis.analyzers.messages import Messages
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.analysis.message_inputs import parameter_names

HOSTS = ["worker-1", "worker-2", "worker-3"]
ONSET = T0 + timedelta(hours=5)
TEMPLATE = "Processing quantity '<*>' for sku <*>"


def _lines(*, seed: int, decimals_fail: bool) -> pd.DataFrame:
    """One line per job over 6 hours: "Processing quantity '3' for sku SKU-12". After ONSET a
    fifth of the quantities carry a decimal point; the lines of failing jobs are logged at
    error level: the decimal ones (decimals_fail) or a random fifth (not)."""
    rng = np.random.default_rng(seed)
    count = 3 * 3600  # one job every two seconds
    offsets = np.sort(rng.uniform(0, 6 * 3600, count))
    ts = pd.Timestamp(T0.replace(tzinfo=None)) + pd.to_timedelta(offsets, unit="s")
    late = ts >= pd.Timestamp(ONSET.replace(tzinfo=None))
    decimal = late & (rng.uniform(size=count) < 0.2)
    whole = rng.integers(1, 9, count).astype(str)
    quantity = np.where(decimal, np.char.add(whole, ".5"), whole)
    sku = np.char.add("SKU-", rng.integers(10, 99, count).astype(str))
    failing = decimal if decimals_fail else late & (rng.uniform(size=count) < 0.2)
    failing |= rng.uniform(size=count) < 0.002  # background errors
    message = [f"Processing quantity '{q}' for sku {s}" for q, s in zip(quantity, sku, strict=True)]
    return worker_lines(ts, message, failing, host=rng.choice(HOSTS, size=count))


def _run(frame: pd.DataFrame):  # type: ignore[no-untyped-def]
    con = empty_store()
    add_events(con, frame)
    request = WindowRequest(incident=(ONSET - timedelta(minutes=10), T0 + timedelta(hours=6)))
    return investigate(
        con, inputs={"events": len(frame)}, request=request,
        analyzers=[Onset(), Messages(), Inputs()],
    )  # fmt: skip


def test_parameter_names_come_from_the_word_before_each_variable() -> None:
    assert parameter_names(TEMPLATE) == ["message.quantity", "message.sku"]
    assert parameter_names("<*> <*> moved to <*>") == ["message.1", "message.2", "message.to"]
    assert parameter_names("retry <*> of <*> after <*>, retry <*>") == [
        "message.retry", "message.of", "message.after", "message.retry.4",
    ]  # fmt: skip
    assert parameter_names("no variables here") == []


def test_decimal_quantities_inside_the_failing_lines_are_found() -> None:
    result = _run(_lines(seed=3, decimals_fail=True))
    finding = result.finding("inputs:input_shape:message.quantity:decimal")
    assert finding is not None, [f.id for f in result.findings]
    failing, total = finding.incident["failing_with"], finding.incident["failing"]
    assert failing >= 0.95 * total and total > 300
    assert finding.incident["succeeding_with"] == 0
    assert finding.statement.startswith(f"{failing:,} of {total:,} error lines of the message ")
    assert "had a message.quantity with a decimal point; none of its" in finding.statement
    assert finding.test is not None and finding.test.q_value is not None
    assert finding.test.q_value < 1e-10
    assert finding.subject is not None and finding.subject.key == (
        "input", "message.quantity:decimal",
    )  # fmt: skip
    explains = finding.evidence["explains"]  # the decimal values it covers, never an endpoint
    assert explains and all(kind == "input" for kind, _ in explains)


def test_values_that_do_not_separate_the_error_lines_stay_silent() -> None:
    result = _run(_lines(seed=4, decimals_fail=False))
    ours = [f for f in result.findings if f.analyzer == "inputs:v1"]
    # chance alone may pass q < 0.05 for one of ~90 skus; nothing may score like a cause
    assert all(f.score < 0.5 for f in ours), [f.statement for f in ours if f.score >= 0.5]
    assert not [f for f in ours if "message.quantity" in f.id]
