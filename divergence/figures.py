"""PNG figures of every demonstration (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")  # before pyplot: figures are files, there is no display on a server

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.special import expit  # noqa: E402

from divergence import gan1d  # noqa: E402
from divergence.densities import GaussianMixture  # noqa: E402
from divergence.discriminator import TrainedDiscriminator  # noqa: E402
from divergence.generators import GeneratorComparison, value_along_scaled_optimum  # noqa: E402
from divergence.grids import Grid  # noqa: E402
from divergence.measures import LOG2  # noqa: E402
from divergence.mle import MleResult  # noqa: E402
from divergence.trained_vs_optimal import DiscriminatorCheck  # noqa: E402


def _save(fig: plt.Figure, path: str, **margins: float) -> str:
    # Fixed margins rather than tight_layout: tight_layout measures every text box and
    # nearly doubles the CPU time of a figure, which the smoke test pays on a busy CPU.
    fig.subplots_adjust(**margins)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def densities(
    path: str,
    grid: Grid,
    pair: tuple[GaussianMixture, GaussianMixture],
    data: GaussianMixture,
    candidates: dict[str, GaussianMixture],
    mle_target: GaussianMixture,
    mle_result: MleResult,
    gan_target: GaussianMixture,
    gan_result: gan1d.GanResult,
) -> str:
    """The four set-ups: the Gaussian pair, data vs the three generators, the MLE fit, the GAN."""
    x = grid.axes[0]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    ax = axes[0, 0]
    ax.plot(x, pair[0].prob(x), label="P_data")
    ax.plot(x, pair[1].prob(x), label="P_G")
    ax.set_title("Gaussian pair (optimal discriminator)")
    ax = axes[0, 1]
    ax.fill_between(x, data.prob(x), color="0.85", label="P_data")
    for name, density in candidates.items():
        ax.plot(x, density.prob(x), label=name)
    ax.set_title("P_data and three candidate generators")
    ax = axes[1, 0]
    ax.fill_between(x, mle_target.prob(x), color="0.85", label="P_data")
    ax.plot(x, mle_result.model.prob(x), "C3--", label="MLE fit P_G")
    ax.set_title(f"Maximum likelihood fit (KL = {mle_result.records[-1].kl:.2e} nats)")
    ax = axes[1, 1]
    edges = gan_result.edges
    centres = 0.5 * (edges[1:] + edges[:-1])
    ax.fill_between(x, gan_target.prob(x), color="0.85", label="P_data")
    ax.step(
        centres,
        gan1d.bin_densities(gan_result.gen_bins, edges),
        where="mid",
        color="C2",
        label="GAN P_G (pushforward)",
    )
    ax.set_title(f"1-D GAN after training (JS = {gan_result.records[-1].js:.3f} nats)")
    for ax in axes.ravel():
        ax.set_xlim(-6, 6)
        ax.set_xlabel("x")
        ax.legend(fontsize=8)
    return _save(fig, path, left=0.05, right=0.98, bottom=0.08, top=0.95, wspace=0.15, hspace=0.3)


def discriminator_vs_optimal(path: str, check: DiscriminatorCheck) -> str:
    """Trained D against D*, and V during training against max_D V = 2 JS - 2 log 2."""
    x = check.grid.axes[0]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    ax.plot(x, check.d_star, "k", lw=2, label="D* = p_data / (p_data + p_G)")
    ax.plot(x, check.d_trained, "C1--", lw=2, label="trained Keras D")
    ax.set_xlim(-5, 6)
    ax.set_xlabel("x")
    ax.set_title(f"D vs D* (mixture-weighted RMS {check.rms_distance:.4f})")
    ax.legend(fontsize=8)
    ax = axes[1]
    steps, values = zip(*check.trained.history, strict=True)
    ax.plot(steps, values, "C1", label="V(G, D) on the held-out samples")
    ax.axhline(check.max_value, color="k", ls="--", label="2 JS - 2 log 2")
    ax.axhline(-2 * LOG2, color="0.6", ls=":", label="-2 log 2 (D = 1/2)")
    ax.set_xlabel("discriminator step")
    ax.set_title("V approaches max_D V")
    ax.legend(fontsize=8)
    return _save(fig, path, left=0.06, right=0.98, bottom=0.13, top=0.91, wspace=0.2)


def generator_values(
    path: str,
    comparison: GeneratorComparison,
    data: GaussianMixture,
    candidates: dict[str, GaussianMixture],
    grid: Grid,
) -> str:
    """The seed's figure: V(G_i, D) over discriminators, red dot at max_D V, per generator."""
    scales = np.linspace(0.0, 2.5, 51)
    n = len(comparison.names)
    fig, axes = plt.subplots(1, n + 1, figsize=(4 * (n + 1), 3.6), sharey=False)
    for ax, name, check in zip(axes[:-1], comparison.names, comparison.checks, strict=True):
        values = value_along_scaled_optimum(data, candidates[name], grid, scales)
        ax.plot(scales, values, "C0", label="V(G, sigmoid(t logit D*))")
        ax.plot([1.0], [check.max_value], "ro", label="max_D V (closed form)")
        ax.axhline(check.trained_value_grid, color="C1", ls="--", label="trained D")
        ax.set_xlabel("t (t = 1 is D*)")
        ax.set_title(f"{name}: max_D V = {check.max_value:.3f}")
        ax.legend(fontsize=7)
    ax = axes[-1]
    positions = np.arange(n)
    ax.bar(positions - 0.2, [c.max_value for c in comparison.checks], 0.4, label="2 JS - 2 log 2")
    ax.bar(
        positions + 0.2, [c.trained_value_grid for c in comparison.checks], 0.4, label="trained D"
    )
    ax.set_xticks(positions, comparison.names)
    ax.set_title(f"argmin_G max_D V = {comparison.best_closed_form}")
    ax.legend(fontsize=7)
    return _save(fig, path, left=0.05, right=0.99, bottom=0.14, top=0.9, wspace=0.3)


