"""docs/RESULTS.md quotes the committed run logs as the project's tools print them.

The figures of the `original` runs in docs/RESULTS.md were copied from ``log_table`` and
``results.json``; these tests recompute them from the logs under docs/runs/ so that a
document edit (or a new copy of the logs) cannot leave a stale number behind.
"""

from __future__ import annotations

import json
import pathlib
import re
import statistics

import pytest
import scipy.stats

from seqgan_tf.reporting.curves import adversarial_curve, metrics_rows
from seqgan_tf.reporting.log_table import (
    comparison_markdown,
    markdown,
    phase_minutes,
    phase_of,
    reward_medians,
)
from seqgan_tf.reporting.results import ORIGINAL_ADVERSARIAL_LOG

REPO = pathlib.Path(__file__).resolve().parents[1]
RESULTS_MD = REPO / "docs" / "RESULTS.md"
ORIGINAL_RUN = REPO / "docs" / "runs" / "original"
RESTART_RUN = REPO / "docs" / "runs" / "original-r0"
FIRST_START_RUN = REPO / "docs" / "runs" / "original-r0-first"


def _table_after(text: str, marker: str) -> list[list[str]]:
    """The cells of the first Markdown table after the first ``marker`` in ``text``
    (header and separator rows dropped, bold marks removed)."""
    lines = text[text.index(marker) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().replace("**", "") for cell in line.strip("|").split("|")])
    return rows


def _leading_number(cell: str) -> float:
    return float(re.match(r"-?[\d.]+", cell).group())


@pytest.fixture(scope="module")
def results_md() -> str:
    return RESULTS_MD.read_text()


@pytest.fixture(scope="module")
def original_results() -> dict:
    return json.loads((ORIGINAL_RUN / "results.json").read_text())


def test_original_log_table_is_what_log_table_prints(results_md):
    printed = markdown(str(ORIGINAL_RUN)).splitlines()
    nll_rows = printed[printed.index("") + 1 :]  # the table after the phase table
    assert len(nll_rows) > 60
    missing = [row for row in nll_rows if row not in results_md.splitlines()]
    assert missing == []


def test_original_wall_minutes_per_phase(results_md):
    quoted = _table_after(results_md, "Wall minutes per phase")
    rows = metrics_rows(str(ORIGINAL_RUN))
    phases = phase_minutes(rows)
    assert [_leading_number(row[-1]) for row in quoted] == [
        *(round(minutes, 1) for _, _, minutes in phases),
        round(sum(minutes for _, _, minutes in phases), 1),
    ]
    # Each phase is quoted in its own units (epochs, rounds, iterations), the total in
    # the runner's units.
    steps = {
        phase: len({row["step"] for row in rows if phase_of(row) == phase})
        for phase, _, _ in phases
    }
    assert [_leading_number(row[1].replace(",", "")) for row in quoted] == [
        *steps.values(),
        sum(units for _, units, _ in phases),
    ]


def _fresh(results: dict, key: str) -> str:
    rescored = results["rescored"][key]
    return f"{rescored['nll']:.3f} ± {rescored['standard_error']:.3f}"


def test_original_results_table_matches_results_json(results_md, original_results):
    rows = {row[0]: row for row in _table_after(results_md, "| model | this run (9,984")}
    rescored = original_results["rescored"]

    random = rows["Random (untrained generator)"]
    mle = rows[f"MLE ({original_results['mle_epochs']} epochs)"]
    final = rows[f"SeqGAN, final (iteration {original_results['adversarial_iterations'] - 1})"]
    best = rows[f"SeqGAN, best (iteration {original_results['seqgan_iteration_best']})"]
    assert random[1] == f"{original_results['random_nll']:.3f}"
    assert mle[1:3] == [f"{original_results['mle_nll']:.3f}", _fresh(original_results, "mle_final")]
    assert final[1:3] == [
        f"{original_results['seqgan_nll_final']:.3f}",
        _fresh(original_results, "seqgan_final"),
    ]
    assert best[1:3] == [
        f"{original_results['seqgan_nll_best']:.3f}",
        _fresh(original_results, "seqgan_best"),
    ]
    gains = [
        rescored[key]["nll"] - rescored["mle_final"]["nll"]
        for key in ("seqgan_final", "seqgan_best")
    ]
    assert (
        f"SeqGAN minus MLE on fresh samples: {gains[0]:.3f} nats (final) and {gains[1]:.3f} (best)"
        in " ".join(results_md.split())
    )


def test_original_run_is_the_preset_unchanged(results_md, original_results):
    assert original_results["preset"] == "original"
    assert original_results["overrides"] == {}
    assert original_results["rollout_update_rate"] == 0.8
    assert "(`results.json` lists no overrides), rollout r = 0.8" in " ".join(results_md.split())


def _short_exponent(value: float) -> str:
    return re.sub(r"e([-+])0*(\d)", r"e\1\2", f"{value:.1e}")


def test_original_reward_medians(results_md):
    text = " ".join(results_md.split())
    quoted = re.search(r"median over windows of 25 iterations: (.*?)\. The discriminator", text)
    assert quoted, "the reward medians' sentence of the original run is gone"
    values = re.sub(r" \([^)]*\)", "", quoted.group(1)).split(", ")
    medians = reward_medians(str(ORIGINAL_RUN), 25)
    assert values == [_short_exponent(median) for _, (_, median) in sorted(medians.items())]


def _evaluations(workdir: pathlib.Path) -> dict[int, float]:
    return {step: nll for step, nll, _ in adversarial_curve(str(workdir))}


