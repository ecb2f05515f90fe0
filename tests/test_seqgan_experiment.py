"""The oracle experiment's schedule, logs and results, at a tiny scale, in-process."""

from __future__ import annotations

import dataclasses
import json
import os
import re

import numpy as np
import pytest
from seqgan_tiny import TINY_CONFIG, TINY_SCHEDULE, TINY_SPEC

from seqgan_tf.data.token_files import read_token_file
from seqgan_tf.experiments.oracle import (
    ExperimentSpec,
    OracleExperiment,
    Unit,
    WorkdirMismatchError,
    schedule_units,
)
from seqgan_tf.schedule import PRESETS, Schedule

SPEC = TINY_SPEC


@pytest.fixture
def finished(tiny_oracle_run):
    return tiny_oracle_run


def _metrics(workdir):
    with open(f"{workdir}/metrics.jsonl") as f:
        return [json.loads(line) for line in f]


def test_units_follow_the_original_schedule():
    units = schedule_units(Schedule())
    assert units[0] == Unit("oracle_samples")
    assert sum(u.phase == "mle" for u in units) == 120
    assert sum(u.phase == "dis_pretrain" for u in units) == 50
    adversarial = [u for u in units if u.phase == "adversarial"]
    assert len(adversarial) == 200 * 6  # generator part + 5 discriminator rounds
    assert adversarial[:6] == [Unit("adversarial", 0, p) for p in range(6)]


def test_every_default_is_the_original_codes():
    """The defaults, against the spec's numbers typed out here (not read from the code):
    a changed default would silently change every run called `original`."""
    from flags import SEED
    from seqgan_tf.config import ModelConfig
    from seqgan_tf.schedule import BaselineSchedule

    model = {
        "vocab_size": 5000, "sequence_length": 20, "start_token": 0, "batch_size": 64,
        "gen_emb_dim": 32, "gen_hidden_dim": 32, "gen_init_stddev": 0.1,
        "oracle_init_stddev": 1.0, "gen_learning_rate": 0.01, "gen_grad_clip": 5.0,
        "adam_epsilon": 1e-8, "dis_emb_dim": 64,
        "dis_filter_sizes": (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20),
        "dis_num_filters": (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160),
        "dis_dropout_keep_prob": 0.75, "dis_l2_reg_lambda": 0.2, "dis_learning_rate": 1e-4,
        "dis_highway_gate_bias": 0.0, "dis_highway_bias": True, "dis_shuffle": "per_round",
        "rollout_num": 16, "rollout_update_rate": 0.8,
    }  # fmt: skip
    schedule = {
        "train_samples": 9984, "eval_samples": 9984, "dis_samples": 9984,
        "mle_epochs": 120, "mle_eval_every": 5,
        "dis_pretrain_rounds": 50, "dis_epochs_per_round": 3, "adversarial_iterations": 200,
        "adversarial_eval_every": 5, "generator_steps_per_iteration": 1,
        "dis_rounds_per_iteration": 5,
    }  # fmt: skip
    baselines = {
        "mle_baseline_epochs": 350, "ss_epochs": 300, "ss_initial_true_prob": 1.0,
        "ss_true_prob_decay": 0.002, "pg_bleu_mle_epochs": 200, "pg_bleu_iterations": 800,
        "pg_bleu_rollout_num": 1, "bleu_max_n": 3,
        # As the paper describes them; the `paper` preset sets the paper-era code's quirks.
        "ss_coin": "per_token", "pg_bleu_reference_fraction": 1.0,
        "pg_bleu_rollout_update_rate": 0.8,
    }  # fmt: skip
    for cls, expected in [
        (ModelConfig, model),
        (Schedule, schedule),
        (BaselineSchedule, baselines),
    ]:
        originals = {f.name for f in dataclasses.fields(cls) if f.metadata.get("original", 1)}
        assert originals == set(expected), cls.__name__  # a new setting needs its value here
        defaults = dataclasses.asdict(cls())
        assert {name: defaults[name] for name in expected} == expected, cls.__name__
    assert sum(model["dis_num_filters"]) == 1720
    assert SEED.default == 88


