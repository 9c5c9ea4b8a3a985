"""Changes: what changed just before the errors started?

Detects: change events (deploy, rollback, config, feature flag, migration, infra) and git commits
in the 6 hours before the onset, weighed by
- timing: up to 15 min before the onset counts fully (a deploy rolls out over minutes), older
  changes fade (half at 1 h, about a fifth at 3 h); one after the onset (beyond a 2 min grace for
  the onset's own uncertainty) is ruled out;
- a cohort test on the events it reached (its hosts, else its service's, else all): during the
  incident against the peers it did not reach (Fisher), and after the onset against the hour
  before it (Poisson rate ratio), BH-corrected over every test of this analyzer;
- the onset's dominant error signature: ruled out when that error already occurred on its hosts
  at a similar rate before it;
- scope against `spread` (scope.py): reaching exactly the failing hosts explains them
  (`evidence["explains"]`, so ranking demotes those hosts); reaching many more hosts than fail,
  or another service than the failing one, weighs it down.
A commit a change event names (its `commit` column) is that change, not a rival: it is listed in
the event's `evidence["merges"]`. Other commits are weak suspects (LOOSE_COMMIT), less weak when
no change event survives (LONE_COMMIT). Tags are not suspects.
Needs: events, changes.
Known false positives: an unrelated failure that starts right after a change on the same hosts
(the data cannot tell coincidence from cause); a change whose hosts the logs name differently
is weighed against everything it might have reached.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.analysis import stats
from warroom.analysis.changeset import (
    LOOKBACK,
    Assessment,
    Candidates,
    Change,
    assess_all,
    load_candidates,
    ruled_out,
)
from warroom.analysis.cohorts import rate
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Subject, Test
from warroom.analysis.scope import (
    Slice,
    scope_match,
    since_onset,
    slice_error_examples,
    timing_weight,
)
from warroom.timeutil import format_duration, iso_z

LOOSE_COMMIT = 0.3  # a commit no change event names: was it even deployed?
LONE_COMMIT = 0.5  # ...unless no change event survives
QUESTION = "What changed just before the errors started?"


class Changes:
    id = "changes:v1"
    title = "Recent changes"
    question = QUESTION
    needs: tuple[str, ...] = ("events", "changes")
    after: tuple[str, ...] = ("onset", "spread")

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        onset = ctx.facts.get("onset", {}).get("at")
        if onset is None:
            return AnalyzerResult(notes=["errors did not rise, so no change was weighed"])
        found = load_candidates(ctx, onset=onset)
        result = AnalyzerResult(eliminated=[_came_after(c, onset) for c in found.late])
        assessed = assess_all(ctx, found.before, onset=onset)
        kept = []
        for item in assessed:
            why = ruled_out(item, ctx)
            if why is None:
                kept.append(item)
            elif why:
                subject = Subject("change", item.change.id)
                result.eliminated.append(Elimination(item.change.label, why, subject=subject))
            else:
                result.notes.append(f"{item.change.label}: no traffic to compare it with")
        lone = all(item.change.is_commit for item in kept)
        examples = _examples(ctx, [a.reached for a in kept])
        findings = [_finding(ctx, item, onset, examples[item.reached], lone=lone) for item in kept]
        result.findings = sorted(findings, key=lambda f: (-f.score, f.id))
        if not kept:
            result.eliminated.append(_nothing_recent(found, onset))
        result.facts = {"suspects": [f.subject.ref for f in result.findings if f.subject]}
        return result


def _finding(
    ctx: AnalysisContext, a: Assessment, onset: datetime, examples: tuple[str, ...], *, lone: bool
) -> Finding:
    test, effect, effect_name = _primary(a)
    strength = stats.strength(test.q_value, effect)
    timing = timing_weight(a.lag)
    match = scope_match(a.reached, version=a.change.version, spread=ctx.facts.get("spread", {}))
    commit = (LONE_COMMIT if lone else LOOSE_COMMIT) if a.change.is_commit else 1.0
    change, peers = a.change, a.peers
    weights = {"strength": strength, "timing": timing, "scope": match.weight, "commit": commit}
    return Finding(
        id=f"changes:{'commit' if change.is_commit else 'change'}:{change.id}",
        analyzer=Changes.id,
        kind="recent_commit" if change.is_commit else "recent_change",
        question=QUESTION,
        statement=_statement(a, onset),
        score=round(strength * timing * match.weight * commit, 4),
        incident={"errors": a.after.errors, "events": a.after.events}
        | ({"peers_errors": peers.errors, "peers_events": peers.events} if peers else {})
        | {"signature_errors": a.after.signature},
        baseline={"errors": a.before.errors, "events": a.before.events}
        | {"signature_errors": a.before.signature, "window": a.before_window.as_json()},
        test=test,
        effect=effect,
        effect_name=effect_name,
        examples=examples,
        caveat="could be wrong if something else broke at the same moment on the same hosts: "
        "a change just before a failure is a lead, not a proof",
        subject=Subject("change", change.id),
        evidence={
            "at": iso_z(change.at),
            "type": change.kind,
            "service": change.service,
            "version": change.version,
            "hosts": list(change.hosts),
            "reached": a.reached.label,
            "lag_seconds": a.lag.total_seconds(),
            "weights": {name: round(value, 4) for name, value in weights.items()},
            "scope": match.why,
            "explains": [["host", h] for h in match.explains],
            "merges": change.merges(),
        },
    )


def _examples(ctx: AnalysisContext, reached: list[Slice]) -> dict[Slice, tuple[str, ...]]:
    """Example error lines of each slice some change reached (changes often share one)."""
    slices = list(dict.fromkeys(reached))
    found = slice_error_examples(
        ctx, [s.where for s in slices], since_onset(ctx), limit=ctx.params.max_examples
    )
    return dict(zip(slices, found, strict=True))


def _primary(a: Assessment) -> tuple[Test, float, str]:
    """The peers comparison when there are peers, else before vs after on the same events."""
    versus, rise = a.tests.versus, a.tests.rise
    if versus is not None:
        test = Test("Fisher exact, one-sided", versus.p_value, a.q_versus, family_size=a.family)
        return test, versus.lift, "error share on what it reached vs its peers"
    assert rise is not None  # ruled_out() keeps only changes with at least one test
    name = "Poisson rate ratio (conditional binomial), one-sided"
    test = Test(name, rise.p_value, a.q_rise, family_size=a.family)
    return test, rise.ratio, "error rate since the onset vs before it"


def _statement(a: Assessment, onset: datetime) -> str:
    label = a.change.label[0].upper() + a.change.label[1:]
    when = (
        f"{format_duration(a.lag)} before"
        if a.lag >= timedelta(0)
        else f"{format_duration(-a.lag)} after (within the onset's uncertainty)"
    )
    peers = f" vs {rate(a.peers.errors, a.peers.events)} on its peers" if a.peers else ""
    span = format_duration(a.before_window.end - a.before_window.start)
    return (
        f"{label} came {when} the errors started ({iso_z(onset)}); since then "
        f"{rate(a.after.errors, a.after.events)} events failed on {a.reached.label}{peers}, "
        f"and {rate(a.before.errors, a.before.events)} there in the {span} before it."
    )


def _came_after(change: Change, onset: datetime) -> Elimination:
    why = (
        f"it came after the onset: at {iso_z(change.at)}, "
        f"{format_duration(change.at - onset)} after the errors started at {iso_z(onset)}"
    )
    return Elimination(change.label, why, subject=Subject("change", change.id))


def _nothing_recent(found: Candidates, onset: datetime) -> Elimination:
    lookback = format_duration(LOOKBACK)
    if found.before:
        count = len(found.before)
        which = "the only change" if count == 1 else f"each of the {count} changes"
        why = f"{which} in the {lookback} before the onset was ruled out"
        return Elimination("a recent change", why)
    why = f"no change event or commit in the {lookback} before the onset at {iso_z(onset)}"
    if found.earlier is not None:
        ago = format_duration(onset - found.earlier.at)
        why += f"; the latest before that was {found.earlier.label}, {ago} earlier"
    if found.late:
        why += f"; {len(found.late)} came after the onset"
    return Elimination("a recent change", why)
