"""Combine findings into ranked suspects and the causes the data rules out.

Analyzers already weigh timing and scope inside each finding's score (a change that lands just
before the onset on exactly the failing hosts scores higher than one deployed later elsewhere).
Ranking adds what no single analyzer sees:
- several findings about one subject support each other (noisy-OR of their scores);
- a subject another finding *explains* is demoted (the canary deploy explains why its two hosts
  fail: the hosts are where it shows, the deploy is the cause);
- refs a finding *merges* (`evidence["merges"]`) are the same thing under another name: a deploy
  names the commit it shipped, so findings about that commit support the deploy's suspect instead
  of competing with it (commit shas match when one is a prefix of the other, 7+ hex digits);
- a subject an elimination names is not a suspect;
- symptoms and context never become suspects.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from warroom.analysis.finding import SUSPECT_KINDS, Elimination, Finding, Suspect

MAX_SUSPECTS = 10
_HEX = re.compile(r"^[0-9a-f]+$")
EXPLAINED_FACTOR = 0.4  # a subject explained by a stronger suspect keeps 40 % of its score


def rank(findings: Sequence[Finding], eliminated: Sequence[Elimination]) -> list[Suspect]:
    aliases = _aliases(findings)
    support = _support(findings, aliases)
    ruled_out = {e.subject.key for e in eliminated if e.subject is not None}
    scores = {
        key: _noisy_or([f.score for f in fs]) for key, fs in support.items() if key not in ruled_out
    }
    explained = _explained(findings, scores, aliases)
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


def _support(
    findings: Sequence[Finding], aliases: dict[tuple[str, str], tuple[str, str]]
) -> dict[tuple[str, str], list[Finding]]:
    support: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.subject is not None and finding.subject.role == "cause" and finding.score > 0:
            support[_resolve(finding.subject.key, aliases)].append(finding)
    return support


def _aliases(findings: Sequence[Finding]) -> dict[tuple[str, str], tuple[str, str]]:
    """Merged ref -> the subject that merges it (the strongest claim wins a disputed ref)."""
    aliases: dict[tuple[str, str], tuple[str, str]] = {}
    for finding in sorted(findings, key=lambda f: (-f.score, f.id)):
        if finding.subject is None:
            continue
        for kind, ref in finding.evidence.get("merges", ()):
            alias = (str(kind), str(ref))
            if alias != finding.subject.key and alias not in aliases:
                aliases[alias] = finding.subject.key
    return aliases


def _resolve(
    key: tuple[str, str], aliases: dict[tuple[str, str], tuple[str, str]]
) -> tuple[str, str]:
    for alias, target in aliases.items():
        if alias[0] == key[0] and _same_ref(alias[1], key[1]):
            return target
    return key


def _same_ref(a: str, b: str) -> bool:
    """Equal, or two spellings of one commit sha (short and full)."""
    if a == b:
        return True
    short, full = sorted((a.lower(), b.lower()), key=len)
    return len(short) >= 7 and _HEX.match(full) is not None and full.startswith(short)


def _explained(
    findings: Sequence[Finding],
    scores: dict[tuple[str, str], float],
    aliases: dict[tuple[str, str], tuple[str, str]],
) -> dict[tuple[str, str], tuple[str, str]]:
    """Subject -> the suspect that explains it, from findings' `evidence["explains"]`."""
    explained: dict[tuple[str, str], tuple[str, str]] = {}
    for finding in sorted(findings, key=lambda f: (-f.score, f.id)):
        if finding.subject is None:
            continue
        subject = _resolve(finding.subject.key, aliases)
        if subject not in scores:
            continue
        for kind, ref in finding.evidence.get("explains", ()):
            target = (str(kind), str(ref))
            if target != subject and target not in explained:
                explained[target] = subject
    return explained


def _noisy_or(scores: Sequence[float]) -> float:
    remaining = 1.0
    for score in scores:
        remaining *= 1.0 - min(max(score, 0.0), 1.0)
    return 1.0 - remaining
