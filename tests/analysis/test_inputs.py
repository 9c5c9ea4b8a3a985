from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.analysis.http_data import INCIDENT, context, log_lines, requests, store
from tests.analysis.request_data import (
    ITEMS,
    ONSET,
    PAYMENTS,
    after,
    analysed,
    cart_requests,
    failing,
    incident_rows,
    is_decimal,
    on_route,
    with_attrs,
)
from warroom.analysis.analyzers.inputs import Inputs
from warroom.analysis.finding import AnalyzerResult, Finding
from warroom.analysis.investigate import WindowRequest, investigate
from warroom.config import Settings
from warroom.simulate import generate
from warroom.workflows import investigate_bundle

SHAPE = "inputs:input_shape:params.quantity:decimal"


def _by_id(result: AnalyzerResult) -> dict[str, Finding]:
    return {f.id: f for f in result.findings}


@pytest.fixture(scope="module")
def decimals() -> pd.DataFrame:
    return cart_requests(seed=21, decimal_share=0.4)


def test_inputs_decimal_quantity_is_a_pure_separator(decimals: pd.DataFrame) -> None:
    result = Inputs().run(analysed(decimals))
    finding = _by_id(result)[SHAPE]
    rows = incident_rows(decimals)
    items = rows[on_route(rows, "POST", "/items")]
    failed = items[items["status"] >= 500]
    ok = items[items["status"] < 500]
    with_decimal = failed["attrs"].map(lambda a: is_decimal(a.get("params.quantity")))
    assert finding.incident == {
        "failing_with": int(with_decimal.sum()),
        "failing": len(failed),
        "succeeding_with": 0,
        "succeeding": len(ok),
    }
    assert finding.incident["failing_with"] > 300
    assert finding.subject is not None and finding.subject.key == (
        "input",
        "params.quantity:decimal",
    )
    assert finding.subject.role == "cause"
    assert finding.score > 0.9 and finding.q_value is not None and finding.q_value < 1e-50
    assert f"none of {len(ok):,} successful ones did" in finding.statement
    assert "decimal point or comma" in finding.statement
    explained = set(map(tuple, finding.evidence["explains"]))
    assert ("endpoint", ITEMS) in explained
    assert ("input", "params.quantity=1.5") in explained
    assert result.facts["id_like"] == ["params.sku"]  # one sku per request: never ranked
    assert not any("params.sku" in f.id for f in result.findings)


def test_inputs_decimal_shape_ranks_first_in_an_investigation(decimals: pd.DataFrame) -> None:
    investigation = investigate(
        store(decimals), inputs={}, request=WindowRequest(incident=INCIDENT)
    )
    top = investigation.suspects[0]
    assert (top.kind, top.ref) == ("input", "params.quantity:decimal")
    endpoint = next(s for s in investigation.suspects if s.kind == "endpoint")
    assert endpoint.score < top.score * 0.5


def test_inputs_one_failing_dropdown_value_is_named() -> None:
    rng = np.random.default_rng(5 + 1000)  # not the stream of requests(seed=5)
    frame = requests(seed=5)
    checkout = on_route(frame, "POST", "/api/checkout")
    method = pd.Series(rng.choice(PAYMENTS, size=len(frame)), index=frame.index, dtype=object)
    broken = (
        checkout & after(frame, ONSET) & (method == "sepa") & (rng.uniform(size=len(frame)) < 0.9)
    )
    frame = with_attrs(
        failing(frame, broken), {"params.payment_method": method.where(checkout, None)}
    )
    result = Inputs().run(analysed(frame))
    top = result.findings[0]
    assert top.id == "inputs:input_value:params.payment_method=sepa"
    rows = incident_rows(frame)
    sepa = rows[on_route(rows, "POST", "/api/checkout")]
    sepa = sepa[sepa["attrs"].map(lambda a: a.get("params.payment_method") == "sepa")]
    assert top.incident["failing_with"] == int((sepa["status"] >= 500).sum())
    assert top.incident["succeeding_with"] == int((sepa["status"] < 500).sum())
    assert top.score > 0.9
    assert all("payment_method:" not in f.id for f in result.findings)  # no shape fits "sepa"
    assert [f.subject.ref for f in result.findings if f.subject] == ["params.payment_method=sepa"]


def test_inputs_quiet_data_gives_no_strong_finding() -> None:
    quiet = cart_requests(seed=31, error_share=0.02)  # failures unrelated to any field
    result = Inputs().run(analysed(quiet))
    assert result.facts["routes"], "routes with failures were compared"
    assert [f.id for f in result.findings if f.score >= 0.5] == []
    assert [e.cause for e in result.eliminated] == ["a bad input value or shape"]


def test_inputs_id_like_field_is_listed_not_ranked() -> None:
    rng = np.random.default_rng(8 + 1000)  # not the stream of requests(seed=8)
    frame = requests(seed=8)
    items = on_route(frame, "POST", "/items")
    cart = pd.Series([f"cart-{i}" for i in rng.integers(0, 10**6, len(frame))], index=frame.index)
    # one cart fails again and again: a value-level separator if carts were compared
    broken = items & after(frame, ONSET) & (rng.uniform(size=len(frame)) < 0.05)
    cart[broken] = "cart-42"
    frame = with_attrs(failing(frame, broken), {"params.cart_id": cart.where(items, None)})
    result = Inputs().run(analysed(frame))
    assert result.facts["id_like"] == ["params.cart_id"]
    assert not any(f.id.endswith("params.cart_id=cart-42") for f in result.findings)
    assert any("params.cart_id" in note for note in result.notes)


