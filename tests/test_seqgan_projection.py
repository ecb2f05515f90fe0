"""The projected wall time counts the units the experiment actually runs."""

from __future__ import annotations

import dataclasses

import pytest

from seqgan_tf.experiments.oracle import schedule_units
from seqgan_tf.experiments.table1 import table1_units
from seqgan_tf.schedule import (
    BASELINE_PRESETS,
    PRESETS,
    TEXT_PRESETS,
    BaselineSchedule,
    Schedule,
    evaluations,
    preset_schedule,
)
from seqgan_tf.training import projection
from seqgan_tf.training.projection import (
    REFERENCE_COSTS,
    UnitCosts,
    describe,
    projected_seconds,
    table1_seconds,
    table1_unit_seconds,
    unit_seconds,
)

# Powers of ten: each kind of work shows in its own digits.
COSTS = UnitCosts(
    mle_epoch_s=1.0,
    nll_eval_s=10.0,
    dis_epoch_s=100.0,
    sample_9984_s=1000.0,
    gen_step_s=1e4,
    ss_epoch_s=1e5,
    pg_bleu_step_s=1e6,
)
# The text presets have their own projection (tests/test_seqgan_text_costs.py).
ORACLE_PRESETS = sorted(set(PRESETS) - set(TEXT_PRESETS))


def _unit_cost(schedule: Schedule, costs: UnitCosts, unit) -> float:
    """The cost of one unit of schedule_units, as the experiment does it."""
    if unit.phase == "oracle_samples":
        return 2 * costs.nll_eval_s
    if unit.phase == "mle":
        last = unit.step == schedule.mle_epochs - 1
        evaluated = unit.step % schedule.mle_eval_every == 0 or last
        return costs.mle_epoch_s + evaluated * costs.nll_eval_s
    if unit.phase == "rescore":
        return 3 * costs.nll_eval_s * schedule.rescore_samples / 9984
    if unit.phase == "dis_pretrain" or unit.part > 0:
        return costs.sample_9984_s + schedule.dis_epochs_per_round * costs.dis_epoch_s
    last = unit.step == schedule.adversarial_iterations - 1
    evaluated = unit.step % schedule.adversarial_eval_every == 0 or last
    return schedule.generator_steps_per_iteration * costs.gen_step_s + evaluated * costs.nll_eval_s


def _walk(schedule: Schedule, costs: UnitCosts) -> float:
    return sum(_unit_cost(schedule, costs, unit) for unit in schedule_units(schedule))


@pytest.mark.parametrize("preset", ORACLE_PRESETS)
def test_unit_seconds_are_the_mean_cost_of_each_kind_of_unit(preset):
    schedule = preset_schedule(preset)
    by_kind: dict[tuple[str, bool], list[float]] = {}
    for unit in schedule_units(schedule):
        by_kind.setdefault((unit.phase, unit.part > 0), []).append(
            _unit_cost(schedule, COSTS, unit)
        )
    projected = unit_seconds(schedule, COSTS)
    assert set(projected) >= set(by_kind)
    for kind, costs in by_kind.items():
        assert projected[kind] == pytest.approx(sum(costs) / len(costs), rel=1e-12), kind


@pytest.mark.parametrize("preset", ORACLE_PRESETS)
def test_projection_equals_the_sum_over_the_experiments_units(preset):
    schedule = preset_schedule(preset)
    assert projected_seconds(schedule, COSTS)["total"] == pytest.approx(_walk(schedule, COSTS))


def test_original_schedule_in_closed_form():
    # 120 epochs; 25 MLE evaluations (0, 5, ..., 115 and 119); 50 + 200 x 5 rounds of
    # 1 sample + 3 epochs; 200 steps; 41 adversarial evaluations; 3 rescorings of 100,000.
    expected = (
        120 * 1.0
        + (2 + 25 + 41) * 10.0
        + (50 + 1000) * (1000.0 + 3 * 100.0)
        + 200 * 1e4
        + 3 * 10.0 * 100_000 / 9984
    )
    assert projected_seconds(Schedule(), COSTS)["total"] == pytest.approx(expected)


