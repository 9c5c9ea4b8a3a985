"""Where the errors sit: peer groups (hosts, containers, services, versions) judged together.

Given each group's errors and events in the incident window and in its own baseline, decide
whether the errors sit on one group, a subset, most of them, or spread over all of them:
- a chi-square homogeneity test of the error share across the groups;
- per group, an exact binomial test of its share of the errors against its share of the traffic,
  Benjamini–Hochberg corrected over the groups compared;
- material size: a concentrated group fails at least `min_ratio` times as often as the groups
  that do not stand out (Fisher), and the concentration carries at least `min_events` errors;
- newness: a group that stands out must also fail more than in its own baseline, else it was
  always like that and is reported as pre-existing rather than concentrated.

Also here: the sentences that state a verdict, and the exact tests on one change's cohort (the
events it reached vs its peers, and after the onset vs before it) for the changes analyzer.
Pure: aggregates in, verdicts and tests out (no I/O), so the same counts always give the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from warroom.analysis import stats
from warroom.analysis.context import Params
from warroom.analysis.scope import Tally

SINGLE, SUBSET, MOST, ALL = "single", "subset", "most", "all"


@dataclass(frozen=True)
class GroupCounts:
    """One group's numbers: in the incident window and in its own baseline."""

    name: str
    errors: int
    events: int
    baseline_errors: int = 0
    baseline_events: int = 0


@dataclass(frozen=True)
class GroupTest:
    """One group against its peers."""

    counts: GroupCounts
    error_share: float  # its share of all the errors in the comparison
    traffic_share: float  # its share of all the events
    p_value: float  # binomial: error share above traffic share
    q_value: float  # BH over the groups compared
    versus_rest: stats.ProportionComparison | None  # against the groups that do not stand out
    rise: stats.RateComparison | None  # against its own baseline; None without one

    @property
    def name(self) -> str:
        return self.counts.name


@dataclass(frozen=True)
class Verdict:
    """How the errors spread over one set of peers."""

    shape: str  # single | subset | most | all
    tests: tuple[GroupTest, ...]  # every group, largest error share first
    homogeneity: stats.Homogeneity
    concentrated: tuple[str, ...]  # groups that carry the excess and got worse
    pre_existing: tuple[str, ...]  # groups that stand out but failed as much in their baseline
    rest_errors: int  # the groups that do not stand out, pooled
    rest_events: int
    rest_members: int
    even: bool  # the chi-square test finds no difference between the groups

    @property
    def members(self) -> int:
        return len(self.tests)

    @property
    def minority(self) -> bool:
        """One group alone, or fewer than half: each concentrated group is worth suspecting."""
        count = len(self.concentrated)
        return count == 1 or 0 < 2 * count < self.members

    def test(self, name: str) -> GroupTest:
        return next(t for t in self.tests if t.name == name)


def groups_within(
    rows: Iterable[tuple[str | None, str, str, int, int]], scope: str | None
) -> list[GroupCounts]:
    """Group totals from (service, group, period, errors, events) rows, within one service
    (`scope`) or over every service (None)."""
    totals: dict[str, list[int]] = {}
    for service, name, period, errors, events in rows:
        if scope is not None and service != scope:
            continue
        slot = totals.setdefault(name, [0, 0, 0, 0])
        offset = 0 if period == "incident" else 2
        slot[offset] += errors
        slot[offset + 1] += events
    return [GroupCounts(name, *numbers) for name, numbers in sorted(totals.items())]


def judge(groups: Sequence[GroupCounts], *, params: Params) -> Verdict | None:
    """The verdict over `groups`, or None when fewer than two of them saw any traffic."""
    live = sorted((g for g in groups if g.events > 0), key=lambda g: g.name)
    if len(live) < 2:
        return None
    tests = _group_tests(live, params)
    rest = [t.counts for t in tests if t.q_value >= params.alpha]
    homogeneity = stats.homogeneity([g.errors for g in live], [g.events for g in live])
    even = homogeneity.p_value >= params.alpha
    standing_out = [t for t in tests if t.q_value < params.alpha]
    material = [] if even else [t for t in standing_out if _material(t, params)]
    concentrated = [t for t in material if _got_worse(t, params)]
    if sum(t.counts.errors for t in concentrated) < params.min_events:
        concentrated = []
    return Verdict(
        shape=_shape(len(concentrated), len(tests)),
        tests=tuple(sorted(tests, key=lambda t: (-t.error_share, t.name))),
        homogeneity=homogeneity,
        concentrated=tuple(sorted(t.name for t in concentrated)),
        pre_existing=tuple(sorted(t.name for t in material if not _got_worse(t, params))),
        rest_errors=sum(g.errors for g in rest),
        rest_events=sum(g.events for g in rest),
        rest_members=len(rest),
        even=even,
    )


def _group_tests(live: Sequence[GroupCounts], params: Params) -> tuple[GroupTest, ...]:
    """Each group's shares, binomial test (BH over the groups) and comparisons."""
    total_errors = sum(g.errors for g in live)
    total_events = sum(g.events for g in live)
    p_values = [
        stats.binomial_excess(g.errors, total_errors, g.events / total_events) for g in live
    ]
    q_values = stats.benjamini_hochberg(p_values)
    standing_out = {g.name for g, q in zip(live, q_values, strict=True) if q < params.alpha}
    rest_errors = sum(g.errors for g in live if g.name not in standing_out)
    rest_events = sum(g.events for g in live if g.name not in standing_out)
    return tuple(
        GroupTest(
            counts=g,
            error_share=g.errors / total_errors if total_errors else 0.0,
            traffic_share=g.events / total_events,
            p_value=p,
            q_value=q,
            versus_rest=_versus_rest(g, g.name in standing_out, rest_errors, rest_events),
            rise=_rise(g),
        )
        for g, p, q in zip(live, p_values, q_values, strict=True)
    )


