"""The clients analyzer's findings about customer reports (apart, so the analyzer stays small)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.analysis import stats
from warroom.analysis.client_stats import ReportClient, ReportSummary
from warroom.analysis.finding import Finding, Subject, Test
from warroom.analysis.report_text import TextMatch
from warroom.analysis.wording import clip, count_of, q_text

ANALYZER = "clients:v1"
QUESTION = "Do the failing requests or the bug reports share a browser, OS or app version?"


def report_rate_finding(summary: ReportSummary, onset: datetime | None) -> Finding:
    rate = summary.rate
    assert rate is not None
    first = (
        f" The first came {summary.first_after_onset_s / 60:.0f} min after the onset."
        if summary.first_after_onset_s is not None and onset is not None
        else ""
    )
    hours = summary.before_seconds / 3600
    return Finding(
        id="clients:report_rate",
        analyzer=ANALYZER,
        kind="report_rate",
        question="When did customers start reporting problems?",
        statement=(
            f"{summary.incident} reports since the incident window began, against "
            f"{summary.before} in the {hours:.0f} h before (rate {rate.ratio:.1f}x, "
            f"p = {rate.p_value:.2g}).{first}"
        ),
        score=stats.strength(rate.p_value, rate.ratio),
        incident={"reports": summary.incident, "seconds": summary.incident_seconds},
        baseline={"reports": summary.before, "seconds": summary.before_seconds},
        test=Test("Poisson rate ratio (conditional binomial)", rate.p_value),
        effect=round(rate.ratio, 3),
        effect_name="rate ratio",
        caveat="reports lag the failures and depend on how many customers are awake",
        evidence={"untimed": summary.untimed, "first_after_onset_s": summary.first_after_onset_s},
    )


def report_client_finding(client: ReportClient) -> Finding:
    c = client.comparison
    return Finding(
        id=f"clients:report_client:{client.ref}",
        analyzer=ANALYZER,
        kind="report_client",
        question=QUESTION,
        statement=(
            f"{count_of(c.a_hits, c.a_total)} reports since the incident began came from "
            f"{client.key} {client.value}, against {count_of(c.b_hits, c.b_total)} before "
            f"(Fisher {q_text(client.q_value)})."
        ),
        score=stats.strength(client.q_value, c.lift),
        incident={"reports_with": c.a_hits, "reports": c.a_total},
        baseline={"reports_with": c.b_hits, "reports": c.b_total},
        test=Test("Fisher exact (reports since vs before), BH", c.p_value, client.q_value, None,
                  client.family_size),
        effect=round(c.lift, 3),
        effect_name="lift (share of reports since / before)",
        caveat="few reports: one customer filing several tickets weighs a lot",
        subject=Subject("client", client.ref, "cause"),
    )  # fmt: skip


def quoted_finding(quoted: list[Any]) -> Finding:
    listed = ", ".join(f"{value} ({n} failing requests)" for value, n in quoted)
    return Finding(
        id="clients:reports_quote_failures",
        analyzer=ANALYZER,
        kind="reports_quote_failures",
        question="Do the reports quote values of failing requests?",
        statement=f"Reports quote values that failing requests carried: {listed}.",
        score=0.0,  # a pointer for the responder, not evidence of a cause
        examples=tuple(value for value, _ in quoted[:3]),
        evidence={"values": [{"value": v, "failing_requests": n} for v, n in quoted]},
    )


def report_text_finding(match: TextMatch) -> Finding:
    """Reports whose words name a failing route or a new error message: where customers feel
    the failure. Context for the responder (and for the customer update), never a cause."""
    target = match.target
    what = (
        f"the failing route {target.ref}"
        if target.kind == "route"
        else f"the error message '{clip(target.ref, 70)}'"
    )
    words = ", ".join(f"'{w}'" for w in match.matched_words[:4])
    (hits, total), (earlier, before) = match.since, match.before
    contrast = (
        f"against {count_of(earlier, before)} before (Fisher {q_text(match.q_value)})"
        if match.comparison is not None
        else "(no earlier reports to compare with)"
    )
    example = f' E.g. "{match.examples[0]}".' if match.examples else ""
    c = match.comparison
    return Finding(
        id=f"clients:report_text:{target.kind}:{target.ref}",
        analyzer=ANALYZER,
        kind="report_text",
        question="Do the customers' reports describe the failing routes or error messages?",
        statement=(
            f"{count_of(hits, total)} reports since the incident began use words of {what} "
            f"({words}), {contrast}.{example}"
        ),
        score=stats.strength(match.q_value, c.lift) if c is not None else 0.0,
        incident={"reports_matching": hits, "reports": total},
        baseline={"reports_matching": earlier, "reports": before},
        test=(
            Test("Fisher exact (reports since vs before), BH over routes and messages",
                 c.p_value, match.q_value, None, match.family_size)
            if c is not None else None
        ),
        effect=round(c.lift, 3) if c is not None else None,
        effect_name="lift (share of reports since / before)" if c is not None else None,
        examples=match.examples,
        caveat="word matching: a common word ('order', 'page') can match by chance",
        subject=Subject("endpoint", target.ref, "context") if target.kind == "route" else None,
        evidence={"target": target.kind, "ref": target.ref, "words": list(match.matched_words)},
    )  # fmt: skip
