"""RESULTS.md's Table 1 over seeds (seqgan_tf/reporting/table1_runs.py and its figure,
table1_curves.py), on run folders the test writes: which runs count and how they group,
the mean (sd) cells against NumPy, Welch's t-test over seeds against its closed form, the n/a
rules, SeqGAN's row from the full-length oracle runs, the readings and the figure."""

from __future__ import annotations

import collections
import json
import math
import pathlib
import shutil

import numpy as np
import pytest
from scipy import stats

from seqgan_tf.reporting import runs_doc
from seqgan_tf.reporting.results import PAPER_TABLE_1
from seqgan_tf.reporting.run_records import load_runs
from seqgan_tf.reporting.table1_curves import (
    OFF_ZOOM_NATS,
    method_curves,
    seed_band,
    seed_bands,
    zoom_limits,
)
from seqgan_tf.reporting.table1_runs import (
    FIGURE,
    group_section,
    groups,
    load_table1_runs,
    method_rows,
    reading_key,
)

MACHINE = {"cpu": "AMD EPYC", "cpu_count": 2, "cpu_vector_extensions": ["avx2"]}
BASELINES_ONLY = {"adversarial_iterations": 0, "dis_pretrain_rounds": 0}
DESCRIBED = {
    **BASELINES_ONLY,
    "pg_bleu_reference_fraction": 1.0,
    "pg_bleu_rollout_update_rate": 0.8,
    "ss_coin": "per_token",
}
FLAGS = "--preset=paper --adversarial_iterations=0 --dis_pretrain_rounds=0"
DESCRIBED_FLAGS = (
    f"{FLAGS} --pg_bleu_reference_fraction=1 --pg_bleu_rollout_update_rate=0.8 --ss_coin=per_token"
)
# Fresh finals of the baselines-only group, by seed.
FRESH = {
    1: {"random": 10.31, "mle": 9.05, "ss": 9.01, "pg_bleu": 8.99},
    2: {"random": 10.29, "mle": 9.08, "ss": 8.97, "pg_bleu": 9.02},
    3: {"random": 10.33, "mle": 9.02, "ss": 8.99, "pg_bleu": 8.95},
}
SEQGAN_FRESH = {1: 8.74, 2: 8.71}  # the oracle runs standing for SeqGAN
MLE_EPOCHS, PG_BLEU_MLE_EPOCHS = 3, 2  # SeqGAN's and PG-BLEU's branch points


def _processes(seed: int) -> list[dict]:
    return [{**MACHINE, "commit": f"{seed:07d}" + "0" * 33}]


def _table1_metrics(seed: int) -> list[dict]:
    """Oracle samples, 4 MLE epochs, 3 of scheduled sampling, 3 PG-BLEU iterations, each
    evaluated, NLL_oracle = a known function of phase, step and seed; the rescoring."""
    rows = [{"phase": "oracle_samples", "step": 0, "nll_oracle": 10.3 + seed / 100}]
    for phase, steps, start in (
        ("mle", 4, 9.6),
        ("scheduled_sampling", 3, 9.5),
        ("pg_bleu", 3, 9.1),
    ):
        for step in range(steps):
            rows.append(
                {"phase": phase, "step": step, "nll_oracle": start - step / 10 + seed / 100}
            )
    rows.append({"phase": "rescore", "step": 0, "nll_oracle": None})
    return rows


def nll_test(seed: int, method: str) -> float:
    return 9.0 + 0.1 * len(method) + seed / 7


