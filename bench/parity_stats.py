"""Seed-level comparison of the port and the original: one gain per seed and program.

A gain is NLL_oracle(start) - NLL_oracle(final), positive when training improved the
generator. Each seed is one independent run, so the seed-level gains are the sample; the
per-sequence scores within a run are not independent replicates of the training and are
never pooled across seeds.

The test is Welch's t-test (unequal variances): the two programs' runs need not spread
alike (different random streams, float32 sums in other orders), and with five or so seeds
a side the Mann-Whitney U test's exact p-value cannot go below 2 / C(10, 5) = 0.0079 and
has little power; it is reported beside Welch's as a check that does not assume normality.

The MLE phase over several initial weights is paired instead: each start is trained by both
programs and both generators are scored on the same sampling stream, so the start-level
difference port - original is the sample (``compare_paired``): the paired t-test on it,
with the sign counts, the exact sign test and Wilcoxon's signed-rank test beside it (with
five starts their two-sided p-values cannot go below 2 / 2**5 = 0.0625).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def summarise(values: list[float]) -> dict:
    """Mean, sample standard deviation (ddof 1) and count of seed-level values."""
    array = np.asarray(values, dtype=np.float64)
    return {
        "n": int(array.size),
        "mean": float(array.mean()) if array.size else math.nan,
        "std": float(array.std(ddof=1)) if array.size > 1 else math.nan,
        "values": [float(v) for v in array],
    }


def compare_gains(port: list[float], original: list[float]) -> dict:
    """Welch's t-test and the Mann-Whitney U test of port vs original seed-level gains,
    with the difference of means and Welch's 95% confidence interval for it."""
    if len(port) < 2 or len(original) < 2:
        raise ValueError("each program needs at least two seeds for a seed-level test")
    a = np.asarray(port, dtype=np.float64)
    b = np.asarray(original, dtype=np.float64)
    welch = stats.ttest_ind(a, b, equal_var=False)
    interval = welch.confidence_interval(0.95)
    mann_whitney = stats.mannwhitneyu(a, b, alternative="two-sided")
    return {
        "port": summarise(port),
        "original": summarise(original),
        "difference_of_means": float(a.mean() - b.mean()),
        "welch_t": float(welch.statistic),
        "welch_df": float(welch.df),
        "welch_p": float(welch.pvalue),
        "welch_ci95": [float(interval.low), float(interval.high)],
        "mann_whitney_u": float(mann_whitney.statistic),
        "mann_whitney_p": float(mann_whitney.pvalue),
    }


def compare_paired(port: list[float], original: list[float]) -> dict:
    """Paired comparison of port and original values per start (the same initial weights
    and the same scoring stream on both sides): the differences port - original, their
    mean and sample sd, the paired t-test (``scipy.stats.ttest_rel``) with its 95%
    confidence interval, the sign counts with the exact sign test, and Wilcoxon's
    signed-rank test. When every difference is the same the t statistic is 0/0 or
    +-inf: t, p and the interval are then NaN (the counts still say what happened)."""
    a = np.asarray(port, dtype=np.float64)
    b = np.asarray(original, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"paired values need equal 1-D shapes, got {a.shape} and {b.shape}")
    if a.size < 2:
        raise ValueError("a paired start-level test needs at least two starts")
    differences = a - b
    result = {
        "port": summarise(port),
        "original": summarise(original),
        "difference": summarise(differences.tolist()),
        "port_lower": int(np.sum(differences < 0)),
        "port_higher": int(np.sum(differences > 0)),
        "equal": int(np.sum(differences == 0)),
        "paired_t": math.nan,
        "paired_df": float(a.size - 1),
        "paired_p": math.nan,
        "paired_ci95": [math.nan, math.nan],
        "wilcoxon_w": math.nan,
        "wilcoxon_p": 1.0,
    }
    if np.ptp(differences) > 0:
        paired = stats.ttest_rel(a, b)
        interval = paired.confidence_interval(0.95)
        result["paired_t"] = float(paired.statistic)
        result["paired_p"] = float(paired.pvalue)
        result["paired_ci95"] = [float(interval.low), float(interval.high)]
    unequal = result["port_lower"] + result["port_higher"]
    result["sign_p"] = (
        float(stats.binomtest(result["port_higher"], unequal, 0.5).pvalue) if unequal else 1.0
    )
    if unequal:
        wilcoxon = stats.wilcoxon(a, b)  # zero differences dropped (zero_method "wilcox")
        result["wilcoxon_w"] = float(wilcoxon.statistic)
        result["wilcoxon_p"] = float(wilcoxon.pvalue)
    return result
