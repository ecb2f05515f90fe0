"""Independent float64 references shared by the divergence tests.

Written from the equations with NumPy and SciPy, not with the ``divergence`` package, so that
the package is checked against something it does not share code with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import integrate, special, stats

# A density evaluated at a point or elementwise on an array of points.
Pdf = Callable[[float | np.ndarray], float | np.ndarray]


def kl_normal(m0: object, c0: object, m1: object, c1: object) -> float:
    """KL(N(m0, c0) || N(m1, c1)) in any dimension, typed from the textbook formula

    1/2 [ tr(c1^-1 c0) + (m1 - m0)^T c1^-1 (m1 - m0) - d + log(det c1 / det c0) ]

    with explicit inverses and determinants (the package uses solves and slogdet).
    """
    m0, m1 = (np.atleast_1d(np.asarray(m, dtype=np.float64)) for m in (m0, m1))
    c0, c1 = (np.atleast_2d(np.asarray(c, dtype=np.float64)) for c in (c0, c1))
    inv1 = np.linalg.inv(c1)
    d = m1 - m0
    return 0.5 * float(
        np.trace(inv1 @ c0)
        + d @ inv1 @ d
        - len(m0)
        + math.log(np.linalg.det(c1) / np.linalg.det(c0))
    )


def value_at_optimum(pd: np.ndarray, pg: np.ndarray) -> float:
    """V(G, D*) = sum p_data log(p_data / (p_data + p_G)) + p_G log(p_G / (p_data + p_G)),
    written directly with D* as a ratio of probabilities (xlogy: 0 log 0 = 0)."""
    total = pd + pg
    safe = np.where(total > 0, total, 1.0)
    return float(np.sum(special.xlogy(pd, pd / safe) + special.xlogy(pg, pg / safe)))


def cell_probabilities(log_density: np.ndarray) -> np.ndarray:
    """The distribution of a regular grid's cells from a density tabulated on it: p(x_i) dV,
    renormalised (dV cancels in the renormalisation)."""
    p = np.exp(np.asarray(log_density, dtype=np.float64))
    return p / p.sum()


def normal_mixture_pdf(
    weights: Sequence[float], means: Sequence[float], stds: Sequence[float]
) -> Pdf:
    """x -> sum_k w_k N(x; mean_k, std_k^2), from SciPy's normal density."""

    def pdf(x: float | np.ndarray) -> float | np.ndarray:
        return sum(
            w * stats.norm.pdf(x, m, s) for w, m, s in zip(weights, means, stds, strict=True)
        )

    return pdf


def js_by_quadrature(
    pdf_p: Pdf, pdf_q: Pdf, low: float, high: float, points: Sequence[float] | None = None
) -> float:
    """JS(P || Q) = integral of 1/2 p log(p/m) + 1/2 q log(q/m), m = (p + q)/2, by adaptive
    quadrature over [low, high] (``points``: where the integrand has features, e.g. modes)."""

    def integrand(x: float) -> float:
        a, b = pdf_p(x), pdf_q(x)
        m = 0.5 * (a + b)
        return 0.5 * (special.rel_entr(a, m) + special.rel_entr(b, m))

    return integrate.quad(integrand, low, high, limit=400, points=points)[0]
