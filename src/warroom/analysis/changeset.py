"""The changes worth weighing against an onset, and what the events say about each.

Candidates: change events (deploy, rollback, config, feature flag, migration, infra, other) and
git commits from LOOKBACK before the onset to the end of the incident window. A commit that a
change event names in its `commit` column was shipped by that event: it is not a candidate of its
own (the event lists it under `merges`). Tags are releases of commits, not changes: never
candidates. The rows near the onset are few, so they are read into Python.

Assessment: what a change reached (scope.py), counted in the engine since the onset, in the hour
(at least) before it, and on its peers; exact tests (cohorts.py) with Benjamini–Hochberg over all
of them; and the reasons, in words and numbers, that rule a change out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.analysis import stats
from warroom.analysis.cohorts import CohortTests, cohort_tests, rate
from warroom.analysis.context import AnalysisContext, Params
from warroom.analysis.fleet import Topology, topology
from warroom.analysis.scope import (
    GRACE,
    Counts,
    Slice,
    Tally,
    aware,
    change_slice,
    counts_between,
    since_onset,
)
from warroom.analysis.windows import Window
from warroom.timeutil import format_duration

LOOKBACK = timedelta(hours=6)
BEFORE = timedelta(hours=1)  # at least this much traffic before a change to compare with
MAX_CANDIDATES = 40  # the nearest before the onset; more would only add faded weights
_SHA = re.compile(r"^[0-9a-f]{7,40}$")
_KIND_WORDS = {"feature_flag": "feature flag change", "config": "config change"}


@dataclass(frozen=True)
class Change:
    id: str  # the contract ref: the event's id, or the commit's sha
    at: datetime  # aware UTC
    kind: str  # deploy, rollback, config, feature_flag, migration, infra, other, commit
    service: str | None
    version: str | None
    hosts: tuple[str, ...]  # empty: every host (of its service)
    description: str | None
    commit: str | None

    @property
    def is_commit(self) -> bool:
        return self.kind == "commit"

    @property
    def label(self) -> str:
        """'the deploy of api 3.12.2 (CHG-1)', 'commit 1a2b3c4d5e ('fix totals')'."""
        said = f"{self.description[:60]!r}" if self.description else ""
        if self.is_commit:
            return f"commit {self.id[:10]}" + (f" ({said})" if said else "")
        if self.kind in ("deploy", "rollback"):
            what = " ".join(p for p in (self.service, self.version) if p) or "an unnamed service"
            return f"the {self.kind} of {what} ({self.id})"
        on = f" on {self.service}" if self.service else ""
        said = f", {said}" if said else ""
        return f"the {_KIND_WORDS.get(self.kind, self.kind)}{on}{said} ({self.id})"

    def merges(self) -> list[list[str]]:
        """The commit this event shipped, as a suspect ref ranking folds into this one."""
        sha = (self.commit or "").strip().lower()
        return [["change", sha]] if not self.is_commit and _SHA.match(sha) else []


@dataclass(frozen=True)
class Candidates:
    before: list[Change]  # up to GRACE after the onset, nearest first
    late: list[Change]  # after the onset (beyond GRACE) and before the end of the incident
    earlier: Change | None  # the latest change before the lookback, for "nothing recent"


def load_candidates(ctx: AnalysisContext, *, onset: datetime) -> Candidates:
    changes = ctx.table("changes")
    changes = changes.filter(changes.type.fill_null("other") != "tag")
    start, end = _naive(onset - LOOKBACK), _naive(ctx.incident.end)
    near = changes.filter((changes.ts >= start) & (changes.ts < end))
    rows = [_change(r) for r in near.order_by(["ts", "id"]).execute().itertuples()]
    shipped = _shipped_commits(ctx)
    rows = [c for c in rows if not (c.is_commit and _is_shipped(c.id, shipped))]
    before = sorted((c for c in rows if c.at - onset <= GRACE), key=lambda c: (-_ts(c), c.id))
    late = [c for c in rows if c.at - onset > GRACE]
    older = changes.filter(changes.ts < start).order_by([changes.ts.desc(), "id"]).limit(1)
    earlier = [_change(r) for r in older.execute().itertuples()]
    return Candidates(before[:MAX_CANDIDATES], late, earlier[0] if earlier else None)


def _shipped_commits(ctx: AnalysisContext) -> set[str]:
    changes = ctx.table("changes")
    named = changes.filter(changes.commit.notnull() & (changes.type.fill_null("") != "commit"))
    values = named.select("commit").distinct().execute()["commit"]
    return {str(v).strip().lower() for v in values if _SHA.match(str(v).strip().lower())}


def _is_shipped(sha: str, shipped: set[str]) -> bool:
    """Short and full shas name the same commit."""
    full = sha.lower()
    return any(full.startswith(s) or s.startswith(full) for s in shipped)


def _change(row: Any) -> Change:
    listed = row.hosts  # a list, an array, or NULL (None / NaN)
    hosts = list(listed) if hasattr(listed, "__iter__") and not isinstance(listed, str) else []
    return Change(
        id=str(row.id),
        at=aware(row.ts),
        kind=_text(row.type) or "other",
        service=_text(row.service),
        version=_text(row.version),
        hosts=tuple(str(h) for h in hosts),
        description=_text(row.description),
        commit=_text(row.commit),
    )


def _text(value: Any) -> str | None:
    """NULL (None or NaN in a pandas frame) and blank text both mean 'not given'."""
    return value.strip() or None if isinstance(value, str) else None


def _ts(change: Change) -> float:
    return change.at.timestamp()


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Assessment:
    change: Change
    lag: timedelta  # from the change to the onset: positive when the change came first
    reached: Slice
    after: Tally  # what it reached, since the onset
    before: Tally  # what it reached, in the `before_window` just before it
    peers: Tally | None  # what it did not reach, since the onset
    before_window: Window
    tests: CohortTests
    q_rise: float | None = None
    q_versus: float | None = None
    family: int = 0


def assess_all(
    ctx: AnalysisContext, changes: Sequence[Change], *, onset: datetime
) -> list[Assessment]:
    """Every candidate's cohort, counted in one scan of the events, tested, BH-corrected."""
    if not changes:
        return []
    after = since_onset(ctx)
    length = max(after.end - after.start, BEFORE)
    befores = [Window(c.at - length, c.at, "before it") for c in changes]
    edges = [after.start, after.end, *(w.start for w in befores), *(w.end for w in befores)]
    topo = topology(ctx)
    dominant = ctx.facts.get("onset", {}).get("signature")
    counts = counts_between(ctx, edges, dominant=dominant, families=topo.families)
    return corrected(
        [
            _assess(change, topo, counts, after=after, before=before, onset=onset)
            for change, before in zip(changes, befores, strict=True)
        ]
    )


