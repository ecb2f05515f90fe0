"""docs/CYCLEGAN.md's quick-start results are the table generated from the committed runs."""

from __future__ import annotations

import glob
import json
import os

from cyclegan_tf.run_summary import summarize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_quick_start_table_in_the_docs_is_generated_from_the_runs():
    runs = sorted(glob.glob(os.path.join(ROOT, "docs", "runs", "cyclegan-quick-seed*")))
    assert len(runs) == 3, "the quick start's three committed seeds"
    text = open(os.path.join(ROOT, "docs", "CYCLEGAN.md")).read()
    start, end = "<!-- quick-results:start -->", "<!-- quick-results:end -->"
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
