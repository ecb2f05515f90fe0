"""The seed's three-generators picture: G* = argmin_G max_D V(G, D).

For each candidate generator G_i, max_D V(G_i, D) is computed twice: in closed form,
2 JS(P_data || P_Gi) - 2 log 2, and by training a discriminator on samples (its V on the
grid). The best generator is the one whose best discriminator scores lowest, i.e. the one
closest to P_data in JS divergence; both routes should name the same G.

For the figure, V(G_i, D) is also traced along a one-parameter family of discriminators,
D_t = sigmoid(t * logit D*): t = 0 is the clueless D = 1/2 (V = -2 log 2 for every G),
t = 1 is D*, where the curve peaks at max_D V (the red dots of the seed's figure).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from divergence import optimal_discriminator as od
from divergence.densities import GaussianMixture
from divergence.discriminator import DiscriminatorConfig
from divergence.grids import Grid
from divergence.trained_vs_optimal import DiscriminatorCheck, train_and_compare


def default_candidates() -> dict[str, GaussianMixture]:
    """Three generators for the bimodal ``default_data``: far, one mode only, close."""
    return {
        "G1": GaussianMixture.one_d([1.0], [0.0], [0.8]),
        "G2": GaussianMixture.one_d([1.0], [-2.0], [0.6]),
        "G3": GaussianMixture.one_d([0.45, 0.55], [-1.7, 2.3], [0.8, 0.6]),
    }


def default_data() -> GaussianMixture:
    return GaussianMixture.one_d([0.5, 0.5], [-2.0, 2.0], [0.6, 0.6])


def value_along_scaled_optimum(
    p_data: GaussianMixture, p_g: GaussianMixture, grid: Grid, scales: np.ndarray
) -> np.ndarray:
    """V(G, sigmoid(t * logit D*)) on the grid for each t in ``scales``."""
    log_pd, log_pg = p_data.log_prob_on(grid), p_g.log_prob_on(grid)
    logit = od.optimal_logit(log_pd, log_pg)
    return np.array(
        [od.value_on_grid(log_pd, log_pg, t * logit, grid, log_inputs=True) for t in scales]
    )


@dataclasses.dataclass
class GeneratorComparison:
    names: list[str]
    checks: list[DiscriminatorCheck]
    best_closed_form: str  # argmin of 2 JS - 2 log 2
    best_trained: str  # argmin of the trained discriminators' V

    @property
    def agree(self) -> bool:
        return self.best_closed_form == self.best_trained


def compare_generators(
    p_data: GaussianMixture,
    candidates: dict[str, GaussianMixture],
    grid: Grid,
    config: DiscriminatorConfig,
    seed: int,
    num_samples: int = 200_000,
) -> GeneratorComparison:
    """Trains one discriminator per candidate and identifies the argmin both ways."""
    if not candidates:
        raise ValueError("need at least one candidate generator")
    names = list(candidates)
    checks = [
        train_and_compare(p_data, candidates[name], grid, config, seed + i, num_samples)
        for i, name in enumerate(names)
    ]
    best_closed = names[int(np.argmin([c.max_value for c in checks]))]
    best_trained = names[int(np.argmin([c.trained_value_grid for c in checks]))]
    return GeneratorComparison(names, checks, best_closed, best_trained)
