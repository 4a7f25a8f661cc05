"""Statistics for A/B experiments in the staff console: a control variant against a treatment.

Two kinds of outcome are compared:

* a rate (resolved without a human, accepted suggestion, ...) with
  :func:`compare_proportions`: a two-sided two-proportion z-test with the pooled variance for the
  p-value (no continuity correction, the same p-value as R's ``prop.test(..., correct = FALSE)``
  or a 2x2 chi-square test without Yates' correction) and Newcombe's hybrid score interval
  (method 10 of Newcombe 1998, "Interval estimation for the difference between independent
  proportions", Statistics in Medicine 17:873-890) for the difference;
* a mean score (CSAT, 1 to 5) with :func:`compare_means`: Welch's two-sided t-test with the
  Welch-Satterthwaite degrees of freedom and the matching t interval for the difference.

Every difference is *treatment minus control*, and a higher rate or score counts as better.

Stopping rules (fixed horizon)
------------------------------
An experiment is read once, when each variant has at least ``min_samples`` observations. The
default for rates is :data:`DEFAULT_MIN_SAMPLES_PROPORTIONS`, the per-variant size that detects a
10-point change from 50% with a two-sided 5% test and 80% power
(``sample_size_two_proportions(0.5, 0.1)``, 388); for means it is
:data:`DEFAULT_MIN_SAMPLES_MEANS` (30). Size an experiment with
:func:`sample_size_two_proportions` and pass that as ``min_samples``.

* Before the horizon ``enough_data`` is False and ``significant`` is False whatever the p-value:
  looking at the p-value again and again and stopping at the first small one ("peeking")
  inflates the false-positive rate far above ``alpha``. The advice says to keep running and how
  many more observations each variant needs.
* From the horizon on, ``significant`` is ``p_value < alpha``; the advice names the winner, or
  says that no difference was shown, and that the experiment can be stopped.

Visitors are split with :func:`assign_variant`, a sticky hash of the experiment and the subject,
so the same customer sees the same variant on every visit and on every worker.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from scipy import stats as _scipy_stats

__all__ = [
    "DEFAULT_MIN_SAMPLES_MEANS",
    "DEFAULT_MIN_SAMPLES_PROPORTIONS",
    "Comparison",
    "Interval",
    "assign_variant",
    "compare_means",
    "compare_proportions",
    "sample_size_two_proportions",
    "wilson_interval",
]

_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[low, high]``."""

    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    """The reading of an experiment: treatment against control.

    ``difference`` is the treatment rate minus the control rate (or the difference of the means),
    ``ci_low``/``ci_high`` its ``1 - alpha`` confidence interval. ``significant`` is only ever
    True when ``enough_data`` is (see the module's stopping rules).
    """

    control: str
    treatment: str
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    significant: bool
    enough_data: bool
    advice: str


