"""The answer key of a bundle: what went wrong, where, and when (`truth.json`).

Kinds and refs follow the suspects table of the evidence-bundle contract exactly, so a benchmark
can compare an investigation's suspects with `kind`/`ref` (or any of `also_accept`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = "warroom.truth/1"
KINDS = (
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
INPUT_SHAPES = (
    "decimal",
    "integer",
    "negative",
    "zero",
    "empty",
    "missing",
    "non_ascii",
    "whitespace",
    "too_long",
    "special_chars",
)
# What a ref of each kind must look like (the contract's table, as regular expressions).
REF_FORMS = {
    "change": r"CHG-\d{5}|[0-9a-f]{7,40}",
    "host": r"[a-z]+-\d+",
    "container": r"[a-z0-9][a-z0-9.-]*",
    "cron": r"\S.*",
    "input": r"[\w.]+:(" + "|".join(INPUT_SHAPES) + r")|[\w.]+=[^=\s]+",
    "endpoint": r"(GET|POST|PUT|PATCH|DELETE) /\S*",
    "client": r"(browser|os)=[\w .]+ \d+|app_version=\S+",
    "resource": r"[a-z]+-\d+:[a-z_]+",
    "dependency": r"[a-z][a-z0-9-]*",
    "time_of_day": r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d",
}


@dataclass(frozen=True)
class Answer:
    """One acceptable suspect: a contract kind and its ref."""

    kind: str
    ref: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown suspect kind {self.kind!r}")
        if not re.fullmatch(REF_FORMS[self.kind], self.ref):
            raise ValueError(f"{self.ref!r} is not a {self.kind} ref of the contract's form")


@dataclass(frozen=True)
class Truth:
    """What `truth.json` holds. `answer` is None for the null case (nothing is wrong)."""

    scenario: str
    seed: int
    format: str
    answer: Answer | None
    onset: str | None  # ISO 8601 UTC with Z
    window: tuple[str, str]
    story: str
    also_accept: tuple[Answer, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "scenario": self.scenario,
            "seed": self.seed,
            "format": self.format,
            "kind": self.answer.kind if self.answer else None,
            "ref": self.answer.ref if self.answer else None,
            "also_accept": [{"kind": a.kind, "ref": a.ref} for a in self.also_accept],
            "onset": self.onset,
            "window": {"incident": list(self.window)},
            "story": self.story,
        }

    def accepts(self, kind: str, ref: str) -> bool:
        """Whether a suspect (kind, ref) is the answer or an equivalent one."""
        answers = ([self.answer] if self.answer else []) + list(self.also_accept)
        return any(a.kind == kind and a.ref == ref for a in answers)

    def write(self, path: Path) -> None:
        # Indented on purpose: a multi-line object is no JSON-lines log for the bundle reader.
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


def read_truth(path: Path) -> dict[str, Any]:
    """truth.json as a dict (for tests and benchmarks)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
