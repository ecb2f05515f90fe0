"""docs/RESULTS.md is what the committed runs give, and its tables say only what they can.

The document is generated (seqgan_tf/reporting/runs_doc.py); the first test regenerates it.
The others check the generator against the runs' files read independently here (NumPy
float64 statistics, the runs' own ``processes`` records, their text logs, git's ancestry of
the commits), so that a generator bug cannot regenerate a wrong document that passes.
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

from seqgan_tf.reporting import run_comparisons, runs_doc
from seqgan_tf.reporting.results import PAPER_TABLE_1
from seqgan_tf.reporting.run_records import load_runs, machine_kind, read_index

REPO = pathlib.Path(__file__).resolve().parents[1]
RUNS = REPO / "docs" / "runs"
RESULTS_MD = REPO / "docs" / "RESULTS.md"
INIT_FIX_COMMIT = "3248052"


def _results(name: str) -> dict:
    return json.loads((RUNS / name / "results.json").read_text())


def _table_rows(text: str, header_start: str) -> list[list[str]]:
    """Cells of the first Markdown table whose header starts with ``header_start``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _numbers(cell: str) -> list[float]:
    # A sign only where no digit precedes it: "45.1-57.6 min" is a range of two numbers.
    pattern = r"(?<![\d.])[-+]?\d+(?:\.\d+)?"
    return [float(x) for x in re.findall(pattern, cell.replace(",", ""))]


@pytest.fixture(scope="module")
def results_md() -> str:
    return RESULTS_MD.read_text()


def test_results_md_is_what_the_runs_give(results_md):
    assert results_md == runs_doc.render(RUNS), "docs/RESULTS.md is stale: run " + runs_doc.COMMAND


