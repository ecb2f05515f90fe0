"""Maximum likelihood = minimum KL: a gradient-based Gaussian-mixture fit, step by step."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf
from divergence_reference import normal_mixture_pdf
from scipy import stats

from divergence import mle
from divergence.densities import GaussianMixture
from divergence.grids import Grid

TARGET = GaussianMixture.one_d([0.3, 0.7], [-2.0, 1.5], [0.6, 0.9])
GRID = Grid.regular(-12.0, 12.0, 2401)
NUM_SAMPLES = 5000
TARGET_PDF = normal_mixture_pdf([0.3, 0.7], [-2.0, 1.5], [0.6, 0.9])


@pytest.fixture(scope="module")
def fit_result():
    samples = TARGET.sample(NUM_SAMPLES, np.random.default_rng(11))[:, 0]
    return samples, mle.fit(samples, TARGET, GRID, mle.MleConfig(steps=300, record_every=10))


def target_entropy() -> float:
    """H(P_data) by SciPy quadrature, independent of the grid code."""
    from scipy import integrate

    def integrand(x):
        p = TARGET_PDF(x)
        return -p * math.log(p) if p > 0 else 0.0

    return integrate.quad(integrand, -15, 15, limit=200, points=[-2, 1.5])[0]


def test_mle_fit_reaches_kl_below_0_01_nats(fit_result):
    _, result = fit_result
    first, last = result.records[0], result.records[-1]
    assert first.kl > 0.1  # the start is far: the test measures the fit, not the start
    assert last.kl < 0.01
    # Independent check of the final KL: Riemann sum of SciPy densities of the fitted mixture.
    x = GRID.axes[0]
    p = TARGET_PDF(x)
    q = normal_mixture_pdf(
        result.model.weights, result.model.means[:, 0], np.sqrt(result.model.covariances[:, 0, 0])
    )(x)
    kl = float(np.sum(p * np.log(p / q)) * GRID.spacing[0])
    assert last.kl == pytest.approx(kl, abs=1e-6)


def test_fitted_parameters_recover_the_target(fit_result):
    _, result = fit_result
    order = np.argsort(result.model.means[:, 0])
    np.testing.assert_allclose(result.model.weights[order], [0.3, 0.7], atol=0.03)
    np.testing.assert_allclose(result.model.means[order, 0], [-2.0, 1.5], atol=0.1)
    np.testing.assert_allclose(np.sqrt(result.model.covariances[order, 0, 0]), [0.6, 0.9], atol=0.1)


def test_cross_entropy_minus_kl_is_the_entropy_at_every_step(fit_result):
    _, result = fit_result
    h = target_entropy()
    for record in result.records:
        assert record.entropy == pytest.approx(h, abs=1e-6)
        assert record.cross_entropy - record.kl == pytest.approx(h, abs=1e-6)


def test_mean_nll_minus_kl_stays_at_the_entropy_up_to_sampling_error(fit_result):
    samples, result = fit_result
    h = target_entropy()
    # -log p_data(x) has this standard deviation; the sample NLL's error is about it/sqrt(m).
    stderr = float(np.std(-TARGET.log_prob(samples))) / math.sqrt(len(samples))
    gaps = np.array([r.mean_nll - r.kl for r in result.records])
    assert np.all(np.abs(gaps - h) < 4 * stderr)
    # While NLL and KL fall by > 0.1 nats, their gap moves by far less.
    nll = np.array([r.mean_nll for r in result.records])
    assert nll[0] - nll[-1] > 0.1
    assert np.ptp(gaps) < 0.1 * (nll[0] - nll[-1])


def test_mean_nll_is_what_the_optimiser_descends(fit_result):
    samples, result = fit_result
    # The recorded training objective is the mean NLL of the fitted mixture on the samples.
    assert result.records[-1].mean_nll == pytest.approx(
        -float(np.mean(result.model.log_prob(samples))), rel=1e-9
    )
    nll = [r.mean_nll for r in result.records]
    assert nll[-1] < nll[0]


def test_tensorflow_mixture_density_matches_scipy():
    model = mle.GaussianMixtureModel(np.array([-1.0, 2.0]), 0.7)
    model.logits.assign([0.3, -0.4])
    model.log_stds.assign(np.log([0.5, 1.2]))
    x = np.linspace(-6, 6, 97)
    w = np.exp([0.3, -0.4]) / np.exp([0.3, -0.4]).sum()
    expected = np.log(w[0] * stats.norm.pdf(x, -1, 0.5) + w[1] * stats.norm.pdf(x, 2, 1.2))
    np.testing.assert_allclose(model.log_prob(tf.constant(x)).numpy(), expected, rtol=1e-12)