def test_log_is_the_originals_format_byte_for_byte(finished):
    workdir, _ = finished
    rows = _metrics(workdir)
    mle = {r["step"]: r["nll_oracle"] for r in rows if r["phase"] == "mle" and r["nll_oracle"]}
    adv = {
        r["step"]: r["nll_oracle"]
        for r in rows
        if r["phase"] == "adversarial" and r["nll_oracle"] is not None
    }
    # MLE: epochs e with e % 2 == 0 (0, 2); adversarial: i % 2 == 0 and the last (0, 2).
    assert sorted(mle) == [0, 2]
    assert sorted(adv) == [0, 2]
    expected = (
        "pre-training...\n"
        + "".join(f"epoch:\t{e}\tnll:\t{mle[e]:g}\n" for e in (0, 2))
        + "adversarial training...\n"
        + "".join(f"epoch:\t{i}\tnll:\t{adv[i]:g}\n" for i in (0, 2))
    )
    with open(f"{workdir}/experiment-log.txt", "rb") as f:
        written = f.read()
    assert written == expected.encode()
    # The same shape as lines of the original repository's log, typed out here: six
    # significant digits, no exponent, no trailing zeros.
    line = re.compile(r"epoch:\t(\d+)\tnll:\t(\d+\.?\d*)")
    for original in ["epoch:\t5\tnll:\t9.42939", "epoch:\t0\tnll:\t10.1716"]:
        assert line.fullmatch(original)
    values = {**{("mle", e): v for e, v in mle.items()}, **{("adv", i): v for i, v in adv.items()}}
    header = "mle"
    for text in written.decode().splitlines():
        if text.endswith("..."):
            header = "mle" if text == "pre-training..." else "adv"
            continue
        step, value = line.fullmatch(text).groups()
        assert len(value.replace(".", "").lstrip("0")) <= 6 and not value.endswith("0")
        assert float(value) == pytest.approx(values[header, int(step)], rel=5e-6)


def test_metrics_rows_one_per_unit_with_wall_time(finished):
    workdir, _ = finished
    rows = _metrics(workdir)
    assert len(rows) == len(schedule_units(TINY_SCHEDULE))
    phases = [r["phase"] for r in rows]
    assert phases[0] == "oracle_samples"
    # the last MLE epoch (3) is not a multiple of 2: measured for the table, not logged
    assert phases[1:5] == ["mle", "mle", "mle", "mle_final"]
    assert phases.count("dis_pretrain") == 2
    walls = [r["wall_seconds"] for r in rows]
    assert walls == sorted(walls) and walls[-1] > 0
    assert all("dis_loss" in r for r in rows if r["phase"] == "dis_pretrain")
    assert all(
        "adversarial_loss" in r for r in rows if r["phase"] == "adversarial" and r["part"] == 0
    )


def test_wall_seconds_count_each_units_bookkeeping(tmp_path):
    # What runs after a unit's work (its logs, the hook, its checkpoint) is part of the
    # run's wall time: a row counts up to its own unit's work, the total everything.
    import itertools
    import time

    from seqgan_tiny import TINY_SPEC

    from seqgan_tf.experiments.oracle import OracleExperiment

    pause = 0.1
    results = OracleExperiment(
        str(tmp_path),
        TINY_SPEC,
        progress_interval=1e9,
        print_fn=lambda _: None,
        after_unit=lambda index, unit: time.sleep(pause),
    ).run()
    walls = [r["wall_seconds"] for r in _metrics(str(tmp_path))]
    assert all(later - earlier >= pause for earlier, later in itertools.pairwise(walls))
    assert results["wall_seconds"] >= walls[-1] + pause - 0.05  # the total is rounded to 0.1