R0_RUNS = {"r0.8": ORIGINAL_RUN, "r0-first": FIRST_START_RUN, "r0": RESTART_RUN}


def test_r0_comparison_is_what_log_table_prints(results_md):
    printed = comparison_markdown({label: str(path) for label, path in R0_RUNS.items()})
    tables = [line for line in printed.splitlines() if line.startswith("|")]
    assert len(tables) > 40
    missing = [line for line in tables if line not in results_md.splitlines()]
    assert missing == []


def test_r0_findings_quote_the_logs(results_md):
    """The window statistics of the r = 0 run's findings, recomputed from the logs."""
    text = " ".join(results_md.split())
    r0, r08 = _evaluations(RESTART_RUN), _evaluations(ORIGINAL_RUN)
    first, original = _evaluations(FIRST_START_RUN), ORIGINAL_ADVERSARIAL_LOG

    def window(low: int, high: int, reference: dict[int, float]) -> list[float]:
        return [r0[s] - reference[s] for s in sorted(r0) if low <= s <= high and s in reference]

    early, early_log = window(0, 45, r08), window(0, 45, original)
    assert (
        f"Over iterations 0-45 the restart ran {-statistics.mean(early):.3f} below r = 0.8 on "
        f"average ({-max(early):.3f}-{-min(early):.3f}) and level with the original's log "
        f"(mean {statistics.mean(early_log):.3f}, range {min(early_log):.3f} to "
        f"{max(early_log):+.3f})"
    ) in text
    first_gap = max(abs(first[s] - r08[s]) for s in first)
    assert f"stayed within {first_gap:.3f} of r = 0.8" in text
    assert (
        f"Over 50-95 both rollouts sat on the same plateau (mean difference "
        f"{statistics.mean(window(50, 95, r08)):.3f})"
    ) in text
    plateau = [r0[s] for s in r0 if s >= 50]
    late, late_log = window(100, 155, r08), window(100, 150, original)
    r08_log = [r08[s] - original[s] for s in sorted(original) if 100 <= s <= 150]
    assert min(plateau) == r0[max(r0)] and max(r0) == 155
    assert (
        f"it held {min(plateau):.3f}-{max(plateau):.3f} from iteration 50 to 155 (its lowest, "
        f"{min(plateau):.3f}, at the last evaluation), {statistics.mean(late):.3f} above "
        f"r = 0.8 on average over 100-155 ({min(late):.3f}-{max(late):.3f}) and "
        f"{min(late_log):.3f}-{max(late_log):.3f} above the original's log over 100-150 "
        f"(r = 0.8: {min(r08_log):.3f}-{max(r08_log):.3f})"
    ) in text


def test_cpu_rollout_table_matches_its_runs(results_md):
    """Each row of the `cpu` preset's r = 0 / r = 0.8 table quotes its run's results.json,
    and the mean rows are the means of the rows above them."""
    rows = _table_after(results_md, "| seed | r | machine |")
    runs = {tuple(row[:3]): row for row in rows if row[0].isdigit()}
    assert len(runs) >= 6
    fresh_finals: dict[str, list[float]] = {}
    for (seed, rate, machine), row in runs.items():
        directory = {
            ("0", "AMD EPYC"): f"cpu-seed{seed}-init-fix",
            ("0.8", "Intel Xeon"): f"cpu-r08-seed{seed}",
            ("0", "Intel Xeon"): f"cpu-seed{seed}-intel",
        }[rate, machine]
        results = json.loads((REPO / "docs" / "runs" / directory / "results.json").read_text())
        assert results["seed"] == int(seed) and results["preset"] == "cpu"
        assert results["rollout_update_rate"] == float(rate)
        assert machine.split()[0] in results["processes"][0]["cpu"]
        best = results["seqgan_iteration_best"]
        gain = results["rescored"]["seqgan_final"]["nll"] - results["rescored"]["mle_final"]["nll"]
        assert row[3:] == [
            f"{results['mle_nll']:.3f} ({_fresh(results, 'mle_final')})",
            f"{results['seqgan_nll_final']:.3f} ({_fresh(results, 'seqgan_final')})",
            f"{results['seqgan_nll_best']:.3f} ({best}; {_fresh(results, 'seqgan_best')})",
            f"{gain:.3f}",
        ]
        if machine == "AMD EPYC" or rate == "0.8":
            fresh_finals.setdefault(rate, []).append(results["rescored"]["seqgan_final"]["nll"])
    means = {row[1]: row for row in rows if row[0].startswith("mean")}
    for rate, finals in fresh_finals.items():
        assert len(finals) == 3
        final = f"{statistics.mean(finals):.3f} (sd {statistics.stdev(finals):.3f})"
        assert means[rate][4] == final

    # The reading's paired comparison, seed by seed in the table's order.
    differences = [low - high for high, low in zip(*fresh_finals.values(), strict=True)]
    paired = scipy.stats.ttest_rel(fresh_finals["0.8"], fresh_finals["0"])
    text = " ".join(results_md.split())
    assert (
        f"ends lower on every seed, by {-differences[0]:.3f}, {-differences[1]:.3f} and "
        f"{-differences[2]:.3f} nats on fresh samples (mean {-statistics.mean(differences):.3f}, "
        f"sd {statistics.stdev(differences):.3f}; paired t-test, `scipy.stats.ttest_rel`: "
        f"t = {paired.statistic:.2f}, p = {paired.pvalue:.3f})"
    ) in text
