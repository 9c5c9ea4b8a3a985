from __future__ import annotations

import pytest

from warroom.analysis.cohorts import (
    ALL,
    MOST,
    SINGLE,
    SUBSET,
    GroupCounts,
    cohort_tests,
    groups_within,
    judge,
    shape_statement,
)
from warroom.analysis.context import Params
from warroom.analysis.scope import Tally

PARAMS = Params()


def _fleet(bad: dict[str, int], *, members: int = 6, events: int = 2000) -> list[GroupCounts]:
    """`members` hosts with 0.5 % errors in both windows; `bad` overrides incident errors."""
    return [
        GroupCounts(f"web-{i}", bad.get(f"web-{i}", 10), events, 10, events)
        for i in range(1, members + 1)
    ]


def test_cohorts_one_group_gives_no_verdict() -> None:
    assert judge([GroupCounts("web-1", 50, 100, 1, 100)], params=PARAMS) is None
    assert judge([GroupCounts("web-1", 50, 100), GroupCounts("web-2", 0, 0)], params=PARAMS) is None


def test_cohorts_single_host_carries_the_errors() -> None:
    verdict = judge(_fleet({"web-4": 600}), params=PARAMS)
    assert verdict is not None
    assert verdict.shape == SINGLE and verdict.concentrated == ("web-4",)
    assert verdict.minority
    test = verdict.test("web-4")
    assert test.q_value < 1e-100
    assert test.error_share == pytest.approx(600 / 650)
    assert test.traffic_share == pytest.approx(1 / 6)
    assert test.versus_rest is not None and test.versus_rest.lift > 50
    assert (verdict.rest_errors, verdict.rest_events, verdict.rest_members) == (50, 10_000, 5)
    assert verdict.tests[0].name == "web-4"  # largest error share first
    assert shape_statement("host", "web", verdict).startswith(
        "web-4 alone carries the excess of errors among the 6 web hosts: 600 of 2,000 (30.0%)"
    )


def test_cohorts_subset_and_most() -> None:
    subset = judge(_fleet({"web-2": 500, "web-5": 480}), params=PARAMS)
    assert subset is not None and subset.shape == SUBSET
    assert subset.concentrated == ("web-2", "web-5") and subset.minority
    half = judge(_fleet({"web-1": 500, "web-2": 500, "web-3": 500}), params=PARAMS)
    assert half is not None and half.shape == SUBSET and not half.minority
    most = judge(_fleet({f"web-{i}": 500 for i in range(1, 6)}), params=PARAMS)
    assert most is not None and most.shape == MOST and len(most.concentrated) == 5
    assert not most.minority


def test_cohorts_even_spread() -> None:
    groups = [GroupCounts(f"api-{i}", 250 + i, 1000, 3, 1000) for i in range(1, 4)]
    verdict = judge(groups, params=PARAMS)
    assert verdict is not None
    assert verdict.shape == ALL and verdict.even and verdict.concentrated == ()
    assert verdict.homogeneity.p_value > 0.5
    assert shape_statement("host", "api", verdict).startswith(
        "Errors spread evenly over all 3 api hosts: error rates from 25.1% to 25.3%"
    )


def test_cohorts_uneven_but_not_twice_is_not_a_concentration() -> None:
    """With a lot of traffic a 1.3x difference is significant, but not material."""
    groups = [GroupCounts("a", 13_000, 100_000, 30, 100_000)] + [
        GroupCounts(name, 10_000, 100_000, 30, 100_000) for name in ("b", "c", "d")
    ]
    verdict = judge(groups, params=PARAMS)
    assert verdict is not None
    assert verdict.shape == ALL and not verdict.even
    assert verdict.homogeneity.p_value < 1e-10
    assert shape_statement("host", None, verdict).startswith(
        "No one of the 4 hosts fails twice as often as the others"
    )


def test_cohorts_group_that_always_failed_is_pre_existing() -> None:
    groups = _fleet({"web-3": 300})
    groups[2] = GroupCounts("web-3", 300, 2000, 290, 2000)  # as bad in its own baseline
    verdict = judge(groups, params=PARAMS)
    assert verdict is not None
    assert verdict.shape == ALL and verdict.pre_existing == ("web-3",)


def test_cohorts_group_without_baseline_counts_as_new() -> None:
    groups = _fleet({})
    groups.append(GroupCounts("web-new", 400, 2000, 0, 0))
    verdict = judge(groups, params=PARAMS)
    assert verdict is not None and verdict.concentrated == ("web-new",)
    assert verdict.test("web-new").rise is None


def test_cohorts_too_few_errors_is_no_concentration() -> None:
    groups = [GroupCounts("a", 6, 100, 0, 100)] + [
        GroupCounts(n, 0, 100, 0, 100) for n in ("b", "c", "d")
    ]
    verdict = judge(groups, params=PARAMS)
    assert verdict is not None and verdict.shape == ALL


def test_cohorts_groups_within_one_service_or_all() -> None:
    rows = [
        ("api", "api-1", "incident", 5, 100),
        ("api", "api-1", "baseline", 1, 90),
        ("cron", "api-1", "incident", 1, 10),
        ("web", "web-1", "incident", 2, 200),
    ]
    assert groups_within(rows, "api") == [GroupCounts("api-1", 5, 100, 1, 90)]
    assert groups_within(rows, None) == [
        GroupCounts("api-1", 6, 110, 1, 90),
        GroupCounts("web-1", 2, 200, 0, 0),
    ]


def test_cohorts_change_cohort_tests() -> None:
    after, before = Tally(1000, 250, 240), Tally(1000, 3, 0)
    peers = Tally(5000, 15, 0)
    tests = cohort_tests(after, before, peers)
    assert tests.rise is not None and tests.rise.ratio > 50 and tests.rise.p_value < 1e-50
    assert tests.versus is not None and tests.versus.lift > 50
    assert tests.signature is None  # the error is new: it never occurred before
    seen = cohort_tests(Tally(1000, 30, 25), Tally(1000, 28, 24), None)
    assert seen.versus is None
    assert seen.signature is not None and seen.signature.p_value > 0.3
    assert cohort_tests(Tally(0, 0, 0), before, peers) == cohort_tests(Tally(0, 0, 0), before, None)
