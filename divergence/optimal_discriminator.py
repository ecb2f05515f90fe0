"""The seed's discriminator objective and its closed-form maximiser, in NumPy float64.

    V(G, D) = E_{x~P_data}[log D(x)] + E_{x~P_G}[log(1 - D(x))]

For fixed G the integrand p_data log D + p_G log(1 - D) is maximised pointwise by

    D*(x) = p_data(x) / (p_data(x) + p_G(x)),

and substituting D* back gives

    max_D V(G, D) = V(G, D*) = -2 log 2 + 2 JS(P_data || P_G).

A discriminator is handled through its logit l(x) (D = sigmoid(l)), because then
log D = log_expit(l) and log(1 - D) = log_expit(-l) (SciPy's log-sigmoid) stay finite even
where D rounds to 0 or 1.
D* itself is sigmoid(log p_data - log p_G): a difference of log-densities, never a ratio of
underflowed densities.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, log_expit

from divergence import validation
from divergence.grids import Grid
from divergence.measures import LOG2, grid_log_probabilities, log_probabilities

# Where both densities are zero D* is arbitrary; 1/2 ("cannot tell") is the natural choice.
_UNDEFINED_LOGIT = 0.0


def optimal_logit(log_p_data: np.ndarray, log_p_g: np.ndarray) -> np.ndarray:
    """logit D*(x) = log p_data(x) - log p_G(x) (+inf / -inf where only one side has mass)."""
    log_p_data = np.asarray(log_p_data, dtype=np.float64)
    log_p_g = np.asarray(log_p_g, dtype=np.float64)
    validation.check_same_support(log_p_data, log_p_g, ("log_p_data", "log_p_g"))
    validation.check_log_values(log_p_data, "log_p_data")
    validation.check_log_values(log_p_g, "log_p_g")
    both_zero = (log_p_data == -np.inf) & (log_p_g == -np.inf)
    with np.errstate(invalid="ignore"):
        logit = log_p_data - log_p_g
    return np.where(both_zero, _UNDEFINED_LOGIT, logit)


def optimal_discriminator(log_p_data: np.ndarray, log_p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_G), from log-densities (or log-probabilities)."""
    return expit(optimal_logit(log_p_data, log_p_g))


def _value_from_log_cells(log_pd: np.ndarray, log_pg: np.ndarray, logit: np.ndarray) -> float:
    pd, pg = np.exp(log_pd), np.exp(log_pg)
    logit = np.asarray(logit, dtype=np.float64)
    if logit.shape != pd.shape:
        raise ValueError(
            f"mismatched supports: logits have shape {logit.shape}, densities {pd.shape}"
        )
    # 0 * log 0 = 0: a cell without data mass does not care what D says there.
    with np.errstate(invalid="ignore"):
        data_term = np.where(pd > 0, pd * log_expit(logit), 0.0)
        gen_term = np.where(pg > 0, pg * log_expit(-logit), 0.0)
    return float(np.sum(data_term) + np.sum(gen_term))


def value_discrete(
    p_data: object, p_g: object, logit: np.ndarray, *, log_inputs: bool = False, atol: float = 1e-6
) -> float:
    """V(G, D) for discrete P_data, P_G and a discriminator given by its logits per outcome."""
    log_pd = log_probabilities(p_data, "p_data", log_inputs, atol)
    log_pg = log_probabilities(p_g, "p_g", log_inputs, atol)
    validation.check_same_support(log_pd, log_pg, ("p_data", "p_g"))
    return _value_from_log_cells(log_pd, log_pg, logit)


def value_on_grid(
    p_data: object,
    p_g: object,
    logit: np.ndarray,
    grid: Grid,
    *,
    log_inputs: bool = False,
    atol: float = 1e-3,
) -> float:
    """V(G, D) = integral p_data log D + p_G log(1 - D), with D = sigmoid(logit) on ``grid``."""
    log_pd = grid_log_probabilities(p_data, grid, "p_data", log_inputs, atol)
    log_pg = grid_log_probabilities(p_g, grid, "p_g", log_inputs, atol)
    return _value_from_log_cells(log_pd, log_pg, logit)


def value_monte_carlo(logit_data: np.ndarray, logit_gen: np.ndarray) -> float:
    """V estimated from the discriminator's logits on samples of P_data and of P_G."""
    logit_data = np.asarray(logit_data, dtype=np.float64)
    logit_gen = np.asarray(logit_gen, dtype=np.float64)
    if logit_data.size == 0 or logit_gen.size == 0:
        raise ValueError("need logits on at least one data sample and one generated sample")
    return float(np.mean(log_expit(logit_data)) + np.mean(log_expit(-logit_gen)))


def max_value_from_js(js: float) -> float:
    """The seed's result max_D V(G, D) = -2 log 2 + 2 JS(P_data || P_G)."""
    if not 0.0 <= js <= LOG2 + 1e-12:
        raise ValueError(f"a JS divergence lies in [0, log 2], got {js!r}")
    return 2.0 * js - 2.0 * LOG2


def weighted_rms_distance(
    d: np.ndarray, d_star: np.ndarray, log_p_data: np.ndarray, log_p_g: np.ndarray, grid: Grid
) -> float:
    """sqrt(integral m(x) (D(x) - D*(x))^2), m = (p_data + p_G) / 2.

    Weighting by the mixture that the discriminator is trained on: far in the tails neither
    distribution puts samples, D is unconstrained there, and an unweighted sup-norm would
    measure extrapolation rather than convergence.
    """
    log_pd = grid_log_probabilities(log_p_data, grid, "log_p_data", True, 1e-3)
    log_pg = grid_log_probabilities(log_p_g, grid, "log_p_g", True, 1e-3)
    weights = 0.5 * (np.exp(log_pd) + np.exp(log_pg))
    diff = np.asarray(d, dtype=np.float64) - np.asarray(d_star, dtype=np.float64)
    return math.sqrt(float(np.sum(weights * diff**2)))
