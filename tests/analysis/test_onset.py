from __future__ import annotations

from datetime import timedelta

from tests.analysis.synthetic import T0, add_events, burst, empty_store, traffic
from warroom.analysis.analyzers.onset import Onset
from warroom.analysis.investigate import WindowRequest, investigate

HOSTS = [f"web-{i}" for i in range(1, 7)]
INPUTS = {"events": 0}


def test_onset_found_within_a_minute_when_window_is_detected() -> None:
    con = empty_store()
    onset = T0 + timedelta(hours=5, minutes=17, seconds=23)
    frame = burst(
        traffic(seed=1, hours=6, per_second=5, hosts=HOSTS, error_share=0.003),
        seed=2,
        at=onset,
        share=0.2,
    )
    add_events(con, frame)
    result = investigate(con, inputs=INPUTS, analyzers=[Onset()])
    assert result.windows.source == "detected"
    assert result.onset.at is not None
    assert abs((result.onset.at - onset).total_seconds()) <= 60
    assert result.onset.signal == "error rate (java.lang.NullPointerException)"
    finding = result.finding("onset:error_onset")
    assert finding is not None and finding.p_value is not None and finding.p_value < 1e-10
    assert finding.effect is not None and finding.effect > 10


def test_onset_inside_a_given_window() -> None:
    con = empty_store()
    onset = T0 + timedelta(hours=4, minutes=40)
    frame = burst(
        traffic(seed=3, hours=6, per_second=3, hosts=HOSTS, error_share=0.003),
        seed=4,
        at=onset,
        share=0.1,
        hosts=["web-2"],
    )
    add_events(con, frame)
    request = WindowRequest(
        incident=(T0 + timedelta(hours=4, minutes=30), T0 + timedelta(hours=5, minutes=30))
    )
    result = investigate(con, inputs=INPUTS, request=request, analyzers=[Onset()])
    assert result.onset.at is not None
    assert abs((result.onset.at - onset).total_seconds()) <= 60
    first_host = result.finding("onset:first_host")
    assert first_host is not None and first_host.evidence["order"][0] == "web-2"


def test_onset_quiet_data_finds_nothing() -> None:
    con = empty_store()
    add_events(con, traffic(seed=5, hours=6, per_second=5, hosts=HOSTS, error_share=0.003))
    result = investigate(con, inputs=INPUTS, analyzers=[Onset()])
    assert result.windows.source == "fallback"
    assert result.onset.at is None
    assert result.suspects == []
    finding = result.finding("onset:no_error_rise")
    assert finding is not None and finding.score == 0.0