def test_evaluations_count_the_last_step_once():
    assert evaluations(120, 5) == 25
    assert evaluations(200, 5) == 41
    assert evaluations(20, 5) == 5
    assert evaluations(15, 5) == 3 + 1
    assert evaluations(0, 5) == 0
    assert evaluations(3, 1) == 3


def test_from_bench_names_the_missing_units():
    report = {"mle_epoch_s": 1.0, "nll_eval_s": 1.0, "dis_epoch_s": 1.0}
    with pytest.raises(ValueError, match="sample_9984_s, gen_step_s"):
        UnitCosts.from_bench(report)
    costs = UnitCosts.from_bench({**report, "sample_9984_s": 2.0, "gen_step_s": 3.0, "x": 0})
    assert costs.gen_step_s == 3.0
    assert describe(Schedule(), costs).endswith("min)")


def test_from_bench_takes_the_baselines_units_measured_or_from_the_reports_own_units():
    report = {
        "mle_epoch_s": 2.0,
        "nll_eval_s": 1.0,
        "dis_epoch_s": 1.0,
        "sample_9984_s": 1.0,
        "gen_step_s": 5.0,
    }
    measured = UnitCosts.from_bench({**report, "ss_epoch_s": 7.0, "pg_bleu_step_s": 11.0})
    assert (measured.ss_epoch_s, measured.pg_bleu_step_s) == (7.0, 11.0)
    # Without them: the same machine's MLE epoch and generator step times the stored ratios.
    derived = UnitCosts.from_bench(report)
    assert derived.ss_epoch_s == pytest.approx(2.0 * projection.SS_EPOCH_PER_MLE_EPOCH)
    assert derived.pg_bleu_step_s == pytest.approx(5.0 * projection.PG_BLEU_STEP_PER_GEN_STEP)


def test_reference_costs_of_the_baselines_units_are_ratios_of_run_js():
    # Run J (docs/PERFORMANCE.md): MLE epoch 1.852 s, generator step 3.887 s.
    assert REFERENCE_COSTS.mle_epoch_s == 1.852 and REFERENCE_COSTS.gen_step_s == 3.887
    assert REFERENCE_COSTS.ss_epoch_s == pytest.approx(1.852 * projection.SS_EPOCH_PER_MLE_EPOCH)
    assert REFERENCE_COSTS.pg_bleu_step_s == pytest.approx(
        3.887 * projection.PG_BLEU_STEP_PER_GEN_STEP
    )
    # A scheduled-sampling epoch adds a sampling pass to an MLE epoch; a PG-BLEU step
    # replaces the discriminator's 16 x 19 rollouts by one rollout scored by BLEU.
    assert projection.SS_EPOCH_PER_MLE_EPOCH > 1
    assert projection.PG_BLEU_STEP_PER_GEN_STEP < 1


# --mode=table1: the presets with their baselines, and the baselines alone (no SeqGAN).
TABLE1_CASES = {
    preset: (preset_schedule(preset), BaselineSchedule(**BASELINE_PRESETS[preset]))
    for preset in ORACLE_PRESETS
}
TABLE1_CASES["baselines only"] = (
    dataclasses.replace(preset_schedule("paper"), dis_pretrain_rounds=0, adversarial_iterations=0),
    BaselineSchedule(**BASELINE_PRESETS["paper"]),
)


