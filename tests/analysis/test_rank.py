from __future__ import annotations

from typing import Any

import pytest

from warroom.analysis.finding import Elimination, Finding, Subject
from warroom.analysis.rank import EXPLAINED_FACTOR, rank

FULL_SHA = "abc1234def5678901234567890abcdef12345678"


def _finding(fid: str, kind: str, ref: str, score: float, **evidence: Any) -> Finding:
    return Finding(
        id=fid,
        analyzer="test:v1",
        kind="test",
        question="?",
        statement=f"{kind} {ref} looks bad",
        score=score,
        subject=Subject(kind, ref),
        evidence=evidence,
    )


def test_rank_commit_a_deploy_merges_supports_the_deploy() -> None:
    deploy = _finding("a:deploy", "change", "CHG-1", 0.6, merges=[["change", "abc1234"]])
    commit = _finding("b:commit", "change", FULL_SHA, 0.4)
    suspects = rank([deploy, commit], [])
    assert [(s.kind, s.ref) for s in suspects] == [("change", "CHG-1")]
    assert suspects[0].score == pytest.approx(1 - 0.4 * 0.6)
    assert suspects[0].finding_ids == ("a:deploy", "b:commit")
    assert suspects[0].summary == "change CHG-1 looks bad"


def test_rank_without_merges_a_commit_competes() -> None:
    deploy = _finding("a:deploy", "change", "CHG-1", 0.6)
    commit = _finding("b:commit", "change", FULL_SHA, 0.4)
    assert [s.ref for s in rank([deploy, commit], [])] == ["CHG-1", FULL_SHA]


def test_rank_merges_match_only_the_same_kind_and_real_sha_prefixes() -> None:
    deploy = _finding("a", "change", "CHG-1", 0.6, merges=[["change", "abc"], ["host", "web"]])
    too_short = _finding("b", "change", "abcdef0", 0.3)
    other_kind = _finding("c", "host", "web-1", 0.2)
    refs = [s.ref for s in rank([deploy, too_short, other_kind], [])]
    assert refs == ["CHG-1", "abcdef0", "web-1"]


def test_rank_explanations_from_a_merged_commit_demote_the_hosts() -> None:
    deploy = _finding("a", "change", "CHG-1", 0.9, merges=[["change", FULL_SHA]])
    commit = _finding("b", "change", FULL_SHA[:10], 0.3, explains=[["host", "web-2"]])
    host = _finding("c", "host", "web-2", 0.8)
    suspects = {s.ref: s for s in rank([deploy, commit, host], [])}
    assert suspects["web-2"].score == pytest.approx(0.8 * EXPLAINED_FACTOR)
    assert suspects["web-2"].summary.endswith("(likely a consequence of change CHG-1)")


def test_rank_an_eliminated_deploy_does_not_absorb_its_commit() -> None:
    commit = _finding("b", "change", FULL_SHA, 0.3)
    ruled_out = Elimination(
        "the deploy CHG-1", "came after the onset", (), Subject("change", "CHG-1")
    )
    assert [s.ref for s in rank([commit], [ruled_out])] == [FULL_SHA]
