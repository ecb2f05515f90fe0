"""A discriminator trained on samples, measured against the closed-form D* and max_D V.

For two known 1-D densities this trains the Keras discriminator of
:mod:`divergence.discriminator` on samples only, then measures it with the densities:

* V(G, D_trained) integrated exactly on a grid (no sampling noise, so it is <= max_D V),
* V(G, D_trained) on held-out samples (what one could compute without the densities),
* the distance between D_trained and D* = p_data / (p_data + p_G),

against the closed form max_D V = 2 JS - 2 log 2. The grid value's shortfall is exactly

    integral (p_data + p_G) KL(Bernoulli(D*(x)) || Bernoulli(D(x))) dx
      = 2 E_{x~m}[KL(Bernoulli(D*(x)) || Bernoulli(D(x)))] >= 0,   m = (p_data + p_G) / 2,

so it is a clean convergence measure.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import expit

from divergence import measures
from divergence import optimal_discriminator as od
from divergence.densities import GaussianMixture
from divergence.discriminator import DiscriminatorConfig, TrainedDiscriminator, train_discriminator
from divergence.grids import Grid


@dataclasses.dataclass
class DiscriminatorCheck:
    js: float  # JS(P_data || P_G) on the grid
    max_value: float  # closed form 2 JS - 2 log 2
    optimal_value: float  # V(G, D*) integrated on the grid: equals max_value
    trained_value_grid: float  # V(G, D_trained) integrated on the grid
    trained_value_held_out: float  # V(G, D_trained) on held-out samples
    rms_distance: float  # sqrt(E_m (D - D*)^2), m = (p_data + p_G) / 2
    trained: TrainedDiscriminator
    grid: Grid
    d_star: np.ndarray  # D* on the grid
    d_trained: np.ndarray  # D_trained on the grid


def train_and_compare(
    p_data: GaussianMixture,
    p_g: GaussianMixture,
    grid: Grid,
    config: DiscriminatorConfig,
    seed: int,
    num_samples: int = 200_000,
    num_held_out: int = 100_000,
) -> DiscriminatorCheck:
    """Trains D on ``num_samples`` samples of each distribution and measures it (see module doc)."""
    if grid.ndim != 1 or p_data.dim != 1 or p_g.dim != 1:
        raise ValueError("the discriminator comparison is 1-D: pass 1-D densities and a 1-D grid")
    rng = np.random.default_rng(seed)
    data, gen = p_data.sample(num_samples, rng), p_g.sample(num_samples, rng)
    held_data, held_gen = p_data.sample(num_held_out, rng), p_g.sample(num_held_out, rng)
    # The whole held-out set for the training curve: a 4096-sample batch has a standard
    # error of ~0.01, enough to draw the curve above max_D V by chance.
    trained = train_discriminator(data, gen, config, seed, held_out=(held_data, held_gen))

    log_pd, log_pg = p_data.log_prob_on(grid), p_g.log_prob_on(grid)
    js = measures.js_divergence_grid(log_pd, log_pg, grid, log_inputs=True)
    star_logit = od.optimal_logit(log_pd, log_pg)
    logits = trained.logits(grid.axes[0])
    d_star, d_trained = expit(star_logit), expit(logits)
    return DiscriminatorCheck(
        js=js,
        max_value=od.max_value_from_js(js),
        optimal_value=od.value_on_grid(log_pd, log_pg, star_logit, grid, log_inputs=True),
        trained_value_grid=od.value_on_grid(log_pd, log_pg, logits, grid, log_inputs=True),
        trained_value_held_out=od.value_monte_carlo(
            trained.logits(held_data), trained.logits(held_gen)
        ),
        rms_distance=od.weighted_rms_distance(d_trained, d_star, log_pd, log_pg, grid),
        trained=trained,
        grid=grid,
        d_star=d_star,
        d_trained=d_trained,
    )
