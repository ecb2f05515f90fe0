"""Tables that set committed runs side by side: the rollout's lag seed by seed, the same seed
on two machines, runs that never finished, and the `original` schedule's full-length curves.

Pairs are formed only between runs that differ in the one thing compared; whether the two
runs of a pair shared a machine is a column, since a machine alone moves a final value.
"""

from __future__ import annotations

from seqgan_tf.reporting.results import ORIGINAL_ADVERSARIAL_LOG
from seqgan_tf.reporting.run_records import CODE_LABELS, Run

CURVE_EVERY = 25  # iterations between the rows of the full-length curve table


def markdown_table(header: list[str], rows: list[list[str]], columns: str) -> list[str]:
    """A Markdown table; ``columns`` has an ``l`` (text) or ``r`` (number) per column."""
    align = ["---:" if kind == "r" else "---" for kind in columns]
    lines = [f"| {' | '.join(header)} |", f"| {' | '.join(align)} |"]
    return lines + [f"| {' | '.join(row)} |" for row in rows]


def rollout_pairs(runs: list[Run]) -> list[tuple[Run, Run]]:
    """(lower r, higher r) pairs of finished runs of one preset, code and seed whose flags
    differ in ``rollout_update_rate`` alone, ordered by seed and machine."""
    finished = [run for run in runs if run.finished]

    def rest(run: Run) -> tuple:
        others = {k: v for k, v in run.overrides.items() if k != "rollout_update_rate"}
        return run.preset, run.code, run.seed, sorted(others.items())

    pairs = []
    for low in finished:
        for high in finished:
            rates = (low.results["rollout_update_rate"], high.results["rollout_update_rate"])
            if rest(low) == rest(high) and rates[0] < rates[1]:
                pairs.append((low, high))
    return sorted(pairs, key=lambda pair: (pair[0].preset, pair[0].seed, pair[0].machine))


def rollout_section(runs: list[Run]) -> list[str]:
    rows = []
    for low, high in rollout_pairs(runs):
        difference = high.fresh("seqgan_final").nll - low.fresh("seqgan_final").nll
        error = (
            high.fresh("seqgan_final").standard_error ** 2
            + low.fresh("seqgan_final").standard_error ** 2
        ) ** 0.5
        one_machine = low.machine == high.machine
        rows.append(
            [
                f"`{low.preset}`",
                str(low.seed),
                f"`{low.name}` (r = {low.results['rollout_update_rate']:g}), {low.machine}",
                f"`{high.name}` (r = {high.results['rollout_update_rate']:g}), {high.machine}",
                "one machine" if one_machine else "two machines",
                f"{difference:+.3f} ± {error:.3f}",
            ]
        )
    header = ["preset", "seed", "run", "against", "machines", "final, fresh: difference ± s.e."]
    return ["## The rollout's lag, seed by seed", "", *markdown_table(header, rows, "lrlllr")]


def machine_pairs(runs: list[Run]) -> list[tuple[Run, Run]]:
    """Pairs of finished runs with the same flags, code and seed on two machine kinds."""
    finished = [run for run in runs if run.finished]
    return [
        (first, second)
        for i, first in enumerate(finished)
        for second in finished[i + 1 :]
        if (first.experiment, first.seed) == (second.experiment, second.seed)
        and first.machine != second.machine
    ]


def machine_section(runs: list[Run]) -> list[str]:
    rows = []
    for first, second in machine_pairs(runs):
        difference = second.final.nll - first.final.nll
        error = (first.final.standard_error**2 + second.final.standard_error**2) ** 0.5
        rows.append(
            [
                f"`{first.flags}`",
                str(first.seed),
                f"`{first.name}`, {first.machine}",
                f"`{second.name}`, {second.machine}",
                f"{second.mle.nll - first.mle.nll:+.3f}",
                f"{difference:+.3f} ± {error:.3f}",
            ]
        )
    header = ["flags", "seed", "run", "against", "MLE, fresh: difference"]
    header += ["final, fresh: difference ± s.e."]
    return ["## The same seed on two machines", "", *markdown_table(header, rows, "lrllrr")]


def unfinished_section(runs: list[Run]) -> list[str]:
    rows = []
    for run in runs:
        if run.finished:
            continue
        last, lowest = run.curve[-1], min(run.curve, key=lambda point: point[1])
        rows.append(
            [
                f"`{run.name}`",
                f"`{run.flags}`",
                str(run.seed),
                CODE_LABELS[run.code][0],
                run.machine,
                run.commit,
                f"{last[1]:.3f} ({last[0]})",
                f"{lowest[1]:.3f} ({lowest[0]})",
                f"{run.wall_minutes:.1f}",
                run.stopped,
            ]
        )
    header = [
        "run",
        "flags",
        "seed",
        "code",
        "machine",
        "commit",
        "last logged (log's iteration, from 0)",
        "lowest logged (log's iteration, from 0)",
        "wall min",
        "why it stopped",
    ]
    return ["## Runs that did not finish", "", *markdown_table(header, rows, "llrlllrrrl")]


def curve_section(runs: list[Run]) -> list[str]:
    """Logged NLL_oracle of the `original` schedule's runs every CURVE_EVERY iterations and
    at each run's last evaluation, beside the original repository's log."""
    chosen = [run for run in runs if run.preset == "original"]
    curves = {run.name: dict(run.curve) for run in chosen}
    steps = {step for curve in curves.values() for step in curve if step % CURVE_EVERY == 0}
    steps |= {max(curve) for curve in curves.values()}
    header = [
        "log's iteration, from 0",
        *(f"`{name}`" for name in curves),
        "original repository's log",
    ]
    rows = []
    for step in sorted(steps):
        cells = [curves[name].get(step) for name in curves] + [ORIGINAL_ADVERSARIAL_LOG.get(step)]
        rows.append([str(step), *("" if value is None else f"{value:.3f}" for value in cells)])
    return [
        "## The `original` schedule's curves (logged NLL_oracle on 9,984 samples)",
        "",
        *markdown_table(header, rows, "r" * len(header)),
    ]
