"""A/B experiment statistics (kefu.analytics.stats) against published and independent values.

Sources of the expected numbers:

* Newcombe 1998a: R. G. Newcombe, "Two-sided confidence intervals for the single proportion:
  comparison of seven methods", Statistics in Medicine 17:857-872, Table I (score method).
* Newcombe 1998b: R. G. Newcombe, "Interval estimation for the difference between independent
  proportions: comparison of eleven methods", Statistics in Medicine 17:873-890, Table II,
  method 10 (hybrid score interval).
* scipy 1.17.1: ``scipy.stats.chi2_contingency(..., correction=False)`` (the same p-value as R's
  ``prop.test(..., correct = FALSE)``) and ``scipy.stats.ttest_ind(..., equal_var=False)``, used
  both live as oracles and, once, to produce the literals below.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter

import pytest
from scipy import stats

from kefu.analytics.stats import (
    DEFAULT_MIN_SAMPLES_MEANS,
    DEFAULT_MIN_SAMPLES_PROPORTIONS,
    Comparison,
    Interval,
    assign_variant,
    compare_means,
    compare_proportions,
    sample_size_two_proportions,
    wilson_interval,
)

Z_975 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)

# --------------------------------------------------------------------------------------------
# Wilson score interval


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe 1998a, Table I, method 3 (score interval without continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table_i(successes: int, n: int, low: float, high: float) -> None:
    interval = wilson_interval(successes, n)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("successes", "n"), [(81, 263), (1, 29), (7, 9), (40, 41)])
def test_wilson_bounds_are_where_the_score_test_reaches_z(successes: int, n: int) -> None:
    # Definition of the score interval: the p for which |p_hat - p| / sqrt(p (1 - p) / n) == z.
    p_hat = successes / n
    interval = wilson_interval(successes, n)
    for bound in (interval.low, interval.high):
        score = abs(p_hat - bound) / math.sqrt(bound * (1 - bound) / n)
        assert score == pytest.approx(Z_975, rel=1e-9)


def test_wilson_edges_and_confidence() -> None:
    assert wilson_interval(0, 0) == Interval(0.0, 1.0)
    all_in = wilson_interval(29, 29)
    assert all_in.high == 1.0
    assert 0.0 < all_in.low < 1.0
    narrow, wide = wilson_interval(81, 263, 0.90), wilson_interval(81, 263, 0.99)
    assert wide.low < narrow.low < 81 / 263 < narrow.high < wide.high


@pytest.mark.parametrize(
    ("successes", "n", "confidence"), [(-1, 10, 0.95), (11, 10, 0.95), (1, -1, 0.95), (1, 2, 1.0)]
)
def test_wilson_rejects_bad_input(successes: int, n: int, confidence: float) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n, confidence)


# --------------------------------------------------------------------------------------------
# Two proportions: Newcombe's hybrid score interval and the pooled z-test


@pytest.mark.parametrize(
    ("treatment", "control", "difference", "low", "high"),
    [
        # Newcombe 1998b, Table II, method 10; the paper's p1 is the treatment here.
        ((56, 70), (48, 80), 0.2, 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.6, 0.1705, 0.8090),
        ((5, 56), (0, 29), 5 / 56, -0.0381, 0.1926),
        ((0, 10), (0, 20), 0.0, -0.1611, 0.2775),
        ((10, 10), (0, 20), 1.0, 0.6791, 1.0),
        ((10, 10), (0, 10), 1.0, 0.6075, 1.0),
    ],
)
def test_difference_interval_matches_newcombe_table_ii(
    treatment: tuple[int, int],
    control: tuple[int, int],
    difference: float,
    low: float,
    high: float,
) -> None:
    result = compare_proportions("control", *control, "treatment", *treatment)
    assert result.difference == pytest.approx(difference, abs=1e-12)
    assert result.ci_low == pytest.approx(low, abs=5e-5)
    assert result.ci_high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(
    ("control", "treatment", "expected_p"),
    [
        # Literals from scipy.stats.chi2_contingency([[120, 880], [150, 850]], correction=False).
        ((120, 1000), (150, 1000), 0.049640386865368834),
        ((48, 80), (56, 70), 0.008045081368196585),
        ((430, 1000), (470, 1000), 0.07219819770165818),
        ((3, 17), (9, 23), None),
        ((250, 2600), (311, 2750), None),
    ],
)
def test_z_test_p_value_equals_chi_square_without_correction(
    control: tuple[int, int], treatment: tuple[int, int], expected_p: float | None
) -> None:
    result = compare_proportions("control", *control, "treatment", *treatment)
    table = [
        [control[0], control[1] - control[0]],
        [treatment[0], treatment[1] - treatment[0]],
    ]
    oracle = stats.chi2_contingency(table, correction=False).pvalue
    assert result.p_value == pytest.approx(oracle, rel=1e-9)
    if expected_p is not None:
        assert result.p_value == pytest.approx(expected_p, rel=1e-9)


def test_swapping_the_arms_mirrors_the_result() -> None:
    forward = compare_proportions("a", 48, 80, "b", 56, 70)
    backward = compare_proportions("b", 56, 70, "a", 48, 80)
    assert backward.difference == pytest.approx(-forward.difference)
    assert backward.ci_low == pytest.approx(-forward.ci_high)
    assert backward.ci_high == pytest.approx(-forward.ci_low)
    assert backward.p_value == pytest.approx(forward.p_value)


@pytest.mark.parametrize(
    ("control", "treatment"),
    [
        ((0, 0), (0, 0)),
        ((0, 0), (5, 9)),
        ((4, 4), (0, 0)),
        ((500, 500), (500, 500)),
        ((0, 500), (0, 500)),
    ],
)
def test_degenerate_counts_do_not_crash(
    control: tuple[int, int], treatment: tuple[int, int]
) -> None:
    result = compare_proportions("c", *control, "t", *treatment, min_samples=0)
    assert result.p_value == 1.0
    assert not result.significant
    assert -1.0 <= result.ci_low <= result.difference <= result.ci_high <= 1.0


def test_compare_proportions_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        compare_proportions("c", 11, 10, "t", 1, 10)
    with pytest.raises(ValueError):
        compare_proportions("c", 1, 10, "t", 1, 10, alpha=0.0)
    with pytest.raises(ValueError):
        compare_proportions("c", 1, 10, "t", 1, 10, min_samples=-1)


# --------------------------------------------------------------------------------------------
# Two means: Welch's t-test

CSAT_CONTROL = [3, 4, 5, 4, 4, 3, 5, 2, 4, 4, 3, 5]
CSAT_TREATMENT = [5, 4, 5, 5, 4, 5, 3, 5, 4, 5, 5, 4, 5, 4]


def test_welch_matches_scipy() -> None:
    result = compare_means("control", CSAT_CONTROL, "treatment", CSAT_TREATMENT, min_samples=10)
    oracle = stats.ttest_ind(CSAT_TREATMENT, CSAT_CONTROL, equal_var=False)
    assert result.p_value == pytest.approx(oracle.pvalue, rel=1e-9)
    # Literals from scipy 1.17.1: ttest_ind(treatment, control, equal_var=False) has p 0.05190750,
    # df 19.186973 and confidence_interval(0.95) (-0.006089247125394, 1.339422580458727).
    assert result.difference == pytest.approx(2 / 3)
    assert result.p_value == pytest.approx(0.0519075003281151, rel=1e-9)
    assert result.ci_low == pytest.approx(-0.006089247125394, abs=1e-9)
    assert result.ci_high == pytest.approx(1.339422580458727, abs=1e-9)
    assert result.enough_data
    assert not result.significant  # p just above 0.05


def test_welch_interval_follows_alpha() -> None:
    oracle = stats.ttest_ind(CSAT_TREATMENT, CSAT_CONTROL, equal_var=False)
    expected = oracle.confidence_interval(confidence_level=0.90)
    result = compare_means("c", CSAT_CONTROL, "t", CSAT_TREATMENT, alpha=0.10, min_samples=10)
    assert (result.ci_low, result.ci_high) == pytest.approx((expected.low, expected.high))
    assert result.significant  # p 0.052 < 0.10


@pytest.mark.parametrize(
    ("control", "treatment"), [([], []), ([4.0], [5.0, 3.0]), ([4.0, 5.0], [2.0]), ([], [3.0, 4.0])]
)
def test_welch_needs_two_values_per_side(control: list[float], treatment: list[float]) -> None:
    result = compare_means("c", control, "t", treatment, min_samples=0)
    assert result.p_value == 1.0
    assert not result.significant
    assert result.ci_low == -math.inf
    assert result.ci_high == math.inf


def test_welch_without_variance() -> None:
    same = compare_means("c", [4.0] * 5, "t", [4.0] * 5, min_samples=0)
    assert (same.difference, same.p_value, same.significant) == (0.0, 1.0, False)
    apart = compare_means("c", [3.0] * 5, "t", [4.0] * 5, min_samples=0)
    assert (apart.difference, apart.ci_low, apart.ci_high) == (1.0, 1.0, 1.0)
    assert apart.significant


# --------------------------------------------------------------------------------------------
# Sample size


def _normal_power(baseline: float, effect: float, n: int, alpha: float) -> float:
    """Approximate power of the two-sided pooled z-test with n per arm (scipy's normal)."""
    p1, p2 = baseline, baseline + effect
    p_bar = (p1 + p2) / 2
    z_alpha = stats.norm.ppf(1 - alpha / 2)
    numerator = abs(effect) * math.sqrt(n) - z_alpha * math.sqrt(2 * p_bar * (1 - p_bar))
    return float(stats.norm.cdf(numerator / math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))))