def _assess(
    change: Change,
    topo: Topology,
    counts: Counts,
    *,
    after: Window,
    before: Window,
    onset: datetime,
) -> Assessment:
    reached = change_slice(topo, hosts=change.hosts, service=change.service)
    mine_after = counts.tally(reached.covers, after)
    mine_before = counts.tally(reached.covers, before)
    peers = counts.tally(reached.neighbours, after) if reached.has_peers else None
    tests = cohort_tests(mine_after, mine_before, peers)
    return Assessment(
        change, onset - change.at, reached, mine_after, mine_before, peers, before, tests
    )


def corrected(assessed: list[Assessment]) -> list[Assessment]:
    """Benjamini–Hochberg over every test this analyzer ran (its family)."""
    p_values = [
        (i, name, test.p_value)
        for i, item in enumerate(assessed)
        for name, test in (("q_rise", item.tests.rise), ("q_versus", item.tests.versus))
        if test is not None
    ]
    q_values = stats.benjamini_hochberg([p for *_, p in p_values])
    updates: dict[int, dict[str, Any]] = {
        i: {"family": len(p_values)} for i in range(len(assessed))
    }
    for (i, name, _), q in zip(p_values, q_values, strict=True):
        updates[i][name] = q
    return [replace(item, **updates[i]) for i, item in enumerate(assessed)]


def _clears(q: float | None, effect: float, params: Params) -> bool:
    return q is not None and q < params.alpha and effect >= params.min_ratio


def ruled_out(a: Assessment, ctx: AnalysisContext) -> str | None:
    """Why the data rules this change out; None when it stands; '' when it cannot be tested."""
    if a.tests.rise is None and a.tests.versus is None:
        return ""
    dominant = ctx.facts.get("onset", {}).get("signature")
    for reason in (_seen_before(a, dominant, ctx.params), _not_higher(a, ctx.params)):
        if reason:
            return reason
    rise = _no_rise(a, ctx.params)
    if rise:
        return rise
    if a.after.errors < ctx.params.min_events:
        return f"only {a.after.errors} errors on {a.reached.label} since the onset"
    return None


def _span(a: Assessment) -> str:
    return format_duration(a.before_window.end - a.before_window.start)


def _seen_before(a: Assessment, dominant: str | None, params: Params) -> str | None:
    """The onset's error already occurred on what it reached, at a similar rate, before it."""
    seen = a.tests.signature
    if seen is None or _clears(seen.p_value, seen.ratio, params):
        return None
    return (
        f"the error {dominant!r} already occurred on {a.reached.label} before it: "
        f"{rate(a.before.signature, a.before.events)} events in the {_span(a)} before vs "
        f"{rate(a.after.signature, a.after.events)} since the onset "
        f"(rate ratio {seen.ratio:.1f}, p = {seen.p_value:.2g})"
    )


def _not_higher(a: Assessment, params: Params) -> str | None:
    versus, peers = a.tests.versus, a.peers
    if versus is None or peers is None or _clears(a.q_versus, versus.lift, params):
        return None
    return (
        f"errors were not higher on {a.reached.label}: {rate(a.after.errors, a.after.events)} "
        f"events failed there since the onset vs {rate(peers.errors, peers.events)} on the "
        f"peers it did not reach (lift {versus.lift:.1f}, q = {a.q_versus:.2g})"
    )


def _no_rise(a: Assessment, params: Params) -> str | None:
    rise = a.tests.rise
    if rise is None or _clears(a.q_rise, rise.ratio, params):
        return None
    return (
        f"errors did not rise on {a.reached.label}: {rate(a.after.errors, a.after.events)} "
        f"events failed since the onset vs {rate(a.before.errors, a.before.events)} in the "
        f"{_span(a)} before it (rate ratio {rise.ratio:.1f}, q = {a.q_rise:.2g})"
    )
