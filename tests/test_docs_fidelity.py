"""docs/FIDELITY.md's parity tables are what the committed parity runs give.

The tables are generated (bench/parity_doc.py); the first test regenerates them. The others
check each run's ``results.json`` against the run's own per-program files, read here, and
its statistics against their formulas written out in float64 NumPy, so that a harness bug
cannot write a wrong table that passes.
"""

from __future__ import annotations

import json
import math
import pathlib
import shutil

import numpy as np
import pytest
from scipy import stats

from bench import parity_doc

REPO = pathlib.Path(__file__).resolve().parents[1]
RUNS = REPO / "docs" / "runs"
FIDELITY_MD = REPO / "docs" / "FIDELITY.md"
NAMES = parity_doc.block_names(FIDELITY_MD.read_text())


def _results(name: str) -> dict:
    return json.loads((RUNS / name / "results.json").read_text())


def _welch(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Welch's t, its Welch-Satterthwaite degrees of freedom and the two-sided p."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return t, df, 2 * stats.t.sf(abs(t), df)


def _paired(differences: list[float]) -> tuple[float, float]:
    """The paired t on the start-level differences and its two-sided p."""
    d = np.asarray(differences, np.float64)
    t = d.mean() / (d.std(ddof=1) / math.sqrt(d.size))
    return t, 2 * stats.t.sf(abs(t), d.size - 1)


def test_fidelity_has_the_parity_runs_blocks():
    assert "parity-adversarial" in NAMES


def test_parity_tables_are_regenerated_from_the_runs():
    assert parity_doc.main(["--runs", str(RUNS), "--doc", str(FIDELITY_MD), "--check"]) == 0


def test_a_stale_or_orphan_block_is_reported(tmp_path, capsys):
    doc = tmp_path / "FIDELITY.md"
    text = FIDELITY_MD.read_text().replace("| mean (sd) |", "| mean (sd) | 9 |", 1)
    doc.write_text(text)
    assert parity_doc.main(["--runs", str(RUNS), "--doc", str(doc), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    doc.write_text("<!-- parity: no-such-run -->\n<!-- /parity -->\n")
    with pytest.raises(SystemExit):
        parity_doc.main(["--runs", str(RUNS), "--doc", str(doc)])
    assert "no-such-run" in capsys.readouterr().err


def test_regeneration_rewrites_only_the_blocks(tmp_path):
    runs = tmp_path / "runs"
    shutil.copytree(RUNS / "parity-adversarial", runs / "parity-adversarial")
    doc = tmp_path / "FIDELITY.md"
    doc.write_text(
        "prose before\n<!-- parity: parity-adversarial -->\nold\n<!-- /parity -->\nafter\n"
    )
    assert parity_doc.main(["--runs", str(runs), "--doc", str(doc)]) == 0
    text = doc.read_text()
    assert text.startswith("prose before\n<!-- parity: parity-adversarial -->\nSchedule:")
    assert text.endswith("<!-- /parity -->\nafter\n")
    assert "old" not in text


@pytest.mark.parametrize("name", [n for n in NAMES if "comparison_by_epoch" not in _results(n)])
def test_adversarial_gains_are_the_runs_scores_and_welchs_test(name):
    results = _results(name)
    start = results["start"]["nll_oracle_20000"]
    # the harness writes the common start's record in start/; the first run kept it on top
    record = next(
        p for p in (RUNS / name / "start" / "start.json", RUNS / name / "start.json") if p.exists()
    )
    assert start == json.loads(record.read_text())["nll_oracle_20000"]
    gains = {}
    for program, seeds in results["runs"].items():
        for seed, run in seeds.items():
            scores = json.loads(
                (RUNS / name / program / f"seed_{seed}" / "scores.json").read_text()
            )
            assert run["final_nll"] == scores["final_nll"]
            assert run["gain"] == pytest.approx(start - scores["final_nll"], abs=1e-12)
        gains[program] = [run["gain"] for run in seeds.values()]
    comparison = results["comparison"]
    t, df, p = _welch(gains["port"], gains["original"])
    assert comparison["welch_t"] == pytest.approx(t, rel=1e-9)
    assert comparison["welch_df"] == pytest.approx(df, rel=1e-9)
    assert comparison["welch_p"] == pytest.approx(p, rel=1e-6)
    difference = np.mean(gains["port"]) - np.mean(gains["original"])
    half = stats.t.ppf(0.975, df) * difference / t  # the quantile times the standard error
    assert comparison["welch_ci95"] == pytest.approx([difference - half, difference + half])
    for program in ("port", "original"):
        assert comparison[program]["mean"] == pytest.approx(np.mean(gains[program]))
        assert comparison[program]["std"] == pytest.approx(np.std(gains[program], ddof=1))


@pytest.mark.parametrize("name", [n for n in NAMES if "comparison_by_epoch" in _results(n)])
def test_mle_curves_are_the_runs_scores_and_the_paired_test(name):
    results = _results(name)
    for program, starts in results["runs"].items():
        for start, run in starts.items():
            path = RUNS / name / "mle_starts" / f"start_{start}" / program / "scores.json"
            scored = json.loads(path.read_text())
            assert scored["score_samples"] == results["score_samples"]
            assert run["curve"] == {e: v["nll"] for e, v in scored["epochs"].items()}
    for epoch, test in results["comparison_by_epoch"].items():
        port = [results["runs"]["port"][str(s)]["curve"][epoch] for s in test["starts"]]
        original = [results["runs"]["original"][str(s)]["curve"][epoch] for s in test["starts"]]
        differences = np.subtract(port, original)
        assert test["difference"]["mean"] == pytest.approx(differences.mean())
        assert test["port_higher"] == int(np.sum(differences > 0))
        assert test["port_lower"] == int(np.sum(differences < 0))
        if np.ptp(differences) > 0:
            t, p = _paired(differences)
            assert test["paired_t"] == pytest.approx(t, rel=1e-9)
            assert test["paired_p"] == pytest.approx(p, rel=1e-6)


def test_summary_rows_are_each_runs_final_comparison():
    match = parity_doc.SUMMARY.search(FIDELITY_MD.read_text())
    names = match["names"].split()
    assert set(names) <= set(NAMES)  # every summarised run has its own table in the doc
    rows = match["body"].splitlines()[2:]
    for name, row in zip(names, rows, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        results = _results(name)
        if "comparison_by_epoch" in results:  # MLE: paired over starts at the last epoch
            test = results["comparison_by_epoch"][str(results["mle_epochs"])]
            difference, ci, p = test["difference"]["mean"], test["paired_ci95"], test["paired_p"]
            assert cells[1] == f"{len(test['starts'])} starts, paired"
        else:  # adversarial: the gains over independent seeds
            test = results["comparison"]
            difference, ci, p = test["difference_of_means"], test["welch_ci95"], test["welch_p"]
            assert cells[1].startswith(f"{len(results['runs']['port'])} / ")
        assert float(cells[3]) == pytest.approx(difference, abs=5e-5)
        assert cells[4] == f"[{ci[0]:+.4f}, {ci[1]:+.4f}]"
        assert float(cells[5].split()[0]) == pytest.approx(p, abs=5e-4)
        assert cells[6] == f"[`{name}`](runs/{name}/)"


def test_a_stale_summary_is_reported(tmp_path, capsys):
    doc = tmp_path / "FIDELITY.md"
    text = FIDELITY_MD.read_text()
    row = parity_doc.SUMMARY.search(text)["body"].splitlines()[2]
    doc.write_text(text.replace(row, row.replace("| MLE,", "| MLE (edited),"), 1))
    assert parity_doc.main(["--runs", str(RUNS), "--doc", str(doc), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
