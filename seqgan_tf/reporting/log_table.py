"""A run's log beside the original repository's, and where the run's wall time went.

    python -m seqgan_tf.reporting.log_table --workdir=WORKDIR
    python -m seqgan_tf.reporting.log_table --run=LABEL=WORKDIR --run=LABEL=WORKDIR [...]

With ``--workdir``, prints Markdown for an oracle-experiment workdir (finished or not): the
wall minutes and units of each phase, from ``metrics.jsonl`` (the time between a kill and
its resume is not counted), and NLL_oracle at each evaluation of MLE pre-training and of the
adversarial phase beside the original repository's committed ``save/experiment-log.txt``.

With ``--run`` (repeated), compares the adversarial phases of several runs, finished or
not: how far each got and at what pace, NLL_oracle at each evaluation side by side with the
original's log, and the median mean reward over windows of iterations.
"""

from __future__ import annotations

import argparse
import statistics

from seqgan_tf.reporting.curves import adversarial_curve, metrics_rows, parse_runs, reward_curve
from seqgan_tf.reporting.results import ORIGINAL_ADVERSARIAL_LOG, ORIGINAL_MLE_LOG

ORIGINAL_LOGS = {"mle": ORIGINAL_MLE_LOG, "adversarial": ORIGINAL_ADVERSARIAL_LOG}


def phase_of(row: dict) -> str:
    """The phase a metrics row belongs to."""
    # The last MLE epoch is logged as its own phase (its samples are the MLE generator's).
    return "mle" if row["phase"] == "mle_final" else row["phase"]


def phase_minutes(rows: list[dict]) -> list[tuple[str, int, float]]:
    """(phase, units, wall minutes) of each phase, in the order the run did them."""
    phases: list[list] = []
    for row in rows:
        if phases and phases[-1][0] == phase_of(row):
            phases[-1][1] += 1
            phases[-1][3] = row["wall_seconds"]
        else:
            start = phases[-1][3] if phases else 0.0
            phases.append([phase_of(row), 1, start, row["wall_seconds"]])
    return [(phase, units, (end - start) / 60.0) for phase, units, start, end in phases]


def log_beside_original(rows: list[dict]) -> list[tuple[str, int, float | None, float | None]]:
    """(phase, epoch or iteration, this run's NLL_oracle, the original log's) for every
    step that either logged; None where one of them has no value."""
    table = []
    for phase, original in ORIGINAL_LOGS.items():
        ours = {
            row["step"]: row["nll_oracle"]
            for row in rows
            if phase_of(row) == phase and row.get("nll_oracle") is not None
        }
        for step in sorted(set(ours) | set(original)):
            table.append((phase, step, ours.get(step), original.get(step)))
    return table


