"""A trend that starts right after a change, on the hosts that got it, supports that change.

A leak shows hours after its deploy: by the onset the changes analyzer sees an old deploy, faded.
The metrics keep the link: memory started climbing minutes after the deploy on exactly the hosts
it went to, and stayed flat on their peers that kept the old release. This module turns such a
pattern into a finding about the change (kind `change`), which `explains` the trending resources
and their hosts, so ranking names the deploy first and the resources as where it shows.
Score: the trends' strength (noisy-OR) x the share of the change's hosts that climb x the share
of the peers that do not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import Finding, Subject, Test
from warroom.analysis.fleet import short_host
from warroom.analysis.scope import aware
from warroom.timeutil import format_duration, iso_z, parse_time

AFTER = timedelta(minutes=30)  # the knee may come this long after the change (rollout, warm-up)
BEFORE = timedelta(minutes=15)  # ...or this little before it: a slow climb blurs the knee


@dataclass(frozen=True)
class _Change:
    id: str
    at: datetime
    label: str
    hosts: frozenset[str]  # the hosts it reached (short names)
    service_hosts: frozenset[str]  # every host of its service: its peers (empty: unknown)


def link(
    ctx: AnalysisContext, findings: list[Finding], hosts_by_metric: dict[str, set[str]]
) -> list[Finding]:
    trends = [f for f in findings if _rising_cause(f)]
    if not trends or not ctx.has("changes"):
        return []
    starts = [parse_time(str(f.evidence["started"])) for f in trends]
    changes = _changes(ctx, min(starts) - AFTER, max(starts) + BEFORE)
    linked = []
    for change in changes:
        by_metric: dict[str, list[tuple[Finding, datetime]]] = defaultdict(list)
        for finding, start in zip(trends, starts, strict=True):
            host, metric = _split(finding)
            if change.at - BEFORE <= start <= change.at + AFTER and host in change.hosts:
                by_metric[metric].append((finding, start))
        for metric, matched in sorted(by_metric.items()):
            others = {_split(f)[0] for f in trends if _split(f)[1] == metric} - change.hosts
            found = _finding(change, metric, matched, hosts_by_metric.get(metric, set()), others)
            if found is not None:
                linked.append(found)
    return linked


def _rising_cause(f: Finding) -> bool:
    subject = f.subject
    rising = (f.effect or 0.0) > 0 and f.evidence.get("started") is not None
    return f.kind == "metric_trend" and subject is not None and subject.role == "cause" and rising


def _split(f: Finding) -> tuple[str, str]:
    assert f.subject is not None
    host, _, metric = f.subject.ref.partition(":")
    return short_host(host), metric


def _finding(
    change: _Change,
    metric: str,
    matched: list[tuple[Finding, datetime]],
    with_metric: set[str],
    others: set[str],
) -> Finding | None:
    reached = {short_host(h) for h in with_metric} & change.hosts
    peers = {short_host(h) for h in with_metric} - change.hosts
    if change.service_hosts:
        peers &= change.service_hosts
    others &= peers
    if not reached:
        return None
    coverage = len(matched) / len(reached)
    exclusive = 1.0 - len(others) / len(peers) if peers else 0.5  # no peers: cannot tell
    remaining = 1.0
    for finding, _ in matched:
        remaining *= 1.0 - finding.score
    score = round((1.0 - remaining) * coverage * exclusive, 4)
    worst = max(matched, key=lambda m: m[0].q_value or 0.0)[0]
    hosts = ", ".join(f"{_split(f)[0]} from {iso_z(s)}" for f, s in matched)
    flat = ", ".join(sorted(peers - others)) or "no peer"
    statement = (
        f"{metric} started rising right after {change.label} at {iso_z(change.at)} on the hosts "
        f"that got it ({hosts}: {len(matched)} of {len(reached)}) and stayed flat on "
        f"{flat} that did not ({len(others)} of {len(peers)} peers rose)."
    )
    lags = [format_duration(s - change.at) if s >= change.at else "0 s" for _, s in matched]
    return Finding(
        id=f"resources:change_trend:{change.id}:{metric}",
        analyzer="resources:v1",
        kind="trend_after_change",
        question="Did a resource start to climb right after a change?",
        statement=statement,
        score=max(0.0, min(score, 1.0)),
        incident={"hosts_rising": len(matched), "hosts_reached": len(reached)},
        baseline={"peers_rising": len(others), "peers": len(peers)},
        test=worst.test
        and Test(
            f"{worst.test.name}, per host (largest q)",
            worst.p_value,
            worst.q_value,
            family_size=worst.test.family_size,
        ),
        effect=round(coverage * exclusive, 4),
        effect_name="share of its hosts that climb x share of peers that stay flat",
        caveat="could be wrong if another change or a traffic shift reached the same hosts at "
        "the same time, or if the climb is a cache warming up to a healthy plateau",
        subject=Subject("change", change.id),
        evidence={
            "metric": metric,
            "lags": lags,
            "explains": [["resource", f.subject.ref] for f, _ in matched if f.subject]
            + [["host", f.subject.ref.partition(":")[0]] for f, _ in matched if f.subject],
        },
    )


def _changes(ctx: AnalysisContext, start: datetime, end: datetime) -> list[_Change]:
    lo, hi = start.replace(tzinfo=None), end.replace(tzinfo=None)
    rows = ctx.con.execute(
        "SELECT id, ts, type, service, version, hosts FROM changes "
        "WHERE ts >= ? AND ts <= ? AND coalesce(type, 'other') NOT IN ('tag', 'commit') "
        "ORDER BY ts, id",
        [lo, hi],
    ).fetchall()
    services = _hosts_of_services(ctx) if rows else {}
    return [_change(row, services) for row in rows]


def _change(row: Any, services: dict[str, set[str]]) -> _Change:
    ident, ts, kind, service, version, hosts = row
    listed = {short_host(h) for h in (hosts or []) if h}
    if not listed:
        listed = services.get(service, set()) if service else set().union(*services.values())
    what = " ".join(p for p in (service, version) if p) or "everything"
    label = f"the {kind or 'change'} of {what} ({ident})"
    peers = services.get(service, set()) if service else set()
    return _Change(str(ident), aware(ts), label, frozenset(listed), frozenset(peers))


def _hosts_of_services(ctx: AnalysisContext) -> dict[str, set[str]]:
    """Which hosts log which service (one small aggregate), for changes that list no hosts."""
    if not ctx.has("events"):
        return {}
    rows = ctx.con.execute(
        "SELECT DISTINCT service, host FROM events WHERE service IS NOT NULL AND host IS NOT NULL"
    ).fetchall()
    found: dict[str, set[str]] = defaultdict(set)
    for service, host in rows:
        found[str(service)].add(short_host(str(host)))
    return dict(found)
