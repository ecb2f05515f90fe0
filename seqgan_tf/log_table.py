"""A run's log beside the original repository's, and where the run's wall time went.

    python -m seqgan_tf.log_table --workdir=WORKDIR

Prints Markdown for an oracle-experiment workdir (finished or not): the wall minutes and
units of each phase, from ``metrics.jsonl`` (the time between a kill and its resume is not
counted), and NLL_oracle at each evaluation of MLE pre-training and of the adversarial
phase beside the original repository's committed ``save/experiment-log.txt``.
"""

from __future__ import annotations

import argparse

from seqgan_tf.curves import metrics_rows
from seqgan_tf.results import ORIGINAL_ADVERSARIAL_LOG, ORIGINAL_MLE_LOG

ORIGINAL_LOGS = {"mle": ORIGINAL_MLE_LOG, "adversarial": ORIGINAL_ADVERSARIAL_LOG}


def _phase(row: dict) -> str:
    # The last MLE epoch is logged as its own phase (its samples are the MLE generator's).
    return "mle" if row["phase"] == "mle_final" else row["phase"]


def phase_minutes(rows: list[dict]) -> list[tuple[str, int, float]]:
    """(phase, units, wall minutes) of each phase, in the order the run did them."""
    phases: list[list] = []
    for row in rows:
        if phases and phases[-1][0] == _phase(row):
            phases[-1][1] += 1
            phases[-1][3] = row["wall_seconds"]
        else:
            start = phases[-1][3] if phases else 0.0
            phases.append([_phase(row), 1, start, row["wall_seconds"]])
    return [(phase, units, (end - start) / 60.0) for phase, units, start, end in phases]


def log_beside_original(rows: list[dict]) -> list[tuple[str, int, float | None, float | None]]:
    """(phase, epoch or iteration, this run's NLL_oracle, the original log's) for every
    step that either logged; None where one of them has no value."""
    table = []
    for phase, original in ORIGINAL_LOGS.items():
        ours = {
            row["step"]: row["nll_oracle"]
            for row in rows
            if _phase(row) == phase and row.get("nll_oracle") is not None
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", required=True, help="an oracle-experiment workdir")
    args = parser.parse_args(argv)
    print(markdown(args.workdir), end="")


if __name__ == "__main__":
    main()