def _check_level(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")


def _check_counts(successes: int, n: int) -> None:
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")


def _two_sided_z(confidence: float) -> float:
    """The standard normal quantile that leaves ``(1 - confidence) / 2`` in each tail."""
    return _STANDARD_NORMAL.inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson's score interval for the proportion ``successes / n``.

    With no observations (``n == 0``) nothing is known and the interval is ``[0, 1]``.
    """
    _check_counts(successes, n)
    _check_level("confidence", confidence)
    if n == 0:
        return Interval(0.0, 1.0)
    z = _two_sided_z(confidence)
    z2 = z * z
    p = successes / n
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half_width = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    return Interval(max(0.0, centre - half_width), min(1.0, centre + half_width))


def sample_size_two_proportions(
    baseline: float, minimum_effect: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Observations per variant for a two-sided test to detect ``baseline`` -> ``+ minimum_effect``.

    With ``p1 = baseline``, ``p2 = baseline + minimum_effect``, ``p = (p1 + p2) / 2`` and
    ``q = 1 - p`` (the pooled rate under H0), the normal-approximation formula is::

        n = (z(1 - alpha/2) * sqrt(2 p q) + z(power) * sqrt(p1 (1 - p1) + p2 (1 - p2)))^2
            / (p2 - p1)^2

    rounded up, without a continuity correction. ``minimum_effect`` is an absolute change (0.1 is
    ten percentage points) and may be negative; ``p2`` must stay within ``[0, 1]``.
    """
    _check_level("baseline", baseline)
    _check_level("alpha", alpha)
    _check_level("power", power)
    treated = baseline + minimum_effect
    if minimum_effect == 0.0 or not 0.0 <= treated <= 1.0:
        raise ValueError(
            f"minimum_effect must be non-zero and keep baseline + minimum_effect within [0, 1], "
            f"got {minimum_effect!r}"
        )
    pooled = (baseline + treated) / 2.0
    z_alpha = _two_sided_z(1.0 - alpha)
    z_power = _STANDARD_NORMAL.inv_cdf(power)
    spread_h0 = math.sqrt(2.0 * pooled * (1.0 - pooled))
    spread_h1 = math.sqrt(baseline * (1.0 - baseline) + treated * (1.0 - treated))
    n = (z_alpha * spread_h0 + z_power * spread_h1) ** 2 / minimum_effect**2
    # Guard against 387.0000000001 from rounding error before taking the ceiling.
    return max(1, math.ceil(round(n, 9)))


DEFAULT_MIN_SAMPLES_PROPORTIONS: int = sample_size_two_proportions(0.5, 0.1)
"""Per-variant horizon for rates: a 10-point change from 50% at alpha 0.05, power 0.8 (388)."""

DEFAULT_MIN_SAMPLES_MEANS: int = 30
"""Per-variant horizon for mean scores."""


def _read(
    control: str,
    treatment: str,
    difference: float,
    p_value: float,
    *,
    alpha: float,
    counts: tuple[int, int],
    min_samples: int,
    unit: str,
) -> tuple[bool, bool, str]:
    """Apply the stopping rules: returns ``(enough_data, significant, advice)``."""
    need_control = max(0, min_samples - counts[0])
    need_treatment = max(0, min_samples - counts[1])
    if need_control or need_treatment:
        if need_control == need_treatment:
            more = f"{need_control} more per variant"
        elif not need_treatment:
            more = f"{need_control} more for {control}"
        elif not need_control:
            more = f"{need_treatment} more for {treatment}"
        else:
            more = f"{need_control} more for {control} and {need_treatment} more for {treatment}"
        advice = (
            f"Keep running: collect {more} before reading the result, "
            f"since peeking early inflates false positives."
        )
        return False, False, advice
    if p_value < alpha:
        winner, loser = (treatment, control) if difference > 0 else (control, treatment)
        advice = (
            f"{winner} wins: its {_describe_gap(abs(difference), unit)} higher than {loser}'s "
            f"({_format_p(p_value)}), so the experiment can be stopped."
        )
        return True, True, advice
    advice = (
        f"No difference between {control} and {treatment} was shown ({_format_p(p_value)}), "
        f"so the experiment can be stopped."
    )
    return True, False, advice


def _format_p(p_value: float) -> str:
    return "p < 0.0001" if p_value < 0.0001 else f"p = {p_value:.3g}"


def _describe_gap(gap: float, unit: str) -> str:
    if unit == "rate":
        return f"rate is {gap * 100:.1f} percentage points"
    return f"mean is {gap:.2f}"


def _check_comparison_options(alpha: float, min_samples: int) -> None:
    _check_level("alpha", alpha)
    if min_samples < 0:
        raise ValueError(f"min_samples must not be negative, got {min_samples}")


def compare_proportions(
    control_name: str,
    control_successes: int,
    control_n: int,
    treatment_name: str,
    treatment_successes: int,
    treatment_n: int,
    *,
    alpha: float = 0.05,
    min_samples: int = DEFAULT_MIN_SAMPLES_PROPORTIONS,
) -> Comparison:
    """Compare two rates: pooled two-proportion z-test and Newcombe's hybrid score interval.

    The p-value is two-sided and has no continuity correction. It is 1.0 where the test is
    undefined: a variant without observations, or all observations successes (or all failures)
    on both sides. The ``1 - alpha`` interval is built from the two Wilson intervals (Newcombe
    1998, method 10). A variant without observations gives a difference of 0.0 and the interval
    ``[-1, 1]``.
    """
    _check_counts(control_successes, control_n)
    _check_counts(treatment_successes, treatment_n)
    _check_comparison_options(alpha, min_samples)
    if control_n == 0 or treatment_n == 0:
        difference, low, high, p_value = 0.0, -1.0, 1.0, 1.0
    else:
        p_control = control_successes / control_n
        p_treatment = treatment_successes / treatment_n
        difference = p_treatment - p_control
        confidence = 1.0 - alpha
        w_control = wilson_interval(control_successes, control_n, confidence)
        w_treatment = wilson_interval(treatment_successes, treatment_n, confidence)
        low = difference - math.hypot(p_treatment - w_treatment.low, w_control.high - p_control)
        high = difference + math.hypot(w_treatment.high - p_treatment, p_control - w_control.low)
        pooled = (control_successes + treatment_successes) / (control_n + treatment_n)
        variance = pooled * (1.0 - pooled) * (1.0 / control_n + 1.0 / treatment_n)
        if variance <= 0.0:
            p_value = 1.0
        else:
            z = difference / math.sqrt(variance)
            p_value = math.erfc(abs(z) / math.sqrt(2.0))
    enough, significant, advice = _read(
        control_name,
        treatment_name,
        difference,
        p_value,
        alpha=alpha,
        counts=(control_n, treatment_n),
        min_samples=min_samples,
        unit="rate",
    )
    return Comparison(
        control=control_name,
        treatment=treatment_name,
        difference=difference,
        ci_low=max(-1.0, low),
        ci_high=min(1.0, high),
        p_value=p_value,
        significant=significant,
        enough_data=enough,
        advice=advice,
    )


def _mean_and_variance(values: Sequence[float]) -> tuple[float, float]:
    """The mean and the sample variance (``n - 1`` denominator) of at least two values."""
    mean = math.fsum(values) / len(values)
    variance = math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, variance


def compare_means(
    control_name: str,
    control_values: Sequence[float],
    treatment_name: str,
    treatment_values: Sequence[float],
    *,
    alpha: float = 0.05,
    min_samples: int = DEFAULT_MIN_SAMPLES_MEANS,
) -> Comparison:
    """Compare two mean scores with Welch's two-sided t-test and its ``1 - alpha`` interval.

    The degrees of freedom are Welch-Satterthwaite's. With fewer than two values on a side the
    test is undefined: the p-value is 1.0, the interval unbounded, and the difference that of the
    means (0.0 when a side is empty). When neither side varies the p-value is 1.0 for equal means
    and 0.0 otherwise, and the interval is the single point ``difference``.
    """
    _check_comparison_options(alpha, min_samples)
    n_control, n_treatment = len(control_values), len(treatment_values)
    if n_control < 2 or n_treatment < 2:
        difference = 0.0
        if n_control and n_treatment:
            difference = (
                math.fsum(treatment_values) / n_treatment - math.fsum(control_values) / n_control
            )
        low, high, p_value = -math.inf, math.inf, 1.0
    else:
        mean_control, var_control = _mean_and_variance(control_values)
        mean_treatment, var_treatment = _mean_and_variance(treatment_values)
        difference = mean_treatment - mean_control
        share_control = var_control / n_control
        share_treatment = var_treatment / n_treatment
        standard_error = math.sqrt(share_control + share_treatment)
        if standard_error == 0.0:
            low = high = difference
            p_value = 1.0 if difference == 0.0 else 0.0
        else:
            df = (share_control + share_treatment) ** 2 / (
                share_control**2 / (n_control - 1) + share_treatment**2 / (n_treatment - 1)
            )
            t_stat = difference / standard_error
            p_value = min(1.0, float(2.0 * _scipy_stats.t.sf(abs(t_stat), df)))
            margin = float(_scipy_stats.t.ppf(1.0 - alpha / 2.0, df)) * standard_error
            low, high = difference - margin, difference + margin
    enough, significant, advice = _read(
        control_name,
        treatment_name,
        difference,
        p_value,
        alpha=alpha,
        counts=(n_control, n_treatment),
        min_samples=min_samples,
        unit="mean",
    )
    return Comparison(
        control=control_name,
        treatment=treatment_name,
        difference=difference,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        significant=significant,
        enough_data=enough,
        advice=advice,
    )


def assign_variant(experiment_id: str, subject: str, weights: Sequence[tuple[str, float]]) -> str:
    """Sticky, deterministic assignment of ``subject`` to one variant of ``experiment_id``.

    SHA-256 of ``f"{experiment_id}:{subject}"`` gives a point in ``[0, 1)`` (its first 53 bits
    over 2**53, exact in a float), which picks the variant whose slice of the cumulative
    normalised weights holds it. The same inputs give the same variant forever, on any machine;
    over many subjects the shares follow the weights. Variants with weight 0 are never chosen.
    Raises ValueError when ``weights`` is empty, a weight is negative or not finite, or the
    weights sum to 0.
    """
    if not weights:
        raise ValueError("weights must name at least one variant")
    for name, weight in weights:
        if not math.isfinite(weight) or weight < 0.0:
            raise ValueError(f"weight {weight!r} of {name!r} is not finite and non-negative")
    total = math.fsum(weight for _, weight in weights)
    if total <= 0.0:
        raise ValueError("weights must sum to a positive total")
    digest = hashlib.sha256(f"{experiment_id}:{subject}".encode()).digest()
    point = (int.from_bytes(digest[:8], "big") >> 11) / 2.0**53
    cumulative = 0.0
    for name, weight in weights:
        cumulative += weight / total
        if point < cumulative:
            return name
    # Rounding can leave the last cumulative share a hair under 1.
    return next(name for name, weight in reversed(weights) if weight > 0.0)