def test_results_and_files(finished):
    workdir, results = finished
    for key in (
        "oracle",
        "mle_nll",
        "seqgan_nll_final",
        "seqgan_nll_best",
        "rollout_update_rate",
        "preset",
    ):
        assert key in results
    assert results["oracle"] == "random"
    assert results["rollout_update_rate"] == 0.8
    rows = _metrics(workdir)
    adv_nll = [r["nll_oracle"] for r in rows if r["phase"] == "adversarial" and r["nll_oracle"]]
    assert results["seqgan_nll_final"] == adv_nll[-1]
    assert results["seqgan_nll_best"] == min(adv_nll)
    assert results["mle_nll"] == [r for r in rows if r["phase"] == "mle_final"][0]["nll_oracle"]
    with open(f"{workdir}/results.json") as f:
        assert json.load(f) == results
    # The reported generators scored afresh: each its own fresh samples, with the error.
    rescored = results["rescored"]
    assert set(rescored) == {"mle_final", "seqgan_final", "seqgan_best"}
    for name, logged in (("mle_final", "mle_nll"), ("seqgan_final", "seqgan_nll_final")):
        entry = rescored[name]
        assert 0 < entry["standard_error"] < 0.5
        assert entry["nll"] != results[logged]  # other samples
        assert abs(entry["nll"] - results[logged]) < 0.5
    assert [r["phase"] for r in rows][-1] == "rescore"
    table = open(f"{workdir}/results.md").read()
    assert "fresh 256 samples" in table
    title = table.splitlines()[0]
    # The title names the oracle's kind and every departure from the named preset.
    assert "random N(0,1) oracle: NOT comparable with the paper" in title
    assert "--mle_epochs=4" in title and "--dis_filter_sizes=1,2,3" in title
    assert "--gen_learning_rate" not in title
    # Iterations counted from 1 in the table, as in the progress lines ("iteration 3/3").
    assert "| SeqGAN, final (iteration 3) |" in table
    assert f"| SeqGAN, best (iteration {results['seqgan_iteration_best'] + 1}) |" in table
    for text in (
        "10.310",
        "9.038",
        "8.985",
        "8.946",
        "8.736",
        "9.07",
        "8.68",
        "random N(0,1)",
        "r = 0.8",
    ):
        assert text in table
    real = read_token_file(f"{workdir}/real_data.txt", 30, 6)
    assert real.shape == (32, 6)
    for name in ("mle_final", "seqgan_final", "seqgan_best"):
        assert read_token_file(f"{workdir}/samples/{name}.txt", 30, 6).shape == (32, 6)
    import os

    assert os.listdir(f"{workdir}/tensorboard")


def test_finished_run_is_not_repeated(finished):
    workdir, results = finished
    before = open(f"{workdir}/experiment-log.txt").read()
    again = OracleExperiment(workdir, SPEC, print_fn=lambda _: None).run()
    assert again == results
    assert open(f"{workdir}/experiment-log.txt").read() == before


def test_workdir_holding_another_experiment_is_rejected(finished):
    workdir, _ = finished
    other = ExperimentSpec(TINY_CONFIG, dataclasses.replace(TINY_SCHEDULE, mle_epochs=5), seed=5)
    with pytest.raises(
        WorkdirMismatchError,
        match=r"holds another experiment \(schedule\.mle_epochs is 4 there, 5 here\)",
    ):
        OracleExperiment(workdir, other)


def test_workdir_from_before_a_field_existed_resumes_at_its_default(finished, tmp_path):
    """A field added later (here rescore_samples) is absent from an older experiment.json:
    that run used the field's default, so the workdir resumes; any other value is refused."""
    import shutil

    workdir = str(tmp_path / "older")
    shutil.copytree(finished[0], workdir)
    with open(f"{workdir}/experiment.json") as f:
        stored = json.load(f)
    del stored["schedule"]["rescore_samples"]
    with open(f"{workdir}/experiment.json", "w") as f:
        json.dump(stored, f)
    default = dataclasses.replace(TINY_SCHEDULE, rescore_samples=Schedule.rescore_samples)
    OracleExperiment(workdir, ExperimentSpec(TINY_CONFIG, default, seed=5))
    with pytest.raises(WorkdirMismatchError, match="schedule.rescore_samples is 100000 there"):
        OracleExperiment(workdir, TINY_SPEC)


def test_real_data_file_replaces_oracle_samples(tmp_path):
    data = np.random.default_rng(0).integers(0, 30, size=(24, 6))
    path = tmp_path / "real.txt"
    path.write_text("".join(" ".join(map(str, row)) + "\n" for row in data))
    schedule = Schedule(
        train_samples=16,
        eval_samples=16,
        dis_samples=16,
        mle_epochs=1,
        mle_eval_every=1,
        dis_pretrain_rounds=0,
        adversarial_iterations=0,
    )
    spec = ExperimentSpec(TINY_CONFIG, schedule, seed=1, real_data=str(path))
    results = OracleExperiment(str(tmp_path / "w"), spec, print_fn=lambda _: None).run()
    np.testing.assert_array_equal(read_token_file(tmp_path / "w" / "real_data.txt", 30, 6), data)
    assert results["real_data"] == "file"


