"""The closed-form optimal discriminator and max_D V = 2 JSD - 2 log 2 (NumPy, no training)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from divergence_reference import cell_probabilities, value_at_optimum
from scipy import spatial, stats

from divergence import generators
from divergence import optimal_discriminator as od
from divergence.densities import GaussianMixture
from divergence.grids import Grid
from divergence.measures import js_divergence_grid

LOG2 = math.log(2.0)
GRID = Grid.regular(-15.0, 15.0, 6001)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def test_optimal_discriminator_is_the_density_ratio():
    x = GRID.axes[0]
    pd, pg = stats.norm.pdf(x, 0, 1), stats.norm.pdf(x, 1.5, 0.7)
    inside = (pd + pg) > 1e-200
    d_star = od.optimal_discriminator(np.log(pd), np.log(pg))
    np.testing.assert_allclose(d_star[inside], (pd / (pd + pg))[inside], rtol=1e-12)
    assert np.all((d_star >= 0) & (d_star <= 1))


def test_optimal_discriminator_from_log_densities_where_the_ratio_underflows():
    # At x = 40 both densities are ~exp(-800): the ratio p/(p+q) is 0/0 in densities but
    # well defined from log-densities.
    log_pd = stats.norm.logpdf(40.0, 0, 1)
    log_pg = stats.norm.logpdf(40.0, 1, 1)
    assert math.exp(log_pd) == 0.0
    expected = 1.0 / (1.0 + math.exp(log_pg - log_pd))
    assert float(od.optimal_discriminator(log_pd, log_pg)) == pytest.approx(expected, rel=1e-12)
    # Only one side has mass: D* is 1 or 0; neither: undefined, reported as 1/2.
    d = od.optimal_discriminator(
        np.array([0.0, -np.inf, -np.inf]), np.array([-np.inf, 0.0, -np.inf])
    )
    np.testing.assert_array_equal(d, [1.0, 0.0, 0.5])


PAIRS = [
    (GaussianMixture.one_d([1.0], [0.0], [1.0]), GaussianMixture.one_d([1.0], [1.5], [0.7])),
    (generators.default_data(), generators.default_candidates()["G1"]),
    (generators.default_data(), generators.default_candidates()["G3"]),
    (GaussianMixture.one_d([1.0], [0.0], [1.0]), GaussianMixture.one_d([1.0], [0.0], [1.0])),
]


@pytest.mark.parametrize("pair", PAIRS)
def test_value_at_the_optimum_is_2jsd_minus_2log2_on_a_grid(pair):
    p_data, p_g = pair
    log_pd, log_pg = p_data.log_prob_on(GRID), p_g.log_prob_on(GRID)
    js = js_divergence_grid(log_pd, log_pg, GRID, log_inputs=True)
    value = od.value_on_grid(
        log_pd, log_pg, od.optimal_logit(log_pd, log_pg), GRID, log_inputs=True
    )
    assert value == pytest.approx(2 * js - 2 * LOG2, abs=1e-6)
    # Independent reference: V written directly from the cell probabilities and D* as a ratio.
    pd, pg = cell_probabilities(log_pd), cell_probabilities(log_pg)
    assert value == pytest.approx(value_at_optimum(pd, pg), abs=1e-9)


def test_value_at_the_optimum_matches_scipy_jsd_for_discrete_distributions():
    rng = np.random.default_rng(0)
    for _ in range(100):
        n = int(rng.integers(2, 30))
        p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))
        p[rng.random(n) < 0.2] = 0.0
        if p.sum() == 0:
            p[0] = 1.0
        p /= p.sum()
        with np.errstate(divide="ignore"):
            logit = od.optimal_logit(np.log(p), np.log(q))
        js = spatial.distance.jensenshannon(p, q) ** 2
        assert od.value_discrete(p, q, logit) == pytest.approx(2 * js - 2 * LOG2, abs=1e-10)


def test_the_optimum_beats_every_perturbed_discriminator_by_the_bernoulli_kl():
    # V(D*) - V(D) = sum (p_data + p_G) KL(Bernoulli(D*) || Bernoulli(D)) >= 0.
    rng = np.random.default_rng(1)
    p_data, p_g = PAIRS[0]
    log_pd, log_pg = p_data.log_prob_on(GRID), p_g.log_prob_on(GRID)
    star = od.optimal_logit(log_pd, log_pg)
    best = od.value_on_grid(log_pd, log_pg, star, GRID, log_inputs=True)
    pd, pg = cell_probabilities(log_pd), cell_probabilities(log_pg)
    for scale in (1e-3, 0.1, 1.0):
        logit = star + scale * rng.standard_normal(star.shape)
        value = od.value_on_grid(log_pd, log_pg, logit, GRID, log_inputs=True)
        # KL(Bernoulli(sigmoid(a)) || Bernoulli(sigmoid(b))), in logits to survive the tails.
        a, b = star, logit
        bern_kl = np.exp(log_sigmoid(a)) * (log_sigmoid(a) - log_sigmoid(b)) + np.exp(
            log_sigmoid(-a)
        ) * (log_sigmoid(-a) - log_sigmoid(-b))
        assert value < best
        assert best - value == pytest.approx(float(np.sum((pd + pg) * bern_kl)), rel=1e-6)


def test_clueless_discriminator_scores_minus_2log2_for_any_generator():
    p_data, p_g = PAIRS[1]
    log_pd, log_pg = p_data.log_prob_on(GRID), p_g.log_prob_on(GRID)
    value = od.value_on_grid(log_pd, log_pg, np.zeros(GRID.shape), GRID, log_inputs=True)
    assert value == pytest.approx(-2 * LOG2, abs=1e-12)


def test_weighted_distance_is_the_rms_under_the_mixture():
    p_data, p_g = PAIRS[0]
    log_pd, log_pg = p_data.log_prob_on(GRID), p_g.log_prob_on(GRID)
    d_star = od.optimal_discriminator(log_pd, log_pg)
    # Reference from SciPy's densities: the mixture's cell probabilities, D* as a ratio.
    x = GRID.axes[0]
    pd, pg = stats.norm.pdf(x, 0, 1), stats.norm.pdf(x, 1.5, 0.7)
    m = 0.5 * (pd / pd.sum() + pg / pg.sum())
    clueless = np.full(GRID.shape, 0.5)
    expected = math.sqrt(float(np.sum(m * (0.5 - pd / (pd + pg)) ** 2)))
    assert od.weighted_rms_distance(clueless, d_star, log_pd, log_pg, GRID) == pytest.approx(
        expected, rel=1e-10
    )
    # The weights are a distribution, so a constant error is its own RMS.
    shifted = od.weighted_rms_distance(d_star + 0.1, d_star, log_pd, log_pg, GRID)
    assert shifted == pytest.approx(0.1, rel=1e-12)
    off = od.weighted_rms_distance(np.clip(d_star + 0.1, 0, 1), d_star, log_pd, log_pg, GRID)
    assert 0.05 < off <= 0.1
