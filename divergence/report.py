"""Runs every demonstration, prints the reference-vs-estimate table, writes figures and JSON.

Each row of the table pairs a reference value of a quantity with an independent estimate of
it: from samples, from a trained network, or from the other side of one of the seed's
identities. The reference is a closed form where there is one; where there is none (JS, and
so max_D V = 2 JS - 2 log 2; the entropy of a mixture) it is the value on a fine grid or on
the GAN's bins, and the row says so. ``run`` is what
``python -m divergence.main`` calls.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from collections.abc import Callable

import numpy as np

from divergence import figures, gan1d, generators, measures, mle
from divergence import optimal_discriminator as od
from divergence.densities import GaussianMixture, kl_gaussians
from divergence.discriminator import DiscriminatorConfig, train_discriminator
from divergence.grids import Grid
from divergence.trained_vs_optimal import DiscriminatorCheck, train_and_compare

# The distributions of every demonstration, fixed so that the table means the same each run.
PAIR = (GaussianMixture.one_d([1.0], [0.0], [1.0]), GaussianMixture.one_d([1.0], [1.5], [0.7]))
PAIR_LABEL = "N(0,1) vs N(1.5,0.7^2)"
PAIR_2D_MEANS = (np.array([0.0, 0.0]), np.array([1.0, -0.5]))
PAIR_2D_COVS = (np.array([[1.0, 0.3], [0.3, 0.8]]), np.array([[1.5, -0.2], [-0.2, 0.6]]))
MLE_TARGET = GaussianMixture.one_d([0.3, 0.7], [-2.0, 1.5], [0.6, 0.9])
GAN_TARGET = GaussianMixture.one_d([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5])


@dataclasses.dataclass(frozen=True)
class RunConfig:
    grid_half_width: float = 12.0
    grid_points: int = 4801
    grid_2d_points: int = 321
    mc_samples: int = 200_000
    d_samples: int = 200_000
    held_out_samples: int = 100_000
    mle_samples: int = 5000
    discriminator: DiscriminatorConfig = DiscriminatorConfig()
    mle: mle.MleConfig = mle.MleConfig()
    gan: gan1d.GanConfig = gan1d.GanConfig()

    @classmethod
    def default(cls, gan_loss: str = "minimax", gan_steps: int | None = None) -> RunConfig:
        gan = gan1d.GanConfig(loss=gan_loss)
        if gan_steps is not None:
            gan = dataclasses.replace(gan, steps=gan_steps)
        return cls(gan=gan)

    @classmethod
    def quick(cls, gan_loss: str = "minimax", gan_steps: int | None = None) -> RunConfig:
        """Tiny settings for smoke tests: every code path, seconds of compute, loose numbers."""
        return cls(
            grid_points=1201,
            grid_2d_points=121,
            mc_samples=20_000,
            d_samples=20_000,
            held_out_samples=20_000,
            mle_samples=2000,
            discriminator=DiscriminatorConfig(steps=150, num_records=3),
            mle=mle.MleConfig(steps=60, record_every=20),
            gan=gan1d.GanConfig(
                loss=gan_loss, steps=gan_steps or 100, eval_every=50, z_points=20_001
            ),
        )


@dataclasses.dataclass(frozen=True)
class Row:
    section: str
    quantity: str
    reference: float | str  # a closed form, or a grid value where the row says so
    estimate: float | str
    how: str
    # False for a row that shows two values side by side rather than a value and its estimate.
    compared: bool = True

    @property
    def difference(self) -> float | None:
        if not self.compared or isinstance(self.reference, str) or isinstance(self.estimate, str):
            return None
        return abs(self.estimate - self.reference)


def _fmt(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return f"{value:.6f}" if math.isfinite(value) else str(value)


def format_table(rows: list[Row]) -> str:
    """Fixed-width text: one header per section, one line per quantity."""
    width = max(len(r.quantity) for r in rows) + 2
    header = f"{'quantity':<{width}}{'reference':>13}{'estimate':>13}{'|diff|':>11}  estimated by"
    lines = [header, "-" * len(header)]
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            lines.append(f"[{section}]")
        diff = row.difference
        lines.append(
            f"{row.quantity:<{width}}{_fmt(row.reference):>13}{_fmt(row.estimate):>13}"
            f"{'' if diff is None else f'{diff:.2e}':>11}  {row.how}"
        )
    return "\n".join(lines)


def format_mle_steps(result: mle.MleResult) -> str:
    """The MLE = KL argument step by step: NLL and KL fall together, their gap stays H.

    Rows at the first record, at doubling step counts (training moves fast, then settles)
    and at the last record.
    """
    records = result.records
    every = records[1].step if len(records) > 1 else 1
    wanted = {0, records[-1].step} | {every * 2**k for k in range(32)}
    picks = [i for i, r in enumerate(records) if r.step in wanted]
    lines = [
        f"{'step':>6}{'mean NLL':>12}{'KL(Pd||PG)':>12}{'NLL - KL':>12}{'CE - KL':>12}"
        f"{'H(P_data)':>12}",
    ]
    for r in (records[i] for i in picks):
        lines.append(
            f"{r.step:>6}{r.mean_nll:>12.6f}{r.kl:>12.6f}{r.mean_nll - r.kl:>12.6f}"
            f"{r.cross_entropy - r.kl:>12.6f}{r.entropy:>12.6f}"
        )
    return "\n".join(lines)


def _measure_rows(config: RunConfig, seed: int) -> list[Row]:
    section = "divergences"
    p, q = PAIR
    grid = Grid.regular(-config.grid_half_width, config.grid_half_width, config.grid_points)
    log_p, log_q = p.log_prob_on(grid), q.log_prob_on(grid)
    kl_closed = kl_gaussians(p.means[0], p.covariances[0], q.means[0], q.covariances[0])
    rng = np.random.default_rng(seed)
    xp, xq = p.sample(config.mc_samples, rng), q.sample(config.mc_samples, rng)
    kl_mc = measures.kl_monte_carlo(xp, p.log_prob, q.log_prob)
    js_grid = measures.js_divergence_grid(log_p, log_q, grid, log_inputs=True)
    js_mc = measures.js_monte_carlo(xp, xq, p.log_prob, q.log_prob)

    m = config.grid_2d_points
    grid_2d = Grid.regular((-9.0, -9.0), (9.0, 9.0), (m, m))
    p2 = GaussianMixture(np.ones(1), PAIR_2D_MEANS[0][None], PAIR_2D_COVS[0][None])
    q2 = GaussianMixture(np.ones(1), PAIR_2D_MEANS[1][None], PAIR_2D_COVS[1][None])
    kl2_closed = kl_gaussians(PAIR_2D_MEANS[0], PAIR_2D_COVS[0], PAIR_2D_MEANS[1], PAIR_2D_COVS[1])
    kl2_grid = measures.kl_divergence_grid(
        p2.log_prob_on(grid_2d), q2.log_prob_on(grid_2d), grid_2d, log_inputs=True
    )
    x2 = p2.sample(config.mc_samples, rng)
    js2_grid = measures.js_divergence_grid(
        p2.log_prob_on(grid_2d), q2.log_prob_on(grid_2d), grid_2d, log_inputs=True
    )
    js2_mc = measures.js_monte_carlo(
        x2, q2.sample(config.mc_samples, rng), p2.log_prob, q2.log_prob
    )
    n = config.mc_samples
    return [
        Row(
            section,
            f"KL {PAIR_LABEL}",
            kl_closed,
            measures.kl_divergence_grid(log_p, log_q, grid, log_inputs=True),
            f"1-D grid of {grid.shape[0]} points",
        ),
        Row(
            section,
            f"KL {PAIR_LABEL}",
            kl_closed,
            kl_mc.value,
            f"Monte Carlo, {n} samples (stderr {kl_mc.stderr:.1e})",
        ),
        Row(
            section,
            f"JS {PAIR_LABEL}",
            js_grid,
            js_mc.value,
            f"Monte Carlo (stderr {js_mc.stderr:.1e}); reference: grid value, no closed form",
        ),
        Row(
            section,
            "KL of two correlated 2-D Gaussians",
            kl2_closed,
            kl2_grid,
            f"2-D grid of {m}x{m} points",
        ),
        Row(
            section,
            "JS of two correlated 2-D Gaussians",
            js2_grid,
            js2_mc.value,
            f"Monte Carlo (stderr {js2_mc.stderr:.1e}); reference: 2-D grid value",
        ),
    ]


def _mle_rows(result: mle.MleResult, config: RunConfig) -> list[Row]:
    section = f"MLE = KL (2-component mixture, {config.mle_samples} samples)"
    first, last = result.records[0], result.records[-1]
    gaps = [r.mean_nll - r.kl for r in result.records]
    return [
        Row(
            section,
            "min KL(P_data || P_G) (family contains P_data)",
            0.0,
            last.kl,
            f"KL of the fit after {last.step} Adam steps (from {first.kl:.4f})",
        ),
        Row(
            section,
            "H(P_data), grid value",
            last.entropy,
            last.cross_entropy - last.kl,
            "cross-entropy - KL on the grid (exact identity)",
        ),
        Row(
            section,
            "H(P_data), grid value",
            last.entropy,
            last.mean_nll - last.kl,
            f"sample mean NLL - KL (spread over steps {max(gaps) - min(gaps):.1e})",
        ),
    ]


def _check_rows(section: str, check: DiscriminatorCheck, num_held_out: int) -> list[Row]:
    return [
        Row(
            section,
            "max_D V = 2JS - 2log2, grid JS",
            check.max_value,
            check.optimal_value,
            "V(G, D*) integrated on the grid",
        ),
        Row(
            section,
            "max_D V",
            check.max_value,
            check.trained_value_grid,
            "trained Keras D, V integrated on the grid",
        ),
        Row(
            section,
            "max_D V",
            check.max_value,
            check.trained_value_held_out,
            f"trained Keras D, V on {num_held_out}+{num_held_out} held-out samples",
        ),
        Row(
            section,
            "RMS(D - D*)",
            0.0,
            check.rms_distance,
            "trained Keras D, weighted by (p_data + p_G)/2",
        ),
    ]


def run(
    config: RunConfig,
    seed: int,
    workdir: str,
    log: Callable[[str], None] = print,
    progress_interval: float = 10.0,
) -> dict:
    """Runs everything, writes ``table.txt``, ``results.json`` and the PNGs into ``workdir``.

    Returns the results dictionary that is also written as JSON (it includes the table text).
    """
    os.makedirs(workdir, exist_ok=True)
    started = time.monotonic()
    grid = Grid.regular(-config.grid_half_width, config.grid_half_width, config.grid_points)

    log("divergences: grid, 2-D grid and Monte-Carlo estimates")
    rows = _measure_rows(config, seed)

    log("MLE: fitting a 2-component Gaussian mixture by gradient descent")
    rng = np.random.default_rng(seed + 1)
    mle_samples = MLE_TARGET.sample(config.mle_samples, rng)[:, 0]
    mle_result = mle.fit(mle_samples, MLE_TARGET, grid, config.mle)
    rows += _mle_rows(mle_result, config)

    log("optimal discriminator: training a Keras D on the Gaussian pair")
    pair_check = train_and_compare(
        PAIR[0],
        PAIR[1],
        grid,
        config.discriminator,
        seed + 2,
        config.d_samples,
        config.held_out_samples,
    )
    rows += _check_rows(f"optimal discriminator, {PAIR_LABEL}", pair_check, config.held_out_samples)

    log("three generators: one discriminator per candidate")
    data, candidates = generators.default_data(), generators.default_candidates()
    comparison = generators.compare_generators(
        data, candidates, grid, config.discriminator, seed + 3, config.d_samples
    )
    section = "three generators: G* = argmin_G max_D V"
    for name, check in zip(comparison.names, comparison.checks, strict=True):
        rows.append(
            Row(
                section,
                f"max_D V(G, D) for {name}",
                check.max_value,
                check.trained_value_grid,
                "2JS-2log2 (grid JS) vs trained Keras D (V on the grid)",
            )
        )
    rows.append(
        Row(
            section,
            "argmin_G max_D V",
            comparison.best_closed_form,
            comparison.best_trained,
            "closed form vs trained discriminators",
        )
    )

    log(f"1-D GAN ({config.gan.loss}): {config.gan.steps} generator steps")
    gan_result = gan1d.train_gan(
        GAN_TARGET, config.gan, seed + 4, progress=log, progress_interval=progress_interval
    )
    records = gan_result.records
    final = records[-1]
    # The inner max_D against the final, frozen G: the GAN's D (which tracked a moving G)
    # trained on, so that its V approaches 2 JS - 2 log 2. A fresh D would have to find the
    # narrow dips of D* on its own, with a total gain of only 2 JS ~ 0.02 to guide it.
    n, n_held, n_eval = config.d_samples, config.held_out_samples, gan1d.EVAL_SAMPLES
    gen_x = gan1d.generator_samples(gan_result.generator, n + n_held, seed + 5)
    data_x = GAN_TARGET.sample(n + n_held, np.random.default_rng(seed + 5))
    fresh = train_discriminator(
        data_x[:n], gen_x[:n], config.discriminator, seed + 5, init_from=gan_result.discriminator
    )
    fresh_value = od.value_monte_carlo(fresh.logits(data_x[n:]), fresh.logits(gen_x[n:]))
    section = f"1-D GAN, {config.gan.loss} loss, {config.gan.steps} steps"
    rows += [
        Row(
            section,
            "JS(P_data || P_G): step 0 | last step",
            records[0].js,
            final.js,
            f"both exact on bins of width {config.gan.bin_width}; min over training "
            f"{min(r.js for r in records):.4f}",
            compared=False,
        ),
        Row(
            section,
            "max_D V against the final G",
            final.max_value,
            fresh_value,
            f"GAN's D trained on vs frozen G, V on {n_held}+{n_held} held-out samples",
        ),
        Row(
            section,
            "max_D V against the final G",
            final.max_value,
            final.d_value,
            f"the GAN's own D (not at its optimum), {n_eval}+{n_eval} samples",
        ),
    ]

    table = format_table(rows)
    mle_table = format_mle_steps(mle_result)
    paths = figures.figure_paths(workdir)
    figures.densities(
        paths["densities"],
        grid,
        PAIR,
        data,
        candidates,
        MLE_TARGET,
        mle_result,
        GAN_TARGET,
        gan_result,
    )
    figures.discriminator_vs_optimal(paths["discriminator_vs_optimal"], pair_check)
    figures.generator_values(paths["generator_values"], comparison, data, candidates, grid)
    figures.gan_js_curve(paths["gan_js"], gan_result, config.gan.loss, fresh)
    figures.mle_curves(paths["mle_nll_kl"], mle_result)

    elapsed = time.monotonic() - started
    text = f"{table}\n\nMLE step by step (gap NLL - KL stays at H(P_data)):\n{mle_table}\n"
    with open(os.path.join(workdir, "table.txt"), "w") as f:
        f.write(text)
    results = {
        "seed": seed,
        "seconds": elapsed,
        "config": dataclasses.asdict(config),
        "rows": [dataclasses.asdict(r) | {"difference": r.difference} for r in rows],
        "mle_records": [dataclasses.asdict(r) for r in mle_result.records],
        "gan_records": [dataclasses.asdict(r) for r in records],
        "argmin": {"closed_form": comparison.best_closed_form, "trained": comparison.best_trained},
        "figures": paths,
        "table": text,
    }
    with open(os.path.join(workdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    log(f"\n{text}")
    log(f"done in {elapsed:.1f} s; figures and table in {workdir}")
    return results
