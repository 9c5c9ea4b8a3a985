"""truth.json: the contract's kinds and ref forms, and its JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warroom.simulate.truth import Answer, Truth, read_truth


@pytest.mark.parametrize(
    ("kind", "ref"),
    [
        ("change", "CHG-12345"),
        ("change", "4503d92"),
        ("host", "web-3"),
        ("cron", "/opt/app/bin/sync-inventory --full"),
        ("input", "params.quantity:decimal"),
        ("input", "query.payment_method=sepa"),
        ("endpoint", "GET /api/orders/{id}"),
        ("client", "browser=Safari 17"),
        ("resource", "api-2:disk_used_percent"),
        ("dependency", "payments-gateway"),
        ("time_of_day", "09:00-09:30"),
    ],
)
def test_truth_answer_accepts_contract_refs(kind: str, ref: str) -> None:
    assert Answer(kind, ref).ref == ref


@pytest.mark.parametrize(
    ("kind", "ref"),
    [
        ("deploy", "CHG-12345"),
        ("input", "quantity:fractional"),
        ("endpoint", "/api/orders/{id}"),
        ("client", "Safari 17"),
        ("resource", "disk_used_percent"),
        ("time_of_day", "9:00-9:30"),
    ],
)
def test_truth_answer_rejects_other_forms(kind: str, ref: str) -> None:
    with pytest.raises(ValueError, match=r"kind|form"):
        Answer(kind, ref)


def test_truth_round_trips_through_json(tmp_path: Path) -> None:
    truth = Truth(
        scenario="disk_full",
        seed=3,
        format="jsonl",
        answer=Answer("host", "api-2"),
        onset="2026-05-05T13:16:36Z",
        window=("2026-05-05T13:05:00Z", "2026-05-05T14:14:00Z"),
        story="A disk filled up.",
        also_accept=(Answer("resource", "api-2:disk_used_percent"),),
    )
    truth.write(tmp_path / "truth.json")
    data = read_truth(tmp_path / "truth.json")
    assert data == json.loads(json.dumps(truth.to_dict()))
    assert data["kind"] == "host"
    assert data["also_accept"] == [{"kind": "resource", "ref": "api-2:disk_used_percent"}]
    assert data["window"] == {"incident": ["2026-05-05T13:05:00Z", "2026-05-05T14:14:00Z"]}
    assert truth.accepts("resource", "api-2:disk_used_percent")
    assert not truth.accepts("host", "api-1")
    # Indented: a multi-line object cannot be mistaken for a JSON-lines log.
    assert len((tmp_path / "truth.json").read_text(encoding="utf-8").splitlines()) > 5


def test_truth_null_case_has_no_answer() -> None:
    truth = Truth(
        scenario="null",
        seed=1,
        format="access",
        answer=None,
        onset=None,
        window=("2026-05-05T13:05:00Z", "2026-05-05T14:14:00Z"),
        story="Quiet.",
    )
    data = truth.to_dict()
    assert (data["kind"], data["ref"], data["onset"], data["also_accept"]) == (None, None, None, [])
