from __future__ import annotations

from datetime import timedelta

import numpy as np

from tests.analysis.rhythm_data import T0, every, fail_in, fleet, run, store
from warroom.analysis.investigation import Investigation
from warroom.analysis.rhythm import rayleigh

HOURS = 6
WINDOW = (T0 + timedelta(hours=5), T0 + timedelta(hours=HOURS))


def _periodic(result: Investigation) -> list[str]:
    return [f.id for f in result.findings if f.kind == "periodic_errors"]


def _bursts(
    period_min: int, first_min: int, length_min: int = 3, share: float = 0.4
) -> Investigation:
    start = WINDOW[0] + timedelta(minutes=first_min)
    stretches = every(
        start, WINDOW[1], timedelta(minutes=period_min), timedelta(minutes=length_min)
    )
    return run(store(fail_in(fleet(seed=3, hours=HOURS), stretches, share=share, seed=4)), WINDOW)


def test_periodicity_finds_bursts_every_15_minutes_at_their_clock_minutes() -> None:
    result = _bursts(15, 7)
    assert _periodic(result) == ["periodicity:periodic_errors:900"]
    finding = result.finding("periodicity:periodic_errors:900")
    assert finding is not None
    assert "every 15 min, at :07, :22, :37, :52 (UTC)" in finding.statement
    assert 0.15 <= finding.evidence["duty"] <= 0.3
    assert finding.test is not None and finding.q_value is not None and finding.q_value < 1e-6
    assert (
        finding.incident["cycles"] >= 3
        and finding.incident["in_bursts"] > 0.8 * finding.incident["errors"]
    )
    assert finding.baseline["errors"] > 0 and finding.baseline["resultant"] < 0.3
    assert finding.score > 0.3
    assert not any(e.cause == "a periodic job" for e in result.eliminated)


def test_periodicity_writes_the_phase_in_the_bundles_time_zone() -> None:
    start = WINDOW[0] + timedelta(minutes=7)
    stretches = every(start, WINDOW[1], timedelta(minutes=20), timedelta(minutes=3))
    con = store(fail_in(fleet(seed=5, hours=HOURS), stretches, share=0.4, seed=6))
    utc = run(con, WINDOW).finding("periodicity:periodic_errors:1200")
    india = run(con, WINDOW, timezone="Asia/Kolkata").finding("periodicity:periodic_errors:1200")
    assert utc is not None and "at :07, :27, :47 (UTC)" in utc.statement
    assert india is not None and "at :17, :37, :57 (Asia/Kolkata)" in india.statement  # +05:30


def test_periodicity_random_errors_eliminate_a_periodic_job() -> None:
    rng = np.random.default_rng(8)
    starts = sorted(rng.uniform(0, 3600, 12))  # bursts at random times in the window
    stretches = [
        (WINDOW[0] + timedelta(seconds=s), WINDOW[0] + timedelta(seconds=s + 150)) for s in starts
    ]
    result = run(store(fail_in(fleet(seed=7, hours=HOURS), stretches, share=0.3, seed=9)), WINDOW)
    assert _periodic(result) == []
    finding = result.finding("periodicity:no_rhythm")
    assert finding is not None and finding.score == 0.0
    assert finding.statement.startswith("Errors arrive at random")
    assert any(e.cause == "a periodic job" for e in result.eliminated)


def test_periodicity_background_errors_have_no_rhythm() -> None:
    result = run(store(fleet(seed=10, hours=HOURS, per_second=4.0)), WINDOW)
    assert _periodic(result) == []
    finding = result.finding("periodicity:no_rhythm")
    assert finding is not None and finding.incident["errors"] >= 30


def test_periodicity_quiet_data_is_too_few_to_tell() -> None:
    result = run(store(fleet(seed=11, hours=HOURS, error_share=0.001)), WINDOW)
    assert _periodic(result) == []
    assert result.finding("periodicity:no_rhythm") is None
    assert any("too few to tell" in note for note in result.notes)
    assert not any(e.cause == "a periodic job" for e in result.eliminated)


def test_periodicity_single_hump_is_not_a_rhythm() -> None:
    """One long burst has no cycles: no period may be read into it."""
    stretch = [(WINDOW[0] + timedelta(minutes=10), WINDOW[0] + timedelta(minutes=45))]
    result = run(store(fail_in(fleet(seed=12, hours=HOURS), stretch, share=0.3, seed=13)), WINDOW)
    assert _periodic(result) == []


def test_rayleigh_uniform_vs_concentrated_phases() -> None:
    rng = np.random.default_rng(1)
    uniform = rayleigh(rng.uniform(0, 2 * np.pi, 500), np.ones(500))
    focused = rayleigh(rng.normal(1.0, 0.3, 500) % (2 * np.pi), np.ones(500))
    assert uniform.p_value > 0.01 and uniform.resultant < 0.15
    assert focused.p_value < 1e-50 and focused.resultant > 0.9
    assert abs(focused.mean_phase - 1.0) < 0.05
    # For large n the p-value approaches exp(-Z).
    assert abs(np.log(uniform.p_value) + uniform.z) < 0.05