def test_inputs_reads_key_values_inside_messages(decimals: pd.DataFrame) -> None:
    """Syslog and plain lines keep their fields in a logfmt body: the same finding results."""
    body = [
        f'msg="request done" method={m} path={p} status={s} '
        + " ".join(f'{k}="{v}"' for k, v in a.items())
        for m, p, s, a in zip(
            decimals["method"], decimals["path"], decimals["status"], decimals["attrs"], strict=True
        )
    ]
    lines = decimals.assign(
        message=body, status=None, method=None, path=None, attrs=None, format="syslog"
    )
    from_messages = _by_id(Inputs().run(analysed(lines)))[SHAPE]
    from_attrs = _by_id(Inputs().run(analysed(decimals)))[SHAPE]
    assert from_messages.incident == from_attrs.incident
    assert from_messages.statement == from_attrs.statement


def test_inputs_missing_and_whitespace_shapes() -> None:
    rng = np.random.default_rng(13 + 1000)  # not the stream of requests(seed=13)
    frame = requests(seed=13)
    checkout = on_route(frame, "POST", "/api/checkout")
    late = checkout & after(frame, ONSET)
    coupon = pd.Series("SPRING10", index=frame.index, dtype=object)
    missing = late & (rng.uniform(size=len(frame)) < 0.3)
    coupon[missing] = None
    name = pd.Series("Ana", index=frame.index, dtype=object)
    padded = late & ~missing & (rng.uniform(size=len(frame)) < 0.3)
    name[padded] = " Ana "
    odd = checkout & (rng.uniform(size=len(frame)) < 0.05)
    name[odd] = "Zoë O'Brien"  # non-ASCII and a quote, failing no more than others
    frame = failing(frame, missing | padded)
    frame = with_attrs(
        frame,
        {"params.coupon": coupon.where(checkout, None), "params.name": name.where(checkout, None)},
    )
    found = _by_id(Inputs().run(analysed(frame)))
    assert found["inputs:input_shape:params.coupon:missing"].incident["failing_with"] == int(
        (missing & (frame["ts"] < pd.Timestamp(INCIDENT[1].replace(tzinfo=None)))).sum()
    )
    assert (
        "had no params.coupon at all" in found["inputs:input_shape:params.coupon:missing"].statement
    )
    assert "inputs:input_shape:params.name:whitespace" in found
    assert "inputs:input_shape:params.name:non_ascii" not in found
    assert "inputs:input_shape:params.name:special_chars" not in found


def test_inputs_bad_input_is_said_not_fatal() -> None:
    only_logs = log_lines(seed=3, message="worker heartbeat {n}", per_minute=30)
    result = Inputs().run(analysed(only_logs))
    assert result.findings == [] and result.eliminated == []
    assert result.notes == ["inputs: no route with enough failing requests to compare"]
    # every request of the route fails: nothing succeeded to compare with; odd values too
    frame = requests(seed=4)
    items = on_route(frame, "POST", "/items")
    values = pd.Series(["", "  ", "NaN", "∞", "1e309", "x" * 500], dtype=object).sample(
        n=len(frame), replace=True, random_state=1
    )
    values.index = frame.index
    frame = with_attrs(
        failing(frame, items & after(frame, ONSET)), {"params.quantity": values.where(items, None)}
    )
    nulls = frame.index[items][::7]  # JSON nulls: the field is missing there
    frame.loc[nulls, "attrs"] = pd.Series([{"params.quantity": None}] * len(nulls), index=nulls)
    result = Inputs().run(context(store(frame)))  # and no onset fact: the whole window
    assert all(f.score < 0.5 for f in result.findings)


@pytest.mark.slow
def test_inputs_names_the_decimal_quantity_in_a_simulated_access_log(tmp_path: Path) -> None:
    """End to end on a simulated bundle: NGINX access logs carry the quantity in the query."""
    truth = generate("decimal_input", seed=3, out=tmp_path / "bundle", fmt="access", lines=40_000)
    settings = Settings(data_dir=tmp_path / "data")
    result = investigate_bundle(tmp_path / "bundle", settings=settings, cache=False)
    top = result.suspects[0]
    assert (top.kind, top.ref) == ("input", "query.quantity:decimal")
    assert truth.accepts(top.kind, top.ref)


def test_inputs_reads_query_strings_left_in_a_path(decimals: pd.DataFrame) -> None:
    """A key=value body whose path kept its query string (percent-encoded, some of it badly)."""
    quantity = decimals["attrs"].map(lambda a: a.get("params.quantity"))
    query = [
        f"?quantity={q.replace(',', '%2C')}&note=%ff" if q else ""
        for q in quantity.where(quantity.notna(), "")
    ]
    body = [
        f"method={m} path={p}{q} status={s}"
        for m, p, q, s in zip(
            decimals["method"], decimals["path"], query, decimals["status"], strict=True
        )
    ]
    lines = decimals.assign(message=body, status=None, method=None, path=None, attrs=None)
    found = _by_id(Inputs().run(analysed(lines)))
    from_query = found["inputs:input_shape:query.quantity:decimal"]
    assert from_query.incident == _by_id(Inputs().run(analysed(decimals)))[SHAPE].incident
    assert "decimal point or comma" in from_query.statement  # 2,5 arrived as 2%2C5
