"""The results table of several committed runs (seeds): mean and spread beside the baselines.

    python -m cyclegan_tf.run_summary docs/runs/cyclegan-quick-seed*

Reads each run's ``metrics.json`` (written by ``--mode=test``) and ``timing.json`` and prints
Markdown: every row of the test table as mean ± sample standard deviation over the runs,
then the wall times. docs/CYCLEGAN.md quotes this output; a test regenerates it from the
committed runs and compares.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

PAIR_METRICS = (("mean L1", "l1", 4), ("PSNR (dB)", "psnr", 2), ("SSIM", "ssim", 3))
LABEL_METRICS = (
    ("pixel accuracy", "pixel_accuracy", 3),
    ("mean class accuracy", "mean_class_accuracy", 3),
    ("mean class IoU", "mean_iou", 3),
)


def _cell(values: list[float], digits: int) -> str:
    mean = float(np.mean(values))
    if len(values) < 2:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {float(np.std(values, ddof=1)):.{digits}f}"


def _table(header: str, rows_per_run: list[list[dict]], metrics) -> list[str]:
    names = [row["name"] for row in rows_per_run[0]]
    lines = [
        f"| {header} | " + " | ".join(title for title, _, _ in metrics) + " |",
        "| --- |" + " ---: |" * len(metrics),
    ]
    for i, name in enumerate(names):
        cells = []
        for _, key, digits in metrics:
            values = []
            for rows in rows_per_run:
                if rows[i]["name"] != name:
                    raise ValueError(f"runs disagree on row {i}: {rows[i]['name']} vs {name}")
                values.append(rows[i][key])
            cells.append(_cell(values, digits))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def summarize(run_dirs: list[str]) -> str:
    """Markdown tables of the runs in ``run_dirs`` (each with metrics.json, timing.json)."""
    metrics, timings = [], []
    for run in run_dirs:
        with open(os.path.join(run, "metrics.json")) as f:
            metrics.append(json.load(f))
        with open(os.path.join(run, "timing.json")) as f:
            timings.append(json.load(f))
    seeds = ", ".join(str(t["seed"]) for t in timings)
    n = len(run_dirs)
    lines = [f"{n} runs (seeds {seeds}); mean ± standard deviation over the runs.", ""]
    lines += _table("translation", [m["rows"] for m in metrics], PAIR_METRICS)
    if all("label_rows" in m for m in metrics):
        lines += [""]
        lines += _table("photo → labels", [m["label_rows"] for m in metrics], LABEL_METRICS)
    train = [t["train_seconds"] / 60 for t in timings]
    lines += [
        "",
        f"Training wall time: {_cell(train, 1)} min per run (from the command to the last "
        "checkpoint, beside other jobs on the 2-core CPU; load averages at the ends: "
        + "; ".join(t["load_average_at_end"] for t in timings)
        + ").",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarize(sys.argv[1:]))
