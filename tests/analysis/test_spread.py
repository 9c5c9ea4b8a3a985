from __future__ import annotations

from datetime import timedelta

from tests.analysis.changes_data import (
    API,
    ONSET,
    WEB,
    WINDOW,
    between,
    broken,
    errors_in,
    fleet,
    name_containers,
    nameless,
    run,
    store,
    tag_versions,
)
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.analyzers.spread import Spread
from warroom.analysis.context import AnalysisContext
from warroom.analysis.investigate import WindowRequest, resolve_windows


def test_spread_one_bad_host_is_the_top_suspect() -> None:
    frame = broken(fleet(seed=11), hosts=["api-2"], share=0.6, exception="OSError")
    result = run(store(frame))
    assert result.suspects[0].kind == "host" and result.suspects[0].ref == "api-2"
    assert result.suspects[0].score >= 0.9
    finding = result.finding("spread:host:api-2")
    assert finding is not None and finding.subject is not None
    assert finding.subject.role == "cause"
    assert result.onset.at is not None
    since = between(frame, result.onset.at, WINDOW[1])
    api2 = (frame["host"] == "api-2") & (frame["service"] == "api")
    expected = errors_in(frame, api2 & since)
    assert (finding.incident["errors"], finding.incident["events"]) == expected
    assert finding.q_value is not None and finding.q_value < 1e-100
    assert finding.effect is not None and finding.effect > 50
    assert finding.test is not None and finding.test.family_size == 3
    assert finding.statement.startswith(f"api-2: {expected[0]:,} of {expected[1]:,}")
    assert len(finding.examples) == 3
    assert all(" api-2 500 GET /api/orders OSError: " in line for line in finding.examples)
    shape = result.finding("spread:host_spread:api")
    assert shape is not None and shape.incident["shape"] == "single"
    assert "api-2 alone carries the excess of errors among the 3 api hosts" in shape.statement


def test_spread_facts_tell_changes_where_the_errors_are() -> None:
    frame = broken(fleet(seed=12), hosts=["web-2", "web-5"], share=0.4)
    con = store(frame)
    windows = resolve_windows(con, WindowRequest(incident=WINDOW), None, "UTC")
    ctx = AnalysisContext(con=con, windows=windows, row_counts={"events": len(frame)})
    ctx.facts["onset"] = Onset().run(ctx).facts
    facts = Spread().run(ctx).facts
    assert facts["shape"] == "subset"
    assert facts["hosts"] == ["web-2", "web-5"]
    assert facts["services"] == ["web"]
    assert facts["host_shapes"] == {"web": "subset"}
    assert facts["observed_hosts"] == sorted(WEB)
    assert facts["containers"] == [] and facts["versions"] == []


def test_spread_canary_subset_makes_each_host_a_suspect() -> None:
    frame = broken(fleet(seed=13), hosts=["web-2", "web-5"], share=0.4)
    result = run(store(frame))
    refs = [(s.kind, s.ref) for s in result.suspects]
    assert refs[:2] == [("host", "web-2"), ("host", "web-5")]
    shape = result.finding("spread:host_spread:web")
    assert shape is not None
    assert shape.statement.startswith("2 of 6 web hosts carry the errors (web-2, web-5)")
    assert not any(e.cause == "a single bad host" for e in result.eliminated)


def test_spread_even_errors_rule_out_a_single_bad_host() -> None:
    frame = broken(fleet(seed=14), hosts=API, share=0.25)
    result = run(store(frame))
    assert not [s for s in result.suspects if s.kind == "host"]
    ruled_out = [e for e in result.eliminated if e.cause == "a single bad host"]
    assert len(ruled_out) == 1
    assert ruled_out[0].why.startswith("Errors spread evenly over all 3 api hosts")
    assert "chi-square p = " in ruled_out[0].why
    assert ruled_out[0].finding_ids == ("spread:host_spread:api",)
    service = result.finding("spread:service:api")
    assert service is not None and service.subject is None  # a service is not a suspect kind


def test_spread_most_hosts_failing_is_no_host_suspect() -> None:
    frame = broken(fleet(seed=15), hosts=WEB[:5], share=0.3)
    result = run(store(frame))
    assert not [s for s in result.suspects if s.kind == "host"]
    shape = result.finding("spread:host_spread:web")
    assert shape is not None and shape.incident["shape"] == "most"
    finding = result.finding("spread:host:web-1")
    assert finding is not None and finding.subject is not None
    assert finding.subject.role == "context"
    assert any(e.cause == "a single bad host" for e in result.eliminated)


def test_spread_host_that_always_failed_is_ruled_out() -> None:
    frame = fleet(seed=16)
    chronic = broken(frame, hosts=["web-3"], share=0.15, at=WINDOW[0] - timedelta(hours=5))
    frame = broken(chronic, hosts=WEB, share=0.05, exception="KeyError", message="'embedding'")
    result = run(store(frame))
    assert not [s for s in result.suspects if s.kind == "host"]
    ruled_out = [e for e in result.eliminated if e.cause == "host web-3"]
    assert len(ruled_out) == 1 and ruled_out[0].subject is not None
    assert ruled_out[0].subject.key == ("host", "web-3")
    assert "failed as often in the baseline" in ruled_out[0].why


def test_spread_quiet_data_names_no_suspect() -> None:
    result = run(store(fleet(seed=17)))
    assert result.suspects == []
    assert not [f for f in result.findings if f.analyzer == "spread:v1" and f.score > 0]
    assert any(e.cause == "a single bad host" for e in result.eliminated)


def test_spread_containers_and_versions() -> None:
    frame = broken(fleet(seed=18), hosts=["web-2", "web-5"], share=0.4)
    con = store(frame)
    name_containers(con)
    tag_versions(
        con,
        service="web",
        old="2.13.2",
        new="2.14.0",
        hosts=["web-2", "web-5"],
        since=ONSET - timedelta(minutes=2),
    )
    result = run(con)
    container = result.finding("spread:container:web-2-c1")
    assert container is not None and container.subject is not None
    assert container.subject.key == ("container", "web-2-c1")
    version = result.finding("spread:version:2.14.0")
    assert version is not None and version.subject is None
    assert version.effect is not None and version.effect > 50
    assert {s.ref for s in result.suspects} >= {"web-2", "web-5", "web-2-c1", "web-5-c1"}


def test_spread_one_host_in_the_logs_is_noted() -> None:
    frame = broken(fleet(seed=19), hosts=API, share=0.3)
    frame["host"] = "only-host"
    result = run(store(frame))
    assert "the logs name fewer than two hosts: spread over hosts not checked" in result.notes
    assert not [f for f in result.findings if f.kind == "host_spread"]


def test_spread_without_services_compares_hosts_within_their_name_family() -> None:
    """Access logs name no service: api-1..3 fail together like a service, not like hosts."""
    frame = nameless(broken(fleet(seed=20), hosts=API, share=0.3))
    result = run(store(frame))
    assert not [s for s in result.suspects if s.kind == "host"]
    shape = result.finding("spread:host_spread:api")
    assert shape is not None
    assert shape.statement.startswith("Errors spread evenly over all 3 api hosts")
    disk = run(store(nameless(broken(fleet(seed=20), hosts=["api-2"], share=0.6))))
    assert (disk.suspects[0].kind, disk.suspects[0].ref) == ("host", "api-2")
