"""Spread: one host, a few, or all of them?

Detects: whether the incident's errors sit on one host, a subset, most hosts, or spread evenly over
all of them, and the same for containers, services and versions (an `attrs` field `version`,
`app.version`, `service.version`, `app_version` or `release`). Services are compared first; hosts,
containers and versions are then compared within each service that carries the errors (an api
host with api hosts, not with web hosts). Per group: error share vs traffic share (exact binomial,
BH over its peers), chi-square homogeneity over the peers, and the group's own incident vs
baseline error rate (cohorts.py). A host or container is a suspect only when it alone, or fewer
than half of its peers, carries the excess. The incident is counted from the onset when known.
Needs: events (host, container, service or a version field).
Known false positives: a load balancer that sends a broken endpoint mostly to one host makes that
host look bad; a host that just joined has no baseline, so a pre-existing fault looks new on it.
Facts (for `changes`): the concentrated hosts, containers, services and versions, the hosts seen
in the incident, and the host shape ("single", "subset", "most", "all", or None when the logs name
fewer than two hosts).
"""

from __future__ import annotations

from typing import Any

from warroom.analysis import stats
from warroom.analysis.cohorts import (
    ALL,
    MOST,
    GroupTest,
    Verdict,
    concentration_statement,
    groups_within,
    judge,
    peers,
    pre_existing_statement,
    shape_statement,
)
from warroom.analysis.context import AnalysisContext
from warroom.analysis.finding import AnalyzerResult, Elimination, Finding, Role, Subject, Test
from warroom.analysis.fleet import Peers, group_counts, topology
from warroom.analysis.scope import since_onset, slice_error_examples
from warroom.analysis.windows import Window

DIMENSIONS = ("host", "container", "version")
SUSPECT_KINDS = ("host", "container")  # services and versions point at changes, not at suspects
QUESTION = "Is it one host, a few, or all of them?"


class Spread:
    id = "spread:v1"
    title = "Spread"
    question = QUESTION
    needs: tuple[str, ...] = ("events",)
    after: tuple[str, ...] = ("onset",)

    def run(self, ctx: AnalysisContext) -> AnalyzerResult:
        window, families = since_onset(ctx), topology(ctx).families
        result = AnalyzerResult()
        rows = group_counts(ctx, "service", window, families=families)
        services = judge(groups_within(rows, None), params=ctx.params)
        judged = [(Peers("service", None, families), services)]
        scopes = list(services.concentrated) if services and services.concentrated else [None]
        verdicts: dict[tuple[str, str | None], Verdict | None] = {}
        for dimension in DIMENSIONS:
            rows = group_counts(ctx, dimension, window, families=families)
            for scope in scopes:
                verdict = judge(groups_within(rows, scope), params=ctx.params)
                verdicts[(dimension, scope)] = verdict
                judged.append((Peers(dimension, scope, families), verdict))
        examples = _examples(ctx, judged, window)
        for key, verdict in judged:
            _report(result, key, verdict, examples)
        if all(v is None for (d, _), v in verdicts.items() if d == "host"):
            result.notes.append("the logs name fewer than two hosts: spread over hosts not checked")
        result.facts = _facts(services, verdicts, window)
        result.findings.sort(key=lambda f: (-f.score, f.id))
        return result


def _examples(
    ctx: AnalysisContext, judged: list[tuple[Peers, Verdict | None]], window: Window
) -> dict[tuple[Peers, str], tuple[str, ...]]:
    """Example error lines of every group the errors concentrate on, of every dimension, in
    one scan (`slice_error_examples`), not one query per dimension."""
    groups = [(key, name) for key, v in judged if v is not None for name in v.concentrated]
    found = slice_error_examples(
        ctx, [key.where(name) for key, name in groups], window, limit=ctx.params.max_examples
    )
    return dict(zip(groups, found, strict=True))


