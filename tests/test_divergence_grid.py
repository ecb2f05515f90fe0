"""Divergences of densities tabulated on 1-D and 2-D grids, against analytic formulas and
SciPy quadrature."""

from __future__ import annotations

import math

import numpy as np
import pytest
from divergence_reference import js_by_quadrature, kl_normal, normal_mixture_pdf
from scipy import stats

from divergence import measures
from divergence.densities import GaussianMixture
from divergence.grids import Grid

LOG2 = math.log(2.0)


def kl_normal_1d(m0: float, s0: float, m1: float, s1: float) -> float:
    """Reference written out here, independent of the package."""
    return math.log(s1 / s0) + (s0**2 + (m0 - m1) ** 2) / (2 * s1**2) - 0.5


def normal_on(grid: Grid, mean: float, std: float) -> np.ndarray:
    return stats.norm.pdf(grid.axes[0], mean, std)


@pytest.mark.parametrize(
    "m0,s0,m1,s1", [(0.0, 1.0, 1.0, 2.0), (0.0, 1.0, 1.5, 0.7), (-2.0, 0.5, 3.0, 1.5), (1, 1, 1, 1)]
)
def test_kl_of_gaussians_on_a_fine_grid_matches_the_analytic_formula(m0, s0, m1, s1):
    grid = Grid.regular(-20.0, 20.0, 8001)
    kl = measures.kl_divergence_grid(normal_on(grid, m0, s0), normal_on(grid, m1, s1), grid)
    assert kl == pytest.approx(kl_normal_1d(m0, s0, m1, s1), abs=1e-4)


def test_kl_of_correlated_2d_gaussians_on_a_grid_matches_the_analytic_formula():
    m0, c0 = np.array([0.0, 0.5]), np.array([[1.0, 0.4], [0.4, 0.7]])
    m1, c1 = np.array([1.0, -0.5]), np.array([[1.4, -0.3], [-0.3, 0.9]])
    grid = Grid.regular((-9.0, -9.0), (9.0, 9.0), (301, 301))
    points = grid.points()
    p = stats.multivariate_normal(m0, c0).pdf(points).reshape(grid.shape)
    q = stats.multivariate_normal(m1, c1).pdf(points).reshape(grid.shape)
    assert measures.kl_divergence_grid(p, q, grid) == pytest.approx(
        kl_normal(m0, c0, m1, c1), abs=1e-4
    )
    js = measures.js_divergence_grid(p, q, grid)
    assert js == pytest.approx(measures.js_divergence_grid(q, p, grid), rel=1e-12)
    assert 0.0 < js < LOG2


def test_js_of_a_mixture_and_a_gaussian_on_a_grid_matches_quadrature():
    data = GaussianMixture.one_d([0.5, 0.5], [-2.0, 2.0], [0.6, 0.6])
    grid = Grid.regular(-15.0, 15.0, 6001)
    expected = js_by_quadrature(
        normal_mixture_pdf([0.5, 0.5], [-2, 2], [0.6, 0.6]),
        normal_mixture_pdf([1.0], [0.0], [0.8]),
        -15,
        15,
        points=[-2, 0, 2],
    )
    js = measures.js_divergence_grid(
        data.log_prob_on(grid), stats.norm.logpdf(grid.axes[0], 0.0, 0.8), grid, log_inputs=True
    )
    assert js == pytest.approx(expected, abs=1e-6)


def test_log_densities_keep_kl_finite_where_densities_underflow():
    # q = N(0, 0.05^2) underflows to 0 for |x| > ~1.9 while p = N(0, 1) is still ~0.07 there;
    # from densities the KL is (wrongly) infinite, from log-densities it is exact.
    grid = Grid.regular(-40.0, 40.0, 32001)
    log_p = stats.norm.logpdf(grid.axes[0], 0.0, 1.0)
    log_q = stats.norm.logpdf(grid.axes[0], 0.0, 0.05)
    assert measures.kl_divergence_grid(np.exp(log_p), np.exp(log_q), grid) == math.inf
    kl = measures.kl_divergence_grid(log_p, log_q, grid, log_inputs=True)
    assert kl == pytest.approx(kl_normal_1d(0.0, 1.0, 0.0, 0.05), rel=1e-8)