def test_presets_name_only_known_hyper_parameters():
    import dataclasses

    from seqgan_tf.config import ModelConfig
    from seqgan_tf.data.corpus import CorpusSettings
    from seqgan_tf.schedule import TEXT_PRESETS

    known = {f.name for f in dataclasses.fields(Schedule)} | {
        f.name for f in dataclasses.fields(ModelConfig)
    }
    corpus = {f.name for f in dataclasses.fields(CorpusSettings)}
    assert set(PRESETS) >= {"original", "paper", "quick"}
    assert PRESETS["original"] == {}
    for name, values in PRESETS.items():
        # A text preset also sets the corpus settings it was measured with.
        assert set(values) <= known | (corpus if name in TEXT_PRESETS else set()), name
    assert PRESETS["paper"]["mle_epochs"] == 240
    assert PRESETS["paper"]["adversarial_iterations"] == 800
    assert PRESETS["paper"]["adversarial_eval_every"] == 1


def test_sample_mode_writes_samples_of_the_trained_generator(finished, tmp_path, capsys):
    from seqgan_tf import commands

    workdir, _ = finished
    first, second, other = (tmp_path / f"{n}.txt" for n in ("a", "b", "c"))
    commands.sample(workdir, str(first), num_samples=50, seed=1)
    commands.sample(workdir, str(second), num_samples=50, seed=1)
    commands.sample(workdir, str(other), num_samples=50, seed=2)
    samples = read_token_file(first, 30, 6)
    assert samples.shape == (50, 6)
    assert first.read_text() == second.read_text() != other.read_text()
    assert "wrote 50 samples" in capsys.readouterr().out


def test_sample_mode_needs_a_trained_workdir(tmp_path):
    from seqgan_tf import commands

    with pytest.raises(ValueError, match="holds no trained experiment"):
        commands.sample(str(tmp_path), str(tmp_path / "out.txt"), 5, 0)


# An oracle samples unit, 2 MLE epochs, 3 iterations of (generator part, one D round).
PROGRESS_UNITS = schedule_units(
    Schedule(
        mle_epochs=2,
        dis_pretrain_rounds=0,
        adversarial_iterations=3,
        dis_rounds_per_iteration=1,
        rescore_samples=0,
    )
)
# With discriminator pre-training: units 3-5 are its rounds, 6-9 two adversarial iterations.
PRETRAIN_UNITS = schedule_units(
    Schedule(
        mle_epochs=2,
        dis_pretrain_rounds=3,
        adversarial_iterations=2,
        dis_rounds_per_iteration=1,
        rescore_samples=0,
    )
)


POSITION_NAMES = {"mle": "epoch", "dis_pretrain": "round", "adversarial": "iteration"}


def _progress_lines(updates, expected=lambda unit: None, units=PROGRESS_UNITS):
    """The progress lines of ``Progress.update(index, row, seconds)`` for each update."""
    from seqgan_tf.training.progress import Progress

    lines: list[str] = []
    progress = Progress(
        units,
        0.0,
        lambda unit, steps: f"{POSITION_NAMES.get(unit.phase, 'step')} {unit.step + 1}/{steps}",
        ("nll_oracle", "NLL_oracle"),
        expected,
        emit=lines.append,
    )
    for update in updates:
        progress.update(*update)
    return progress, lines


def test_progress_eta_adds_the_mean_time_of_each_remaining_kind_of_unit():
    _, lines = _progress_lines(
        [
            (0, {}, 5.0),  # oracle samples
            (1, {"nll_oracle": 9.5}, 10.0),  # MLE epoch 1 of 2
            (2, {}, 10.0),  # MLE epoch 2 of 2
            (3, {"nll_oracle": 9.1}, 20.0),  # iteration 1: generator part
            (4, {}, 60.0),  # iteration 1: discriminator round
        ],
    )
    # after the samples: nothing of the rest is known, and a lower bound of 0 says nothing
    assert "phase ETA 0m00s | run ETA unknown |" in lines[0]
    # after epoch 1: one epoch left (10 s) and 6 adversarial units of unknown cost
    assert "[mle] epoch 1/2" in lines[1] and "phase ETA 0m10s | run ETA > 0m10s" in lines[1]
    assert "NLL_oracle 9.5000" in lines[1]
    # after a whole iteration: 2 more of 20 + 60 s
    assert "[adversarial] iteration 1/3" in lines[4]
    assert "phase ETA 2m40s | run ETA 2m40s | NLL_oracle 9.1000" in lines[4]


