"""docs/CYCLEGAN.md's quick-start results are the table generated from the committed runs."""

from __future__ import annotations

import glob
import json
import os

import pytest

from cyclegan_tf.run_summary import summarize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize(
    "runs_prefix, marker", [("cyclegan-quick-seed", "quick"), ("cyclegan-resize-seed", "resize")]
)
def test_the_tables_in_the_docs_are_generated_from_the_runs(runs_prefix, marker):
    runs = sorted(glob.glob(os.path.join(ROOT, "docs", "runs", f"{runs_prefix}*")))
    if not runs:
        pytest.skip(f"no committed {runs_prefix} runs")
    text = open(os.path.join(ROOT, "docs", "CYCLEGAN.md")).read()
    start, end = f"<!-- {marker}-results:start -->", f"<!-- {marker}-results:end -->"
    quoted = text.split(start)[1].split(end)[0].strip()
    assert quoted == summarize(runs).strip()


def test_summary_means_and_spreads(tmp_path):
    """Two fake runs: the cells are the mean ± sample standard deviation."""
    for seed, l1 in ((1, 0.1), (2, 0.3)):
        run = tmp_path / f"run{seed}"
        run.mkdir()
        row = {"name": "A→B", "n": 2, "l1": l1, "psnr": 10.0 * seed, "ssim": 0.5}
        (run / "metrics.json").write_text(json.dumps({"rows": [row]}))
        timing = {"seed": seed, "train_seconds": 60 * seed, "load_average_at_end": "1 2 3"}
        (run / "timing.json").write_text(json.dumps(timing))
    table = summarize([str(tmp_path / "run1"), str(tmp_path / "run2")])
    assert "| A→B | 0.2000 ± 0.1414 | 15.00 ± 7.07 | 0.500 ± 0.000 |" in table
    assert "1.5 ± 0.7 min" in table