def test_sample_size_known_values() -> None:
    # By hand: p1 0.5, p2 0.6, p_bar 0.55; z 1.959964 * sqrt(2 * 0.55 * 0.45) = 1.378956 and
    # z 0.841621 * sqrt(0.25 + 0.24) = 0.589135; (1.968091)^2 / 0.1^2 = 387.34 -> 388.
    assert sample_size_two_proportions(0.5, 0.1) == 388
    assert DEFAULT_MIN_SAMPLES_PROPORTIONS == 388
    # By hand: p1 0.10, p2 0.12, p_bar 0.11; (0.867270 + 0.372223)^2 / 0.02^2 = 3840.9 -> 3841.
    assert sample_size_two_proportions(0.10, 0.02) == 3841
    # A drop is as hard to see as the same rise from the mirrored baseline.
    assert sample_size_two_proportions(0.5, -0.1) == 388
    assert sample_size_two_proportions(0.3, -0.05) == sample_size_two_proportions(0.7, 0.05)


@pytest.mark.parametrize(
    ("baseline", "effect", "alpha", "power"),
    [(0.5, 0.1, 0.05, 0.8), (0.1, 0.02, 0.05, 0.8), (0.2, 0.05, 0.01, 0.9), (0.8, -0.1, 0.1, 0.8)],
)
def test_sample_size_is_the_smallest_with_enough_power(
    baseline: float, effect: float, alpha: float, power: float
) -> None:
    n = sample_size_two_proportions(baseline, effect, alpha, power)
    assert _normal_power(baseline, effect, n, alpha) >= power
    assert _normal_power(baseline, effect, n - 1, alpha) < power


