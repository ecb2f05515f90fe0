"""Known densities in NumPy float64: Gaussian mixtures in 1-D or 2-D, and closed forms.

These are the "P_data" and the candidate "P_G" whose densities the seed notes assume we
could write down. Being exact, they are the reference every trained estimate is measured
against. The closed-form KL of two Gaussians lives here too, for the report's table.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.special import logsumexp, ndtr

from divergence import validation
from divergence.grids import Grid

_LOG_2PI = math.log(2.0 * math.pi)


@dataclasses.dataclass(frozen=True)
class GaussianMixture:
    """sum_k w_k N(x; mean_k, cov_k) in ``dim`` dimensions (full covariance matrices).

    Attributes:
      weights: (K,) non-negative, summing to 1.
      means: (K, dim).
      covariances: (K, dim, dim), symmetric positive definite.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray

    def __post_init__(self) -> None:
        weights = validation.as_float_array(self.weights, "weights").reshape(-1)
        means = validation.as_float_array(self.means, "means")
        covs = validation.as_float_array(self.covariances, "covariances")
        validation.check_probabilities(weights, "weights", 1e-9)
        k = weights.size
        if means.ndim != 2 or means.shape[0] != k:
            raise ValueError(f"means must have shape ({k}, dim), got {means.shape}")
        dim = means.shape[1]
        if covs.shape != (k, dim, dim):
            raise ValueError(f"covariances must have shape ({k}, {dim}, {dim}), got {covs.shape}")
        if not np.allclose(covs, np.swapaxes(covs, 1, 2)):
            raise ValueError("covariances must be symmetric")
        if np.any(np.linalg.eigvalsh(covs) <= 0):
            raise ValueError("covariances must be positive definite")
        object.__setattr__(self, "weights", weights / weights.sum())
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "covariances", covs)

    @classmethod
    def one_d(cls, weights: list[float], means: list[float], stds: list[float]) -> GaussianMixture:
        """A 1-D mixture from per-component weights, means and standard deviations."""
        stds_array = validation.as_float_array(stds, "stds")
        if np.any(stds_array <= 0):
            raise ValueError(f"standard deviations must be positive, got {stds_array.tolist()}")
        return cls(
            np.asarray(weights, dtype=np.float64),
            np.asarray(means, dtype=np.float64).reshape(-1, 1),
            (stds_array**2).reshape(-1, 1, 1),
        )

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def _as_points(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self.dim == 1 and x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"points must have shape (n, {self.dim}), got {x.shape}")
        return x

    def component_log_probs(self, x: np.ndarray) -> np.ndarray:
        """(n, K): log w_k + log N(x_n; mean_k, cov_k)."""
        x = self._as_points(x)
        chol = np.linalg.cholesky(self.covariances)  # (K, d, d)
        diff = x[None, :, :] - self.means[:, None, :]  # (K, n, d)
        solved = np.linalg.solve(chol[:, None, :, :], diff[..., None])[..., 0]
        maha = np.sum(solved**2, axis=-1)  # (K, n)
        log_det = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)  # (K,)
        with np.errstate(divide="ignore"):
            log_w = np.log(self.weights)
        log_norm = -0.5 * (self.dim * _LOG_2PI + log_det)
        return (log_w[:, None] + log_norm[:, None] - 0.5 * maha).T

    def log_prob(self, x: np.ndarray) -> np.ndarray:
        """log p(x) at points of shape (n, dim) (or (n,) in 1-D): log-sum-exp over components."""
        return logsumexp(self.component_log_probs(x), axis=1)

    def prob(self, x: np.ndarray) -> np.ndarray:
        return np.exp(self.log_prob(x))

    def log_prob_on(self, grid: Grid) -> np.ndarray:
        """log p at every grid point, as an array of ``grid.shape``."""
        if grid.ndim != self.dim:
            raise ValueError(f"a {self.dim}-D density cannot be tabulated on a {grid.ndim}-D grid")
        return self.log_prob(grid.points()).reshape(grid.shape)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` samples as an (n, dim) array."""
        validation.check_positive_int(n, "n")
        components = rng.choice(self.weights.size, size=n, p=self.weights)
        chol = np.linalg.cholesky(self.covariances)
        noise = rng.standard_normal((n, self.dim))
        return self.means[components] + np.einsum("nij,nj->ni", chol[components], noise)

    def cdf_1d(self, x: np.ndarray) -> np.ndarray:
        """P(X <= x) of a 1-D mixture (used to get exact bin probabilities)."""
        if self.dim != 1:
            raise ValueError("cdf_1d is only defined for 1-D mixtures")
        x = np.asarray(x, dtype=np.float64)
        stds = np.sqrt(self.covariances[:, 0, 0])
        z = (x[..., None] - self.means[:, 0]) / stds
        return np.sum(self.weights * ndtr(z), axis=-1)

    def bin_probabilities(self, edges: np.ndarray) -> np.ndarray:
        """Probabilities of the cells (-inf, e_0), [e_0, e_1), ..., [e_last, inf) of 1-D edges."""
        cdf = np.concatenate([[0.0], self.cdf_1d(edges), [1.0]])
        return np.clip(np.diff(cdf), 0.0, None)

    def mean(self) -> np.ndarray:
        return self.weights @ self.means


def kl_gaussians(mean_p: object, cov_p: object, mean_q: object, cov_q: object) -> float:
    """KL(N(mean_p, cov_p) || N(mean_q, cov_q)) in closed form, any dimension:

    1/2 [ tr(S_q^-1 S_p) + (m_q - m_p)^T S_q^-1 (m_q - m_p) - d + log det S_q - log det S_p ].
    """
    mean_p, mean_q = np.atleast_1d(mean_p).astype(float), np.atleast_1d(mean_q).astype(float)
    d = mean_p.size
    cov_p = np.asarray(cov_p, dtype=np.float64).reshape(d, d)
    cov_q = np.asarray(cov_q, dtype=np.float64).reshape(d, d)
    diff = mean_q - mean_p
    _, logdet_p = np.linalg.slogdet(cov_p)
    _, logdet_q = np.linalg.slogdet(cov_q)
    return 0.5 * float(
        np.trace(np.linalg.solve(cov_q, cov_p))
        + diff @ np.linalg.solve(cov_q, diff)
        - d
        + logdet_q
        - logdet_p
    )