def test_progress_eta_projects_kinds_not_yet_run_at_the_measured_speed():
    projected = {
        ("oracle_samples", False): 1.0,
        ("mle", False): 5.0,
        ("adversarial", False): 10.0,
        ("adversarial", True): 30.0,
    }
    progress, lines = _progress_lines(
        [
            (0, {}, 5.0),  # 5x its projection
            (1, {"nll_oracle": 9.5}, 10.0),  # MLE epoch 1 of 2: 2x
            (2, {}, 6.0),  # MLE epoch 2: 1.2x, the first after tracing
        ],
        lambda unit: projected[(unit.phase, unit.part > 0)],
    )
    # Only first units (tracing) so far: speed 1, 2 MLE epochs of 5 s, 3 x (10 + 30) s.
    assert "[oracle_samples]" in lines[0] and "phase ETA 0m00s | run ETA ~ 2m10s" in lines[0]
    # Still speed 1; the MLE epoch left counts at its projection (5 s), not at the first
    # epoch's 10 s, which include tracing: 5 s plus 3 x (10 + 30) s.
    assert "phase ETA ~ 0m05s | run ETA ~ 2m05s" in lines[1]
    # The first unit after a kind's first sets the speed: 6 s / 5 s = 1.2, so 3 x (12 + 36) s.
    assert "[mle] epoch 2/2" in lines[2] and "run ETA ~ 2m24s" in lines[2]
    assert progress._eta([PROGRESS_UNITS[1]]) == (6.0, "")  # an epoch: 6 s, not (10 + 6) / 2


def test_preset_overrides_lists_what_differs_from_the_named_preset():
    from seqgan_tf.config import ModelConfig
    from seqgan_tf.schedule import PRESETS, BaselineSchedule, Schedule, preset_overrides

    quick = Schedule(**{k: v for k, v in PRESETS["quick"].items() if k in Schedule.__annotations__})
    assert preset_overrides("quick", ModelConfig(), quick) == {}
    assert preset_overrides("original", ModelConfig(), quick) == {
        k: v for k, v in PRESETS["quick"].items() if getattr(Schedule(), k) != v
    }
    paper = ModelConfig(
        gen_learning_rate=1e-3,
        dis_highway_bias=False,
        dis_shuffle="per_epoch",
        rollout_update_rate=0.0,
    )
    assert preset_overrides("paper", paper) == {}
    assert preset_overrides("original", paper, None) == {
        "gen_learning_rate": 1e-3,
        "dis_highway_bias": False,
        "dis_shuffle": "per_epoch",
        "rollout_update_rate": 0.0,
    }
    assert preset_overrides("quick", BaselineSchedule()) == {
        "mle_baseline_epochs": 350,
        "ss_epochs": 300,
        "ss_true_prob_decay": 0.002,
        "pg_bleu_mle_epochs": 200,
        "pg_bleu_iterations": 800,
    }


