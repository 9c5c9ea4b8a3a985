"""Customer reports matched to failing routes and new error messages (analysis/report_text.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

from tests.analysis.synthetic import empty_store
from warroom.analysis.client_findings import report_text_finding
from warroom.analysis.report_text import TextTarget, match_reports, text_targets

SINCE = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
FACTS = {
    "http": {
        "failing_routes": ["POST /api/payments/{id}/confirm"],
        "client_error_routes": ["GET /api/v1/products/{id}"],
    },
    "messages": {
        "new": ["Payment declined by provider <*> for order <*>"],
        "surged": ["Connection reset while reading invoice <*>"],
    },
}
EARLIER = [
    ("Where is my order?", "Ordered on Monday, nothing arrived."),
    ("Wrong size", "The shoes in my order are too small."),
    ("Change address", "I moved, please update my delivery address."),
    ("Order status", "The tracking page for my order is empty."),
    ("Refund", "When do I get my money back for the returned order?"),
]
RECENT = [
    ("Payment declined", "My card payment was declined three times."),
    ("Can't pay", "Payments keep getting declined at checkout, order not placed."),
    ("Card declined?", "The bank says fine but your site declined my payment."),
    ("Order missing", "Is my order lost?"),
]


def _store(rows: list[tuple[datetime | None, str, str]]) -> duckdb.DuckDBPyConnection:
    con = empty_store()
    for ts, subject, text in rows:
        con.execute(
            "INSERT INTO reports (ts, subject, text, url) VALUES (?, ?, ?, ?)",
            [ts.replace(tzinfo=None) if ts else None, subject, text, "https://shop.example.com/"],
        )
    return con


def _timed(
    earlier: list[tuple[str, str]], recent: list[tuple[str, str]]
) -> list[tuple[datetime | None, str, str]]:
    before = [(SINCE - timedelta(hours=10 - i), s, t) for i, (s, t) in enumerate(earlier)]
    after = [(SINCE + timedelta(minutes=5 + 7 * i), s, t) for i, (s, t) in enumerate(recent)]
    return [*before, *after]


def test_targets_are_route_segments_and_constant_template_words_without_noise() -> None:
    targets = {(t.kind, t.ref): t.words for t in text_targets(FACTS)}
    assert targets == {
        ("route", "POST /api/payments/{id}/confirm"): ("payments", "confirm"),
        ("route", "GET /api/v1/products/{id}"): ("products",),
        ("message", "Payment declined by provider <*> for order <*>"): (
            "payment", "declined", "provider", "order",
        ),
        ("message", "Connection reset while reading invoice <*>"): (
            "connection", "reset", "reading", "invoice",
        ),
    }  # fmt: skip


def test_reports_that_name_the_new_error_are_found_generic_words_are_not() -> None:
    con = _store(_timed(EARLIER, RECENT))
    matches = {m.target.ref: m for m in match_reports(con, text_targets(FACTS), since=SINCE)}
    declined = matches["Payment declined by provider <*> for order <*>"]
    # 'payment'/'declined' appear only since the incident; 'order' in every earlier report too
    # its telling word is 'payment' (3 reports since, none before), not 'order' (4 and 4)
    assert declined.matched_words == ("payment",)
    assert declined.since == (3, 4) and declined.before == (0, 5)
    route = matches["POST /api/payments/{id}/confirm"]
    assert route.since == (3, 4) and route.before == (0, 5)
    assert route.matched_words == ("payments",)  # payment/payments/pay..: a prefix of 4+ letters
    assert route.q_value is not None and route.q_value < 0.05
    assert route.examples == ("Payment declined", "Can't pay", "Card declined?")
    finding = report_text_finding(route)
    assert finding.statement.startswith(
        "3 of 4 reports since the incident began use words of the failing route "
        "POST /api/payments/{id}/confirm ('payments'), against 0 of 5 before (Fisher q = "
    )
    assert finding.subject is not None and finding.subject.role == "context"
    assert finding.score > 0
    assert "Connection reset while reading invoice <*>" not in matches  # nobody said it


def test_words_common_before_the_incident_are_not_significant() -> None:
    only_order = [("Order missing", "Is my order lost?")] * 4
    con = _store(_timed(EARLIER, only_order))
    target = TextTarget("message", "Order <*> not found", ("order",))
    (match,) = match_reports(con, [target], since=SINCE)
    assert match.since == (4, 4) and match.before == (4, 5)
    assert match.q_value is not None and match.q_value > 0.05
    assert report_text_finding(match).score == 0.0


def test_without_earlier_reports_the_match_is_context_without_a_test() -> None:
    con = _store([*_timed([], RECENT), (None, "Payment declined", "no time on this one")])
    matches = {m.target.ref: m for m in match_reports(con, text_targets(FACTS), since=SINCE)}
    route = matches["POST /api/payments/{id}/confirm"]
    assert route.since == (3, 4)  # the untimed report is not placed
    assert route.comparison is None and route.q_value is None
    finding = report_text_finding(route)
    assert finding.test is None and finding.score == 0.0
    assert "(no earlier reports to compare with)" in finding.statement


def test_no_targets_or_too_few_reports_give_nothing() -> None:
    con = _store(_timed(EARLIER, RECENT[:2]))
    assert match_reports(con, [], since=SINCE) == []
    assert match_reports(con, text_targets(FACTS), since=SINCE) == []
    assert text_targets({}) == []