def test_check_flag_tells_a_stale_document(tmp_path, capsys):
    stale = tmp_path / "RESULTS.md"
    stale.write_text(RESULTS_MD.read_text().replace("8.738", "8.700"))
    assert runs_doc.main(["--runs", str(RUNS), "--output", str(stale), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert runs_doc.main(["--runs", str(RUNS), "--output", str(RESULTS_MD), "--check"]) == 0


def test_a_missing_runs_folder_is_one_line_naming_the_flag(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        runs_doc.main(["--runs", str(tmp_path / "none"), "--output", str(tmp_path / "R.md")])
    assert exit_info.value.code == 2
    assert "--runs=" in capsys.readouterr().err
    assert not (tmp_path / "R.md").exists()


def test_summary_aggregates_one_machine_kind_and_code_with_float64_statistics(results_md):
    """Each mean ± sd row of the summary: its runs share flags, seeds differ, the runs'
    own ``processes`` name one machine kind, and the figures are NumPy's (ddof=1)."""
    index = read_index(RUNS / "index.ini")
    rows = _table_rows(results_md, "| experiment | code | machine | runs |")
    aggregated = [row for row in rows if "sd," in row[6]]
    assert len(aggregated) == 2
    for row in aggregated:
        names = _names(row[3])
        results = [_results(name) for name in names]
        settings = {(r["preset"], json.dumps(r["overrides"], sort_keys=True)) for r in results}
        assert len(settings) == 1
        assert len({r["seed"] for r in results}) == len(names)
        assert len({index[name]["code"] for name in names}) == 1
        machines = {
            (p["cpu"], p["cpu_count"], tuple(p.get("cpu_vector_extensions", ())))
            for r in results
            for p in r["processes"]
        }
        assert len(machines) == 1, f"{names} mix machines: {machines}"
        for column, key in ((5, "mle_final"), (6, "seqgan_final")):
            values = np.array([r["rescored"][key]["nll"] for r in results], dtype=np.float64)
            mean, sd, seeds = _numbers(row[column])
            assert (mean, sd, seeds) == (
                round(float(values.mean()), 3),
                round(float(values.std(ddof=1)), 3),
                len(names),
            )


def test_single_run_rows_quote_results_json(results_md):
    rows = _table_rows(results_md, "| experiment | code | machine | runs |")
    singles = [row for row in rows if "1 run" in row[6]]
    assert {name for row in singles for name in _names(row[3])} >= {"quick-init-fix", "original"}
    for row in singles:
        (name,) = _names(row[3])
        fresh = _results(name)["rescored"]
        for column, key in ((5, "mle_final"), (6, "seqgan_final")):
            assert _numbers(row[column])[:2] == [
                round(fresh[key]["nll"], 3),
                round(fresh[key]["standard_error"], 3),
            ]
        assert _numbers(row[7]) == [PAPER_TABLE_1["MLE"], PAPER_TABLE_1["SeqGAN"]]


def test_fresh_scores_are_the_logged_rescore_unit():
    """results.json's fresh scores are the ones the run's last metrics row logged (the
    SeqGAN runs: those with a metrics log; the parity and CycleGAN folders are not)."""
    for path in sorted(RUNS.glob("*/results.json")):
        if not (path.parent / "metrics.jsonl").exists():
            continue
        last = json.loads((path.parent / "metrics.jsonl").read_text().splitlines()[-1])
        assert last["phase"] == "rescore"
        assert json.loads(path.read_text())["rescored"] == last["rescored"], path.parent.name


def test_unfinished_runs_quote_their_text_logs(results_md):
    """The last and lowest logged NLL_oracle of a run that never finished, from
    experiment-log.txt (the original's format, written beside metrics.jsonl)."""
    rows = _table_rows(results_md, "| run | flags | seed | code |")
    assert {_names(row[0])[0] for row in rows} == {"original-r0", "original-r0-first"}
    for row in rows:
        log = (RUNS / _names(row[0])[0] / "experiment-log.txt").read_text()
        adversarial = log.split("adversarial training...")[1]
        logged = [
            (float(nll), int(step))
            for step, nll in re.findall(r"epoch:\s+(\d+)\s+nll:\s+([\d.]+)", adversarial)
        ]
        (last_nll, last_step), (low_nll, low_step) = logged[-1], min(logged)
        assert _numbers(row[6]) == [round(last_nll, 3), last_step]
        assert _numbers(row[7]) == [round(low_nll, 3), low_step]


def test_no_p_value_outside_table_1(results_md):
    """The only pairs between settings are on two machines but one: no test over seeds,
    but in Table 1's sections, whose methods each have their seeds."""
    outside = re.sub(r"^## Table 1: .*?(?=^## )", "", results_md, flags=re.M | re.S)
    assert not re.search(r"\bp\s*[=<]\s*\d", outside)
    assert not re.search(r"\bt\s*=\s*-?\d", outside)


def test_rollout_pairs_and_the_readings_claims_about_them():
    """The reading says: r = 0.8 ends lower in every pair, and only seed 88 ran both ways
    on one machine."""
    pairs = run_comparisons.rollout_pairs(load_runs(RUNS))
    assert len(pairs) == 4
    assert all(high.final.nll < low.final.nll for low, high in pairs)
    assert [low.seed for low, high in pairs if low.machine == high.machine] == [88]
    for low, high in pairs:
        assert (low.results["rollout_update_rate"], high.results["rollout_update_rate"]) == (0, 0.8)
        assert (low.preset, low.seed, low.code) == (high.preset, high.seed, high.code)


def test_cpu_preset_reading_claims_hold():
    """`cpu` with r = 0 does not reach the paper's SeqGAN on fresh samples, on any seed."""
    cpu = [run for run in load_runs(RUNS) if run.flags == "--preset=cpu" and run.finished]
    assert len(cpu) == 4
    assert min(run.final.nll - run.final.standard_error for run in cpu) > PAPER_TABLE_1["SeqGAN"]


def test_machine_kinds_tell_apart_cpus_with_one_model_name():
    amd = {"cpu": "AMD EPYC", "cpu_count": 2, "commit": "x"}
    fast = {**amd, "cpu_vector_extensions": ["avx2", "avx512f", "fma"]}
    slow = {**amd, "cpu_vector_extensions": ["avx", "avx2", "fma"]}
    intel = {**slow, "cpu": "Intel(R) Xeon(R) Processor"}
    assert machine_kind([fast]) == "AMD EPYC, 2 cores, AVX-512"
    assert machine_kind([slow]) == "AMD EPYC, 2 cores, AVX2"
    assert machine_kind([intel, intel]) == "Intel Xeon, 2 cores, AVX2"
    assert machine_kind([slow, fast]) == "AMD EPYC, 2 cores, AVX2 then AMD EPYC, 2 cores, AVX-512"


def _is_ancestor(ancestor: str, commit: str) -> bool | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(REPO), "merge-base", "--is-ancestor", ancestor, commit],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {0: True, 1: False}.get(result.returncode)  # 128: unknown commit (shallow clone)


def test_code_labels_agree_with_git():
    """index.ini's code of each run: "current" exactly when every commit it ran at
    descends from the initialisation fix."""
    checked = 0
    for run in load_runs(RUNS):
        for commit in run.commit.split(", "):
            descends = _is_ancestor(INIT_FIX_COMMIT, commit)
            if descends is None:
                continue
            assert descends == (run.code == "current"), (run.name, commit)
            checked += 1
    if not checked:
        pytest.skip("git history with the runs' commits is not available")


def _copy_runs(tmp_path: pathlib.Path, names: list[str]) -> pathlib.Path:
    runs = tmp_path / "runs"
    for name in names:
        shutil.copytree(RUNS / name, runs / name)
    index = read_index(RUNS / "index.ini")
    (runs / "index.ini").write_text(
        "".join(f"[{name}]\ncode = {index[name]['code']}\n" for name in names)
    )
    return runs


def _readings(*keys: str) -> str:
    return "".join(f"## {key}\n\ntext of {key}\n\n" for key in keys)


def test_a_reading_without_runs_or_runs_without_a_reading_stop_the_generator(tmp_path):
    runs = _copy_runs(tmp_path, ["quick-init-fix"])
    keys = ["introduction", "--preset=quick (current)", "elsewhere"]
    (runs / "READINGS.md").write_text(_readings(*keys))
    assert "text of --preset=quick (current)" in runs_doc.render(runs)
    (runs / "READINGS.md").write_text(_readings(*keys, "--preset=cpu (current)"))
    with pytest.raises(ValueError, match="match no runs: --preset=cpu"):
        runs_doc.render(runs)
    (runs / "READINGS.md").write_text(_readings("introduction", "elsewhere"))
    with pytest.raises(ValueError, match=r"no '## --preset=quick \(current\)' section"):
        runs_doc.render(runs)


def test_a_run_folder_missing_from_the_index_stops_the_generator(tmp_path):
    runs = _copy_runs(tmp_path, ["quick-init-fix"])
    shutil.copytree(RUNS / "original", runs / "original")
    with pytest.raises(ValueError, match=r"original: no \[original\] section in index.ini"):
        runs_doc.render(runs)


def test_readings_insert_the_runs_figures(tmp_path):
    runs = _copy_runs(tmp_path, ["quick-init-fix"])
    text = "SeqGAN {run[quick-init-fix].final.nll:.3f}, gain {run[quick-init-fix].gain:+.3f}"
    (runs / "READINGS.md").write_text(
        _readings("introduction", "elsewhere") + f"## --preset=quick (current)\n\n{text}\n"
    )
    fresh = _results("quick-init-fix")["rescored"]
    gain = fresh["seqgan_final"]["nll"] - fresh["mle_final"]["nll"]
    expected = f"SeqGAN {fresh['seqgan_final']['nll']:.3f}, gain {gain:+.3f}"
    assert expected in runs_doc.render(runs)


def test_readme_results_table_is_the_generated_summary():
    """Every number of README's results table (time, MLE, SeqGAN, paper) equals the
    generated summary row of the same runs; the prose cells are free."""
    readme = (REPO / "README.md").read_text()
    rows = _table_rows(readme, "| preset | what it is |")
    summary = {
        frozenset(_names(row["runs"])): row for row in runs_doc.summary_rows(load_runs(RUNS))
    }
    assert len(rows) >= 4
    for row in rows:
        names = frozenset(_names(row[-1]))
        assert names in summary, f"README row of {sorted(names)} is no generated summary row"
        generated = summary[names]
        quoted = [_numbers(cell) for cell in row[2:6]]
        assert quoted == [_numbers(generated[key]) for key in ("wall", "mle", "seqgan", "paper")], (
            sorted(names)
        )
    assert {name for row in rows for name in _names(row[-1])} >= {"quick-seed88-avx512", "original"}
