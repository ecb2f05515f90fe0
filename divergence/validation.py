"""Input checks shared by every measure: each failure is a ValueError naming what is wrong.

The divergences are only defined for probability distributions on one common support, so
the three ways input goes wrong get three distinct messages: negative (or non-finite)
probabilities, a total that is not 1, and two distributions that live on different supports.
"""

from __future__ import annotations

import numpy as np


def as_float_array(values: object, name: str) -> np.ndarray:
    """``values`` as a float64 array; a ValueError if it is empty or not numeric."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} is not an array of numbers: {err}") from None
    if array.size == 0:
        raise ValueError(f"{name} is empty: a distribution needs at least one outcome")
    return array


def check_same_support(p: np.ndarray, q: np.ndarray, names: tuple[str, str] = ("p", "q")) -> None:
    """Both arrays index the same outcomes, i.e. have the same shape."""
    if p.shape != q.shape:
        raise ValueError(
            f"mismatched supports: {names[0]} has shape {p.shape} but {names[1]} has shape "
            f"{q.shape}; both must give the probability of the same outcomes"
        )


def check_probabilities(p: np.ndarray, name: str, atol: float) -> None:
    """``p`` is finite, non-negative and sums to 1 within ``atol``."""
    if not np.all(np.isfinite(p)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(p))[0])
        raise ValueError(f"{name} has a non-finite probability {p[bad]} at index {list(bad)}")
    if np.any(p < 0):
        bad = tuple(int(i) for i in np.argwhere(p < 0)[0])
        raise ValueError(
            f"{name} has negative probabilities: {name}{list(bad)} = {p[bad]:.6g} "
            f"({int(np.sum(p < 0))} negative entries in all)"
        )
    total = float(np.sum(p))
    if abs(total - 1.0) > atol:
        raise ValueError(
            f"{name} does not sum to 1: its entries sum to {total:.10g} (tolerance {atol:g})"
        )


def check_density_mass(mass: float, name: str, atol: float) -> None:
    """A density integrates to 1 over the grid within ``atol``: otherwise the grid misses mass."""
    if not np.isfinite(mass) or abs(mass - 1.0) > atol:
        raise ValueError(
            f"{name} does not integrate to 1 over the grid: its mass is {mass:.10g} "
            f"(tolerance {atol:g}); widen or refine the grid, or normalise the density"
        )


def check_log_values(log_p: np.ndarray, name: str) -> None:
    """Log-probabilities or log-densities: no NaN and no +inf (-inf is a zero probability)."""
    if np.any(np.isnan(log_p)):
        raise ValueError(f"{name} has NaN log-probabilities")
    if np.any(log_p == np.inf):
        raise ValueError(f"{name} has +inf log-probabilities (an infinite probability)")


def check_positive(value: float, name: str) -> None:
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def check_positive_int(value: int, name: str) -> None:
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