def _cell(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def markdown(workdir: str) -> str:
    rows = metrics_rows(workdir)
    phases = phase_minutes(rows)
    lines = [
        "| phase | units | wall minutes |",
        "| --- | ---: | ---: |",
        *(f"| {phase} | {units} | {minutes:.1f} |" for phase, units, minutes in phases),
        f"| total | {sum(u for _, u, _ in phases)} | {sum(m for _, _, m in phases):.1f} |",
        "",
        "| phase | epoch / iteration | this run | original log | this run - original |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for phase, step, ours, original in log_beside_original(rows):
        difference = None if ours is None or original is None else ours - original
        lines.append(
            f"| {phase} | {step} | {_cell(ours)} | {_cell(original)} | "
            f"{'' if difference is None else f'{difference:+.4f}'} |"
        )
    return "\n".join(lines) + "\n"


def adversarial_pace(rows: list[dict]) -> tuple[int, float, float | None]:
    """(adversarial iterations completed, wall minutes of the phase so far, median wall
    minutes of one completed iteration) of a run's metrics rows."""
    first = next((i for i, row in enumerate(rows) if row["phase"] == "adversarial"), None)
    if first is None:
        return 0, 0.0, None
    before = rows[first - 1]["wall_seconds"] if first else 0.0
    adversarial = [row for row in rows if row["phase"] == "adversarial"]
    # An iteration is complete once the next one has begun, or once the phase is over.
    ends = {row["step"]: row["wall_seconds"] for row in adversarial}  # each step's last unit
    complete = sorted(ends)
    if rows[-1]["phase"] == "adversarial":
        complete = complete[:-1]
    starts = [before] + [ends[step] for step in complete[:-1]]
    durations = [(ends[step] - start) / 60.0 for step, start in zip(complete, starts, strict=True)]
    minutes = (adversarial[-1]["wall_seconds"] - before) / 60.0
    return len(complete), minutes, statistics.median(durations) if durations else None


def reward_medians(workdir: str, window: int) -> dict[int, tuple[int, float]]:
    """{first iteration of each window: (last iteration in it so far, median of the
    per-iteration mean rewards)} over consecutive windows of ``window`` iterations."""
    windows: dict[int, list[tuple[int, float]]] = {}
    for step, reward in reward_curve(workdir):
        windows.setdefault(step - step % window, []).append((step, reward))
    return {
        first: (values[-1][0], statistics.median(reward for _, reward in values))
        for first, values in windows.items()
    }


def comparison_markdown(runs: dict[str, str], reward_window: int = 25) -> str:
    """Markdown comparing the adversarial phases of ``runs`` ({label: workdir})."""
    rows = {label: metrics_rows(workdir) for label, workdir in runs.items()}
    lines = [
        "| run | adversarial iterations done | their wall minutes | minutes per iteration "
        "(median) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, run_rows in rows.items():
        done, minutes, per_iteration = adversarial_pace(run_rows)
        lines.append(f"| {label} | {done} | {minutes:.1f} | {_cell(per_iteration, 2)} |")
    evaluations = {
        label: {step: nll for step, nll, _ in adversarial_curve(workdir)}
        for label, workdir in runs.items()
    }
    steps = sorted(set(ORIGINAL_ADVERSARIAL_LOG).union(*evaluations.values()))
    lines += [
        "",
        f"| iteration | {' | '.join(rows)} | original log |",
        f"| ---: | {' | '.join('---:' for _ in rows)} | ---: |",
    ]
    for step in steps:
        cells = [_cell(evaluations[label].get(step)) for label in rows]
        lines.append(
            f"| {step} | {' | '.join(cells)} | {_cell(ORIGINAL_ADVERSARIAL_LOG.get(step))} |"
        )
    medians = {label: reward_medians(workdir, reward_window) for label, workdir in runs.items()}
    lines += [
        "",
        f"Mean reward D(generated), median over windows of {reward_window} iterations "
        "(a window not yet complete says where it ends):",
        "",
        f"| iterations | {' | '.join(rows)} |",
        f"| --- | {' | '.join('---:' for _ in rows)} |",
    ]
    for first in sorted(set().union(*medians.values())):
        last = first + reward_window - 1
        cells = []
        for label in rows:
            if first not in medians[label]:
                cells.append("")
                continue
            reached, median = medians[label][first]
            cells.append(f"{median:.2e}" + ("" if reached == last else f" ({first}-{reached})"))
        lines.append(f"| {first}-{last} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--workdir", help="an oracle-experiment workdir")
    what.add_argument(
        "--run", action="append", help="LABEL=WORKDIR, repeated: compare adversarial phases"
    )
    parser.add_argument(
        "--reward_window", type=int, default=25, help="iterations per reward median (--run)"
    )
    args = parser.parse_args(argv)
    if args.workdir:
        print(markdown(args.workdir), end="")
        return
    if args.reward_window < 1:
        parser.error(f"--reward_window={args.reward_window}: must be at least 1")
    print(comparison_markdown(parse_runs(parser, args.run), args.reward_window), end="")


if __name__ == "__main__":
    main()