def _table1_unit_cost(schedule: Schedule, baselines: BaselineSchedule, costs: UnitCosts, unit):
    """The cost of one unit of table1_units, as Table1Experiment.train does it."""

    def evaluated(every: int, steps: int, also=()) -> bool:
        return unit.step % every == 0 or unit.step == steps - 1 or unit.step in also

    if unit.phase == "oracle_samples":
        return 2 * costs.nll_eval_s
    if unit.phase == "rescore":
        # Random's generator, and each method's final and best where it had any steps.
        steps = (
            baselines.mle_baseline_epochs,
            baselines.ss_epochs,
            baselines.pg_bleu_iterations,
            schedule.adversarial_iterations,
        )
        generators = 1 + sum(2 for count in steps if count)
        return generators * costs.nll_eval_s * schedule.rescore_samples / 9984
    if unit.phase == "mle":
        branches = (schedule.mle_epochs - 1, baselines.pg_bleu_mle_epochs - 1)
        every, epochs = schedule.mle_eval_every, baselines.mle_baseline_epochs
        return costs.mle_epoch_s + evaluated(every, epochs, branches) * costs.nll_eval_s
    if unit.phase == "scheduled_sampling":
        every, epochs = schedule.mle_eval_every, baselines.ss_epochs
        return costs.ss_epoch_s + evaluated(every, epochs) * costs.nll_eval_s
    if unit.phase == "pg_bleu":
        every, iterations = schedule.adversarial_eval_every, baselines.pg_bleu_iterations
        return costs.pg_bleu_step_s + evaluated(every, iterations) * costs.nll_eval_s
    if unit.phase == "dis_pretrain" or unit.part > 0:
        return costs.sample_9984_s + schedule.dis_epochs_per_round * costs.dis_epoch_s
    every, iterations = schedule.adversarial_eval_every, schedule.adversarial_iterations
    steps = schedule.generator_steps_per_iteration
    return steps * costs.gen_step_s + evaluated(every, iterations) * costs.nll_eval_s


@pytest.mark.parametrize("case", sorted(TABLE1_CASES))
def test_table1_projection_equals_the_sum_over_its_units(case):
    schedule, baselines = TABLE1_CASES[case]
    units = table1_units(schedule, baselines)
    walked = sum(_table1_unit_cost(schedule, baselines, COSTS, unit) for unit in units)
    assert table1_seconds(schedule, baselines, COSTS)["total"] == pytest.approx(walked)


@pytest.mark.parametrize("case", sorted(TABLE1_CASES))
def test_table1_unit_seconds_are_the_mean_cost_of_each_kind_of_unit(case):
    schedule, baselines = TABLE1_CASES[case]
    by_kind: dict[tuple[str, bool], list[float]] = {}
    for unit in table1_units(schedule, baselines):
        by_kind.setdefault((unit.phase, unit.part > 0), []).append(
            _table1_unit_cost(schedule, baselines, COSTS, unit)
        )
    projected = table1_unit_seconds(schedule, baselines, COSTS)
    assert set(projected) >= set(by_kind)
    for kind, costs in by_kind.items():
        assert projected[kind] == pytest.approx(sum(costs) / len(costs), rel=1e-12), kind


def test_table1_original_in_closed_form():
    # MLE baseline: 350 epochs, evaluated at 0, 5, ..., 345, the last (349) and the
    # branches after 120 and 200 epochs (119, 199): 70 + 1 + 2. Scheduled sampling: 300
    # epochs, 60 + 1 evaluations. PG-BLEU: 800 steps, 160 + 1. SeqGAN from its
    # discriminator: 50 + 200 x 5 rounds, 200 steps, 41 evaluations. The rescoring: Random,
    # and the final and best of the four others, on 100,000 samples each.
    expected = (
        2 * 10.0
        + 350 * 1.0
        + 73 * 10.0
        + 300 * 1e5
        + 61 * 10.0
        + 800 * 1e6
        + 161 * 10.0
        + (50 + 1000) * (1000.0 + 3 * 100.0)
        + 200 * 1e4
        + 41 * 10.0
        + 9 * 10.0 * 100_000 / 9984
    )
    total = table1_seconds(Schedule(), BaselineSchedule(), COSTS)["total"]
    assert total == pytest.approx(expected)


def test_table1_baselines_alone_rescore_seven_generators():
    schedule, baselines = TABLE1_CASES["baselines only"]
    phases = table1_seconds(schedule, baselines, COSTS)
    assert phases["rescore"] == pytest.approx(7 * 10.0 * 100_000 / 9984)
    unrescored = dataclasses.replace(schedule, rescore_samples=0)
    assert table1_seconds(unrescored, baselines, COSTS)["rescore"] == 0
    assert table1_units(unrescored, baselines)[-1].phase == "pg_bleu"
    assert "fresh scores" not in projection.describe_table1(unrescored, baselines, COSTS)
    assert "fresh scores" in projection.describe_table1(schedule, baselines, COSTS)


