"""Seed-level comparison of the port and the original: one gain per seed and program.

A gain is NLL_oracle(start) - NLL_oracle(final), positive when training improved the
generator. Each seed is one independent run, so the seed-level gains are the sample; the
per-sequence scores within a run are not independent replicates of the training and are
never pooled across seeds.

The test is Welch's t-test (unequal variances): the two programs' runs need not spread
alike (different random streams, float32 sums in other orders), and with five or so seeds
a side the Mann-Whitney U test's exact p-value cannot go below 2 / C(10, 5) = 0.0079 and
has little power; it is reported beside Welch's as a check that does not assume normality.
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