def write_table1_run(folder: pathlib.Path, seed: int, overrides: dict, fresh: dict) -> None:
    folder.mkdir(parents=True)
    rescored = {}
    for method, value in fresh.items():
        rescored[f"{method}_final"] = {"nll": value, "standard_error": 0.003}
        if method != "random":
            rescored[f"{method}_best"] = {"nll": value - 0.01, "standard_error": 0.003}
    methods = {"random": {"nll_final": fresh["random"], "nll_test": nll_test(seed, "random")}}
    for method in ("mle", "ss", "pg_bleu", "seqgan"):
        logged = fresh[method] - 0.02 if method in fresh else None
        methods[method] = {
            "nll_final": logged,
            "nll_best": None if logged is None else logged - seed / 100,
            # measured for every generator, trained or not, as the experiment does
            "nll_test": nll_test(seed, method),
        }
    results = {
        "mode": "table1",
        "oracle": "published",
        "preset": "paper",
        "overrides": overrides,
        "seed": seed,
        "adversarial_iterations": overrides.get("adversarial_iterations", 800),
        "rescore_samples": 100_000,
        "rescored": rescored,
        "methods": methods,
        "schedule": {"eval_samples": 9984, "mle_epochs": MLE_EPOCHS},
        "baselines": {"pg_bleu_mle_epochs": PG_BLEU_MLE_EPOCHS},
        "wall_seconds": 3600.0 + seed,
        "processes": _processes(seed),
    }
    (folder / "results.json").write_text(json.dumps(results))
    rows = _table1_metrics(seed)
    (folder / "metrics.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))


def samples(seed: int, method: str) -> list[list[int]]:
    """A method's final samples as committed: 40 sequences of 20 tokens, PG-BLEU's
    repeating one token for most of their length, the others spread."""
    rng = np.random.default_rng(seed * 10 + len(method))
    rows = rng.integers(0, 5000, size=(40, 20))
    if method == "pg_bleu":
        rows[:, 5 + seed :] = 2068
    return rows.tolist()


def write_samples(folder: pathlib.Path, seed: int) -> None:
    (folder / "samples").mkdir()
    for method in ("random", "mle", "ss", "pg_bleu"):
        name = "random.txt" if method == "random" else f"{method}_final.txt"  # as written
        lines = [" ".join(map(str, row)) + "\n" for row in samples(seed, method)]
        (folder / "samples" / name).write_text("".join(lines))


def top_share(rows: list[list[int]]) -> float:
    """The most frequent token's share, counted in plain Python."""
    counts = collections.Counter(token for row in rows for token in row)
    return max(counts.values()) / sum(counts.values())


def write_oracle_run(runs: pathlib.Path, name: str, seed: int, final: float, preset="paper"):
    """A finished --mode=oracle run of the paper's length (2 MLE epochs, 3 iterations here)."""
    folder = runs / name
    folder.mkdir(parents=True)
    score = {"standard_error": 0.002}
    results = {
        "oracle": "published",
        "preset": preset,
        "overrides": {},
        "rollout_update_rate": 0.0,
        "rollout_num": 16,
        "seed": seed,
        "real_data": "sampled from the oracle",
        "mle_nll": 9.1,
        "seqgan_nll_final": final - 0.01,
        "seqgan_nll_best": final - 0.03,
        "seqgan_iteration_best": 1,
        "rescore_samples": 100_000,
        "rescored": {
            "mle_final": {"nll": 9.1, **score},
            "seqgan_final": {"nll": final, **score},
            "seqgan_best": {"nll": final - 0.02, **score},
        },
        "wall_seconds": 7200.0,
        "schedule": {
            "train_samples": 9984,
            "eval_samples": 9984,
            "mle_epochs": 2,
            "dis_pretrain_rounds": 1,
            "dis_epochs_per_round": 3,
            "adversarial_iterations": 3,
            "generator_steps_per_iteration": 1,
            "dis_rounds_per_iteration": 5,
            "adversarial_eval_every": 1,
            "rescore_samples": 100_000,
        },
        "processes": _processes(seed),
    }
    (folder / "results.json").write_text(json.dumps(results))
    rows = [{"phase": "mle", "step": s, "nll_oracle": 9.5, "wall_seconds": 1.0} for s in range(2)]
    rows += [
        {
            "phase": "adversarial",
            "step": s,
            "part": 0,
            "nll_oracle": final + 0.1 - s / 20,
            "wall_seconds": 2.0,
        }
        for s in range(3)
    ]
    (folder / "metrics.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))


@pytest.fixture()
def runs(tmp_path) -> pathlib.Path:
    """Three seeds of the baselines alone (one a level down), one seed of them "as
    described", and SeqGAN's full-length oracle runs: two current, one of the old code,
    one of another preset."""
    runs = tmp_path / "runs"
    write_table1_run(runs / "t1-seed1", 1, BASELINES_ONLY, FRESH[1])
    write_table1_run(runs / "t1-seed2" / "run", 2, BASELINES_ONLY, FRESH[2])
    for folder, seed in ((runs / "t1-seed1", 1), (runs / "t1-seed2" / "run", 2)):
        write_samples(folder, seed)
    write_table1_run(runs / "t1-seed3", 3, BASELINES_ONLY, FRESH[3])
    write_table1_run(runs / "t1-described", 1, DESCRIBED, FRESH[1])
    for seed, final in SEQGAN_FRESH.items():
        write_oracle_run(runs, f"paper-seed{seed}", seed, final)
    write_oracle_run(runs, "paper-old-init", 5, 8.0)
    write_oracle_run(runs, "original-seed1", 1, 8.5, preset="original")
    codes = {"paper-seed1": "current", "paper-seed2": "current", "paper-old-init": "old-init"}
    codes["original-seed1"] = "current"
    (runs / "index.ini").write_text("".join(f"[{n}]\ncode = {c}\n" for n, c in codes.items()))
    return runs


def _rows(lines: list[str], header_start: str) -> dict[str, list[str]]:
    """{first cell: cells} of the table whose header starts with ``header_start``."""
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells
    return rows


def _section(runs: pathlib.Path, flags: str) -> dict[str, list[str]]:
    grouped = groups(load_table1_runs(runs))
    lines = group_section(flags, grouped[flags], load_runs(runs))
    return _rows(lines, "| method |")


def welch(a, b) -> tuple[float, float]:
    """Welch's t and its two-sided p, written out in float64 (the Student-t tail aside)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return float(t), float(2 * stats.t.sf(abs(t), df))


def test_table1_runs_at_either_depth_count_and_group_by_flags(runs):
    loaded = load_table1_runs(runs)
    assert [run.name for run in loaded] == ["t1-described", "t1-seed1", "t1-seed2/run", "t1-seed3"]
    grouped = groups(loaded)
    assert list(grouped) == [FLAGS, DESCRIBED_FLAGS]
    assert [run.seed for run in grouped[FLAGS]] == [1, 2, 3]
    # The oracle tables do not take them for oracle runs (which would need index.ini).
    assert {run.name for run in load_runs(runs)} == {
        "paper-seed1",
        "paper-seed2",
        "paper-old-init",
        "original-seed1",
    }


def test_means_and_sds_over_seeds_are_numpys(runs):
    rows = _section(runs, FLAGS)
    for method, name in (("random", "Random"), ("mle", "MLE"), ("ss", "Scheduled Sampling")):
        values = np.array([FRESH[seed][method] for seed in FRESH], dtype=np.float64)
        row = rows[name]
        assert row[1] == f"{values.mean():.3f} (sd {values.std(ddof=1):.3f})"
        assert row[2] == "3"
        assert row[4] == f"{PAPER_TABLE_1[name]:.3f}"
    # Best logged: each seed's lowest evaluation, as results.json holds it.
    best = [FRESH[seed]["pg_bleu"] - 0.02 - seed / 100 for seed in FRESH]
    assert rows["PG-BLEU"][3] == f"{np.mean(best):.3f}"
    assert rows["Random"][3] == ""


def test_nll_test_over_seeds_is_numpys_and_absent_where_not_measured(runs):
    rows = _section(runs, FLAGS)
    quoted = method_rows(groups(load_table1_runs(runs))[FLAGS], load_runs(runs))  # by readings
    for method, name in (("random", "Random"), ("mle", "MLE"), ("pg_bleu", "PG-BLEU")):
        values = np.array([nll_test(seed, method) for seed in FRESH], dtype=np.float64)
        assert rows[name][7] == f"{values.mean():.3f} (sd {values.std(ddof=1):.3f})", name
        assert quoted[method].test_mean == pytest.approx(values.mean(), abs=1e-12)
    # SeqGAN's row is oracle runs', which do not measure it; its untrained generator's
    # value in the baselines' results.json is not SeqGAN's
    assert rows["SeqGAN"][7] == "n/a (`--mode=oracle` does not measure it)"


def test_top_token_share_is_counted_over_the_seeds_with_samples(runs):
    rows = _section(runs, FLAGS)
    quoted = method_rows(groups(load_table1_runs(runs))[FLAGS], load_runs(runs))
    for method, name in (("random", "Random"), ("mle", "MLE"), ("pg_bleu", "PG-BLEU")):
        shares = [top_share(samples(seed, method)) for seed in (1, 2)]  # seed 3 has none
        assert rows[name][8] == f"{np.mean(shares):.2%} (2 seeds of 3)", name
        assert quoted[method].top_share_mean == pytest.approx(np.mean(shares), abs=1e-12)
    # PG-BLEU's repeated token takes most of its samples (14 and 13 of 20 positions, and
    # now and then a random draw); the spread samples' top token is a few of 800
    assert 0.675 <= quoted["pg_bleu"].top_share_mean < 0.69
    assert quoted["mle"].top_share_mean < 0.01
    assert rows["SeqGAN"][8] == "n/a (no samples committed)"  # the oracle runs' row
    assert _section(runs, DESCRIBED_FLAGS)["MLE"][8] == "n/a (no samples committed)"


def test_welch_over_seeds_against_seqgans_oracle_runs_and_mle(runs):
    rows = _section(runs, FLAGS)
    seqgan = list(SEQGAN_FRESH.values())
    mle = [FRESH[seed]["mle"] for seed in FRESH]
    for method, name in (("mle", "MLE"), ("ss", "Scheduled Sampling"), ("pg_bleu", "PG-BLEU")):
        values = [FRESH[seed][method] for seed in FRESH]
        t, p = welch(values, seqgan)
        assert rows[name][5] == f"{t:+.2f} ({p:.2g})", name
        if method != "mle":
            t, p = welch(values, mle)
            assert rows[name][6] == f"{t:+.2f} ({p:.2g})", name
    assert rows["MLE"][6] == "" and rows["SeqGAN"][5] == "" and rows["SeqGAN"][6] == ""


def test_seqgans_row_is_the_current_full_length_oracle_runs_of_the_preset(runs):
    row = _section(runs, FLAGS)["SeqGAN"]
    values = np.array(list(SEQGAN_FRESH.values()))
    assert row[1] == f"{values.mean():.3f} (sd {values.std(ddof=1):.3f})" and row[2] == "2"
    assert row[3] == f"{np.mean([v - 0.03 for v in values]):.3f}"  # seqgan_nll_best
    # Named, with seeds; the old code's and another preset's runs are not taken.
    assert (
        row[9] == "`--mode=oracle --preset=paper`: `paper-seed1` (seed 1), `paper-seed2` (seed 2)"
    )


def test_a_single_seed_and_a_missing_seqgan_are_not_tested(runs):
    rows = _section(runs, DESCRIBED_FLAGS)
    assert rows["MLE"][1] == f"{FRESH[1]['mle']:.3f}" and rows["MLE"][2] == "1"
    assert rows["MLE"][5] == "n/a (MLE: 1 seed)"
    assert rows["PG-BLEU"][6] == "n/a (PG-BLEU: 1 seed, MLE: 1 seed)"
    for seed in SEQGAN_FRESH:  # SeqGAN's runs withdrawn: only other settings remain
        shutil.rmtree(runs / f"paper-seed{seed}")
    (runs / "index.ini").write_text(
        "[paper-old-init]\ncode = old-init\n[original-seed1]\ncode = current\n"
    )
    rows = _section(runs, FLAGS)
    # The full-length runs of other settings stand in, named, and are never tested against.
    source = rows["SeqGAN"][9]
    assert source.startswith("not this group's setting")
    assert "`paper-old-init` (--preset=paper, old-init code" in source
    assert "`original-seed1` (--preset=original, current code" in source
    # Each run's value in the order the row names them, not a mean over settings.
    named = sorted(("paper-old-init", "original-seed1"), key=source.index)
    values = {"paper-old-init": "8.000", "original-seed1": "8.500"}
    assert rows["SeqGAN"][1] == "; ".join(values[name] for name in named)
    for name in ("Random", "MLE", "Scheduled Sampling", "PG-BLEU"):
        assert rows[name][5] == "n/a (SeqGAN: another setting)", name
    ss = [FRESH[seed]["ss"] for seed in FRESH]
    t, p = welch(ss, [FRESH[seed]["mle"] for seed in FRESH])
    assert rows["Scheduled Sampling"][6] == f"{t:+.2f} ({p:.2g})"  # MLE's test stands
    # Without any full-length SeqGAN run, the row is n/a.
    for name in ("paper-old-init", "original-seed1"):
        shutil.rmtree(runs / name)
    (runs / "index.ini").write_text("")
    rows = _section(runs, FLAGS)
    assert rows["SeqGAN"][1] == "n/a" and rows["SeqGAN"][2] == "0"
    assert rows["SeqGAN"][9].startswith("n/a: no finished `--mode=oracle --preset=paper` run")
    assert rows["MLE"][5] == "n/a (SeqGAN: 0 seeds)"


def test_a_full_table1_group_takes_seqgan_from_its_own_runs(tmp_path):
    runs = tmp_path / "runs"
    fresh = {seed: {**FRESH[seed], "seqgan": 8.7 + seed / 100} for seed in (1, 2)}
    for seed in fresh:
        write_table1_run(runs / f"full-{seed}", seed, {}, fresh[seed])
    (runs / "index.ini").write_text("")
    row = _section(runs, "--preset=paper")["SeqGAN"]
    assert row[1] == f"{np.mean([8.71, 8.72]):.3f} (sd {np.std([8.71, 8.72], ddof=1):.3f})"
    assert row[9] == "the runs above"


def _readings(*keys: str) -> str:
    return "".join(f"## {key}\n\ntext of {key}\n\n" for key in keys)


ORACLE_READINGS = ("introduction", "elsewhere", "--preset=paper (current)")
ORACLE_READINGS += ("--preset=paper (old-init)", "--preset=original (current)", "original curves")


def test_every_group_needs_a_reading_and_every_reading_a_group(runs):
    table1_keys = [reading_key(FLAGS), reading_key(DESCRIBED_FLAGS)]
    quoted = f"MLE {{table1_rows[{FLAGS}][mle].mean:.3f}} (sd {{table1_rows[{FLAGS}][mle].sd:.3f}})"
    (runs / "READINGS.md").write_text(
        _readings(*ORACLE_READINGS, table1_keys[1]) + f"## {table1_keys[0]}\n\n{quoted}\n"
    )
    text = runs_doc.render(runs)
    assert f"## Table 1: `--mode=table1 {FLAGS}`" in text
    mle = np.array([FRESH[seed]["mle"] for seed in FRESH])
    assert f"MLE {mle.mean():.3f} (sd {mle.std(ddof=1):.3f})" in text
    assert f"text of {reading_key(DESCRIBED_FLAGS)}" in text
    (runs / "READINGS.md").write_text(_readings(*ORACLE_READINGS, table1_keys[0]))
    with pytest.raises(ValueError, match="no '## table1: --preset=paper --adv"):
        runs_doc.render(runs)
    (runs / "READINGS.md").write_text(
        _readings(*ORACLE_READINGS, *table1_keys, "table1: --preset=quick")
    )
    with pytest.raises(ValueError, match="match no runs: table1: --preset=quick"):
        runs_doc.render(runs)


def test_the_command_draws_the_figure_and_check_wants_it(runs, tmp_path):
    keys = [reading_key(FLAGS), reading_key(DESCRIBED_FLAGS)]
    (runs / "READINGS.md").write_text(_readings(*ORACLE_READINGS, *keys))
    output = tmp_path / "docs" / "RESULTS.md"
    output.parent.mkdir()
    assert runs_doc.main(["--runs", str(runs), "--output", str(output)]) == 0
    figure = output.parent / FIGURE
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert runs_doc.main(["--runs", str(runs), "--output", str(output), "--check"]) == 0
    figure.unlink()
    assert runs_doc.main(["--runs", str(runs), "--output", str(output), "--check"]) == 1


def test_curves_count_epochs_and_iterations_after_pre_training():
    rows = _table1_metrics(seed=1)
    curves, random_nll = method_curves(rows, MLE_EPOCHS, PG_BLEU_MLE_EPOCHS)
    assert random_nll == pytest.approx(10.31)
    assert [x for x, _ in curves["MLE"]] == [1, 2, 3, 4]
    assert [x for x, _ in curves["Scheduled Sampling"]] == [1, 2, 3]
    assert [x for x, _ in curves["PG-BLEU"]] == [3, 4, 5]  # after 2 MLE epochs
    assert "SeqGAN" not in curves
    adversarial = [{"phase": "adversarial", "step": s, "nll_oracle": 9.0} for s in range(2)]
    curves, _ = method_curves(adversarial, MLE_EPOCHS, PG_BLEU_MLE_EPOCHS)
    assert [x for x, _ in curves["SeqGAN"]] == [4, 5]  # after 3 MLE epochs


def test_bands_are_the_mean_and_range_over_seeds_at_the_shared_points():
    curves = [[(1, 9.0), (2, 8.0), (3, 7.0)], [(1, 9.4), (2, 8.6)], [(1, 8.9), (2, 8.3)]]
    band = seed_band(curves)
    values = np.array([[9.0, 8.0], [9.4, 8.6], [8.9, 8.3]])
    assert band.x.tolist() == [1, 2] and band.seeds == 3
    np.testing.assert_allclose(band.mean, values.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(band.low, values.min(axis=0))
    np.testing.assert_allclose(band.high, values.max(axis=0))
    bands, random = seed_bands([({"MLE": curves[0]}, 10.0), ({"MLE": curves[1]}, 10.4)])
    assert list(bands) == ["MLE"] and random.mean.tolist() == [10.2]
    assert (random.low.tolist(), random.high.tolist()) == ([10.0], [10.4])


def test_the_zoom_holds_the_paper_and_every_last_range_but_a_collapse():
    def band(*curves):
        return seed_band([list(enumerate(curve)) for curve in curves])

    bands = {
        "MLE": band([9.5, 9.08], [9.5, 9.06]),
        "Scheduled Sampling": band([9.9, 9.08], [9.9, 10.14]),  # one seed fed its samples
        "PG-BLEU": band([9.1, 3.1], [9.1, 3.9]),
    }
    (low, high), off = zoom_limits(bands)
    assert off == ["PG-BLEU"]
    paper = [PAPER_TABLE_1[name] for name in bands]
    assert low == pytest.approx(min([*paper, 9.06, 9.08]) - 0.05)
    assert high == pytest.approx(10.14 + 0.15)  # the highest seed's last value shows
    # A method within OFF_ZOOM_NATS of the paper's lowest value stays, and sets the range.
    near = PAPER_TABLE_1["PG-BLEU"] - OFF_ZOOM_NATS + 0.01
    bands["PG-BLEU"] = band([9.1, near], [9.1, near])
    (low, _), off = zoom_limits(bands)
    assert off == [] and low == pytest.approx(near - 0.05)
