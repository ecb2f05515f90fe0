"""KL and JS of discrete distributions: properties over random distributions, SciPy references,
zero probabilities, extreme log-probabilities, and the Monte-Carlo estimators."""

from __future__ import annotations

import math

import numpy as np
import pytest
from divergence_reference import js_by_quadrature, kl_normal, normal_mixture_pdf
from scipy import spatial, special, stats

from divergence import measures
from divergence.densities import GaussianMixture, kl_gaussians

LOG2 = math.log(2.0)


def _random_distributions(seed: int, count: int = 200):
    """Pairs of random distributions of random sizes, a third of them with zero entries."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        n = int(rng.integers(2, 40))
        alpha = rng.choice([0.1, 1.0, 10.0])
        p, q = rng.dirichlet(np.full(n, alpha)), rng.dirichlet(np.full(n, alpha))
        if i % 3 == 0:  # zero probabilities in P only: KL(P||Q) finite, KL(Q||P) infinite
            p[rng.random(n) < 0.3] = 0.0
            if p.sum() == 0:
                p[0] = 1.0
            p /= p.sum()
        yield p, q


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kl_of_a_distribution_with_itself_is_zero(seed):
    for p, _ in _random_distributions(seed):
        assert measures.kl_divergence(p, p) == 0.0
        # log m = logaddexp(log p, log p) - log 2 rounds to log p within an ulp or so.
        assert measures.js_divergence(p, p) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kl_is_non_negative_and_matches_scipy(seed):
    for p, q in _random_distributions(seed):
        kl = measures.kl_divergence(p, q)
        assert kl >= 0.0
        assert kl == pytest.approx(float(np.sum(special.rel_entr(p, q))), rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_js_is_symmetric_bounded_and_matches_scipy(seed):
    for p, q in _random_distributions(seed):
        js_pq, js_qp = measures.js_divergence(p, q), measures.js_divergence(q, p)
        assert js_pq == pytest.approx(js_qp, rel=1e-12, abs=1e-15)
        assert 0.0 <= js_pq <= LOG2 + 1e-15
        # scipy's Jensen-Shannon *distance* is the square root of the divergence (base e).
        reference = spatial.distance.jensenshannon(p, q) ** 2
        assert js_pq == pytest.approx(reference, rel=1e-8, abs=1e-14)


def test_near_identical_distributions_give_tiny_non_negative_kl():
    rng = np.random.default_rng(3)
    for _ in range(200):
        p = rng.dirichlet(np.ones(50))
        q = p * (1 + 1e-9 * rng.standard_normal(50))
        q /= q.sum()
        kl = measures.kl_divergence(p, q)
        # Second order: KL ~ chi^2 / 2, here ~1e-18; rounding must not make it negative.
        assert 0.0 <= kl < 1e-15


@pytest.mark.parametrize("n", [2, 7, 100])
def test_js_is_log2_for_disjoint_supports(n):
    rng = np.random.default_rng(n)
    p = np.zeros(2 * n)
    q = np.zeros(2 * n)
    p[:n] = rng.dirichlet(np.ones(n))
    q[n:] = rng.dirichlet(np.ones(n))
    assert measures.js_divergence(p, q) == pytest.approx(LOG2, rel=1e-14)
    assert measures.kl_divergence(p, q) == math.inf


def test_kl_is_infinite_when_p_has_mass_where_q_has_none():
    assert measures.kl_divergence([0.5, 0.5, 0.0], [1.0, 0.0, 0.0]) == math.inf
    # The other way round the zero of P contributes 0 log 0 = 0.
    assert measures.kl_divergence([1.0, 0.0, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(LOG2)


@pytest.mark.parametrize(
    "log_p,log_q,expected",
    [
        # Q's second probability exp(-a) underflows. By hand, with P uniform on two outcomes:
        # KL = 1/2 log(1/2 / q1) + 1/2 log(1/2 / q2) = a/2 - log 2, up to terms of order exp(-a).
        ([0.0, 0.0], [0.0, -800.0], 400.0 - LOG2),
        # P's second probability exp(-b) is a normal float, Q's exp(-a) is not. By hand,
        # p2 log(p2 / q2) = (a - b) exp(-b) and p1 log(p1 / q1) = -exp(-b), to relative order
        # exp(-b): the KL is tiny but representable.
        ([0.0, -700.0], [0.0, -800.0], 99.0 * math.exp(-700.0)),
    ],
)
def test_log_inputs_survive_probabilities_that_underflow(log_p, log_q, expected):
    log_p = np.array(log_p) - special.logsumexp(log_p)
    log_q = np.array(log_q) - special.logsumexp(log_q)
    kl = measures.kl_divergence(log_p, log_q, log_inputs=True)
    assert expected > 0.0
    assert kl == pytest.approx(expected, rel=1e-12, abs=0.0)  # approx's default abs would accept 0
    # The probability route loses Q's tail to underflow and reports an infinite KL.
    assert np.exp(log_q)[1] == 0.0
    assert measures.kl_divergence(np.exp(log_p), np.exp(log_q)) == math.inf


def test_entropy_matches_scipy():
    rng = np.random.default_rng(4)
    for _ in range(50):
        p = rng.dirichlet(np.ones(int(rng.integers(2, 30))))
        p[0] = 0.0
        p /= p.sum()
        assert measures.entropy(p) == pytest.approx(stats.entropy(p), rel=1e-12)


def test_monte_carlo_kl_and_js_agree_with_closed_form_within_their_error():
    p = GaussianMixture.one_d([1.0], [0.0], [1.0])
    q = GaussianMixture.one_d([1.0], [0.8], [1.3])
    rng = np.random.default_rng(6)
    xp, xq = p.sample(100_000, rng), q.sample(100_000, rng)
    kl = measures.kl_monte_carlo(xp, p.log_prob, q.log_prob)
    expected_kl = math.log(1.3) + (1.0 + 0.8**2) / (2 * 1.3**2) - 0.5
    assert kl_gaussians(0.0, 1.0, 0.8, 1.69) == pytest.approx(expected_kl, rel=1e-12)
    assert abs(kl.value - expected_kl) < 4 * kl.stderr
    assert kl.stderr < 0.01

    # JS reference: numerical quadrature of the JS integrand with SciPy.
    expected_js = js_by_quadrature(
        normal_mixture_pdf([1.0], [0.0], [1.0]), normal_mixture_pdf([1.0], [0.8], [1.3]), -30, 30
    )
    js = measures.js_monte_carlo(xp, xq, p.log_prob, q.log_prob)
    assert abs(js.value - expected_js) < 4 * js.stderr
    assert js.stderr < 0.005


GAUSSIAN_PAIRS = {
    "2-D": (  # the pair of the report's 2-D row
        [0.0, 0.0],
        [[1.0, 0.3], [0.3, 0.8]],
        [1.0, -0.5],
        [[1.5, -0.2], [-0.2, 0.6]],
    ),
    "3-D": (
        [0.5, -1.0, 0.0],
        [[1.2, 0.4, -0.3], [0.4, 0.9, 0.2], [-0.3, 0.2, 0.7]],
        [0.0, 0.3, 1.0],
        [[0.8, -0.2, 0.1], [-0.2, 1.4, 0.5], [0.1, 0.5, 1.1]],
    ),
}


@pytest.mark.parametrize("name", GAUSSIAN_PAIRS)
def test_kl_gaussians_with_full_covariances_in_several_dimensions(name):
    m0, c0, m1, c1 = (np.array(a) for a in GAUSSIAN_PAIRS[name])
    kl = kl_gaussians(m0, c0, m1, c1)
    assert kl == pytest.approx(kl_normal(m0, c0, m1, c1), rel=1e-12)
    # Independent of any formula: the mean of log p - log q over samples of P, with SciPy's
    # densities, within four standard errors.
    p, q = stats.multivariate_normal(m0, c0), stats.multivariate_normal(m1, c1)
    x = p.rvs(size=200_000, random_state=np.random.default_rng(7))
    log_ratio = p.logpdf(x) - q.logpdf(x)
    stderr = float(np.std(log_ratio, ddof=1)) / math.sqrt(len(log_ratio))
    assert abs(kl - float(np.mean(log_ratio))) < 4 * stderr
    # Small enough to tell the KL from the reverse KL, which differs.
    reverse = kl_gaussians(m1, c1, m0, c0)
    assert abs(reverse - kl) > 10 * stderr


def test_monte_carlo_kl_is_infinite_when_q_vanishes_on_samples():
    samples = np.array([[0.0], [1.0], [2.0]])
    estimate = measures.kl_monte_carlo(
        samples, lambda x: np.zeros(len(x)), lambda x: np.where(x[:, 0] > 1.5, -np.inf, 0.0)
    )
    assert estimate.value == math.inf
