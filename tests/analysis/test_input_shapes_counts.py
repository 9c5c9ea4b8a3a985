"""The shape counts of the inputs analysis, from aggregated rows, against a direct computation
over one value per request: `too_long` (beyond 4x the field's median length, and > 64) and the
four request counts of a shape (`input_stats._population`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from warroom.analysis.input_shapes import TOO_LONG_FACTOR, TOO_LONG_MIN, is_too_long
from warroom.analysis.input_stats import _population


def _aggregated(seed: int) -> pd.DataFrame:
    """Rows like `value_counts` gives: route, key, value, period, failed, n, chars."""
    rng = np.random.default_rng(seed)
    rows = []
    for key, typical in (("sku", 6), ("comment", 20), ("q", 3)):
        for i in range(40):
            length = int(typical if rng.uniform() < 0.8 else rng.integers(70, 300))
            value = f"{i:0{length}d}"[:length]
            for period in ("incident", "baseline"):
                for failed in (True, False):
                    n = int(rng.integers(0, 5))
                    if n:
                        rows.append(("GET /x", key, value, period, failed, n, length))
    frame = pd.DataFrame(rows, columns=["route", "key", "value", "period", "failed", "n", "chars"])
    return frame.sample(frac=1.0, random_state=seed)  # any order, any index


def _per_request(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per request: each aggregated row repeated n times."""
    return frame.loc[frame.index.repeat(frame["n"])]


def test_too_long_equals_the_direct_median_over_requests() -> None:
    frame = _aggregated(seed=2)
    requests = _per_request(frame)
    limits = {}
    for key, lengths in requests.groupby("key")["chars"]:
        ordered = np.sort(lengths.to_numpy())
        median = ordered[(len(ordered) + 1) // 2 - 1]  # the lower median of the requests
        limits[key] = max(TOO_LONG_MIN, TOO_LONG_FACTOR * median)
    direct = frame["chars"] > frame["key"].map(limits)
    found = is_too_long(frame)
    assert found.index.equals(frame.index)
    assert found.tolist() == direct.tolist()
    assert 0 < int(found.sum()) < len(frame)  # both kinds present
    # a subset of rows (one field of the frame), its index kept
    subset = frame[frame["key"] == "comment"]
    assert is_too_long(subset).tolist() == direct[subset.index].tolist()


def test_population_of_a_shape_equals_counting_its_requests() -> None:
    frame = _aggregated(seed=4)
    shape = (frame["chars"] > 50).to_numpy()
    requests = _per_request(frame[shape])
    found = _population(frame, shape)
    incident, baseline = requests["period"] == "incident", requests["period"] == "baseline"
    assert found.failing == int((incident & requests["failed"]).sum())
    assert found.succeeding == int((incident & ~requests["failed"]).sum())
    assert found.baseline_failed == int((baseline & requests["failed"]).sum())
    assert found.baseline_total == int(baseline.sum())
    assert found.failing > 0 and found.baseline_total > 0
    everything = _population(frame)
    assert everything.failing + everything.succeeding == int(
        frame.loc[frame["period"] == "incident", "n"].sum()
    )
