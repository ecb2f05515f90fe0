"""Learning curves of oracle-experiment workdirs beside the original repository's log.

    python -m seqgan_tf.reporting.curves --run=LABEL=WORKDIR [--run=...] --output=curves.png

Left: NLL_oracle against the adversarial iteration (the original repository's committed
log beside the runs); middle: against wall minutes since each run started (its
``metrics.jsonl``), so schedules of different cost compare on the time they take; right:
the mean reward of each policy-gradient step (the discriminator's probability that the
generator's sequences are real, averaged over rollouts), which shows how soon the
discriminator wins.
"""

from __future__ import annotations

import argparse
import os

from seqgan_tf.reporting.results import ORIGINAL_ADVERSARIAL_LOG
from seqgan_tf.training.metrics_log import metrics_rows


def adversarial_curve(workdir: str) -> list[tuple[int, float, float]]:
    """(iteration, NLL_oracle, wall minutes) of each adversarial evaluation of a workdir."""
    return [
        (row["step"], row["nll_oracle"], row["wall_seconds"] / 60.0)
        for row in metrics_rows(workdir)
        if row["phase"] == "adversarial" and row.get("nll_oracle") is not None
    ]


def reward_curve(workdir: str) -> list[tuple[int, float]]:
    """(iteration, mean reward) of each adversarial iteration of a workdir, the mean over
    its policy-gradient steps."""
    rewards: dict[int, list[float]] = {}
    for row in metrics_rows(workdir):
        if row["phase"] == "adversarial" and row.get("mean_reward") is not None:
            rewards.setdefault(row["step"], []).append(row["mean_reward"])
    return [(step, sum(values) / len(values)) for step, values in sorted(rewards.items())]


def plot_runs(runs: dict[str, str], output: str, target: float | None = 8.736) -> str:
    """Writes the three-panel figure for ``runs`` ({label: workdir}); returns ``output``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (by_iteration, by_time, reward) = plt.subplots(1, 3, figsize=(15, 4))
    by_time.sharey(by_iteration)
    iterations, values = zip(*sorted(ORIGINAL_ADVERSARIAL_LOG.items()), strict=True)
    by_iteration.plot(iterations, values, "k--", label="original repository's log")
    for label, workdir in runs.items():
        curve = adversarial_curve(workdir)
        if not curve:
            continue
        steps, nll, minutes = zip(*curve, strict=True)
        by_iteration.plot(steps, nll, marker=".", label=label)
        by_time.plot(minutes, nll, marker=".", label=label)
        rewards = reward_curve(workdir)
        if rewards:
            reward.plot(*zip(*rewards, strict=True), linewidth=0.8, label=label)
    for axis in (by_iteration, by_time):
        if target is not None:
            axis.axhline(target, color="grey", linewidth=0.8, label="paper's SeqGAN (8.736)")
        axis.grid(alpha=0.3)
    by_iteration.set_xlabel("adversarial iteration")
    by_iteration.set_ylabel("NLL_oracle")
    by_time.set_xlabel("wall minutes since the run started")
    reward.set_yscale("log")
    reward.set_xlabel("adversarial iteration")
    reward.set_ylabel("mean reward D(generated)")
    reward.grid(alpha=0.3)
    for axis in (by_iteration, by_time, reward):
        axis.legend(fontsize=7)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    fig.savefig(output, dpi=110)
    plt.close(fig)
    return output


def parse_runs(parser: argparse.ArgumentParser, specs: list[str]) -> dict[str, str]:
    """{label: workdir} from repeated ``--run=LABEL=WORKDIR`` flags; a malformed or
    repeated label is a usage error."""
    runs: dict[str, str] = {}
    for spec in specs:
        label, sep, workdir = spec.partition("=")
        if not sep or not label or not workdir:
            parser.error(f"--run={spec}: expected LABEL=WORKDIR")
        if label in runs:
            parser.error(f"--run={spec}: label {label!r} given twice")
        runs[label] = workdir
    return runs


def plot_learning_curves(
    curves: dict[str, list[tuple[float, float]]], random_nll: float | None, path: str
) -> str:
    """Writes the figure; returns its file name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for name, points in curves.items():
        x, y = zip(*sorted(points), strict=True)
        axes.plot(x, y, marker="." if len(x) < 60 else None, label=name)
    if random_nll is not None:
        axes.axhline(random_nll, color="grey", linestyle=":", label="Random (untrained)")
    axes.set_xlabel("epochs (adversarial / PG iterations counted after pre-training)")
    axes.set_ylabel("NLL_oracle")
    axes.set_title("Learning curves on the oracle (cf. Yu et al. 2017, Fig. 2)")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path.rsplit("/", 1)[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="append", required=True, help="LABEL=WORKDIR")
    parser.add_argument("--output", required=True, help="the PNG to write")
    args = parser.parse_args(argv)
    print(f"wrote {plot_runs(parse_runs(parser, args.run), args.output)}")


if __name__ == "__main__":
    main()