def _report(
    result: AnalyzerResult,
    key: Peers,
    verdict: Verdict | None,
    examples: dict[tuple[Peers, str], tuple[str, ...]],
) -> None:
    if verdict is None:
        return
    dimension = key.dimension
    shape = _shape_finding(key, verdict)
    result.findings.append(shape)
    for name in verdict.concentrated:
        result.findings.append(_concentration(key, verdict, name, examples[(key, name)]))
    singular = "failing service" if dimension == "service" else f"bad {dimension}"
    if verdict.shape in (ALL, MOST):
        result.eliminated.append(Elimination(f"a single {singular}", shape.statement, (shape.id,)))
    for name in verdict.pre_existing:
        subject = Subject(dimension, name) if dimension in SUSPECT_KINDS else None
        why = pre_existing_statement(verdict, name)
        result.eliminated.append(Elimination(f"{dimension} {name}", why, (shape.id,), subject))


def _shape_finding(key: Peers, verdict: Verdict) -> Finding:
    dimension, scope = key.dimension, key.scope
    test = verdict.homogeneity
    return Finding(
        id=f"spread:{dimension}_spread:{scope or '*'}",
        analyzer=Spread.id,
        kind=f"{dimension}_spread",
        question=QUESTION,
        statement=shape_statement(dimension, scope, verdict),
        score=0.0,
        incident={
            "shape": verdict.shape,
            "members": verdict.members,
            "concentrated": list(verdict.concentrated),
            "errors": sum(t.counts.errors for t in verdict.tests),
            "events": sum(t.counts.events for t in verdict.tests),
        },
        test=Test("chi-square homogeneity of error shares", test.p_value, None, test.chi2),
        evidence={"groups": [_group_row(t) for t in verdict.tests[:20]], "scope": scope},
        caveat="groups with little traffic weigh little in the chi-square test",
    )


def _concentration(key: Peers, verdict: Verdict, name: str, examples: tuple[str, ...]) -> Finding:
    dimension, scope = key.dimension, key.scope
    test = verdict.test(name)
    lift = test.versus_rest.lift if test.versus_rest is not None else None
    role: Role = "cause" if verdict.minority else "context"

    return Finding(
        id=f"spread:{dimension}:{name}",
        analyzer=Spread.id,
        kind=f"{dimension}_concentration",
        question=QUESTION,
        statement=concentration_statement(dimension, scope, verdict, test),
        score=stats.strength(test.q_value, lift),
        incident=_group_row(test) | {"peers_errors": verdict.rest_errors},
        baseline={"errors": test.counts.baseline_errors, "events": test.counts.baseline_events},
        test=Test(
            "exact binomial: error share above traffic share",
            test.p_value,
            test.q_value,
            family_size=verdict.members,
        ),
        effect=lift,
        effect_name=f"error rate vs the other {peers(dimension, None)}",
        examples=examples,
        caveat=f"could be wrong if the load balancer sends a failing request type mostly to "
        f"this {dimension}, or if it logs differently from its peers",
        subject=Subject(dimension, name, role) if dimension in SUSPECT_KINDS else None,
        evidence={
            "shape": verdict.shape,
            "scope": scope,
            "rise": None if test.rise is None else vars(test.rise),
        },
    )


def _group_row(test: GroupTest) -> dict[str, Any]:
    return {
        "name": test.name,
        "errors": test.counts.errors,
        "events": test.counts.events,
        "error_share": round(test.error_share, 4),
        "traffic_share": round(test.traffic_share, 4),
        "q_value": test.q_value,
    }


def _facts(
    services: Verdict | None,
    verdicts: dict[tuple[str, str | None], Verdict | None],
    window: Window,
) -> dict[str, Any]:
    def concentrated(dimension: str) -> list[str]:
        return sorted(
            {n for (d, _), v in verdicts.items() if d == dimension and v for n in v.concentrated}
        )

    hosts = {scope or "*": v for (d, scope), v in verdicts.items() if d == "host" and v}
    busiest = max(
        sorted(hosts), key=lambda s: sum(t.counts.errors for t in hosts[s].tests), default=None
    )
    return {
        "window": window.as_json(),
        "shape": hosts[busiest].shape if busiest is not None else None,
        "host_shapes": {scope: v.shape for scope, v in sorted(hosts.items())},
        "hosts": concentrated("host"),
        "observed_hosts": sorted({t.name for v in hosts.values() for t in v.tests}),
        "containers": concentrated("container"),
        "versions": concentrated("version"),
        "services": list(services.concentrated) if services else [],
    }
