"""``--mode=table1`` at a tiny scale: the five methods, the branch points, the table, the
t-tests, the figure, the fresh scores, and resume after an interruption in each phase."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf
from seqgan_tiny import TINY_CONFIG, TINY_SCHEDULE, Interrupted, interrupt_after

from seqgan_tf.experiments.oracle import ExperimentSpec, WorkdirMismatchError
from seqgan_tf.experiments.table1 import Table1Experiment, best_generator_file, table1_units
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import load_params, random_params
from seqgan_tf.reporting.results import PAPER_TABLE_1
from seqgan_tf.schedule import BaselineSchedule
from seqgan_tf.training.projection import table1_rescored
from seqgan_tf.training.units import Unit

BASELINES = BaselineSchedule(
    mle_baseline_epochs=5,
    ss_epochs=3,
    ss_true_prob_decay=0.25,
    pg_bleu_mle_epochs=3,
    pg_bleu_iterations=3,
)
SPEC = ExperimentSpec(TINY_CONFIG, TINY_SCHEDULE, seed=5, preset="original", baselines=BASELINES)
# Units: 0 samples; 1-5 MLE; 6-8 scheduled sampling; 9-11 PG-BLEU; 12-13 discriminator
# pre-training; 14-19 SeqGAN (generator part, discriminator round) x 3; 20 the rescoring.
# Discriminator pre-training is OracleExperiment's unit, whose resume test_seqgan_resume
# covers; the run interrupted at 17 passes through it with this experiment's models.
INTERRUPT_AT = {"mle": 3, "scheduled_sampling": 7, "pg_bleu": 10, "adv": 17, "rescore": 20}
RESCORE_UNIT = 20
# The generators by method: results.json's keys and the experiment's attributes.
GENERATORS = {
    "mle": lambda experiment: experiment.mle_generator,
    "ss": lambda experiment: experiment.ss_generator,
    "pg_bleu": lambda experiment: experiment.pg_bleu.generator,
    "seqgan": lambda experiment: experiment.generator,
}
# Each method's phase: where its evaluations are units (part 0).
PHASES = {"mle": "mle", "ss": "scheduled_sampling", "pg_bleu": "pg_bleu", "seqgan": "adversarial"}


def _run(workdir, **kwargs) -> dict:
    return Table1Experiment(
        str(workdir), SPEC, progress_interval=1e9, print_fn=lambda _: None, **kwargs
    ).run()


@pytest.fixture(scope="module")
def run_with_weights(tmp_path_factory):
    """The finished run; every generator's weights after each unit (by unit index); and,
    as the rescoring starts, the run's random stream (state, algorithm) and each
    generator's 15 arrays."""
    workdir = tmp_path_factory.mktemp("table1")
    weights: dict[int, dict[str, list[np.ndarray]]] = {}
    before_rescore: dict = {}

    def record(index, _unit):
        generators = {name: get(experiment) for name, get in GENERATORS.items()}
        weights[index] = {
            name: [v.numpy() for v in g.lstm_variables] for name, g in generators.items()
        }
        if index == RESCORE_UNIT - 1:
            before_rescore["rng"] = (experiment.rng.state.numpy().copy(), experiment.rng.algorithm)
            before_rescore["params"] = {name: g.export_params() for name, g in generators.items()}

    experiment = Table1Experiment(
        str(workdir), SPEC, progress_interval=1e9, print_fn=lambda _: None, after_unit=record
    )
    assert experiment.units[RESCORE_UNIT] == Unit("rescore")
    return workdir, experiment.run(), weights, before_rescore


@pytest.fixture(scope="module")
def finished(run_with_weights):
    workdir, results, _, _ = run_with_weights
    return workdir, results


def _metrics(workdir) -> list[dict]:
    with open(workdir / "metrics.jsonl") as f:
        return [json.loads(line) for line in f]


def test_units_run_every_method_once_in_order():
    phases = [unit.phase for unit in table1_units(TINY_SCHEDULE, BASELINES)]
    assert phases == (
        ["oracle_samples"]
        + ["mle"] * 5
        + ["scheduled_sampling"] * 3
        + ["pg_bleu"] * 3
        + ["dis_pretrain"] * 2
        + ["adversarial"] * 6
        + ["rescore"]
    )
    without = dataclasses.replace(TINY_SCHEDULE, rescore_samples=0)
    assert [unit.phase for unit in table1_units(without, BASELINES)] == phases[:-1]


