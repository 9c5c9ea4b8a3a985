"""The result of `warroom investigate`, and its JSON form (the contract's section 6)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warroom.analysis.finding import Elimination, Finding, Suspect
from warroom.analysis.runner import Coverage
from warroom.analysis.windows import Windows
from warroom.timeutil import iso_z

SCHEMA = "warroom.investigation/1"


@dataclass(frozen=True)
class Onset:
    at: datetime | None
    confidence: float
    signal: str


@dataclass
class Investigation:
    windows: Windows
    inputs: dict[str, Any]
    onset: Onset
    findings: list[Finding]
    suspects: list[Suspect]
    eliminated: list[Elimination]
    coverage: list[Coverage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def finding(self, finding_id: str) -> Finding | None:
        return next((f for f in self.findings if f.id == finding_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "window": {
                "incident": self.windows.incident.as_json(),
                "baseline": [w.as_json() for w in self.windows.baselines],
                "timezone": self.windows.timezone,
                "source": self.windows.source,
                "baseline_labels": [w.label for w in self.windows.baselines],
                "notes": list(self.windows.notes),
            },
            "inputs": self.inputs,
            "onset": {
                "at": iso_z(self.onset.at) if self.onset.at else None,
                "confidence": round(self.onset.confidence, 4),
                "signal": self.onset.signal,
            },
            "findings": [finding_json(f) for f in self.findings],
            "suspects": [
                {
                    "rank": s.rank,
                    "kind": s.kind,
                    "ref": s.ref,
                    "score": s.score,
                    "summary": s.summary,
                    "finding_ids": list(s.finding_ids),
                }
                for s in self.suspects
            ],
            "eliminated": [
                {"cause": e.cause, "why": e.why, "finding_ids": list(e.finding_ids)}
                for e in self.eliminated
            ],
            "coverage": [
                {
                    "analyzer": c.analyzer,
                    "title": c.title,
                    "status": c.status,
                    "seconds": c.seconds,
                    "findings": c.findings,
                    "note": c.note,
                }
                for c in self.coverage
            ],
            "notes": list(self.notes),
        }


def _elimination_json(item: Elimination) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "cause": item.cause,
        "why": item.why,
        "finding_ids": list(item.finding_ids),
    }
    if item.subject is not None:
        entry["subject"] = {"kind": item.subject.kind, "ref": item.subject.ref}
    return entry


def finding_json(finding: Finding) -> dict[str, Any]:
    evidence = {
        "incident": finding.incident,
        "baseline": finding.baseline,
        **(
            {"effect": {"name": finding.effect_name, "value": _num(finding.effect)}}
            if finding.effect is not None
            else {}
        ),
        **({"test": finding.test.name, "q_value": _num(finding.q_value)} if finding.test else {}),
        **({"examples": list(finding.examples)} if finding.examples else {}),
        **({"caveat": finding.caveat} if finding.caveat else {}),
        **(
            {
                "subject": {
                    "kind": finding.subject.kind,
                    "ref": finding.subject.ref,
                    "role": finding.subject.role,
                }
            }
            if finding.subject
            else {}
        ),
        **finding.evidence,
    }
    return {
        "id": finding.id,
        "kind": finding.kind,
        "analyzer": finding.analyzer,
        "question": finding.question,
        "statement": finding.statement,
        "score": round(finding.score, 4),
        "p_value": _num(finding.p_value),
        "evidence": _json_safe(evidence),
    }


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    if math.isinf(value):
        return 1e308 if value > 0 else -1e308
    if math.isnan(value):
        return None
    return float(f"{value:.6g}")


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, datetime):
        return iso_z(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)
