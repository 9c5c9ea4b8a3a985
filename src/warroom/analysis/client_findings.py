"""The clients analyzer's findings about customer reports (apart, so the analyzer stays small)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.analysis import stats
from warroom.analysis.client_stats import ReportClient, ReportSummary
from warroom.analysis.finding import Finding, Subject, Test
from warroom.analysis.wording import count_of, q_text

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
