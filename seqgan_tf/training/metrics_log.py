"""A run's ``metrics.jsonl``: one JSON row a unit of work, in order; the one reader of it."""

from __future__ import annotations

import json
import os

METRICS = "metrics.jsonl"


def metrics_rows(workdir: str) -> list[dict]:
    """The rows of a workdir's ``metrics.jsonl``, one per unit, in order."""
    path = os.path.join(workdir, METRICS)
    if not os.path.exists(path):
        raise ValueError(f"{workdir}: no {METRICS} (not a workdir of a SeqGAN run)")
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def last_logged(workdir: str, key: str) -> float | None:
    """The last value of ``key`` in the workdir's metrics (None if it has none): a resumed
    run's progress lines show it until the next evaluation."""
    if not os.path.exists(os.path.join(workdir, METRICS)):
        return None
    values = [row[key] for row in metrics_rows(workdir) if row.get(key) is not None]
    return values[-1] if values else None