def test_the_cpu_preset_fits_the_searchs_time_limit_on_the_reference_machine():
    # #13: the preset for a 2-core CPU must finish within 90 minutes there.
    from seqgan_tf.training.projection import REFERENCE_COSTS

    minutes = projected_seconds(preset_schedule("cpu"), REFERENCE_COSTS)["total"] / 60
    assert 0 < minutes <= 90


def test_the_cpu_preset_is_run_bs_schedule_stopped_at_iteration_50():
    # docs/RESULTS.md reports the preset's seed 88 from run B, started with these flags on
    # top of `original` (100 iterations); the preset must be that schedule, 51 iterations.
    from seqgan_tf.config import ModelConfig
    from seqgan_tf.schedule import apply_preset, preset_overrides

    run_b_flags = {
        "mle_epochs": 120,
        "dis_pretrain_rounds": 30,
        "dis_epochs_per_round": 1,
        "dis_rounds_per_iteration": 1,
        "adversarial_iterations": 100,
        "rollout_update_rate": 0.0,
    }
    config = apply_preset(ModelConfig, "cpu", dataclasses.asdict(ModelConfig()), set())
    departures = preset_overrides("original", config, preset_schedule("cpu"))
    expected = {k: v for k, v in run_b_flags.items() if getattr(Schedule(), k, None) != v}
    expected["adversarial_iterations"] = 51
    assert departures == expected


def _announcement(capsys, mode, preset, schedule, baselines=None) -> list[str]:
    """What an oracle run prints before its first unit."""
    from seqgan_tf.config import ModelConfig
    from seqgan_tf.experiments.oracle import ExperimentSpec, start_oracle_run

    spec = ExperimentSpec(ModelConfig(), schedule, preset=preset, baselines=baselines)
    start_oracle_run(mode, spec, "default")
    return capsys.readouterr().out.splitlines()


def test_every_run_announces_its_preset_plan_and_projected_time(capsys):
    original = preset_schedule("original")
    out = _announcement(capsys, "oracle", "original", original)
    hours = projected_seconds(original, REFERENCE_COSTS)["total"] / 3600
    assert out[0].startswith("--mode=oracle, preset original: 120 MLE epochs; 50 discriminator")
    assert out[1].endswith(f": {hours:.2f} h.")
    assert out[2].startswith("Shorter presets: --preset=quick (") and "--preset=cpu (" in out[2]

    out = "\n".join(_announcement(capsys, "oracle", "quick", preset_schedule("quick")))
    assert "Shorter presets" not in out and "rescored on 100,000 samples" in out
    assert "4 discriminator pre-training rounds of 1 epoch;" in out  # singular and plural

    out = _announcement(capsys, "table1", "original", original, BaselineSchedule())
    assert out[0].startswith("--mode=table1, preset original: MLE baseline 350 epochs (SeqGAN ")
    assert "MLE baseline 350 epochs (SeqGAN branches after 120, PG-BLEU after 200)" in out[0]
    assert out[0].endswith(
        "; each method's final and best generators (Random's untrained one) rescored on "
        "100,000 samples."
    )
    hours = table1_seconds(original, BaselineSchedule(), REFERENCE_COSTS)["total"] / 3600
    assert f": {hours:.2f} h (data and Random " in out[1]
    for method in (
        "MLE",
        "scheduled sampling",
        "PG-BLEU",
        "SeqGAN's discriminator",
        "SeqGAN's adversarial",
        "fresh scores",
    ):
        assert f", {method}" in out[1], method
    quick = table1_seconds(
        preset_schedule("quick"), BaselineSchedule(**BASELINE_PRESETS["quick"]), REFERENCE_COSTS
    )["total"]
    assert out[2].startswith(f"Shorter presets: --preset=quick ({quick / 60:.0f} min), ")
