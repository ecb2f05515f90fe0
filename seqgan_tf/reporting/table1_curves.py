"""Table 1's learning curves: the points of one run's (``learning_curves.png`` in its
workdir, drawn by :func:`seqgan_tf.reporting.curves.plot_learning_curves`) and the committed
runs' over seeds (``docs/table1-curves.png``, beside RESULTS.md).

NLL_oracle against epochs, as the paper's Figure 2: an MLE or scheduled-sampling epoch
counts from 1, and PG-BLEU's and SeqGAN's iterations count on after the MLE epochs they
start from (:func:`method_curves`, the one rule of both figures). Over seeds
(:func:`seed_bands`), each method is the mean of its seeds' curves at the points they all
logged, with the band from their lowest to their highest value, and the paper's Table 1
value a star at the method's last point. :func:`table1_figure` draws the committed runs'
figure, a panel per group of table1_runs.py, SeqGAN's curve in a group of the baselines alone
from the full-length ``--mode=oracle`` runs that stand for it there.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import textwrap

import numpy as np

from seqgan_tf.reporting.results import PAPER_TABLE_1
from seqgan_tf.reporting.run_records import load_runs
from seqgan_tf.reporting.table1_runs import (
    Table1Run,
    groups,
    load_table1_runs,
    seqgan_counterparts,
)
from seqgan_tf.training.metrics_log import metrics_rows

# Each phase's method in the figures.
PHASE_METHODS = {
    "mle": "MLE",
    "scheduled_sampling": "Scheduled Sampling",
    "pg_bleu": "PG-BLEU",
    "adversarial": "SeqGAN",
}
# A method ending this many nats below the paper's lowest value among the figure's methods
# is left off the zoomed panel, named in its title (PG-BLEU's collapse would otherwise
# stretch the axis back to the whole curves').
OFF_ZOOM_NATS = 1.0


def method_curves(
    rows: list[dict], mle_epochs: int, pg_bleu_mle_epochs: int
) -> tuple[dict[str, list[tuple[float, float]]], float | None]:
    """Each method's (epoch, NLL_oracle) points from a run's metrics rows, and Random's
    value (the untrained generator's evaluation); SeqGAN's iterations count on after
    ``mle_epochs``, PG-BLEU's after ``pg_bleu_mle_epochs``."""
    offsets = {"mle": 1, "scheduled_sampling": 1, "pg_bleu": 1 + pg_bleu_mle_epochs}
    offsets["adversarial"] = 1 + mle_epochs
    curves: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        if row.get("nll_oracle") is None or row["phase"] not in offsets:
            continue
        name = PHASE_METHODS[row["phase"]]
        curves.setdefault(name, []).append((row["step"] + offsets[row["phase"]], row["nll_oracle"]))
    random_nll = next((r["nll_oracle"] for r in rows if r["phase"] == "oracle_samples"), None)
    return curves, random_nll


@dataclasses.dataclass(frozen=True)
class Band:
    """A method's curve over seeds: the points every seed logged, and at each the mean,
    lowest and highest value."""

    x: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    seeds: int


def seed_band(curves: list[list[tuple[float, float]]]) -> Band:
    """:class:`Band` of one method's curves, one a seed."""
    by_x = [dict(curve) for curve in curves]
    shared = sorted(set.intersection(*(set(curve) for curve in by_x)))
    values = np.array([[curve[x] for x in shared] for curve in by_x], dtype=np.float64)
    return Band(
        np.array(shared, dtype=np.float64),
        values.mean(axis=0),
        values.min(axis=0),
        values.max(axis=0),
        len(curves),
    )


def seed_bands(
    runs: list[tuple[dict[str, list[tuple[float, float]]], float | None]],
) -> tuple[dict[str, Band], Band | None]:
    """Each method's :class:`Band` over the runs' :func:`method_curves`, and Random's (its
    one value a seed, at epoch 0)."""
    names = [name for name in PHASE_METHODS.values() if any(name in c for c, _ in runs)]
    bands = {name: seed_band([c[name] for c, _ in runs if name in c]) for name in names}
    randoms = [[(0.0, value)] for _, value in runs if value is not None]
    return bands, (seed_band(randoms) if randoms else None)


def zoom_limits(bands: dict[str, Band]) -> tuple[tuple[float, float], list[str]]:
    """The zoomed panel's NLL_oracle range, around the paper's values and each method's last
    mean and seed range, and the methods left off it: those whose last mean lies more than
    :data:`OFF_ZOOM_NATS` below the paper's lowest value."""
    paper = [PAPER_TABLE_1[name] for name in bands]
    floor = min(paper) - OFF_ZOOM_NATS
    kept = {name: band for name, band in bands.items() if band.mean[-1] >= floor}
    off = [name for name in bands if name not in kept]
    ends = [*paper, *(band.low[-1] for band in kept.values())]
    tops = [*paper, *(band.high[-1] for band in kept.values())]
    return (min(ends) - 0.05, max(tops) + 0.15), off


def plot_seed_bands(panels: dict[str, tuple[dict[str, Band], Band | None]], path: str) -> str:
    """Writes the committed runs' figure, a column per group ({title: seed_bands(...)}):
    the whole curves above, below the same zoomed onto the paper's values and the trained
    methods' last values (:func:`zoom_limits`; Random's 10.3 would otherwise flatten their
    differences); returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = len(panels)
    figure, all_axes = plt.subplots(2, columns, figsize=(7.5 * columns, 9), squeeze=False)
    for column, (title, (bands, random)) in enumerate(panels.items()):
        for axes in all_axes[:, column]:
            _draw_bands(axes, bands, random)
        whole, zoomed = all_axes[:, column]
        whole.set_title(textwrap.fill(title, 90), fontsize=8)
        whole.legend(fontsize=7)
        zoom_title = "the same, zoomed onto the paper's values and the methods' last values"
        if bands:
            limits, off = zoom_limits(bands)
            zoomed.set_ylim(*limits)
            if off:
                zoom_title += f" ({', '.join(off)}: far below, off the axis)"
        zoomed.set_title(zoom_title, fontsize=8)
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _draw_bands(axes, bands: dict[str, Band], random: Band | None) -> None:
    """Each method's mean over seeds with its min-max band, the paper's values as stars."""
    if random is not None:
        axes.axhline(random.mean[0], color="grey", linestyle=":", label="Random (untrained)")
        axes.axhspan(random.low[0], random.high[0], color="grey", alpha=0.15)
        axes.plot([0], [PAPER_TABLE_1["Random"]], "*", color="grey", markersize=9)
    for name, band in bands.items():
        seeds = f"{band.seeds} seed" + ("" if band.seeds == 1 else "s")
        (line,) = axes.plot(band.x, band.mean, label=f"{name} ({seeds})")
        axes.fill_between(band.x, band.low, band.high, color=line.get_color(), alpha=0.2)
        axes.plot([band.x[-1]], [PAPER_TABLE_1[name]], "*", color=line.get_color(), markersize=9)
    axes.plot([], [], "*", color="black", label="paper's Table 1")
    axes.set_xlabel("epochs (adversarial / PG iterations counted after pre-training)")
    axes.set_ylabel("NLL_oracle")
    axes.grid(alpha=0.3)


def table1_figure(runs_dir: str | pathlib.Path, path: str | pathlib.Path) -> str | None:
    """Draws the committed Table 1 groups' curves over seeds to ``path``; returns it (None,
    drawing nothing: no Table 1 runs)."""
    runs_dir = pathlib.Path(runs_dir)
    grouped = groups(load_table1_runs(runs_dir))
    if not grouped:
        return None
    oracle_runs = load_runs(runs_dir)
    panels = {}
    for flags, members in grouped.items():
        curves = [run_curves(run) for run in members]
        if not all(run.seqgan_ran for run in members):
            for run in seqgan_counterparts(members, oracle_runs):
                rows = metrics_rows(str(runs_dir / run.name))
                adversarial, _ = method_curves(rows, run.results["schedule"]["mle_epochs"], 0)
                curves.append(({"SeqGAN": adversarial["SeqGAN"]}, None))
        panels[flags] = seed_bands(curves)
    return plot_seed_bands(panels, str(path))


def run_curves(run: Table1Run) -> tuple[dict[str, list[tuple[float, float]]], float | None]:
    """:func:`method_curves` of a committed Table 1 run."""
    results = run.results
    return method_curves(
        metrics_rows(str(run.folder)),
        results["schedule"]["mle_epochs"],
        results["baselines"]["pg_bleu_mle_epochs"],
    )
