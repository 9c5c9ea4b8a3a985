"""What-to-check-next sentences read as plain English for every suspect kind."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.analysis.finding import Finding, Suspect
from warroom.analysis.investigation import Investigation, Onset
from warroom.analysis.windows import make_windows
from warroom.report.next_steps import _for, suggestions


def _suspect(kind: str, ref: str) -> Suspect:
    return Suspect(rank=1, kind=kind, ref=ref, score=0.9, summary="", finding_ids=())


def test_an_input_shape_is_said_in_words() -> None:
    step = _for(_suspect("input", "query.quantity:decimal"))
    assert step == (
        "Send a request with a `query.quantity` with a decimal point or comma to a test "
        "environment and read the validation code."
    )


def test_a_categorical_input_value_is_quoted_as_is() -> None:
    step = _for(_suspect("input", "payment_method=klarna"))
    assert "`payment_method=klarna`" in step


def test_other_kinds_name_their_ref() -> None:
    assert "`/opt/app/bin/sync --full`" in _for(_suspect("cron", "/opt/app/bin/sync --full"))
    assert "api-2:memory_used_percent" in _for(_suspect("resource", "api-2:memory_used_percent"))


def test_customers_words_from_reports_become_a_step() -> None:
    start = datetime(2026, 3, 5, 14, tzinfo=UTC)
    windows = make_windows(
        (start, start.replace(hour=15)), baselines=None, data_start=start.replace(hour=10),
        data_end=start.replace(hour=15), timezone="UTC", source="given",
    )  # fmt: skip
    worded = Finding(
        id="clients:report_text:route:POST /api/cart/items", analyzer="clients:v1",
        kind="report_text", question="", statement="", score=0.6,
        incident={"reports_matching": 7, "reports": 7}, evidence={"words": ["cart"]},
    )  # fmt: skip
    result = Investigation(windows, {}, Onset(None, 0.0, "none"), [worded], [], [])
    assert suggestions(result)[0] == (
        "Customers describe it as 'cart' (7 of 7 reports since the incident began): use their "
        "word in the customer update and reply to those reports."
    )