def _versus_rest(
    group: GroupCounts, standing_out: bool, rest_errors: int, rest_events: int
) -> stats.ProportionComparison | None:
    """Against the pooled groups that do not stand out (itself excluded when it is one of them)."""
    errors = rest_errors - (0 if standing_out else group.errors)
    events = rest_events - (0 if standing_out else group.events)
    if events <= 0:
        return None
    return stats.proportions(group.errors, group.events, errors, events)


def _rise(group: GroupCounts) -> stats.RateComparison | None:
    if group.baseline_events <= 0:
        return None
    return stats.rate_ratio(
        group.errors, group.events, group.baseline_errors, group.baseline_events
    )


def _material(test: GroupTest, params: Params) -> bool:
    versus = test.versus_rest
    return versus is not None and versus.p_value < params.alpha and versus.lift >= params.min_ratio


def _got_worse(test: GroupTest, params: Params) -> bool:
    """A group without a baseline is new (a fresh container): it cannot have failed before."""
    rise = test.rise
    return rise is None or (rise.p_value < params.alpha and rise.ratio >= params.min_ratio)


def _shape(concentrated: int, members: int) -> str:
    if concentrated == 0:
        return ALL
    if concentrated == 1:
        return SINGLE
    return SUBSET if 2 * concentrated <= members else MOST


PLURALS = {"host": "hosts", "container": "containers", "service": "services", "version": "versions"}


def peers(dimension: str, scope: str | None) -> str:
    """'api hosts', 'containers', 'versions'."""
    plural = PLURALS.get(dimension, f"{dimension}s")
    return f"{scope} {plural}" if scope else plural


def every(count: int) -> str:
    """'both', 'all 6'."""
    return "both" if count == 2 else f"all {count}"


def rate(errors: int, events: int) -> str:
    return f"{errors:,} of {events:,} ({errors / events if events else 0.0:.1%})"


def shape_statement(dimension: str, scope: str | None, verdict: Verdict) -> str:
    """One sentence on how the errors spread over the peers, with the chi-square p."""
    group, members = peers(dimension, scope), verdict.members
    chi = f"chi-square p = {verdict.homogeneity.p_value:.2g}"
    if verdict.shape == ALL:
        rates = [t.counts.errors / t.counts.events for t in verdict.tests]
        head = (
            f"Errors spread evenly over {every(members)} {group}"
            if verdict.even
            else f"No one of the {members} {group} fails twice as often as the others"
        )
        text = f"{head}: error rates from {min(rates):.1%} to {max(rates):.1%} ({chi})."
        if verdict.pre_existing:
            text += f" {', '.join(verdict.pre_existing)} stood out but failed as often before."
        return text
    inside = [verdict.test(name).counts for name in verdict.concentrated]
    errors, events = sum(c.errors for c in inside), sum(c.events for c in inside)
    names, count = ", ".join(verdict.concentrated), len(inside)
    if verdict.shape == SINGLE:
        head = f"{names} alone carries the excess of errors among the {members} {group}"
    else:
        head = f"{count} of {members} {group} carry the errors ({names})"
    return (
        f"{head}: {rate(errors, events)} events failed on {'it' if count == 1 else 'them'} vs "
        f"{rate(verdict.rest_errors, verdict.rest_events)} on the other {verdict.rest_members} "
        f"({chi})."
    )


def concentration_statement(
    dimension: str, scope: str | None, verdict: Verdict, test: GroupTest
) -> str:
    """One group's numbers: its errors, its peers', its own baseline, its shares."""
    c = test.counts
    own = (
        f"{rate(c.baseline_errors, c.baseline_events)} on it in the baseline"
        if c.baseline_events
        else "no baseline for it"
    )
    return (
        f"{c.name}: {rate(c.errors, c.events)} events failed in the incident window vs "
        f"{rate(verdict.rest_errors, verdict.rest_events)} on the other "
        f"{verdict.rest_members} {peers(dimension, scope)}, and {own}; it carries "
        f"{test.error_share:.0%} of the errors with {test.traffic_share:.0%} of the traffic "
        f"(binomial q = {test.q_value:.2g})."
    )


def pre_existing_statement(verdict: Verdict, name: str) -> str:
    test = verdict.test(name)
    c = test.counts
    ratio = f" (rate ratio {test.rise.ratio:.2f})" if test.rise is not None else ""
    return (
        f"it stands out in the incident window ({rate(c.errors, c.events)} events failed) but "
        f"failed as often in the baseline ({rate(c.baseline_errors, c.baseline_events)}){ratio}"
    )


@dataclass(frozen=True)
class CohortTests:
    """What a change reached, tested: after the onset vs before it, and against its peers."""

    rise: stats.RateComparison | None  # its events: errors after the onset vs before the change
    versus: stats.ProportionComparison | None  # its events vs its peers' during the incident
    signature: stats.RateComparison | None  # the onset's error, after vs before; None if new


def cohort_tests(after: Tally, before: Tally, peers: Tally | None) -> CohortTests:
    """Exact tests on the counts of one change's cohort (None where a side has no events)."""
    rise = signature = versus = None
    if after.events and before.events:
        rise = stats.rate_ratio(after.errors, after.events, before.errors, before.events)
        if before.signature:
            signature = stats.rate_ratio(
                after.signature, after.events, before.signature, before.events
            )
    if peers is not None and peers.events and after.events:
        versus = stats.proportions(after.errors, after.events, peers.errors, peers.events)
    return CohortTests(rise, versus, signature)
