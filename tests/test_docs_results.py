"""docs/RESULTS.md quotes the committed run logs as the project's tools print them.

The figures of the `original` runs in docs/RESULTS.md were copied from ``log_table`` and
``results.json``; these tests recompute them from the logs under docs/runs/ so that a
document edit (or a new copy of the logs) cannot leave a stale number behind.
"""

from __future__ import annotations

import json
import pathlib
import re

import pytest

from seqgan_tf.curves import adversarial_curve, metrics_rows
from seqgan_tf.log_table import (
    adversarial_pace,
    markdown,
    phase_minutes,
    phase_of,
    reward_medians,
)
from seqgan_tf.results import ORIGINAL_ADVERSARIAL_LOG

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


def test_original_results_table_matches_results_json(results_md, original_results):
    rows = {row[0]: row for row in _table_after(results_md, "| model | this run (9,984")}
    rescored = original_results["rescored"]

    def fresh(key: str) -> str:
        return f"{rescored[key]['nll']:.3f} ± {rescored[key]['standard_error']:.3f}"

    random = rows["Random (untrained generator)"]
    mle = rows[f"MLE ({original_results['mle_epochs']} epochs)"]
    final = rows[f"SeqGAN, final (iteration {original_results['adversarial_iterations'] - 1})"]
    best = rows[f"SeqGAN, best (iteration {original_results['seqgan_iteration_best']})"]
    assert random[1] == f"{original_results['random_nll']:.3f}"
    assert mle[1:3] == [f"{original_results['mle_nll']:.3f}", fresh("mle_final")]
    assert final[1:3] == [f"{original_results['seqgan_nll_final']:.3f}", fresh("seqgan_final")]
    assert best[1:3] == [f"{original_results['seqgan_nll_best']:.3f}", fresh("seqgan_best")]
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


def _numbers(listed: str) -> list[str]:
    return [value.strip() for value in listed.split(",")]


def _evaluations(workdir: pathlib.Path, last: int) -> list[str]:
    return [f"{nll:.3f}" for step, nll, _ in adversarial_curve(str(workdir)) if step <= last]


def test_restart_progress_paragraph_matches_its_logs(results_md):
    """The r = 0 run's progress, rewritten at each stop while it runs, quotes its
    committed logs (and those it is compared with) as they are."""
    text = " ".join(results_md.split())
    progress = re.search(
        r"Last seen on .*? UTC: (\d+) of 200 adversarial iterations done in ([\d.]+) minutes of "
        r"the phase \(median ([\d.]+) an iteration\), NLL_oracle at iterations 0, 5, \.\.\., "
        r"(\d+): ([\d., ]+) \(first start, to iteration (\d+): ([\d., ]+); r = 0\.8: "
        r"([\d., ]+); original log: ([\d., ]+)\)",
        text,
    )
    assert progress, "the r = 0 run's progress sentence is gone or reworded"
    done, minutes, median, last, restart, first_last, first_start, r08, original = progress.groups()
    pace = adversarial_pace(metrics_rows(str(RESTART_RUN)))
    assert (int(done), minutes, median) == (pace[0], f"{pace[1]:.1f}", f"{pace[2]:.2f}")
    last = int(last)
    assert last == max(step for step, _, _ in adversarial_curve(str(RESTART_RUN)))
    assert _numbers(restart) == _evaluations(RESTART_RUN, last)
    assert _numbers(first_start) == _evaluations(FIRST_START_RUN, int(first_last))
    assert _numbers(r08) == _evaluations(ORIGINAL_RUN, last)
    assert _numbers(original) == [
        f"{nll:.3f}" for step, nll in sorted(ORIGINAL_ADVERSARIAL_LOG.items()) if step <= last
    ]

    rewards = re.search(r"Mean-reward medians: (.*?) \(r = 0\.8: ([^)]*)\)", text[progress.end() :])
    assert rewards, "the r = 0 run's reward medians' sentence is gone or reworded"
    quoted = re.findall(r"([\d.e-]+) over (?:iterations )?(\d+)-(\d+)", rewards.group(1))
    medians = reward_medians(str(RESTART_RUN), 25)
    assert quoted == [
        (_short_exponent(median), str(first), str(reached))
        for first, (reached, median) in sorted(medians.items())
    ]
    r08_medians = reward_medians(str(ORIGINAL_RUN), 25)
    assert _numbers(rewards.group(2)) == [
        _short_exponent(r08_medians[first][1]) for first in sorted(medians)
    ]
