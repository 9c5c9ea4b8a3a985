"""Record an investigation in an incident, so the notebook starts from what the data says.

Findings go on the timeline; suspects become open hypotheses (with their evidence); ruled-out
causes become eliminated hypotheses with their why. Hypotheses carry a `source_key`, so a later
run updates them instead of adding duplicates, and never overrides a responder's decision.
The report is the contract's JSON (`Investigation.to_json()`), which keeps this module free of
the analysis package.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.incidents import notebook, timeline
from warroom.incidents.enums import EntryKind, HypothesisStatus
from warroom.incidents.models import Hypothesis, TimelineEntry
from warroom.incidents.schemas import EvidenceItem
from warroom.incidents.service import get

MIN_SUSPECT_SCORE = 0.2  # weaker suspects stay in the report, not in the notebook


@dataclass
class Recorded:
    opened: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    eliminated: list[int] = field(default_factory=list)
    findings_added: int = 0


def record_investigation(
    *,
    session: Session,
    incident_id: int,
    report: dict[str, Any],
    author: str,
    at: datetime | None = None,
) -> Recorded:
    """Write one investigation into the incident; `at` backdates its timeline entries."""
    incident = get(session=session, incident_id=incident_id, for_update=True)
    recorded = Recorded()
    timeline.append(
        session=session,
        incident_id=incident.id,
        kind=EntryKind.FINDING,
        text=_headline(report),
        author=author,
        occurred_at=at,
        data={"investigation": _run_summary(report)},
    )
    recorded.findings_added = _add_findings(session, incident.id, report, author, at)
    existing = _by_key(session, incident.id)
    for suspect in report.get("suspects", []):
        if suspect["score"] >= MIN_SUSPECT_SCORE:
            _upsert_suspect(session, incident.id, suspect, report, existing, author, recorded)
    for item in report.get("eliminated", []):
        _eliminate(session, incident.id, item, existing, author, recorded)
    return recorded


def _headline(report: dict[str, Any]) -> str:
    onset = report.get("onset", {}).get("at")
    suspects = report.get("suspects", [])
    top = (
        "; ".join(f"{s['kind']} {s['ref']} ({s['score']:.2f})" for s in suspects[:3])
        or "no suspect"
    )
    start = f"errors started at {onset}" if onset else "no clear onset"
    ruled_out = len(report.get("eliminated", []))
    return f"Investigation: {start}; top suspects: {top}; {ruled_out} causes ruled out"


def _run_summary(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "window": report.get("window", {}).get("incident"),
        "onset": report.get("onset"),
        "suspects": [
            {k: s[k] for k in ("rank", "kind", "ref", "score")} for s in report.get("suspects", [])
        ],
        "inputs": {k: v for k, v in report.get("inputs", {}).items() if k != "skipped"},
    }


def _fingerprint(finding: dict[str, Any]) -> str:
    return hashlib.sha256(f"{finding['id']}\n{finding['statement']}".encode()).hexdigest()[:16]


def _add_findings(
    session: Session, incident_id: int, report: dict[str, Any], author: str, at: datetime | None
) -> int:
    """Findings that point at something, once each: an unchanged finding is not repeated."""
    known = {
        entry.data.get("fingerprint")
        for entry in session.scalars(
            select(TimelineEntry).where(
                TimelineEntry.incident_id == incident_id,
                TimelineEntry.kind == EntryKind.FINDING.value,
            )
        )
    }
    added = 0
    for finding in sorted(report.get("findings", []), key=lambda f: (-f["score"], f["id"])):
        fingerprint = _fingerprint(finding)
        if finding["score"] <= 0 or fingerprint in known:
            continue
        timeline.append(
            session=session,
            incident_id=incident_id,
            kind=EntryKind.FINDING,
            text=finding["statement"],
            author=author,
            occurred_at=at,
            data={
                "finding_id": finding["id"],
                "fingerprint": fingerprint,
                "score": finding["score"],
                "p_value": finding["p_value"],
            },
        )
        added += 1
    return added


def _by_key(session: Session, incident_id: int) -> dict[str, Hypothesis]:
    rows = session.scalars(
        select(Hypothesis).where(
            Hypothesis.incident_id == incident_id, Hypothesis.source_key.is_not(None)
        )
    )
    return {row.source_key: row for row in rows if row.source_key}


def _suspect_key(kind: str, ref: str) -> str:
    return f"suspect:{kind}:{ref}"


def _evidence(finding_ids: list[str], report: dict[str, Any]) -> list[EvidenceItem]:
    statements = {f["id"]: f["statement"] for f in report.get("findings", [])}
    return [
        EvidenceItem(kind="finding", value=fid, label=statements.get(fid, fid)[:200])
        for fid in finding_ids
    ]


def _upsert_suspect(
    session: Session,
    incident_id: int,
    suspect: dict[str, Any],
    report: dict[str, Any],
    existing: dict[str, Hypothesis],
    author: str,
    recorded: Recorded,
) -> None:
    key = _suspect_key(suspect["kind"], suspect["ref"])
    statement = f"{suspect['kind']} {suspect['ref']}: {suspect['summary']}"
    evidence = _evidence(list(suspect.get("finding_ids", [])), report)
    row = existing.get(key)
    if row is None:
        row = notebook.add_hypothesis(
            session=session,
            incident_id=incident_id,
            statement=statement,
            author=author,
            evidence=evidence,
            source_key=key,
        )
        existing[key] = row
        recorded.opened.append(row.id)
    elif row.status == HypothesisStatus.OPEN.value and row.statement != statement:
        row.statement = statement  # still open: refresh with the latest numbers
        row.evidence = [e.model_dump() for e in evidence]
        recorded.updated.append(row.id)


def _eliminate(
    session: Session,
    incident_id: int,
    item: dict[str, Any],
    existing: dict[str, Hypothesis],
    author: str,
    recorded: Recorded,
) -> None:
    subject = item.get("subject")
    key = _suspect_key(subject["kind"], subject["ref"]) if subject else f"ruled-out:{item['cause']}"
    evidence = [EvidenceItem(kind="finding", value=fid) for fid in item.get("finding_ids", [])]
    row = existing.get(key)
    if row is None:
        row = notebook.add_hypothesis(
            session=session,
            incident_id=incident_id,
            statement=item["cause"],
            author=author,
            source_key=key,
        )
        existing[key] = row
    if row.status != HypothesisStatus.OPEN.value:
        return  # already decided, by a responder or an earlier run
    notebook.decide(
        session=session,
        hypothesis_id=row.id,
        status=HypothesisStatus.ELIMINATED,
        why=f"{item['why']} (investigation)",
        author=author,
        evidence=evidence,
    )
    recorded.eliminated.append(row.id)
