"""Slices of the traffic: what a change reached, counted in the engine.

A change reaches a slice of the events: its listed hosts, else every host of its service, else
everything. `Topology` (which hosts log which services, one small aggregate) resolves that slice
against the names the logs actually use; host names match without case or domain, so a change
listing `web-2.prod.example.com` reaches the logs of `web-2`. `tally` counts events, errors and
one error signature for several (slice, window) pairs in a single scan; `error_examples` fetches
a few real error lines (`slice_error_examples` those of several slices in one scan). Only
aggregates and the example lines come back to Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import ibis

from warroom.analysis import signals
from warroom.analysis.context import AnalysisContext
from warroom.analysis.fleet import Topology, service_of, short_host
from warroom.analysis.scratch import scratch_table
from warroom.analysis.signatures import signature
from warroom.analysis.windows import Window
from warroom.timeutil import iso_z


def since_onset(ctx: AnalysisContext) -> Window:
    """The incident window, from the onset on when the onset falls inside it."""
    at = ctx.facts.get("onset", {}).get("at")
    window = ctx.incident
    if at is not None and window.start < at < window.end:
        return Window(at, window.end, "incident since the onset")
    return window


@dataclass(frozen=True)
class Slice:
    """The events a change reached, and the events to compare them with."""

    hosts: tuple[str, ...] | None  # None: every host
    service: str | None  # None: every service
    reach: frozenset[str]  # the hosts it reached, as the logs name them
    label: str  # "api (3 hosts)", "web-2, web-5 (web)", "every host"
    families: tuple[str, ...] = ()  # host families standing in for services (fleet.py)

    def where(self, events: Any) -> Any:
        """Ibis boolean: an event in this slice."""
        condition = ibis.literal(True)
        if self.service is not None:
            condition &= service_of(events, self.families) == self.service
        if self.hosts is not None:
            condition &= events.host.isin(list(self.hosts) or [""])
        return condition

    def covers(self, host: str | None, service: str | None) -> bool:
        """The same test as `where`, on one (host, service) pair of an aggregate."""
        if self.service is not None and service != self.service:
            return False
        return self.hosts is None or host in self.hosts

    def neighbours(self, host: str | None, service: str | None) -> bool:
        """The same test as `others`, on one (host, service) pair of an aggregate."""
        if self.hosts is not None:
            in_service = self.service is None or service == self.service
            return host is not None and host not in self.hosts and in_service
        return self.service is not None and service is not None and service != self.service

    @property
    def has_peers(self) -> bool:
        """False when it reached everything: there is nothing it did not reach."""
        return self.hosts is not None or self.service is not None

    def others(self, events: Any) -> Any | None:
        """Ibis boolean for the peers that did not get it, or None when it reached everything."""
        service = service_of(events, self.families)
        if self.hosts is not None:
            peers = events.host.notnull() & ~events.host.isin(list(self.hosts) or [""])
            return peers & (service == self.service) if self.service else peers
        if self.service is not None:
            return service.notnull() & (service != self.service)
        return None


def change_slice(topo: Topology, *, hosts: Sequence[str], service: str | None) -> Slice:
    """The slice a change with these `hosts` (empty: all) and `service` reached.

    Listed hosts the logs never name fall back to the service (or everything), said in the label.
    """
    known_service = service if service in topo.hosts_by_service else None
    unseen = ""
    if hosts:
        wanted = {short_host(h) for h in hosts}
        matched = tuple(h for h in topo.hosts if short_host(h) in wanted)
        if matched:
            where = f" ({known_service})" if known_service else ""
            label = ", ".join(matched) + where
            return Slice(matched, known_service, frozenset(matched), label, topo.families)
        unseen = f" ({', '.join(sorted(hosts))} not in the logs)"
    if known_service is not None:
        reach = topo.hosts_by_service[known_service]
        label = f"{known_service} ({_hosts(reach)}){unseen}"
        return Slice(None, known_service, frozenset(reach), label, topo.families)
    label = f"every host ({_hosts(topo.hosts)}){unseen}"
    return Slice(None, None, frozenset(topo.hosts), label, topo.families)


def _hosts(names: Sequence[str]) -> str:
    count = len(names)
    return "1 host" if count == 1 else ("both hosts" if count == 2 else f"all {count} hosts")


@dataclass(frozen=True)
class Tally:
    events: int
    errors: int
    signature: int  # errors with the given signature

    @property
    def share(self) -> float:
        return self.errors / self.events if self.events else 0.0


Member = Callable[[str | None, str | None], bool]  # (host, service) -> in the slice?


@dataclass(frozen=True)
class Counts:
    """Events, errors and one signature's errors per (host, service, span), where the spans are
    the pieces of time between consecutive `edges`: every window asked about must start and end
    on an edge, so the sums are exact."""

    edges: tuple[datetime, ...]
    rows: tuple[tuple[str | None, str | None, int, int, int, int], ...]

    def tally(self, member: Member, window: Window) -> Tally:
        if window.start not in self.edges or window.end not in self.edges:
            raise ValueError(f"{window.label}: not on the counted edges, so not exact")
        first, last = self.edges.index(window.start), self.edges.index(window.end)
        events = errors = matched = 0
        for host, service, span, n, e, s in self.rows:
            if first <= span < last and member(host, service):
                events, errors, matched = events + n, errors + e, matched + s
        return Tally(events, errors, matched)


def counts_between(
    ctx: AnalysisContext,
    edges: Iterable[datetime],
    *,
    dominant: str | None,
    families: Sequence[str] = (),
) -> Counts:
    """One scan of the events between the first and the last edge, grouped by host, service and
    span; `dominant` is the error signature to count apart (None: count none)."""
    cuts = tuple(sorted(set(edges)))
    events = ctx.table("events")
    ts = events.ts
    rows = events.filter((ts >= _naive(cuts[0])) & (ts < _naive(cuts[-1])))
    error = signals.is_error(rows)
    matches = ibis.literal(False) if dominant is None else signature(rows) == dominant
    span = ibis.cases(*((rows.ts < _naive(cut), k) for k, cut in enumerate(cuts[1:])))
    rows = rows.mutate(
        service=service_of(rows, families),
        span=span,
        err=error.cast("int64"),
        sig=ibis.ifelse(error, matches, False).cast("int64"),
    )
    grouped = rows.group_by(["host", "service", "span"]).aggregate(
        n=rows.count(), e=rows.err.sum(), s=rows.sig.sum()
    )
    return Counts(
        cuts,
        tuple(
            (_name(r.host), _name(r.service), int(r.span), int(r.n), int(r.e), int(r.s))
            for r in grouped.execute().itertuples()
        ),
    )


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) else None  # NULL comes back as None or NaN


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def error_examples(
    ctx: AnalysisContext, condition: Any, window: Window, *, limit: int
) -> tuple[str, ...]:
    """Up to `limit` real error lines in the slice and window: lines of the onset's dominant
    error first (background errors tell the responder nothing), then by time."""
    events = ctx.table("events")
    rows = _example_rows(ctx, events.filter(condition(events)), window)
    first = rows.order_by(_EXAMPLE_ORDER).limit(limit).execute()
    return tuple(_example(row) for row in first.itertuples())


def slice_error_examples(
    ctx: AnalysisContext,
    conditions: Sequence[Callable[[Any], Any]],
    window: Window,
    *,
    limit: int,
) -> list[tuple[str, ...]]:
    """`error_examples` of several conditions (slices, which may overlap) at once: the error
    lines of any of them scanned out of the events once into a scratch table, with a flag per
    condition, then ranked per condition in one query. Per condition the same lines, in the
    same order."""
    if not conditions:
        return []
    events = ctx.table("events")
    flags = {f"_in{i}": condition(events) for i, condition in enumerate(conditions)}
    chosen = ibis.literal(False)
    for flag in flags.values():
        chosen |= flag
    rows = _example_rows(ctx, events.filter(chosen).mutate(**flags), window, keep=list(flags))
    found: list[list[str]] = [[] for _ in conditions]
    with scratch_table(ctx, rows, label="slice_examples") as kept:
        parts = [kept.filter(kept[f]).mutate(grp=ibis.literal(i)) for i, f in enumerate(flags)]
        ranked = ibis.union(*parts).mutate(
            rank=ibis.row_number().over(ibis.window(group_by="grp", order_by=_EXAMPLE_ORDER))
        )
        first = ranked.filter(ranked["rank"] < limit).execute()
    for row in first.sort_values(["grp", *_EXAMPLE_ORDER], kind="stable").itertuples():
        found[int(row.grp)].append(_example(row))
    return [tuple(lines) for lines in found]


# Lines of the onset's dominant error first, then by time, then by place in the files.
_EXAMPLE_ORDER = ["other", "ts", "source", "line"]


def _example_rows(
    ctx: AnalysisContext, events: Any, window: Window, *, keep: Sequence[str] = ()
) -> Any:
    """The error lines of `events` in the window, with what an example shows (texts, '' for
    NULL) and `other` (0 for the onset's dominant error, 1 for the rest); the columns in
    `keep` kept."""
    rows = events.filter(signals.is_error(events) & ctx.in_window(events.ts, window))
    dominant = ctx.facts.get("onset", {}).get("signature")
    other = ibis.literal(0) if dominant is None else (signature(rows) != dominant).cast("int8")
    texts = {
        name: rows[name].cast("string").fill_null("")
        for name in ("host", "status", "method", "path", "exception_type", "message")
    }
    return rows.select(*keep, "ts", "source", "line", other=other, **texts)


def _example(row: Any) -> str:
    head = " ".join(p for p in (row.host, row.status, row.method, row.path) if p)
    body = ": ".join(p for p in (row.exception_type, row.message) if p)
    return f"{iso_z(aware(row.ts))} {head} {body}".replace("  ", " ").strip()[:300]


def aware(moment: Any) -> datetime:
    """A timestamp read from a table (naive UTC) as an aware UTC datetime."""
    value: datetime = moment.to_pydatetime() if hasattr(moment, "to_pydatetime") else moment
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ROLLOUT = timedelta(
    minutes=15
)  # a deploy rolls out over minutes: all of it counts as "at the onset"
FADE = timedelta(minutes=45)  # then the weight halves at ROLLOUT + FADE (1 h) and keeps fading
GRACE = timedelta(minutes=2)  # the onset is known to a minute or so; a change this late may be it
OFF_SCOPE = 0.1  # a change that reached none of the failing hosts
UNSCOPED = 0.6  # a change tied to no service, while the errors sit in one
OTHER_SERVICE = 0.2  # a change to another service than the failing one


def timing_weight(lag: timedelta) -> float:
    """1 for a change up to ROLLOUT before the onset (or within GRACE after), fading with age."""
    if lag < -GRACE:
        return 0.0
    if lag <= ROLLOUT:
        return 1.0
    return 1.0 / (1.0 + (lag - ROLLOUT) / FADE)


@dataclass(frozen=True)
class ScopeMatch:
    weight: float  # 0..1
    why: str
    explains: tuple[str, ...] = ()  # failing hosts this change accounts for


def scope_match(reached: Slice, *, version: str | None, spread: Mapping[str, Any]) -> ScopeMatch:
    """How well what a change reached matches where `spread` found the errors."""
    if not spread:
        return ScopeMatch(1.0, "where the errors sit is unknown: the spread analysis did not run")
    failing = frozenset(spread.get("hosts", ()))
    # a host it reached that logged nothing in the incident can neither fail nor stay healthy
    observed = frozenset(spread.get("observed_hosts", ())) or reached.reach
    hosts = _host_match(reached.reach & observed, failing) if failing else None
    if version and version in spread.get("versions", ()):
        why = f"the errors concentrate on version {version}, which it shipped"
        return ScopeMatch(1.0, why, hosts.explains if hosts else ())
    return hosts if hosts is not None else _service_match(reached, list(spread.get("services", ())))


def _service_match(reached: Slice, services: list[str]) -> ScopeMatch:
    if not services:
        return ScopeMatch(1.0, "the errors are not confined to one service or host")
    where = ", ".join(services)
    if reached.service in services:
        return ScopeMatch(1.0, f"it changed {reached.service}, where the errors are")
    if reached.service is None:
        return ScopeMatch(UNSCOPED, f"it is not tied to one service, and the errors are in {where}")
    return ScopeMatch(OTHER_SERVICE, f"it changed {reached.service}, but the errors are in {where}")


def _host_match(reach: frozenset[str], failing: frozenset[str]) -> ScopeMatch:
    overlap = reach & failing
    names = ", ".join(sorted(failing))
    if reach == failing:
        return ScopeMatch(
            1.0, f"it reached exactly the failing hosts ({names})", tuple(sorted(failing))
        )
    if not overlap:
        return ScopeMatch(OFF_SCOPE, f"it reached none of the failing hosts ({names})")
    jaccard = len(overlap) / len(reach | failing)
    return ScopeMatch(
        max(jaccard, OFF_SCOPE),
        f"it reached {len(reach)} hosts, of which {len(overlap)} fail (the failing: {names})",
    )