def test_sample_size_is_monotonic() -> None:
    assert sample_size_two_proportions(0.5, 0.05) > sample_size_two_proportions(0.5, 0.1)
    assert sample_size_two_proportions(0.5, 0.1, power=0.9) > sample_size_two_proportions(0.5, 0.1)
    assert sample_size_two_proportions(0.5, 0.1, alpha=0.01) > sample_size_two_proportions(0.5, 0.1)
    # Rates near 50% are the noisiest.
    assert sample_size_two_proportions(0.45, 0.1) > sample_size_two_proportions(0.05, 0.1)


@pytest.mark.parametrize(
    ("baseline", "effect", "alpha", "power"),
    [(0.0, 0.1, 0.05, 0.8), (0.5, 0.0, 0.05, 0.8), (0.95, 0.1, 0.05, 0.8), (0.5, 0.1, 1.0, 0.8)],
)
def test_sample_size_rejects_bad_input(
    baseline: float, effect: float, alpha: float, power: float
) -> None:
    with pytest.raises(ValueError):
        sample_size_two_proportions(baseline, effect, alpha, power)


# --------------------------------------------------------------------------------------------
# Stopping rules


def test_before_the_horizon_nothing_is_significant() -> None:
    # p 0.008 (above), but 80 and 70 are short of the default 388 per variant.
    result = compare_proportions("control", 48, 80, "treatment", 56, 70)
    assert result.p_value < 0.01
    assert not result.enough_data
    assert not result.significant
    assert "Keep running" in result.advice
    assert "308 more for control" in result.advice
    assert "318 more for treatment" in result.advice
    assert "peeking" in result.advice


