"""The one result type of every analyzer, and what ranking makes of them.

A `Finding` explains itself: the question it answers, a plain statement, the numbers on both sides
(incident and baseline, with denominators), the test with its p- and q-value, the effect size,
example lines, and what could make it wrong. A finding may point at a subject — a possible cause
(`role="cause"`), a consequence (`role="symptom"`), or just a clue (`role="context"`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

# The contract's suspect kinds (../shared/specs/evidence-bundle.md, section 6).
SUSPECT_KINDS = (
    "change",
    "host",
    "container",
    "cron",
    "input",
    "endpoint",
    "client",
    "resource",
    "dependency",
    "time_of_day",
)

Role = Literal["cause", "symptom", "context"]


@dataclass(frozen=True)
class Subject:
    """What a finding points at, in the contract's suspect form (kind + ref)."""

    kind: str
    ref: str
    role: Role = "cause"

    def __post_init__(self) -> None:
        if self.kind not in SUSPECT_KINDS:
            raise ValueError(f"unknown suspect kind {self.kind!r}")

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.ref)


@dataclass(frozen=True)
class Test:
    """The statistical test behind a finding."""

    name: str  # e.g. "Poisson rate ratio (conditional binomial)", "Fisher exact", "chi-square"
    p_value: float | None
    q_value: float | None = None  # Benjamini–Hochberg within the analyzer's family
    statistic: float | None = None
    family_size: int | None = None  # how many hypotheses the q-value was corrected over


@dataclass(frozen=True)
class Finding:
    id: str  # stable within a run: "<analyzer family>:<kind>:<key>"
    analyzer: str  # versioned analyzer id, e.g. "onset:v1"
    kind: str  # stable machine name, e.g. "error_onset", "status_surge"
    question: str  # the responder's question it answers
    statement: str  # one or two sentences in plain language, numbers included
    score: float  # 0..1: how strongly this points at something
    incident: dict[str, Any] = field(default_factory=dict)  # numbers in the incident window
    baseline: dict[str, Any] = field(default_factory=dict)  # the same numbers in the baseline
    test: Test | None = None
    effect: float | None = None  # effect size: rate ratio, lift, shift in MADs...
    effect_name: str | None = None
    examples: tuple[str, ...] = ()
    caveat: str = ""  # "could be wrong if ..."
    subject: Subject | None = None
    evidence: dict[str, Any] = field(default_factory=dict)  # anything else, JSON-safe

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0 or math.isnan(self.score):
            raise ValueError(f"finding {self.id}: score {self.score} outside 0..1")

    @property
    def p_value(self) -> float | None:
        return self.test.p_value if self.test else None

    @property
    def q_value(self) -> float | None:
        return self.test.q_value if self.test else None


@dataclass(frozen=True)
class Elimination:
    """A cause the data rules out, and why."""

    cause: str  # "a single bad host", "the deploy of api 4.3.0 (chg-118)"
    why: str  # "errors spread evenly over all 8 hosts (chi-square p = 0.62)"
    finding_ids: tuple[str, ...] = ()
    subject: Subject | None = None  # when it rules out a specific suspect


@dataclass(frozen=True)
class Suspect:
    rank: int
    kind: str
    ref: str
    score: float
    summary: str
    finding_ids: tuple[str, ...]


@dataclass
class AnalyzerResult:
    """What one analyzer returns. `facts` are read by analyzers that run after it."""

    findings: list[Finding] = field(default_factory=list)
    eliminated: list[Elimination] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # coverage remarks: "no metrics in the bundle"
