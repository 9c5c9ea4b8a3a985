"""Exact and robust tests shared by every analyzer, so the same question gets the same answer.

Only aggregates reach this module (counts, small arrays); the heavy lifting happened in the
engine. Every function is deterministic and returns plain floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

ALPHA = 0.05  # false-discovery rate per family
MIN_RATIO = 2.0  # "material size": at least a doubling
MIN_EVENTS = 10  # support floor: fewer incident events prove nothing


@dataclass(frozen=True)
class RateComparison:
    incident_count: int
    incident_exposure: float  # seconds, or requests: the denominator
    baseline_count: int
    baseline_exposure: float
    ratio: float  # incident rate / baseline rate (continuity-corrected when baseline is 0)
    p_value: float  # one-sided: incident rate higher (or lower, for decreases)
    dispersion: float = 1.0  # > 1: the p-value was scaled for over-dispersed counts


def rate_ratio_dispersed(
    incident_count: int,
    incident_exposure: float,
    baseline_count: int,
    baseline_exposure: float,
    *,
    phi: float,
) -> RateComparison:
    """`rate_ratio` with the real counts and ratio, but its p-value from the counts divided by
    `phi` (quasi-Poisson; `dispersion` estimates it). phi <= 1 is the plain test."""
    raw = rate_ratio(incident_count, incident_exposure, baseline_count, baseline_exposure)
    if phi <= 1.0:
        return raw
    scaled = rate_ratio(
        round(incident_count / phi), incident_exposure,
        round(baseline_count / phi), baseline_exposure,
    )  # fmt: skip
    return replace(raw, p_value=scaled.p_value, dispersion=phi)


def dispersion(counts: ArrayLike, exposures: ArrayLike, inside: ArrayLike) -> float:
    """Over-dispersion of binned counts under a two-rate model (one rate for the bins marked
    `inside`, one for the rest): Pearson chi-square per degree of freedom, at least 1; 1 when
    there are too few bins to judge. Dividing counts by it gives a quasi-Poisson test, honest
    when one failure writes several lines or the rate wanders with the traffic mix."""
    observed = np.asarray(counts, dtype=float)
    exposure = np.maximum(np.asarray(exposures, dtype=float), 0.0)
    marked = np.asarray(inside, dtype=bool)
    expected = np.zeros(len(observed))
    for part in (marked, ~marked):
        total = exposure[part].sum()
        if total > 0:
            expected[part] = exposure[part] * observed[part].sum() / total
    used = expected > 0
    degrees = int(used.sum()) - 2
    if degrees < 1:
        return 1.0
    chi_square = float((((observed - expected)[used]) ** 2 / expected[used]).sum())
    return max(1.0, chi_square / degrees)


def rate_ratio(
    incident_count: int,
    incident_exposure: float,
    baseline_count: int,
    baseline_exposure: float,
    *,
    alternative: str = "greater",
) -> RateComparison:
    """Poisson rate ratio by the conditional binomial test (exact).

    Given k1 + k2 events, under equal rates k1 ~ Binomial(k1 + k2, e1 / (e1 + e2)).
    """
    if incident_exposure <= 0 or baseline_exposure <= 0:
        raise ValueError("exposures must be positive")
    total = incident_count + baseline_count
    share = incident_exposure / (incident_exposure + baseline_exposure)
    p = (
        1.0
        if total == 0
        else float(stats.binomtest(incident_count, total, share, alternative=alternative).pvalue)
    )
    # Half an event in an empty baseline keeps the ratio finite and honest about uncertainty.
    ratio = ((incident_count + 0.5) / incident_exposure) / (
        (baseline_count + 0.5) / baseline_exposure
    )
    return RateComparison(
        incident_count, incident_exposure, baseline_count, baseline_exposure, ratio, p
    )


@dataclass(frozen=True)
class ProportionComparison:
    a_hits: int
    a_total: int
    b_hits: int
    b_total: int
    lift: float  # share in a / share in b (continuity-corrected)
    odds_ratio: float
    p_value: float


def proportions(
    a_hits: int, a_total: int, b_hits: int, b_total: int, *, alternative: str = "greater"
) -> ProportionComparison:
    """Fisher's exact test on the 2x2 table [[a_hits, a_miss], [b_hits, b_miss]]."""
    if a_hits > a_total or b_hits > b_total:
        raise ValueError("hits cannot exceed totals")
    table = [[a_hits, a_total - a_hits], [b_hits, b_total - b_hits]]
    result = stats.fisher_exact(table, alternative=alternative)
    lift = ((a_hits + 0.5) / (a_total + 1)) / ((b_hits + 0.5) / (b_total + 1))
    return ProportionComparison(
        a_hits, a_total, b_hits, b_total, lift, float(result.statistic), float(result.pvalue)
    )


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """q-values controlling the false-discovery rate over one family of tests."""
    if not p_values:
        return []
    return [float(q) for q in stats.false_discovery_control(np.asarray(p_values, dtype=float))]


@dataclass(frozen=True)
class Homogeneity:
    chi2: float
    dof: int
    p_value: float  # small: the groups' error shares differ


def homogeneity(hits: Sequence[int], totals: Sequence[int]) -> Homogeneity:
    """Chi-square test that every group has the same hit share (errors per request per host)."""
    rows = [(h, t - h) for h, t in zip(hits, totals, strict=True) if t > 0]
    if len(rows) < 2 or sum(h for h, _ in rows) == 0 or sum(m for _, m in rows) == 0:
        return Homogeneity(0.0, max(len(rows) - 1, 0), 1.0)
    chi2, p, dof, _ = stats.chi2_contingency(np.asarray(rows, dtype=float), correction=False)
    return Homogeneity(float(chi2), int(dof), float(p))


def binomial_excess(hits: int, total: int, expected_share: float) -> float:
    """One-sided p that `hits` of `total` exceeds what `expected_share` predicts."""
    if total == 0:
        return 1.0
    share = min(max(expected_share, 0.0), 1.0)
    return float(stats.binomtest(hits, total, share, alternative="greater").pvalue)


def strength(
    q_value: float | None, effect: float | None, *, min_effect: float = MIN_RATIO
) -> float:
    """0..1: how strongly a result points at something, from its q-value and its effect size.

    Both must clear their floors (q < ALPHA, effect >= min_effect) for a non-zero strength, so
    quiet data gives weak findings. Significance saturates at q = 1e-6, size at 8x the floor.
    """
    if q_value is None or effect is None or q_value >= ALPHA or effect < min_effect:
        return 0.0
    significance = min(1.0, (-math.log10(max(q_value, 1e-300)) - -math.log10(ALPHA)) / (6 - 1.3))
    size = min(1.0, math.log(effect / min_effect + 1) / math.log(9))
    return round(0.5 * significance + 0.5 * size, 4)
