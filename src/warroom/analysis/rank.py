"""Combine findings into ranked suspects and the causes the data rules out.

Analyzers already weigh timing and scope inside each finding's score (a change that lands just
before the onset on exactly the failing hosts scores higher than one deployed later elsewhere).
Ranking adds what no single analyzer sees:
- several findings about one subject support each other (noisy-OR of their scores);
- a subject another finding *explains* is demoted (the canary deploy explains why its two hosts
  fail: the hosts are where it shows, the deploy is the cause);
- a subject an elimination names is not a suspect;
- symptoms and context never become suspects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from warroom.analysis.finding import SUSPECT_KINDS, Elimination, Finding, Suspect

MAX_SUSPECTS = 10
EXPLAINED_FACTOR = 0.5  # a subject explained by a stronger suspect keeps half its score


def rank(findings: Sequence[Finding], eliminated: Sequence[Elimination]) -> list[Suspect]:
    support = _support(findings)
    ruled_out = {e.subject.key for e in eliminated if e.subject is not None}
    scores = {
        key: _noisy_or([f.score for f in fs]) for key, fs in support.items() if key not in ruled_out
    }
    explained = _explained(findings, scores)
    for key, by in explained.items():
        if key in scores and scores[by] >= scores[key] * EXPLAINED_FACTOR:
            scores[key] *= EXPLAINED_FACTOR
    order = sorted(scores, key=lambda k: (-scores[k], SUSPECT_KINDS.index(k[0]), k[1]))
    suspects = []
    for position, key in enumerate(order[:MAX_SUSPECTS], start=1):
        best = max(support[key], key=lambda f: (f.score, f.id))
        summary = best.statement
        if key in explained:
            summary += f" (likely a consequence of {explained[key][0]} {explained[key][1]})"
        suspects.append(
            Suspect(
                rank=position,
                kind=key[0],
                ref=key[1],
                score=round(scores[key], 4),
                summary=summary,
                finding_ids=tuple(sorted(f.id for f in support[key])),
            )
        )
    return suspects


def _support(findings: Sequence[Finding]) -> dict[tuple[str, str], list[Finding]]:
    support: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.subject is not None and finding.subject.role == "cause" and finding.score > 0:
            support[finding.subject.key].append(finding)
    return support


def _explained(
    findings: Sequence[Finding], scores: dict[tuple[str, str], float]
) -> dict[tuple[str, str], tuple[str, str]]:
    """Subject -> the suspect that explains it, from findings' `evidence["explains"]`."""
    explained: dict[tuple[str, str], tuple[str, str]] = {}
    for finding in sorted(findings, key=lambda f: (-f.score, f.id)):
        if finding.subject is None or finding.subject.key not in scores:
            continue
        for kind, ref in finding.evidence.get("explains", ()):
            target = (str(kind), str(ref))
            if target != finding.subject.key and target not in explained:
                explained[target] = finding.subject.key
    return explained


def _noisy_or(scores: Sequence[float]) -> float:
    remaining = 1.0
    for score in scores:
        remaining *= 1.0 - min(max(score, 0.0), 1.0)
    return 1.0 - remaining
