"""What-to-check-next sentences read as plain English for every suspect kind."""

from __future__ import annotations

from warroom.analysis.finding import Suspect
from warroom.report.next_steps import _for


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
