"""bench/seqgan_kernels.py: the interleaving of the two paths and the arithmetic of its
report (its timings are never asserted: benchmarks print them)."""

from __future__ import annotations

import json

import pytest

from bench.seqgan_kernels import UNITS, main, parse_args, path_order, project, summarize
from seqgan_tf.schedule import preset_schedule
from seqgan_tf.training import projection


def test_the_paths_alternate_which_goes_first():
    assert [path_order(r) for r in range(4)] == [
        ("fast", "reference"),
        ("reference", "fast"),
        ("fast", "reference"),
        ("reference", "fast"),
    ]


def test_ratios_are_reference_over_fast_of_medians_and_of_pairs():
    runs = {
        "fast": {"mle_epoch_s": [1.0, 2.0, 10.0]},
        "reference": {"mle_epoch_s": [3.0, 2.0, 4.0]},
    }
    unit = summarize(runs)["mle_epoch_s"]
    assert unit["fast_median_s"] == 2.0 and unit["reference_median_s"] == 3.0
    assert unit["ratio_of_medians"] == pytest.approx(1.5)
    assert unit["median_paired_ratio"] == pytest.approx(1.0)  # of 3, 1 and 0.4
    with pytest.raises(ValueError, match="mle_epoch_s: 3 fast and 2 reference"):
        summarize({"fast": runs["fast"], "reference": {"mle_epoch_s": [1.0, 2.0]}})


def _summary(fast: dict[str, float], reference: dict[str, float]) -> dict:
    return {
        unit: {"fast_median_s": fast[unit], "reference_median_s": reference[unit]} for unit in UNITS
    }


def test_a_uniform_gain_projects_to_the_same_gain_and_the_schedule_weights_the_units():
    fast = {unit: 1.0 + index for index, unit in enumerate(UNITS)}
    doubled = project(_summary(fast, {unit: 2 * s for unit, s in fast.items()}))
    assert doubled["original"]["ratio"] == pytest.approx(2.0)
    # Only the discriminator epoch slower: the schedule's own weight of it, not 2x.
    only_dis = dict(fast, dis_epoch_s=2 * fast["dis_epoch_s"])
    original = project(_summary(fast, only_dis))["original"]
    costs = projection.UnitCosts(**{u: fast[u] for u in UNITS if u != "reward_s"})
    total = projection.projected_seconds(preset_schedule("original"), costs)["total"]
    schedule = preset_schedule("original")
    rounds = schedule.dis_pretrain_rounds + (
        schedule.adversarial_iterations * schedule.dis_rounds_per_iteration
    )
    epochs = rounds * schedule.dis_epochs_per_round * schedule.dis_samples / 9_984
    assert original["fast_h"] == pytest.approx(total / 3600)
    assert original["reference_h"] == pytest.approx((total + epochs * fast["dis_epoch_s"]) / 3600)


def test_bad_units_and_repeats_name_the_flag(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--units=mle_epoch_s,bogus"])
    assert "--units: unknown bogus" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--repeats=0"])
    assert "--repeats=0" in capsys.readouterr().err


def test_a_report_stopped_early_is_summarized_again_from_its_times(tmp_path, capsys):
    fast = {unit: [1.0, 3.0] for unit in UNITS}
    reference = {unit: [2.0, 3.0] for unit in UNITS}
    report = {
        "repeats_done": 2,
        "runs_s": {"fast": fast, "reference": reference},
        "cpu_s": {"fast": reference, "reference": fast},
    }
    (tmp_path / "in.json").write_text(json.dumps(report))
    main([f"--from_json={tmp_path / 'in.json'}", f"--json={tmp_path / 'out.json'}"])
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["units"]["dis_epoch_s"]["ratio_of_medians"] == pytest.approx(2.5 / 2.0)
    assert out["cpu_units"]["dis_epoch_s"]["ratio_of_medians"] == pytest.approx(2.0 / 2.5)
    assert out["projected"]["original"]["ratio"] == pytest.approx(1.25)
    assert "process CPU" in capsys.readouterr().out