def gan_js_curve(path: str, result: gan1d.GanResult, loss: str, fresh: TrainedDiscriminator) -> str:
    """JS(P_data || P_G) during GAN training, D's V against 2 JS - 2 log 2, and the final Ds."""
    steps = [r.step for r in result.records]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    ax = axes[0]
    ax.plot(steps, [r.js for r in result.records], "C2o-", ms=3)
    ax.axhline(LOG2, color="0.6", ls=":", label="log 2 (disjoint)")
    ax.set_xlabel("generator step")
    ax.set_ylabel("JS(P_data || P_G) [nats]")
    ax.set_title(f"1-D GAN ({loss}): JS on the grid")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.plot(steps, [r.max_value for r in result.records], "k--", label="2 JS - 2 log 2 (best D)")
    ax.plot(steps, [r.d_value for r in result.records], "C1", label="V of the current D")
    ax.axhline(-2 * LOG2, color="0.6", ls=":", label="-2 log 2")
    ax.set_xlabel("generator step")
    ax.set_title("V(G, D) during training")
    ax.legend(fontsize=8)
    ax = axes[2]
    edges = result.edges
    centres = 0.5 * (edges[1:] + edges[:-1])
    # D* of the binned distributions; where neither has mass it is undefined (not drawn).
    pd, pg = result.data_bins[1:-1], result.gen_bins[1:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        d_star = np.where(pd + pg > 1e-6, pd / (pd + pg), np.nan)
    ax.plot(centres, d_star, "k", lw=1.5, label="D* of the binned P_data, P_G")
    ax.plot(
        centres,
        expit(fresh.logits(centres)),
        "C1--",
        label="GAN's D trained on against the frozen G",
    )
    ax.plot(centres, expit(_logits(result.discriminator, centres)), "C4:", label="the GAN's own D")
    ax.set_xlim(-4.5, 4.5)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("x")
    ax.set_title("discriminators against the final G")
    ax.legend(fontsize=8)
    return _save(fig, path, left=0.05, right=0.99, bottom=0.13, top=0.91, wspace=0.2)


def _logits(model, x: np.ndarray) -> np.ndarray:
    return model(x[:, None].astype(np.float32), training=False).numpy()[:, 0]


def mle_curves(path: str, result: MleResult) -> str:
    """Mean NLL and KL + H(P_data) over training: two curves that coincide up to sampling."""
    steps = [r.step for r in result.records]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    ax.plot(steps, [r.mean_nll for r in result.records], "C0", label="mean NLL on the samples")
    ax.plot(steps, [r.cross_entropy for r in result.records], "C2:", label="cross-entropy (grid)")
    ax.plot(steps, [r.kl + r.entropy for r in result.records], "C3--", label="KL + H(P_data)")
    ax.set_xlabel("Adam step")
    ax.set_title("MLE = KL minimisation")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.plot(steps, [r.mean_nll - r.kl for r in result.records], "C0", label="mean NLL - KL")
    ax.plot(
        steps, [r.cross_entropy - r.kl for r in result.records], "C2:", label="cross-entropy - KL"
    )
    entropy = result.records[0].entropy
    ax.axhline(entropy, color="k", ls="--", label="H(P_data)")
    # The same vertical scale as the NLL's fall on the left, so "constant" reads at its scale.
    drop = result.records[0].mean_nll - result.records[-1].mean_nll
    ax.set_ylim(entropy - 0.6 * drop, entropy + 0.6 * drop)
    ax.set_xlabel("Adam step")
    ax.set_title("the gap is the constant entropy (left plot's scale)")
    ax.legend(fontsize=8)
    return _save(fig, path, left=0.07, right=0.98, bottom=0.13, top=0.91, wspace=0.25)


def figure_paths(workdir: str) -> dict[str, str]:
    names = ("densities", "discriminator_vs_optimal", "generator_values", "gan_js", "mle_nll_kl")
    return {name: os.path.join(workdir, f"{name}.png") for name in names}
