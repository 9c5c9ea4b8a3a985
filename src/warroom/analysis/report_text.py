"""Customer reports against the failing code: do their words name the failing routes or the
new error messages?

Customers never quote a template, but they say "checkout", "cart", "payment declined": the
words of the routes that fail and of the error messages that appeared. Targets are the
failing routes (path segments: `POST /api/cart/{id}/items` -> cart, items) and the constant
words of the error templates that are new or surged (the messages analyzer's facts). Reports
are split like the clients analyzer splits them: since the incident window began (reports
lag the failures) vs before it.

Words are matched in DuckDB over the distinct words of all reports, never per report in
Python: lower-cased letters, equal, or one a prefix of the other when the shorter has at least
4 letters (cart/carts, order/ordered, process/processing). Per target, its most telling word:
reports since using it vs reports before: Fisher's exact test, BH over the targets. Generic
words ("page", "order") show up before the incident as much as after and drop out in the
contrast; without earlier reports there is no contrast and the match is said as context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]

from warroom.analysis import stats

MIN_PREFIX: Final = 4  # shorter word of a prefix match: "cart" ~ "carts", never "add" ~ "address"
MIN_REPORTS: Final = 3  # reports since the incident using a target's words, to say anything
MAX_TEMPLATES: Final = 8  # new/surged templates considered, most significant first
WORD_RE: Final = re.compile(r"[A-Za-z]{3,}")
# Words of routes and log templates that say nothing about what a customer sees.
# fmt: off
NOISE: Final = frozenset({
    "api", "www", "http", "https", "com", "org", "net", "html", "json", "xml", "rest", "index",
    "php", "static", "assets", "public", "internal", "the", "and", "for", "not", "was", "were",
    "are", "has", "had", "have", "been", "but", "you", "your", "our", "can", "could", "cannot",
    "unable", "with", "from", "that", "this", "when", "while", "into", "via", "after", "before",
    "during", "error", "errors", "exception", "failed", "failure", "fail", "request", "requests",
    "response", "status", "code", "line", "column", "char", "value", "values", "null", "none",
    "true", "false", "param", "params", "id", "ids", "uuid", "key", "keys", "type",
})
# fmt: on


@dataclass(frozen=True)
class TextTarget:
    kind: str  # "route" or "message"
    ref: str  # the route ("POST /api/cart") or the template text
    words: tuple[str, ...]  # lower-cased, noise removed, in order of first appearance


@dataclass(frozen=True)
class TextMatch:
    target: TextTarget
    since: tuple[int, int]  # reports since the incident using the target's words, of all since
    before: tuple[int, int]  # the same before the incident
    comparison: stats.ProportionComparison | None  # None: no earlier reports to contrast with
    matched_words: tuple[str, ...]  # the target's word the reports since used (its most telling)
    examples: tuple[str, ...]  # subjects (or text) of matching reports since the incident
    q_value: float | None = None  # None: no earlier reports, nothing to contrast with
    family_size: int = 0


def text_targets(facts: dict[str, Any]) -> list[TextTarget]:
    """Failing routes (5xx, then 4xx) and new/surged error templates, with their words."""
    http, messages = facts.get("http", {}), facts.get("messages", {})
    routes = [*http.get("failing_routes", []), *http.get("client_error_routes", [])]
    templates = [*messages.get("new", []), *messages.get("surged", [])][:MAX_TEMPLATES]
    targets = []
    for kind, ref, text in [
        *(("route", r, r.partition(" ")[2] or r) for r in dict.fromkeys(routes)),
        *(("message", t, t.replace("<*>", " ")) for t in dict.fromkeys(templates)),
    ]:
        words = tuple(dict.fromkeys(_words(text)))
        if words:
            targets.append(TextTarget(kind, ref, words))
    return targets


def _words(text: str) -> list[str]:
    return [w for w in (m.lower() for m in WORD_RE.findall(text)) if w not in NOISE]


def match_reports(con: Any, targets: list[TextTarget], *, since: datetime) -> list[TextMatch]:
    """Each target's reports since `since` vs before it (timed reports only), with BH q-values
    when there are reports on both sides."""
    if not targets:
        return []
    cursor = con.cursor()  # temp tables stay off the caller's connection
    try:
        return _match(cursor, targets, since)
    finally:
        cursor.close()


def _match(con: Any, targets: list[TextTarget], since: datetime) -> list[TextMatch]:
    rows = [(i, w) for i, t in enumerate(targets) for w in t.words]
    con.execute("CREATE OR REPLACE TEMP TABLE report_text_targets (target INTEGER, word VARCHAR)")
    con.executemany("INSERT INTO report_text_targets VALUES (?, ?)", rows)
    at = since.astimezone(UTC).replace(tzinfo=None)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE report_words AS "
        "WITH timed AS (SELECT row_number() OVER (ORDER BY ts, subject, text) AS report, "
        "CASE WHEN ts >= $1 THEN 'since' ELSE 'before' END AS period, "
        "coalesce(nullif(subject, ''), left(text, 80)) AS title, "
        "lower(concat_ws(' ', subject, text, steps, url)) AS body FROM reports "
        "WHERE ts IS NOT NULL) "
        "SELECT DISTINCT report, period, title, unnest(regexp_extract_all(body, '[a-z]{3,}')) "
        "AS word FROM timed",
        [at],
    )
    totals = dict(
        con.execute(
            "SELECT CASE WHEN ts >= $1 THEN 'since' ELSE 'before' END, count(*) FROM reports "
            "WHERE ts IS NOT NULL GROUP BY ALL",
            [at],
        ).fetchall()
    )
    # Prefix matching over distinct words only: a few thousand x a few hundred at most.
    hits = con.execute(
        "WITH vocabulary AS (SELECT DISTINCT word FROM report_words), "
        "pairs AS (SELECT t.target, t.word AS target_word, v.word FROM report_text_targets t "
        "JOIN vocabulary v ON v.word = t.word OR (least(length(v.word), length(t.word)) >= "
        f"{MIN_PREFIX} AND (starts_with(v.word, t.word) OR starts_with(t.word, v.word)))) "
        "SELECT DISTINCT p.target, p.target_word AS word, r.period, r.report, r.title "
        "FROM pairs p JOIN report_words r USING (word) ORDER BY ALL"
    ).df()
    since_total, before_total = int(totals.get("since", 0)), int(totals.get("before", 0))
    candidates = [
        _word_match(targets[int(index)], hits[hits["target"] == index], since_total, before_total)
        for index in sorted(hits["target"].unique())
    ]
    found = [m for m in candidates if m is not None]
    tested = [m for m in found if m.comparison is not None]
    q_values = stats.benjamini_hochberg([m.comparison.p_value for m in tested if m.comparison])
    adjusted = {id(m): q for m, q in zip(tested, q_values, strict=True)}
    return [replace(m, q_value=adjusted.get(id(m)), family_size=len(tested)) for m in found]


def _word_match(
    target: TextTarget, hits: pd.DataFrame, since_total: int, before_total: int
) -> TextMatch | None:
    """The target's most telling word: the one whose use rose most (lowest Fisher p) among the
    words at least MIN_REPORTS recent reports used; without earlier reports, the most used.
    One word, not "any of its words": a template that also says "order" would otherwise match
    every report, before the incident as much as after."""
    best: tuple[Any, ...] | None = None
    for word in target.words:
        mine = hits[hits["word"] == word]
        recent = mine[mine["period"] == "since"]
        if len(recent) < MIN_REPORTS:
            continue
        earlier = int((mine["period"] == "before").sum())
        comparison = (
            stats.proportions(len(recent), since_total, earlier, before_total)
            if before_total
            else None
        )
        rank = (comparison.p_value if comparison else 1.0, -len(recent))
        if best is None or rank < best[0]:
            examples = tuple(dict.fromkeys(str(t) for t in recent["title"]))[:3]
            best = (rank, word, len(recent), earlier, comparison, examples)
    if best is None:
        return None
    _, word, recent_hits, earlier, comparison, examples = best
    return TextMatch(
        target, (recent_hits, since_total), (earlier, before_total), comparison, (word,), examples
    )