def test_entropy_and_cross_entropy_on_a_grid():
    grid = Grid.regular(-20.0, 20.0, 8001)
    p, q = normal_on(grid, 0.3, 1.2), normal_on(grid, -0.5, 0.9)
    h = measures.entropy_grid(p, grid)
    assert h == pytest.approx(0.5 * math.log(2 * math.pi * math.e * 1.2**2), abs=1e-8)
    ce = measures.cross_entropy_grid(p, q, grid)
    # cross-entropy = KL + H: on the grid this holds to rounding, analytically to 1e-8.
    assert ce == pytest.approx(measures.kl_divergence_grid(p, q, grid) + h, abs=1e-12)
    assert ce == pytest.approx(kl_normal_1d(0.3, 1.2, -0.5, 0.9) + h, abs=1e-8)


def test_disjoint_densities_on_a_grid_have_js_log2():
    grid = Grid.regular(-10.0, 10.0, 2001)
    x = grid.axes[0]
    p = np.where(x < -1, stats.uniform.pdf(x, -6, 5), 0.0)
    q = np.where(x > 1, stats.uniform.pdf(x, 2, 5), 0.0)
    assert measures.js_divergence_grid(p, q, grid, atol=0.01) == pytest.approx(LOG2, rel=1e-12)
    assert measures.kl_divergence_grid(p, q, grid, atol=0.01) == math.inf


def test_grid_geometry():
    grid = Grid.regular((-1.0, 0.0), (1.0, 3.0), (5, 4))
    assert grid.shape == (5, 4)
    assert grid.spacing == pytest.approx((0.5, 1.0))
    assert grid.cell_volume == pytest.approx(0.5)
    points = grid.points()
    assert points.shape == (20, 2)
    # reshape(grid.shape) of a function of the points is indexed [i, j] -> (x_i, y_j)
    values = (points[:, 0] * 10 + points[:, 1]).reshape(grid.shape)
    assert values[4, 2] == pytest.approx(1.0 * 10 + 2.0)


def test_mixture_log_prob_matches_scipy_in_1d_and_2d():
    mixture = GaussianMixture.one_d([0.2, 0.8], [-1.0, 2.0], [0.5, 1.5])
    x = np.linspace(-5, 5, 101)
    expected = np.log(0.2 * stats.norm.pdf(x, -1, 0.5) + 0.8 * stats.norm.pdf(x, 2, 1.5))
    np.testing.assert_allclose(mixture.log_prob(x), expected, rtol=1e-12)
    np.testing.assert_allclose(
        mixture.cdf_1d(x), 0.2 * stats.norm.cdf(x, -1, 0.5) + 0.8 * stats.norm.cdf(x, 2, 1.5)
    )
    cov = np.array([[[1.0, 0.3], [0.3, 0.5]], [[0.4, -0.1], [-0.1, 0.9]]])
    means = np.array([[0.0, 1.0], [2.0, -1.0]])
    mixture_2d = GaussianMixture(np.array([0.6, 0.4]), means, cov)
    pts = np.random.default_rng(0).normal(size=(50, 2))
    expected_2d = np.log(
        0.6 * stats.multivariate_normal(means[0], cov[0]).pdf(pts)
        + 0.4 * stats.multivariate_normal(means[1], cov[1]).pdf(pts)
    )
    np.testing.assert_allclose(mixture_2d.log_prob(pts), expected_2d, rtol=1e-12)
    samples = mixture_2d.sample(200_000, np.random.default_rng(1))
    np.testing.assert_allclose(samples.mean(axis=0), mixture_2d.weights @ means, atol=0.01)
