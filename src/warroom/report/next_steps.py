"""What to check next, per suspect kind: the moves an experienced responder makes."""

from __future__ import annotations

from warroom.analysis.finding import Suspect
from warroom.analysis.investigation import Investigation

_BY_KIND = {
    "change": "Compare before and after `{ref}`; consider rolling it back.",
    "host": "Take {ref} out of the load balancer and look at its disk, memory and recent restarts.",
    "container": "Restart or reschedule {ref}; check its limits and last deploy.",
    "endpoint": "Reproduce `{ref}` by hand and read its handler's latest changes.",
    "dependency": (
        "Check {ref}'s status page and its latency from our side; "
        "consider a fallback or a circuit breaker."
    ),
    "cron": "Look at the last runs of `{ref}`; pause it if the bursts line up.",
    "input": "Send a request with {ref} to a test environment and read the validation code.",
    "client": "Reproduce with {ref}; check recent front-end releases for it.",
    "resource": "Look at {ref} over the last days: is it saturated, and since when?",
    "time_of_day": "Compare {ref} with other days: capacity, scheduled jobs, traffic peaks.",
}


def suggestions(result: Investigation, *, limit: int = 3) -> list[str]:
    steps = [_for(s) for s in result.suspects[:limit] if s.score >= 0.2]
    customers = _customer_words(result)
    if customers:
        steps.append(customers)
    skipped = [c for c in result.coverage if c.status != "ran"]
    for item in skipped:
        steps.append(f"{item.title} did not run ({item.note or item.status}): check it by hand.")
    if not result.suspects:
        steps.append(
            "Nothing stands out in this evidence: widen the window or add metrics, changes "
            "and the logs of upstream services."
        )
    return steps


# How an input suspect's shape reads in a sentence: "a quantity with a decimal point".
_SHAPE_WORDS = {
    "decimal": "with a decimal point or comma",
    "integer": "that is a whole number",
    "negative": "that is negative",
    "zero": "of zero",
    "empty": "that is empty",
    "missing": "left out",
    "non_ascii": "with non-ASCII characters",
    "whitespace": "with leading, trailing or only whitespace",
    "too_long": "that is unusually long",
    "special_chars": "with special characters",
}


def _customer_words(result: Investigation) -> str | None:
    """Where customers feel it, in their words, for the customer update: the strongest report
    text match (reports since the incident naming a failing route or new error)."""
    worded = [f for f in result.findings if f.kind == "report_text" and f.score > 0]
    if not worded:
        return None
    best = max(worded, key=lambda f: (f.score, f.id))
    word = best.evidence["words"][0]
    hits, total = best.incident["reports_matching"], best.incident["reports"]
    return (
        f"Customers describe it as '{word}' ({hits} of {total} reports since the incident "
        f"began): use their word in the customer update and reply to those reports."
    )


def _for(suspect: Suspect) -> str:
    if suspect.kind == "input":
        return _input_step(suspect.ref)
    return _BY_KIND.get(suspect.kind, "Look closer at {ref}.").format(ref=suspect.ref)


def _input_step(ref: str) -> str:
    """`quantity:decimal` -> a request whose `quantity` has a decimal point; `plan=gold` as is."""
    field, sep, shape = ref.rpartition(":")
    shaped = sep and shape in _SHAPE_WORDS
    what = f"a `{field}` {_SHAPE_WORDS[shape]}" if shaped else f"`{ref}`"
    return f"Send a request with {what} to a test environment and read the validation code."
