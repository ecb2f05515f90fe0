"""KL and Jensen-Shannon divergences: discrete, on a 1-D/2-D grid, and Monte-Carlo.

    KL(P || Q) = sum_x P(x) log(P(x) / Q(x))
    JS(P || Q) = 1/2 KL(P || M) + 1/2 KL(Q || M),   M = (P + Q) / 2

Everything is computed from log-probabilities, so a density of 1e-300 in a tail neither
underflows to a spurious 0 nor overflows a ratio. KL is summed as the pointwise
non-negative terms

    P log(P/Q) - P + Q = P * (expm1(t) - t),   t = log Q - log P,

whose total equals KL when both sides sum to 1, so a rounding error can never make a KL
negative. Conventions: 0 log(0/q) = 0, and KL = +inf when P puts mass where Q has none.
JS is always finite (M > 0 wherever P or Q is) and lies in [0, log 2].
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
from scipy.special import logsumexp

from divergence import validation
from divergence.grids import Grid

LOG2 = math.log(2.0)


def _kl_terms(log_p: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """The non-negative terms P log(P/Q) - P + Q, from log-probabilities."""
    p, q = np.exp(log_p), np.exp(log_q)
    with np.errstate(invalid="ignore", over="ignore"):
        t = log_q - log_p
        # expm1(t) - t is accurate for small |t| (the near-equal case that matters most);
        # for large t it would overflow, and there P*expm1(t) is just Q - P.
        small = p * (np.expm1(np.minimum(t, 30.0)) - t)
        large = q - p - p * t
        terms = np.where(t > 30.0, large, small)
    return np.where(p == 0.0, q, terms)


def _kl_from_logs(log_p: np.ndarray, log_q: np.ndarray) -> float:
    return float(np.sum(_kl_terms(log_p, log_q)))


def _js_from_logs(log_p: np.ndarray, log_q: np.ndarray) -> float:
    log_m = np.logaddexp(log_p, log_q) - LOG2
    return 0.5 * float(np.sum(_kl_terms(log_p, log_m))) + 0.5 * float(
        np.sum(_kl_terms(log_q, log_m))
    )


def log_probabilities(values: object, name: str, log_inputs: bool, atol: float) -> np.ndarray:
    """Validated, exactly renormalised log-probabilities of a discrete distribution."""
    array = validation.as_float_array(values, name)
    if log_inputs:
        validation.check_log_values(array, name)
        validation.check_probabilities(np.exp(array), name, atol)
        return array - logsumexp(array)
    validation.check_probabilities(array, name, atol)
    with np.errstate(divide="ignore"):
        return np.log(array) - math.log(float(np.sum(array)))


def grid_log_probabilities(
    values: object, grid: Grid, name: str, log_inputs: bool, atol: float
) -> np.ndarray:
    """Densities on ``grid`` -> validated, renormalised log-probabilities of its cells.

    Renormalising makes the cells an exact distribution, so KL >= 0 and JS <= log 2 hold
    exactly; the mass check before it catches a grid that misses part of the density.
    """
    array = validation.as_float_array(values, name)
    if array.shape != grid.shape:
        raise ValueError(
            f"mismatched supports: {name} has shape {array.shape} but the grid has shape "
            f"{grid.shape}"
        )
    if log_inputs:
        validation.check_log_values(array, name)
        log_cells = array + math.log(grid.cell_volume)
    else:
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} has non-finite density values")
        if np.any(array < 0):
            raise ValueError(f"{name} has negative density values (minimum {np.min(array):.6g})")
        with np.errstate(divide="ignore"):
            log_cells = np.log(array) + math.log(grid.cell_volume)
    log_mass = float(logsumexp(log_cells))
    validation.check_density_mass(math.exp(log_mass) if log_mass < 700 else math.inf, name, atol)
    return log_cells - log_mass


def kl_divergence(p: object, q: object, *, log_inputs: bool = False, atol: float = 1e-6) -> float:
    """KL(P || Q) in nats for two discrete distributions over the same outcomes.

    Args:
      p, q: probabilities (or log-probabilities with ``log_inputs=True``) of the same shape.
      atol: how far from 1 the totals may be; they are renormalised after the check.

    Raises:
      ValueError: negative or non-finite probabilities, a total not 1 within ``atol``, or
        mismatched supports (different shapes).
    """
    log_p = log_probabilities(p, "p", log_inputs, atol)
    log_q = log_probabilities(q, "q", log_inputs, atol)
    validation.check_same_support(log_p, log_q)
    return _kl_from_logs(log_p, log_q)


def js_divergence(p: object, q: object, *, log_inputs: bool = False, atol: float = 1e-6) -> float:
    """Jensen-Shannon divergence JS(P || Q) in nats, in [0, log 2]; arguments as for KL."""
    log_p = log_probabilities(p, "p", log_inputs, atol)
    log_q = log_probabilities(q, "q", log_inputs, atol)
    validation.check_same_support(log_p, log_q)
    return _js_from_logs(log_p, log_q)


def entropy(p: object, *, log_inputs: bool = False, atol: float = 1e-6) -> float:
    """Shannon entropy H(P) = -sum P log P in nats."""
    log_p = log_probabilities(p, "p", log_inputs, atol)
    inside = log_p > -np.inf  # 0 log 0 = 0
    return float(-np.sum(np.exp(log_p[inside]) * log_p[inside]))


def kl_divergence_grid(
    p: object, q: object, grid: Grid, *, log_inputs: bool = False, atol: float = 1e-3
) -> float:
    """KL(P || Q) for densities tabulated on a 1-D or 2-D ``grid`` (arrays of grid.shape).

    ``atol`` bounds how far each density's mass over the grid may be from 1.
    """
    return _kl_from_logs(
        grid_log_probabilities(p, grid, "p", log_inputs, atol),
        grid_log_probabilities(q, grid, "q", log_inputs, atol),
    )


def js_divergence_grid(
    p: object, q: object, grid: Grid, *, log_inputs: bool = False, atol: float = 1e-3
) -> float:
    """JS(P || Q) for densities tabulated on a 1-D or 2-D ``grid``."""
    return _js_from_logs(
        grid_log_probabilities(p, grid, "p", log_inputs, atol),
        grid_log_probabilities(q, grid, "q", log_inputs, atol),
    )


def cross_entropy_grid(
    p: object, q: object, grid: Grid, *, log_inputs: bool = False, atol: float = 1e-3
) -> float:
    """Differential cross-entropy -integral p log q, the population mean negative log-likelihood.

    With the cells renormalised this is exactly ``kl_divergence_grid + entropy_grid``.
    """
    log_p = grid_log_probabilities(p, grid, "p", log_inputs, atol)
    log_q = grid_log_probabilities(q, grid, "q", log_inputs, atol)
    weights = np.exp(log_p)
    if np.any((weights > 0) & (log_q == -np.inf)):
        return math.inf
    inside = weights > 0
    return float(-np.sum(weights[inside] * log_q[inside])) + math.log(grid.cell_volume)


def entropy_grid(p: object, grid: Grid, *, log_inputs: bool = False, atol: float = 1e-3) -> float:
    """Differential entropy -integral p log p of a density tabulated on ``grid``."""
    log_p = grid_log_probabilities(p, grid, "p", log_inputs, atol)
    inside = log_p > -np.inf
    return float(-np.sum(np.exp(log_p[inside]) * log_p[inside])) + math.log(grid.cell_volume)


@dataclasses.dataclass(frozen=True)
class MonteCarloEstimate:
    """A sample mean with its standard error (the standard deviation of the mean)."""

    value: float
    stderr: float
    num_samples: int


LogDensity = Callable[[np.ndarray], np.ndarray]


def _log_density_on(samples: np.ndarray, log_density: LogDensity, name: str) -> np.ndarray:
    values = np.asarray(log_density(samples), dtype=np.float64)
    if values.shape != (len(samples),):
        raise ValueError(f"{name} returned shape {values.shape} for {len(samples)} samples")
    if np.any(np.isnan(values)) or np.any(values == np.inf):
        raise ValueError(f"{name} returned NaN or +inf on the samples")
    return values


def kl_monte_carlo(
    samples_p: np.ndarray, log_p: LogDensity, log_q: LogDensity
) -> MonteCarloEstimate:
    """KL(P || Q) ~ mean over x ~ P of log p(x) - log q(x), when both densities are known.

    Raises:
      ValueError: when a sample has zero density under P (it cannot come from P).
    """
    samples_p = np.asarray(samples_p, dtype=np.float64)
    if len(samples_p) < 2:
        raise ValueError("a Monte-Carlo estimate needs at least 2 samples")
    lp = _log_density_on(samples_p, log_p, "log_p")
    if np.any(lp == -np.inf):
        raise ValueError("some samples have zero density under P: they cannot be samples of P")
    lq = _log_density_on(samples_p, log_q, "log_q")
    if np.any(lq == -np.inf):
        return MonteCarloEstimate(math.inf, math.inf, len(samples_p))
    values = lp - lq
    return MonteCarloEstimate(
        float(np.mean(values)), float(np.std(values, ddof=1) / math.sqrt(len(values))), len(values)
    )


def js_monte_carlo(
    samples_p: np.ndarray, samples_q: np.ndarray, log_p: LogDensity, log_q: LogDensity
) -> MonteCarloEstimate:
    """JS(P || Q) ~ 1/2 mean_{x~P} log(p/m) + 1/2 mean_{x~Q} log(q/m), m = (p + q) / 2.

    log m is formed with logaddexp, so far tails where both densities underflow are fine.
    """
    parts = []
    for samples, log_own, name in ((samples_p, log_p, "P"), (samples_q, log_q, "Q")):
        samples = np.asarray(samples, dtype=np.float64)
        if len(samples) < 2:
            raise ValueError("a Monte-Carlo estimate needs at least 2 samples from each side")
        own = _log_density_on(samples, log_own, f"log_{name.lower()}")
        if np.any(own == -np.inf):
            raise ValueError(f"some samples of {name} have zero density under {name}")
        lp = own if name == "P" else _log_density_on(samples, log_p, "log_p")
        lq = own if name == "Q" else _log_density_on(samples, log_q, "log_q")
        values = own - (np.logaddexp(lp, lq) - LOG2)
        parts.append((float(np.mean(values)), float(np.var(values, ddof=1)), len(values)))
    value = 0.5 * (parts[0][0] + parts[1][0])
    stderr = 0.5 * math.sqrt(parts[0][1] / parts[0][2] + parts[1][1] / parts[1][2])
    return MonteCarloEstimate(value, stderr, parts[0][2] + parts[1][2])