def test_results_hold_all_five_methods_with_tests_and_figure(finished):
    workdir, results = finished
    methods = results["methods"]
    assert set(methods) == {"random", "mle", "ss", "pg_bleu", "seqgan"}
    for name, method in methods.items():
        assert np.isfinite(method["nll_final"]) and np.isfinite(method["nll_test"]), name
        if name != "random":
            assert method["nll_best"] <= method["nll_final"]
    assert methods["mle"]["step_final"] == 4 and methods["ss"]["step_final"] == 2
    assert methods["pg_bleu"]["step_final"] == 2 and methods["seqgan"]["step_final"] == 2
    assert set(results["t_tests"]) == {"random", "mle", "ss", "pg_bleu"}
    for test in results["t_tests"].values():
        assert 0.0 <= test["p"] <= 1.0 and np.isfinite(test["t"])
    assert results["baselines"]["ss_final_true_input_prob"] == pytest.approx(0.5)
    png = workdir / results["learning_curves"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((workdir / "results.json").read_text()) == results


def test_table_lists_every_method_beside_the_paper(finished):
    workdir, _ = finished
    table = (workdir / "results.md").read_text()
    for name in ("Random", "MLE", "Scheduled Sampling", "PG-BLEU", "SeqGAN"):
        row = next(line for line in table.splitlines() if line.startswith(f"| {name}"))
        assert f"{PAPER_TABLE_1[name]:.3f}" in row
        assert row.count("|") == 10  # 9 columns, every row
    assert "learning_curves.png" in table and "Welch" in table
    assert "| fresh 256 samples: final; best |" in table


def test_table_quotes_the_fresh_scores(finished):
    workdir, results = finished
    table = (workdir / "results.md").read_text()
    rescored = results["rescored"]
    for key, name in (("random", "Random"), ("mle", "MLE"), ("seqgan", "SeqGAN")):
        row = next(line for line in table.splitlines() if line.startswith(f"| {name}"))
        fresh = row.split("|")[4].strip()
        entries = [rescored[f"{key}_final"]] + (
            [] if key == "random" else [rescored[f"{key}_best"]]
        )
        assert fresh == "; ".join(
            f"{entry['nll']:.3f} \u00b1 {entry['standard_error']:.3f}" for entry in entries
        )


def test_seqgan_and_pg_bleu_branch_from_the_mle_run(finished):
    workdir, results = finished
    mle_rows = {row["step"]: row for row in _metrics(workdir) if row["phase"] == "mle"}
    # NLL_oracle is measured where the others branch off (after 4 and 3 epochs) and at the
    # end, besides every mle_eval_every = 2 epochs.
    assert sorted(s for s, row in mle_rows.items() if row["nll_oracle"] is not None) == [
        0,
        2,
        3,
        4,
    ]
    assert results["mle_nll"] == mle_rows[TINY_SCHEDULE.mle_epochs - 1]["nll_oracle"]
    ss_rows = [row for row in _metrics(workdir) if row["phase"] == "scheduled_sampling"]
    assert [row["true_input_prob"] for row in ss_rows] == pytest.approx([1.0, 0.75, 0.5])


def test_rescoring_scores_every_generator_in_order_on_fresh_samples(run_with_weights):
    """Reproduced outside the run: the stream as the rescoring unit found it, each
    generator rebuilt from its 15 arrays (the best ones from the workdir's files), its
    samples scored under the oracle by the float64 NumPy LSTM."""
    workdir, results, _, before = run_with_weights
    count = TINY_SCHEDULE.rescore_samples
    untrained = Generator(TINY_CONFIG, seed=SPEC.seed).export_params()
    expected_params = {"random_final": untrained}
    for method in ("mle", "ss", "pg_bleu", "seqgan"):
        expected_params[f"{method}_final"] = before["params"][method]
        expected_params[f"{method}_best"] = load_params(
            workdir / best_generator_file(method), TINY_CONFIG
        )
    assert list(results["rescored"]) == list(expected_params)  # the order of the draws
    assert len(expected_params) == table1_rescored(TINY_SCHEDULE, BASELINES)  # as projected
    assert results["rescore_samples"] == count
    state, algorithm = before["rng"]
    stream = tf.random.Generator.from_state(state, algorithm)
    oracle = random_params(SPEC.seed, TINY_CONFIG)
    for name, params in expected_params.items():
        model = Generator(TINY_CONFIG)
        model.import_params(params)
        samples = model.generate_many(count, stream)
        per_sequence = -ref.token_log_probs(oracle, samples, TINY_CONFIG.start_token).mean(axis=1)
        entry = results["rescored"][name]
        assert entry["nll"] == pytest.approx(per_sequence.mean(), rel=1e-6), name
        error = per_sequence.std(ddof=1) / np.sqrt(count)
        assert entry["standard_error"] == pytest.approx(error, rel=1e-4), name
    rows = _metrics(workdir)
    assert rows[-1]["phase"] == "rescore" and rows[-1]["rescored"] == results["rescored"]


def test_best_generator_files_hold_the_weights_of_the_best_evaluation(run_with_weights):
    workdir, results, weights, _ = run_with_weights
    units = table1_units(TINY_SCHEDULE, BASELINES)
    for method, phase in PHASES.items():
        entry = results["methods"][method]
        evaluated = [
            row["nll_oracle"]
            for row in _metrics(workdir)
            if row["phase"] == phase and row["nll_oracle"] is not None
        ]
        assert entry["nll_best"] == min(evaluated) <= entry["nll_final"] == evaluated[-1]
        at_best = weights[units.index(Unit(phase, entry["step_best"]))][method]
        saved = Generator(TINY_CONFIG)
        saved.import_params(load_params(workdir / best_generator_file(method), TINY_CONFIG))
        assert _same([v.numpy() for v in saved.lstm_variables], at_best), method


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_every_method_starts_from_the_same_weights_and_branches_from_mle(run_with_weights):
    _, _, weights, _ = run_with_weights
    # Unit 0 draws the oracle's samples and scores the untrained generator: no update yet.
    initial = weights[0]
    untrained = Generator(TINY_CONFIG, seed=SPEC.seed)
    assert _same(initial["mle"], [v.numpy() for v in untrained.lstm_variables])
    assert all(_same(initial["mle"], initial[name]) for name in ("ss", "pg_bleu", "seqgan"))
    # Units 1-5 are MLE epochs 0-4. PG-BLEU branches after 3 epochs (unit 3), SeqGAN
    # after 4 (unit 4): each then holds the MLE generator's weights of that moment.
    assert not _same(weights[2]["pg_bleu"], weights[2]["mle"])
    assert _same(weights[3]["pg_bleu"], weights[3]["mle"])
    assert not _same(weights[3]["seqgan"], weights[3]["mle"])
    assert _same(weights[4]["seqgan"], weights[4]["mle"])
    # The MLE baseline goes on alone: after its last epoch the branches keep their copies.
    assert not _same(weights[5]["seqgan"], weights[5]["mle"])
    assert _same(weights[5]["seqgan"], weights[4]["mle"])
    assert _same(weights[5]["pg_bleu"], weights[3]["mle"])
    # Scheduled sampling (units 6-8) starts from the untrained weights.
    assert _same(weights[5]["ss"], initial["ss"])
    assert not _same(weights[6]["ss"], initial["ss"])


@pytest.mark.parametrize(
    "phases",
    [
        # the baselines' own phases; the oracle's units are resumed in test_seqgan_resume
        ("scheduled_sampling", "pg_bleu"),
        pytest.param(tuple(INTERRUPT_AT), marks=pytest.mark.slow, id="every-phase"),
    ],
)
def test_interrupt_in_each_phase_then_resume(finished, tmp_path, phases):
    reference, reference_results = finished
    for unit in (INTERRUPT_AT[phase] for phase in phases):
        with pytest.raises(Interrupted):
            _run(tmp_path, after_unit=interrupt_after(unit))
    results = _run(tmp_path)
    assert (tmp_path / "experiment-log.txt").read_bytes() == (
        reference / "experiment-log.txt"
    ).read_bytes()

    def without_time(rows):
        return [{k: v for k, v in row.items() if k != "wall_seconds"} for row in rows]

    assert without_time(_metrics(tmp_path)) == without_time(_metrics(reference))
    for key in ("methods", "t_tests", "mle_nll", "seqgan_nll_best", "rescored"):
        assert results[key] == reference_results[key], key


def test_an_oracle_experiment_workdir_is_not_resumed_as_table1(finished, tmp_path):
    oracle_spec = ExperimentSpec(TINY_CONFIG, TINY_SCHEDULE, seed=5, preset="original")
    (tmp_path / "experiment.json").write_text(json.dumps(oracle_spec.identity()))
    with pytest.raises(WorkdirMismatchError, match="mode is None there, 'table1' here"):
        _run(tmp_path)


def test_baseline_presets_match_the_experiment_presets():
    import dataclasses

    from seqgan_tf.schedule import (
        BASELINE_PRESETS,
        PRESETS,
        TEXT_PRESETS,
        Schedule,
        check_table1_schedules,
    )

    assert set(BASELINE_PRESETS) == set(PRESETS) - set(TEXT_PRESETS)
    fields = {f.name for f in dataclasses.fields(BaselineSchedule)}
    for name, overrides in BASELINE_PRESETS.items():
        assert set(overrides) <= fields, name
        schedule_overrides = {
            k: v for k, v in PRESETS[name].items() if k in Schedule.__annotations__
        }
        check_table1_schedules(Schedule(**schedule_overrides), BaselineSchedule(**overrides))


def test_a_method_given_no_training_is_reported_as_missing(tmp_path):
    baselines = BaselineSchedule(
        mle_baseline_epochs=4, ss_epochs=0, pg_bleu_mle_epochs=2, pg_bleu_iterations=0
    )
    spec = ExperimentSpec(TINY_CONFIG, TINY_SCHEDULE, seed=5, baselines=baselines)
    results = Table1Experiment(
        str(tmp_path), spec, progress_interval=1e9, print_fn=lambda _: None
    ).run()
    assert results["methods"]["ss"]["nll_final"] is None
    assert results["t_tests"]["ss"] is None and results["t_tests"]["pg_bleu"] is None
    assert results["t_tests"]["mle"] is not None
    assert set(results["rescored"]) == {"random_final", "mle_final", "mle_best"} | {
        "seqgan_final",
        "seqgan_best",
    }
    assert len(results["rescored"]) == table1_rescored(TINY_SCHEDULE, baselines)
    row = next(
        line
        for line in (tmp_path / "results.md").read_text().splitlines()
        if line.startswith("| Scheduled Sampling")
    )
    assert row.split("|")[2].strip() == "n/a" and row.split("|")[4].strip() == "n/a"
    assert row.count("|") == 10


def test_every_unit_has_a_projection_for_the_first_eta(tmp_path):
    # Progress lines count a kind of unit not yet run at its projection: every method's.
    experiment = Table1Experiment(str(tmp_path), SPEC, print_fn=lambda _: None)
    kinds = {(unit.phase, unit.part > 0): unit for unit in experiment.units}
    for kind, unit in kinds.items():
        expected = experiment.expected_seconds(unit)
        assert expected is not None and expected > 0, kind


def test_baselines_alone_without_seqgans_discriminator_and_adversarial_phase(tmp_path):
    schedule = dataclasses.replace(TINY_SCHEDULE, dis_pretrain_rounds=0, adversarial_iterations=0)
    spec = ExperimentSpec(TINY_CONFIG, schedule, seed=5, baselines=BASELINES)
    results = Table1Experiment(
        str(tmp_path), spec, progress_interval=1e9, print_fn=lambda _: None
    ).run()
    methods = results["methods"]
    for name in ("random", "mle", "ss", "pg_bleu"):
        assert np.isfinite(methods[name]["nll_final"]), name
    assert methods["seqgan"]["nll_final"] is None
    assert all(test is None for test in results["t_tests"].values())
    # Every method trained is scored afresh, SeqGAN's unrun generator not.
    assert list(results["rescored"]) == [
        f"{method}_{which}"
        for method in ("random", "mle", "ss", "pg_bleu")
        for which in ("final", "best")
        if (method, which) != ("random", "best")
    ]
    assert not (tmp_path / best_generator_file("seqgan")).exists()
    assert len(results["rescored"]) == table1_rescored(schedule, BASELINES)
    row = next(
        line
        for line in (tmp_path / "results.md").read_text().splitlines()
        if line.startswith("| SeqGAN")
    )
    assert "+ 0 iterations" in row and "| n/a |" in row and row.count("|") == 10