def test_before_the_horizon_same_shortfall_is_per_variant() -> None:
    result = compare_means("old", [4.0, 5.0] * 5, "new", [1.0, 2.0] * 5)
    assert DEFAULT_MIN_SAMPLES_MEANS == 30
    assert not result.significant
    assert "20 more per variant" in result.advice


def test_after_the_horizon_a_big_effect_names_the_winner() -> None:
    result = compare_proportions("control", 200, 1000, "warm_tone", 300, 1000)
    assert result.enough_data
    assert result.significant
    assert result.advice.startswith("warm_tone wins")
    assert "10.0 percentage points" in result.advice
    assert "stopped" in result.advice

    worse = compare_proportions("control", 300, 1000, "terse", 200, 1000)
    assert worse.significant
    assert worse.advice.startswith("control wins")


def test_after_the_horizon_means_name_the_winner() -> None:
    control = [2.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0] * 6
    treatment = [3.0, 4.0, 4.0, 5.0, 5.0, 5.0, 5.0] * 6
    result = compare_means("old", control, "new", treatment)
    assert result.enough_data and result.significant
    assert result.advice.startswith("new wins")


def test_after_the_horizon_no_difference_can_stop() -> None:
    result = compare_proportions("control", 430, 1000, "treatment", 470, 1000)
    assert result.enough_data
    assert not result.significant  # p 0.072
    assert result.advice.startswith("No difference between control and treatment was shown")
    assert "stopped" in result.advice


def test_comparison_is_a_frozen_value() -> None:
    result = compare_proportions("c", 1, 2, "t", 1, 2)
    assert isinstance(result, Comparison)
    with pytest.raises(AttributeError):
        result.p_value = 0.0  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Sticky assignment

HALVES = [("control", 1.0), ("treatment", 1.0)]


def test_assignment_is_the_documented_hash() -> None:
    # sha256(b"exp-tone:customer-42") starts ea642ca9a1caefbc: a point of 0.9156, the upper half.
    digest = hashlib.sha256(b"exp-tone:customer-42").digest()
    point = (int.from_bytes(digest[:8], "big") >> 11) / 2**53
    assert point == pytest.approx(0.9155910410061484)
    assert assign_variant("exp-tone", "customer-42", HALVES) == "treatment"
    assert assign_variant("exp-tone", "customer-42", [("control", 0.95), ("treatment", 0.05)]) == (
        "control"
    )


def test_assignment_is_sticky() -> None:
    first = [assign_variant("exp-tone", f"customer-{i}", HALVES) for i in range(200)]
    again = [assign_variant("exp-tone", f"customer-{i}", HALVES) for i in range(200)]
    assert first == again
    other = [assign_variant("exp-length", f"customer-{i}", HALVES) for i in range(200)]
    assert other != first  # experiments split customers independently


@pytest.mark.parametrize(
    ("weights", "shares"),
    [
        (HALVES, {"control": (0.48, 0.52), "treatment": (0.48, 0.52)}),
        (
            [("control", 90), ("treatment", 10)],
            {"control": (0.88, 0.92), "treatment": (0.08, 0.12)},
        ),
        ([("a", 1), ("b", 0), ("c", 3)], {"a": (0.23, 0.27), "c": (0.73, 0.77)}),
    ],
)
def test_assignment_follows_the_weights(
    weights: list[tuple[str, float]], shares: dict[str, tuple[float, float]]
) -> None:
    counts = Counter(assign_variant("exp-split", f"subject-{i}", weights) for i in range(10_000))
    assert set(counts) == set(shares)  # a zero weight is never chosen
    for name, (low, high) in shares.items():
        assert low <= counts[name] / 10_000 <= high


@pytest.mark.parametrize(
    "weights",
    [
        [],
        [("a", 0.0), ("b", 0.0)],
        [("a", -1.0), ("b", 2.0)],
        [("a", math.nan)],
        [("a", math.inf)],
    ],
)
def test_assignment_rejects_bad_weights(weights: list[tuple[str, float]]) -> None:
    with pytest.raises(ValueError):
        assign_variant("exp", "subject", weights)
