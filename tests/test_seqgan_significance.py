"""Welch and paired t-tests against their closed forms in float64 NumPy (t, the
Welch–Satterthwaite df, and the two-sided Student-t tail); degenerate inputs raise."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from seqgan_tf.metrics.significance import paired_t_test, welch_t_test

KEYS = {"t", "df", "p", "mean_a", "mean_b", "n_a", "n_b"}


class _Expected:
    """t, df and the two-sided p of a t-test, written out in float64."""

    def __init__(self, t: float, df: float) -> None:
        self.statistic, self.df = t, df
        self.pvalue = 2.0 * stats.t.sf(abs(t), df) if np.isfinite(t) else 0.0


def welch_closed_form(a, b) -> _Expected:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return _Expected(t, df)


def paired_closed_form(a, b) -> _Expected:
    d = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    return _Expected(d.mean() / np.sqrt(d.var(ddof=1) / d.size), d.size - 1.0)


def assert_matches(result, expected, rtol=1e-9):
    assert set(result) == KEYS
    np.testing.assert_allclose(result["t"], expected.statistic, rtol=rtol, atol=0)
    np.testing.assert_allclose(result["df"], expected.df, rtol=rtol, atol=0)
    np.testing.assert_allclose(result["p"], expected.pvalue, rtol=rtol, atol=1e-300)


def random_sizes(rng, count):
    small = rng.integers(2, 40, size=(count, 2))
    large = rng.integers(1000, 20000, size=(count // 5, 2))  # ~10,000 sequences a method
    return [tuple(int(n) for n in pair) for pair in np.concatenate([small, large])]


def test_welch_matches_the_closed_form_on_random_data():
    rng = np.random.default_rng(0)
    for n_a, n_b in random_sizes(rng, 60):
        a = rng.normal(9.0 + rng.normal(0, 0.3), rng.uniform(0.1, 3.0), n_a)
        b = rng.normal(9.0, rng.uniform(0.1, 3.0), n_b)
        result = welch_t_test(a, b)
        assert_matches(result, welch_closed_form(a, b))
        assert (result["n_a"], result["n_b"]) == (n_a, n_b)
        assert result["mean_a"] == pytest.approx(np.mean(a), rel=1e-15)
        assert result["mean_b"] == pytest.approx(np.mean(b), rel=1e-15)


def test_paired_matches_the_closed_form_on_random_data():
    rng = np.random.default_rng(1)
    for n, _ in random_sizes(rng, 60):
        a = rng.normal(9.0, 2.0, n)  # per-sequence NLL under model A
        b = a + rng.normal(rng.normal(0, 0.1), rng.uniform(0.05, 1.0), n)  # under model B
        result = paired_t_test(a, b)
        assert_matches(result, paired_closed_form(a, b))
        assert result["df"] == n - 1 and result["n_a"] == result["n_b"] == n


@pytest.mark.filterwarnings("ignore:Precision loss occurred:RuntimeWarning")  # scipy
def test_welch_with_one_constant_sample():
    rng = np.random.default_rng(2)
    a = rng.normal(0.0, 1.0, 30)
    b = np.full(12, 0.25)
    assert_matches(welch_t_test(a, b), welch_closed_form(a, b))
    assert welch_t_test(a, b)["df"] == pytest.approx(29.0, rel=1e-12)


def test_accepts_lists_and_is_antisymmetric():
    a, b = [8.9, 9.4, 9.1, 8.7, 9.0], [9.3, 9.6, 9.9, 9.2]
    forward, backward = welch_t_test(a, b), welch_t_test(b, a)
    assert forward["t"] == -backward["t"]
    assert forward["p"] == backward["p"] and forward["df"] == backward["df"]
    assert_matches(forward, welch_closed_form(a, b))


@pytest.mark.parametrize("shift", [5.0, 40.0, 100.0])
def test_large_t_gives_tiny_p(shift):
    rng = np.random.default_rng(3)
    x = rng.normal(size=50)
    result = welch_t_test(x + shift, x)
    expected = welch_closed_form(x + shift, x)
    assert_matches(result, expected)
    assert 0.0 < result["p"] < 1e-40  # down to ~1e-167 at shift 100


def test_huge_t_underflows_p_to_zero_gracefully():
    rng = np.random.default_rng(4)
    x = rng.normal(size=50)
    d = rng.normal(size=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / divide warnings on the way
        welch = welch_t_test(x + 1e4, x)
        paired = paired_t_test(x + 1e6 + 1e-3 * d, x)
    assert welch["t"] > 4e4 and math.isfinite(welch["t"])
    assert welch["p"] == 0.0 == welch_closed_form(x + 1e4, x).pvalue
    assert paired["t"] > 1e8 and paired["p"] == 0.0


def test_identical_samples_give_t_zero_p_one():
    x = np.random.default_rng(5).normal(9.0, 1.0, 25)
    result = welch_t_test(x, x.copy())
    assert result["t"] == 0.0 and result["p"] == 1.0
    assert_matches(result, welch_closed_form(x, x))


def test_small_t_keeps_p_accurate_near_one():
    rng = np.random.default_rng(6)
    a = rng.normal(0.0, 1.0, 1000)
    b = a[::-1] + 1e-9  # the same values (reordered) shifted by 1e-9: |t| ~ 1e-8
    result = welch_t_test(a, b)
    assert 0.0 < 1.0 - result["p"] < 1e-6
    assert_matches(result, welch_closed_form(a, b))


def test_zero_variance_in_both_samples_raises():
    with pytest.raises(ValueError, match=r"both samples have zero variance"):
        welch_t_test([1.0, 1.0, 1.0], [2.0, 2.0])
    with pytest.raises(ValueError, match=r"both samples have zero variance"):
        welch_t_test([3.0, 3.0], [3.0, 3.0, 3.0])


def test_paired_zero_variance_differences_raise():
    x = np.array([8.5, 9.0, 9.7])
    with pytest.raises(ValueError, match=r"differences have zero variance .* is 0\.0"):
        paired_t_test(x, x)  # identical inputs: t = 0 / 0 (scipy: nan)
    with pytest.raises(ValueError, match=r"differences have zero variance .* is 1\.0"):
        paired_t_test(x + 1.0, x)


@pytest.mark.parametrize("test", [welch_t_test, paired_t_test])
@pytest.mark.parametrize(
    "a, message",
    [
        ([1.0], r"a needs at least 2 values for a t-test, got 1"),
        ([], r"a needs at least 2 values for a t-test, got 0"),
        ([1.0, np.nan, 2.0], r"a contains NaN values"),
        ([1.0, np.inf, 2.0], r"a contains infinite values"),
        ([[1.0, 2.0], [3.0, 4.0]], r"a must be a 1-D array of values, got shape \(2, 2\)"),
    ],
)
def test_bad_inputs_raise(test, a, message):
    with pytest.raises(ValueError, match=message):
        test(a, [1.0, 2.0])
    if test is welch_t_test:
        with pytest.raises(ValueError, match=message.replace("a ", "b ", 1)):
            test([1.0, 2.0, 3.0], a)


def test_paired_mismatched_lengths_raise():
    with pytest.raises(ValueError, match=r"paired t-test needs equal lengths, got 3 and 4"):
        paired_t_test([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])
