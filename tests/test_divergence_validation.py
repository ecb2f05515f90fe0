"""Bad input raises ValueError whose message says which problem it is."""

from __future__ import annotations

import numpy as np
import pytest

from divergence import measures
from divergence import optimal_discriminator as od
from divergence.densities import GaussianMixture
from divergence.discriminator import DiscriminatorConfig, make_discriminator, train_discriminator
from divergence.gan1d import GanConfig
from divergence.grids import Grid
from divergence.mle import MleConfig

GOOD = [0.2, 0.3, 0.5]


@pytest.mark.parametrize("fn", [measures.kl_divergence, measures.js_divergence])
def test_negative_probabilities(fn):
    with pytest.raises(ValueError, match=r"p has negative probabilities: p\[1\] = -0\.1"):
        fn([0.6, -0.1, 0.5], GOOD)
    with pytest.raises(ValueError, match="q has negative probabilities"):
        fn(GOOD, [0.6, -0.1, 0.5])


@pytest.mark.parametrize("fn", [measures.kl_divergence, measures.js_divergence])
def test_distributions_that_do_not_sum_to_one(fn):
    with pytest.raises(ValueError, match=r"p does not sum to 1: its entries sum to 0\.9 "):
        fn([0.2, 0.3, 0.4], GOOD)
    with pytest.raises(ValueError, match="q does not sum to 1: its entries sum to 1.5"):
        fn(GOOD, [0.5, 0.5, 0.5])
    # Within tolerance is accepted (and renormalised), outside it is not.
    assert fn([0.2, 0.3, 0.5 + 1e-9], GOOD) == pytest.approx(0.0, abs=1e-8)
    with pytest.raises(ValueError, match=r"tolerance 1e-12"):
        fn([0.2, 0.3, 0.5 + 1e-9], GOOD, atol=1e-12)


@pytest.mark.parametrize("fn", [measures.kl_divergence, measures.js_divergence])
def test_mismatched_supports(fn):
    with pytest.raises(
        ValueError, match=r"mismatched supports: p has shape \(3,\) but q has shape \(4,\)"
    ):
        fn(GOOD, [0.25, 0.25, 0.25, 0.25])


def test_non_finite_and_empty_inputs():
    with pytest.raises(ValueError, match="p has a non-finite probability nan"):
        measures.kl_divergence([np.nan, 1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="p is empty"):
        measures.kl_divergence([], [])
    with pytest.raises(ValueError, match="p is not an array of numbers"):
        measures.kl_divergence(["a", "b"], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"q has \+inf log-probabilities"):
        measures.kl_divergence(np.log([0.5, 0.5]), [np.inf, 0.0], log_inputs=True)


def test_grid_densities():
    grid = Grid.regular(-5.0, 5.0, 101)
    density = np.exp(-0.5 * grid.axes[0] ** 2) / np.sqrt(2 * np.pi)
    with pytest.raises(ValueError, match=r"mismatched supports: q has shape \(50,\) but the grid"):
        measures.kl_divergence_grid(density, density[:50], grid)
    with pytest.raises(ValueError, match="p has negative density values"):
        measures.js_divergence_grid(density - 0.1, density, grid)
    with pytest.raises(
        ValueError, match=r"p does not integrate to 1 over the grid: its mass is 1\.99999"
    ):
        measures.kl_divergence_grid(2 * density, density, grid)
    narrow = Grid.regular(-1.0, 1.0, 101)
    half = np.exp(-0.5 * narrow.axes[0] ** 2) / np.sqrt(2 * np.pi)
    with pytest.raises(ValueError, match="widen or refine the grid"):
        measures.kl_divergence_grid(half, half, narrow)


def test_grid_construction():
    with pytest.raises(ValueError, match="not uniformly spaced"):
        Grid((np.array([0.0, 1.0, 3.0]),))
    with pytest.raises(ValueError, match="strictly increasing"):
        Grid((np.array([0.0, 2.0, 1.0]),))
    with pytest.raises(ValueError, match="1 or 2 axes"):
        Grid.regular((0, 0, 0), (1, 1, 1), (3, 3, 3))


def test_discriminator_inputs():
    with pytest.raises(ValueError, match=r"mismatched supports: log_p_data has shape \(2,\)"):
        od.optimal_logit(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match=r"a JS divergence lies in \[0, log 2\], got 0.8"):
        od.max_value_from_js(0.8)
    with pytest.raises(ValueError, match="p_data has negative probabilities"):
        od.value_discrete([1.5, -0.5], [0.5, 0.5], np.zeros(2))
    with pytest.raises(ValueError, match="mismatched supports: data samples are 1-D, generated"):
        train_discriminator(np.zeros((10, 1)), np.zeros((10, 2)), DiscriminatorConfig(), seed=0)
    with pytest.raises(
        ValueError, match=r"init_from has weights of shapes .* hidden_units=\(32, 32\)"
    ):
        train_discriminator(
            np.zeros((10, 1)),
            np.zeros((10, 1)),
            DiscriminatorConfig(),
            seed=0,
            init_from=make_discriminator(1, (8,), seed=0),
        )


def test_mixture_parameters():
    with pytest.raises(ValueError, match="weights has negative probabilities"):
        GaussianMixture.one_d([1.2, -0.2], [0, 1], [1, 1])
    with pytest.raises(ValueError, match="weights does not sum to 1"):
        GaussianMixture.one_d([0.5, 0.6], [0, 1], [1, 1])
    with pytest.raises(ValueError, match="standard deviations must be positive"):
        GaussianMixture.one_d([0.5, 0.5], [0, 1], [1, 0])
    with pytest.raises(ValueError, match="positive definite"):
        GaussianMixture(np.ones(1), np.zeros((1, 2)), np.array([[[1.0, 2.0], [2.0, 1.0]]]))


def test_configs():
    with pytest.raises(ValueError, match="loss must be one of minimax, non_saturating"):
        GanConfig(loss="wasserstein")
    with pytest.raises(ValueError, match="steps must be a positive integer, got 0"):
        DiscriminatorConfig(steps=0)
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        MleConfig(learning_rate=-1.0)


def test_monte_carlo_inputs():
    p = GaussianMixture.one_d([1.0], [0.0], [1.0])
    with pytest.raises(ValueError, match="at least 2 samples"):
        measures.kl_monte_carlo(np.zeros((1, 1)), p.log_prob, p.log_prob)
    with pytest.raises(ValueError, match="zero density under P"):
        measures.kl_monte_carlo(
            np.zeros((5, 1)), lambda x: np.full(len(x), -np.inf), lambda x: np.zeros(len(x))
        )