def test_curves_of_a_run_beside_the_original_log(finished, tmp_path):
    from seqgan_tf.reporting.curves import adversarial_curve, main, reward_curve
    from seqgan_tf.reporting.results import ORIGINAL_ADVERSARIAL_LOG, ORIGINAL_LOG

    workdir, results = finished
    curve = adversarial_curve(workdir)
    assert [step for step, _, _ in curve] == [0, 2]  # every 2 iterations and the last
    assert curve[-1][1] == results["seqgan_nll_final"]
    assert all(b[2] > a[2] for a, b in zip(curve, curve[1:], strict=False))  # minutes grow
    with open(os.path.join(workdir, "metrics.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    logged = [(r["step"], r["mean_reward"]) for r in rows if "mean_reward" in r]
    assert reward_curve(workdir) == logged  # one policy-gradient step per iteration here
    assert [step for step, _ in logged] == [0, 1, 2]
    assert all(0.0 < reward < 1.0 for _, reward in logged)
    assert min(ORIGINAL_ADVERSARIAL_LOG.values()) == pytest.approx(
        ORIGINAL_LOG["SeqGAN (best, iteration 145)"], abs=0.005
    )
    output = tmp_path / "curves.png"
    main([f"--run=tiny={workdir}", f"--output={output}"])
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no metrics.jsonl"):
        adversarial_curve(str(tmp_path))


def test_progress_eta_counts_the_same_work_at_its_measured_time():
    # A discriminator round of the adversarial phase is the pre-training's round: once
    # those are measured, its ETA is their time, not a projection scaled by the speed of
    # all units so far (which the MLE epochs' fixed costs inflate).
    projected = {
        ("oracle_samples", False): 1.0,
        ("mle", False): 1.0,
        ("dis_pretrain", False): 20.0,
        ("adversarial", False): 4.0,
        ("adversarial", True): 20.0,
    }
    progress, lines = _progress_lines(
        [(0, {}, 3.0), (1, {}, 3.0), (2, {}, 10.0), (3, {}, 30.0), (4, {}, 22.0), (5, {}, 22.0)],
        lambda unit: projected[(unit.phase, unit.part > 0)],
        PRETRAIN_UNITS,
    )
    # Speed over the later units (MLE epoch 2, pre-training rounds 2 and 3): 54 / 41.
    # Adversarial: 2 generator parts projected, 2 x 4 x 54 / 41 = 10.5 s, and 2 rounds as
    # measured, 2 x 22 s: 54.5 s (scaling the rounds' projection too would give 63.2 s).
    assert "[dis_pretrain] round 3/3" in lines[5] and "run ETA ~ 0m54s" in lines[5]
    assert progress._eta(PRETRAIN_UNITS[6:7]) == (pytest.approx(4 * 54 / 41), "~ ")
    assert progress._eta(PRETRAIN_UNITS[7:8]) == (22.0, "")


def test_progress_eta_after_a_resume_does_not_count_tracing_as_the_units_cost():
    # A resumed run's first unit of each kind traces its functions (the reward's XLA
    # compile: tens of seconds); the units left count at their projection instead.
    projected = {("adversarial", False): 4.0, ("adversarial", True): 20.0}
    _, lines = _progress_lines(
        [(6, {}, 40.0), (7, {}, 30.0), (8, {}, 5.0)],  # resumed at iteration 0
        lambda unit: projected.get((unit.phase, unit.part > 0)),
        PRETRAIN_UNITS,
    )
    assert "[adversarial] iteration 1/2" in lines[0]
    assert "run ETA ~ 0m44s" in lines[0]  # 20 + 4 + 20, not 20 + 40 + 20
    assert "run ETA ~ 0m24s" in lines[1]  # 4 + 20, not 40 + 30
    assert "run ETA ~ 0m25s" in lines[2]  # one round at 20 x 5 / 4


def test_smoke_runs_every_phase_once_at_the_model_flags_sizes(tmp_path):
    from seqgan_tf.experiments.smoke import SMOKE_BATCHES, run_smoke

    results = run_smoke(str(tmp_path), TINY_CONFIG, None, None, seed=3, print_fn=lambda _: None)
    with open(tmp_path / "metrics.jsonl") as f:
        phases = [(row["phase"], row["part"]) for row in map(json.loads, f)]
    assert phases == [
        ("oracle_samples", 0),
        ("mle", 0),
        ("mle", 0),
        ("dis_pretrain", 0),
        ("adversarial", 0),
        ("adversarial", 1),
    ]
    real = read_token_file(tmp_path / "real_data.txt", 30, 6)  # the model flags' shapes
    assert real.shape == (SMOKE_BATCHES * TINY_CONFIG.batch_size, 6)
    assert results["seqgan_nll_final"] is not None and results["preset"] == "smoke"


def test_workdir_from_before_the_sample_counts_split_resumes(finished, tmp_path):
    """experiment.json written when one num_samples set all three counts: it resumes with
    the three at that value, and is refused with any other."""
    import shutil

    workdir = str(tmp_path / "before_split")
    shutil.copytree(finished[0], workdir)
    with open(f"{workdir}/experiment.json") as f:
        stored = json.load(f)
    for name in ("train_samples", "eval_samples", "dis_samples"):
        assert stored["schedule"].pop(name) == 32
    stored["schedule"]["num_samples"] = 32
    with open(f"{workdir}/experiment.json", "w") as f:
        json.dump(stored, f)
    OracleExperiment(workdir, TINY_SPEC)  # accepted
    other = dataclasses.replace(TINY_SCHEDULE, eval_samples=64)
    with pytest.raises(WorkdirMismatchError, match="schedule.eval_samples is 32 there, 64 here"):
        OracleExperiment(workdir, ExperimentSpec(TINY_CONFIG, other, seed=5))
