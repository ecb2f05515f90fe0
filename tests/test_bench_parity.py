"""bench/original_parity.py: the parity harness against the authors' TF1 code.

The pieces that do not need the authors' code are tested here against independent
references: the discriminator's weights under the original's names and shapes (run through
the original's equations in float64 NumPy), the generator pickle the original's runner reads
(plain ``pickle``, the original's LSTM equations), and the seed-level statistics (Welch's
formula and SciPy). The end-to-end run needs a clone of LantaoYu/SeqGAN: set
``SEQGAN_ORIGINAL_REPO`` to it, else that test skips.
"""

from __future__ import annotations

import json
import math
import os
import pickle
from itertools import product

import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf
from scipy import stats

from bench import (
    original_parity,
    parity_mle,
    parity_original,
    parity_port,
    parity_stats,
    parity_weights,
)
from seqgan_tf.config import ModelConfig
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator

TINY = ModelConfig(
    vocab_size=30,
    sequence_length=6,
    gen_emb_dim=4,
    gen_hidden_dim=5,
    dis_emb_dim=5,
    dis_filter_sizes=(1, 2, 6),
    dis_num_filters=(3, 4, 2),
)
# The variables the original's Discriminator creates for these windows (its discriminator.py:
# tf.Variable W/b under name scopes "embedding", "conv-maxpool-<w>", "output"; linear()'s
# get_variable Matrix/Bias under "Highway/highway_lin_0" and "Highway/highway_gate_0").
ORIGINAL_NAMES = {
    "discriminator/embedding/W": (30, 5),
    "discriminator/conv-maxpool-1/W": (1, 5, 1, 3),
    "discriminator/conv-maxpool-1/b": (3,),
    "discriminator/conv-maxpool-2/W": (2, 5, 1, 4),
    "discriminator/conv-maxpool-2/b": (4,),
    "discriminator/conv-maxpool-6/W": (6, 5, 1, 2),
    "discriminator/conv-maxpool-6/b": (2,),
    "discriminator/Highway/highway_lin_0/Matrix": (9, 9),
    "discriminator/Highway/highway_lin_0/Bias": (9,),
    "discriminator/Highway/highway_gate_0/Matrix": (9, 9),
    "discriminator/Highway/highway_gate_0/Bias": (9,),
    "discriminator/output/W": (9, 2),
    "discriminator/output/b": (2,),
}


def original_discriminator_logits(arrays: dict, tokens: np.ndarray) -> np.ndarray:
    """The original's discriminator from its own variables, float64: conv2d filters
    [w, E, 1, f]; linear() computes x @ Matrix^T + Bias; 'lin' is the ReLU path."""
    prefix = "discriminator"
    widths = (1, 2, 6)
    return ref.discriminator_logits(
        arrays[f"{prefix}/embedding/W"],
        [arrays[f"{prefix}/conv-maxpool-{w}/W"][:, :, 0, :] for w in widths],
        [arrays[f"{prefix}/conv-maxpool-{w}/b"] for w in widths],
        (
            arrays[f"{prefix}/Highway/highway_gate_0/Matrix"].T,
            arrays[f"{prefix}/Highway/highway_gate_0/Bias"],
            arrays[f"{prefix}/Highway/highway_lin_0/Matrix"].T,
            arrays[f"{prefix}/Highway/highway_lin_0/Bias"],
        ),
        arrays[f"{prefix}/output/W"],
        arrays[f"{prefix}/output/b"],
        tokens,
    )


def test_discriminator_maps_to_the_originals_names_shapes_and_function():
    discriminator = Discriminator(TINY, seed=3)
    arrays = parity_weights.discriminator_to_original(discriminator)
    assert {name: a.shape for name, a in arrays.items()} == ORIGINAL_NAMES
    assert all(a.dtype == np.float32 for a in arrays.values())
    tokens = np.random.default_rng(0).integers(0, TINY.vocab_size, size=(16, 6))
    port = discriminator(tf.constant(tokens, tf.int32), training=False).numpy()
    np.testing.assert_allclose(original_discriminator_logits(arrays, tokens), port, atol=1e-5)


def test_discriminator_weights_load_back_into_a_fresh_port_model(tmp_path):
    source = Discriminator(TINY, seed=3)
    path = tmp_path / "d.npz"
    parity_weights.save_discriminator(path, source)
    target = Discriminator(TINY, seed=4)
    parity_weights.load_discriminator(path, target)
    for mine, theirs in zip(target.trainable_variables, source.trainable_variables, strict=True):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    arrays = parity_weights.discriminator_to_original(source)
    del arrays["discriminator/output/b"]
    with pytest.raises(ValueError, match="discriminator/output/b"):
        parity_weights.discriminator_from_original(target, arrays)


def test_generator_pickle_is_a_plain_list_in_the_originals_gate_order(tmp_path):
    generator = Generator(TINY, seed=5)
    path = tmp_path / "g.pkl"
    parity_weights.save_generator(path, generator)
    with open(path, "rb") as f:  # what the original's runner does: no project code
        arrays = pickle.load(f)
    assert isinstance(arrays, list) and len(arrays) == 15
    assert all(type(a) is np.ndarray and a.dtype == np.float32 for a in arrays)
    tokens = np.random.default_rng(1).integers(0, TINY.vocab_size, size=(8, 6))
    port = generator.token_log_probs(tf.constant(tokens, tf.int32)).numpy()
    np.testing.assert_allclose(ref.token_log_probs(arrays, tokens), port, atol=1e-5)
    restored = Generator(TINY, seed=6)
    parity_weights.load_generator(path, restored)
    for mine, theirs in zip(restored.export_params(), arrays, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_seed_level_comparison_is_welchs_test_and_mann_whitney():
    port = [0.112, 0.098, 0.131, 0.105, 0.120]
    original = [0.090, 0.101, 0.085, 0.079, 0.095, 0.088]
    result = parity_stats.compare_gains(port, original)
    a, b = np.array(port), np.array(original)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    assert result["welch_t"] == pytest.approx(t, rel=1e-12)
    assert result["welch_df"] == pytest.approx(df, rel=1e-12)
    assert result["welch_p"] == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-10)
    half_width = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert result["welch_ci95"] == pytest.approx(
        [a.mean() - b.mean() - half_width, a.mean() - b.mean() + half_width], rel=1e-10
    )
    # U counts the pairs where the port's gain is larger: 29 of the 30 here.
    wins = sum(float(x > y) + 0.5 * float(x == y) for x in port for y in original)
    assert wins == 29 and result["mann_whitney_u"] == wins
    assert result["mann_whitney_p"] == pytest.approx(
        stats.mannwhitneyu(port, original, alternative="two-sided").pvalue
    )
    assert result["port"]["std"] == pytest.approx(a.std(ddof=1))
    with pytest.raises(ValueError, match="two seeds"):
        parity_stats.compare_gains([0.1], original)


def test_missing_clone_is_one_clear_line_before_any_workdir(tmp_path, capsys):
    workdir = tmp_path / "runs"
    with pytest.raises(SystemExit) as stop:
        original_parity.main([f"--workdir={workdir}"])
    assert stop.value.code == 2
    message = capsys.readouterr().err.strip()
    assert "--original_repo" in message and len(message.splitlines()) == 1
    with pytest.raises(SystemExit):
        original_parity.main([f"--original_repo={tmp_path}", f"--workdir={workdir}"])
    assert "not a clone of LantaoYu/SeqGAN" in capsys.readouterr().err
    assert not workdir.exists()


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("SEQGAN_ORIGINAL_REPO"),
    reason="set SEQGAN_ORIGINAL_REPO to a clone of LantaoYu/SeqGAN",
)
def test_both_programs_run_from_one_start_and_are_scored(tmp_path):
    results = original_parity.main(
        [
            f"--original_repo={os.environ['SEQGAN_ORIGINAL_REPO']}",
            f"--workdir={tmp_path}",
            "--seeds=1,2",
            "--iterations=1",
            "--dis_rounds=0",
            "--start_mle_epochs=1",
            "--start_dis_rounds=0",
            "--score_samples=1024",
            "--curve_samples=1024",
        ]
    )
    for program in ("port", "original"):
        assert sorted(results["runs"][program]) == ["1", "2"]
        for run in results["runs"][program].values():
            assert 4.0 < run["final_nll"] < 12.0
    assert results["comparison"]["port"]["n"] == 2


def test_reset_optimizer_returns_adam_to_its_fresh_state():
    fresh = Generator(TINY, seed=7)
    reused = Generator(TINY, seed=7)
    start = fresh.export_params()
    tokens = tf.constant(np.random.default_rng(2).integers(0, TINY.vocab_size, (4, 6)), tf.int32)
    rewards = tf.constant(np.random.default_rng(3).uniform(size=(4, 6)), tf.float32)
    for _ in range(3):  # moments and step counter away from zero
        reused.adversarial_step(tokens, rewards)
    reused.import_params(start)
    parity_port.reset_optimizer(reused.adversarial_optimizer)
    assert float(reused.adversarial_optimizer.learning_rate) == pytest.approx(0.01)
    for model in (fresh, reused):
        model.adversarial_step(tokens, rewards)
        model.adversarial_step(tokens, rewards)
    for a, b in zip(fresh.export_params(), reused.export_params(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-7)
    discriminator = Discriminator(TINY, seed=1)
    labels = tf.constant([0, 1, 0, 1])
    discriminator.train_step_on_batch(tokens, tf.one_hot(labels, 2))
    parity_port.reset_optimizer(discriminator.train_optimizer)
    assert all(not np.any(v.numpy()) for v in discriminator.train_optimizer.variables)


def test_the_ports_discriminator_round_is_the_experiments_on_every_training_line(
    tmp_path, monkeypatch
):
    """The original's Dis_dataloader reads every line of the training file as a positive
    beside its 156 x 64 negatives; the port's side of the harness runs the experiment's own
    round on the same: all lines (not whole batches of them), 9,984 negatives."""
    from bench import parity_start
    from seqgan_tf.data.token_files import write_token_file

    lines = np.random.default_rng(4).integers(0, TINY.vocab_size, (100, TINY.sequence_length))
    real_path = tmp_path / "real.txt"  # 100 lines: not whole batches of 64
    write_token_file(real_path, lines)
    monkeypatch.setattr(parity_port, "ModelConfig", lambda: TINY)  # quick models
    models = parity_port.PortModels(rollout_update_rate=0.0)
    start = tmp_path / "start"
    start.mkdir()
    parity_weights.save_generator(start / parity_start.GENERATOR_FILE, models.generator)
    parity_weights.save_discriminator(start / parity_start.DISCRIMINATOR_FILE, models.discriminator)
    rounds = []

    def fake_round(discriminator, generator, real, num_samples, epochs, rng, shuffle_seed):
        assert discriminator is models.discriminator and generator is models.generator
        rounds.append((np.array(real), num_samples, epochs))
        return 0.0

    monkeypatch.setattr(parity_port.train, "train_discriminator_round", fake_round)
    parity_port.run_port_seed(
        models,
        start,
        real_path,
        tmp_path / "out",
        seed=1,
        iterations=1,
        dis_rounds=2,
        dis_epochs=3,
        export_every=1,
    )
    assert len(rounds) == 2
    for real, num_samples, epochs in rounds:
        np.testing.assert_array_equal(real, lines)
        assert (num_samples, epochs) == (10_000 // 64 * 64, 3)


def test_report_compares_the_gains_from_the_start_of_every_finished_seed(tmp_path):
    import argparse
    import json

    from bench import parity_report

    finals = {"port": {1: 8.80, 2: 8.85, 3: 8.90}, "original": {1: 8.84, 2: 8.83}}
    for program, seeds in finals.items():
        for seed, final in seeds.items():
            run = tmp_path / program / f"seed_{seed}"
            run.mkdir(parents=True)
            curve = {"5": final + 0.1, "10": final}
            (run / "scores.json").write_text(json.dumps({"final_nll": final, "curve": curve}))
            times = {"iteration_s": [1.0, 3.0, 2.0]}
            (run / "result.json").write_text(json.dumps({"wall_s": 6.0, "times": times}))
    args = argparse.Namespace(
        iterations=10,
        dis_rounds=0,
        dis_epochs=1,
        rollout_update_rate=0.0,
        score_samples=20_000,
        curve_samples=10_000,
    )
    start = {"nll_oracle_20000": 9.0}
    results = parity_report.collect(tmp_path, args, start, ["port", "original"], [1, 2, 3, 4])
    assert sorted(results["runs"]["port"]) == ["1", "2", "3"]  # seed 4 never ran
    assert results["runs"]["original"]["2"]["gain"] == pytest.approx(9.0 - 8.83)
    assert results["runs"]["port"]["1"]["median_iteration_s"] == 2.0
    expected = parity_stats.compare_gains([0.20, 0.15, 0.10], [0.16, 0.17])
    assert results["comparison"]["welch_t"] == pytest.approx(expected["welch_t"])
    assert results["comparison_by_iteration"]["5"]["port"]["mean"] == pytest.approx(0.05)
    table = parity_report.markdown(results)
    assert "| 2 | 8.8500 | 0.1500 | 8.8300 | 0.1700 |" in table
    assert "| 3 | 8.9000 | 0.1000 | -- | -- |" in table
    assert table.startswith("Schedule: 10 iterations of one generator step (")
    assert "the discriminator fixed." in table.splitlines()[0]
    figure = tmp_path / "curves.png"
    parity_report.write(tmp_path, results, str(figure))
    assert (tmp_path / "results.md").read_text() == table
    assert json.loads((tmp_path / "results.json").read_text())["runs"] == results["runs"]
    assert figure.stat().st_size > 10_000
    row = parity_report.summary_row("fake", results)
    assert row.startswith("| 10 adversarial iterations, the discriminator fixed | 3 / 2 seeds")
    gains = results["comparison"]
    assert f"| {gains['difference_of_means']:+.4f} | [" in row
    assert row.endswith(f"| {gains['welch_p']:.3f} (Welch t) | [`fake`](runs/fake/) |")
    unfinished = parity_report.summary_row("fake", {**results, "comparison": None})
    assert "fewer than two seeds finished" in unfinished
    assert unfinished.count("|") == row.count("|")  # still a row of the summary's columns


def test_schedule_line_names_the_discriminator_round():
    from bench import parity_report

    schedule = {
        "iterations": 15,
        "dis_rounds_per_iteration": 1,
        "dis_epochs_per_round": 1,
        "rollout_num": 16,
        "port_rollout_update_rate": 0.0,
    }
    line = parity_report.schedule_line(schedule)
    assert line == (
        "Schedule: 15 iterations of one generator step (16 rollouts per prefix, the port's "
        "rollout update rate 0), 1 discriminator round of 1 epoch an iteration."
    )
    schedule.update(dis_rounds_per_iteration=5, dis_epochs_per_round=3)
    assert "5 discriminator rounds of 3 epochs an iteration." in parity_report.schedule_line(
        schedule
    )


def exact_wilcoxon_p(differences: np.ndarray) -> tuple[float, float]:
    """Wilcoxon's signed-rank statistic min(W+, W-) and its exact two-sided p-value, by
    enumerating every sign pattern (no ties or zeros among the differences)."""
    ranks = np.argsort(np.argsort(np.abs(differences))) + 1.0
    positive = float(ranks[differences > 0].sum())
    statistic = min(positive, float(ranks.sum()) - positive)
    sums = [float(ranks @ np.array(signs)) for signs in product((0, 1), repeat=len(ranks))]
    tail = sum(1 for w in sums if w <= statistic) / len(sums)
    return statistic, min(1.0, 2 * tail)


def test_start_level_comparison_is_the_paired_t_test_sign_and_wilcoxon():
    port = [9.101, 9.085, 9.130, 9.112, 9.090, 9.121]
    original = [9.109, 9.080, 9.146, 9.127, 9.102, 9.118]
    result = parity_stats.compare_paired(port, original)
    d = np.array(port, np.float64) - np.array(original, np.float64)
    n = d.size
    standard_error = d.std(ddof=1) / math.sqrt(n)
    t = d.mean() / standard_error
    assert result["difference"]["mean"] == pytest.approx(d.mean(), rel=1e-12)
    assert result["difference"]["std"] == pytest.approx(d.std(ddof=1), rel=1e-12)
    assert result["paired_t"] == pytest.approx(t, rel=1e-10)
    assert result["paired_df"] == n - 1
    assert result["paired_p"] == pytest.approx(2 * stats.t.sf(abs(t), n - 1), rel=1e-10)
    half_width = stats.t.ppf(0.975, n - 1) * standard_error
    assert result["paired_ci95"] == pytest.approx(
        [d.mean() - half_width, d.mean() + half_width], rel=1e-10
    )
    # The port is lower at 4 starts of 6; the exact sign test of 2 highers in 6.
    assert (result["port_lower"], result["port_higher"], result["equal"]) == (4, 2, 0)
    tail = sum(math.comb(n, k) for k in range(0, 3)) / 2**n
    assert result["sign_p"] == pytest.approx(min(1.0, 2 * tail), rel=1e-12)
    statistic, p = exact_wilcoxon_p(d)
    assert result["wilcoxon_w"] == statistic
    assert result["wilcoxon_p"] == pytest.approx(p, rel=1e-12)


def test_start_level_comparison_with_equal_differences_has_no_t():
    same = parity_stats.compare_paired([9.1, 9.2, 9.3], [9.1, 9.2, 9.3])
    assert math.isnan(same["paired_t"]) and math.isnan(same["paired_p"])
    assert (same["equal"], same["sign_p"], same["wilcoxon_p"]) == (3, 1.0, 1.0)
    shifted = parity_stats.compare_paired([9.0, 9.5], [8.5, 9.0])
    assert math.isnan(shifted["paired_t"]) and shifted["port_higher"] == 2
    with pytest.raises(ValueError, match="two starts"):
        parity_stats.compare_paired([9.1], [9.0])
    with pytest.raises(ValueError, match="equal"):
        parity_stats.compare_paired([9.1, 9.2], [9.0, 9.1, 9.2])


def fake_clone(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in original_parity.ORIGINAL_MODULES:
        (clone / name).write_text("")
    return clone


def test_mle_starts_flag_is_checked(tmp_path):
    common = [f"--original_repo={fake_clone(tmp_path)}", f"--workdir={tmp_path / 'w'}"]

    def problem(*flags):
        return original_parity.check_args(original_parity.parse_args(common + list(flags)))

    assert problem("--phase=mle", "--mle_starts=1,2,3") is None
    assert problem("--phase=mle") is None  # the one-start MLE phase
    assert "needs --phase=mle" in problem("--mle_starts=1,2")
    assert "comma-separated integers" in problem("--phase=mle", "--mle_starts=1,x")
    assert "distinct" in problem("--phase=mle", "--mle_starts=1,1")
    assert "none negative" in problem("--phase=mle", "--mle_starts=-1,2")
    args = original_parity.parse_args(common + ["--mle_starts= 4, 2 ,"])
    assert original_parity.mle_starts(args) == [4, 2]


def test_mle_exports_fall_every_few_epochs_and_on_the_last():
    assert parity_mle.export_epochs(120, 10) == list(range(10, 121, 10))
    assert parity_mle.export_epochs(7, 3) == [3, 6, 7]
    assert parity_mle.export_epochs(2, 5) == [2]


class StreamOracle:
    """Stands in for the scorer: the 'NLL' is the stream's first uniform plus the mean of
    the embedding it was given, so equal streams and equal generators give equal values."""

    def __init__(self):
        self.calls = 0

    def nll_and_standard_error(self, model, num_sequences, rng):
        self.calls += 1
        draw = float(rng.uniform([], dtype=tf.float64))
        return draw + float(np.mean(model.export_params()[0])), 0.01 * num_sequences


def write_fake_run(run_dir, epochs, mle_epochs, params_seed, scores=None):
    """A finished run's files in WORKDIR/mle_starts/start_N/PROGRAM: its checkpoints (the
    oracle pickle layout, full size), its result.json and, when given, its scores.json."""
    from seqgan_tf.models.oracle import random_params, save_params

    run_dir.mkdir(parents=True, exist_ok=True)
    for index, epoch in enumerate(epochs):
        save_params(run_dir / parity_mle.checkpoint_name(epoch), random_params(params_seed + index))
    times = {"mle_epoch_s": [2.0] * mle_epochs, "mle_epoch_cpu_s": [3.0] * mle_epochs}
    (run_dir / "result.json").write_text(json.dumps({"wall_s": 1.0, "times": times}))
    if scores is not None:
        epochs_scored = {str(e): {"nll": v, "standard_error": 0.01} for e, v in scores.items()}
        start = int(run_dir.parent.name.removeprefix("start_"))
        (run_dir / "scores.json").write_text(
            json.dumps({"score_samples": 100, "start": start, "epochs": epochs_scored})
        )


def test_both_programs_score_a_start_on_one_stream_per_epoch(tmp_path):
    oracle = StreamOracle()
    for program in ("port", "original"):  # the same generators in both programs
        write_fake_run(tmp_path / program, [1, 2], 2, params_seed=5)
    port = parity_mle.score_start_run(oracle, tmp_path / "port", 3, [1, 2], 100)
    original = parity_mle.score_start_run(oracle, tmp_path / "original", 3, [1, 2], 100)

    def nll(scores):
        return {epoch: score["nll"] for epoch, score in scores["epochs"].items()}

    assert nll(port) == nll(original)
    assert nll(port)["1"] != nll(port)["2"]
    other_start = parity_mle.score_start_run(oracle, tmp_path / "port", 4, [1, 2], 100)
    assert other_start["epochs"]["1"]["nll"] != port["epochs"]["1"]["nll"]  # rescored
    assert oracle.calls == 6
    cached = parity_mle.score_start_run(oracle, tmp_path / "port", 4, [1, 2], 100)
    assert cached == other_start and oracle.calls == 6  # scores.json matches: no rescoring


def test_mle_starts_skip_finished_runs_and_compare_the_paired_starts(tmp_path, monkeypatch):
    import argparse

    workdir = tmp_path / "w"
    port_final = {1: 9.20, 2: 9.10, 3: 9.30}
    original_final = {1: 9.25, 2: 9.12}
    for start, final in port_final.items():
        write_fake_run(
            parity_mle.start_dir(workdir, start) / "port",
            [5, 10],
            10,
            10 * start,
            {5: final + 0.2, 10: final},
        )
    for start, final in original_final.items():
        write_fake_run(
            parity_mle.start_dir(workdir, start) / "original",
            [5, 10],
            10,
            10 * start + 1,
            {5: final + 0.1, 10: final},
        )
    ran = []

    def fake_original(args, start_directory, real_path, out_dir, seed, extra):
        assert (start_directory / "initial_generator.pkl").is_file()
        ran.append((seed, extra))
        write_fake_run(out_dir, [5, 10], 10, 77, {5: 9.5, 10: 9.33})

    def no_port(*args, **kwargs):
        raise AssertionError("a finished port run was rerun")

    monkeypatch.setattr(parity_original, "run_original_seed", fake_original)
    monkeypatch.setattr(parity_port, "run_port_mle", no_port)
    args = argparse.Namespace(mle_epochs=10, export_every=5, score_samples=100)
    logged = []
    results = parity_mle.run_starts(
        args, workdir, None, StreamOracle(), ["port", "original"], [1, 2, 3], logged.append
    )
    assert ran == [(3, ("--mle_epochs=10",))]  # only the missing run, with its start's seed
    assert sorted(results["runs"]["original"]) == ["1", "2", "3"]
    last = results["comparison_by_epoch"]["10"]
    expected = parity_stats.compare_paired([9.20, 9.10, 9.30], [9.25, 9.12, 9.33])
    assert last["paired_t"] == pytest.approx(expected["paired_t"])
    assert last["starts"] == [1, 2, 3] and last["port_lower"] == 3
    assert results["comparison_by_epoch"]["5"]["difference"]["mean"] == pytest.approx(
        np.mean([9.40 - 9.35, 9.30 - 9.22, 9.50 - 9.50])
    )
    assert set(results["parameter_differences"]["2"]["10"]) >= {"embedding", "bo"}
    assert results["runs"]["port"]["1"]["median_epoch_cpu_s"] == 3.0
    args.mle_epochs = 20
    with pytest.raises(SystemExit, match="10 epochs, not --mle_epochs=20"):
        parity_mle.run_starts(args, workdir, None, StreamOracle(), ["port"], [1], print)


def test_the_exports_tests_are_counted_against_chance_and_bonferroni():
    from bench import parity_report

    p_values = {"10": 0.003, "20": 0.04, "30": 0.2, "40": 0.9, "50": math.nan}
    line = parity_report.multiple_tests_line({e: {"paired_p": p} for e, p in p_values.items()})
    # Four finite tests: 0.003 and 0.04 fall below 0.05; only 0.003 below 0.05 / 4 = 0.0125.
    assert line == (
        "Paired p below 0.05: 2 of 4 exports (0.2 expected by chance alone if the programs "
        "agree); below Bonferroni's 0.05 / 4 = 0.0125: 1."
    )
    nothing = parity_report.multiple_tests_line({"10": {"paired_p": math.nan}})
    assert nothing == "No export has a paired test (every difference is equal)."


def test_mle_report_tables_every_start_and_the_paired_test(tmp_path):
    from bench import parity_report

    workdir = tmp_path / "w"
    for start, (port, original) in {1: (9.20, 9.25), 2: (9.10, 9.12), 3: (9.30, 9.30)}.items():
        directory = parity_mle.start_dir(workdir, start)
        write_fake_run(directory / "port", [5, 10], 10, 10 * start, {5: 9.5, 10: port})
        write_fake_run(directory / "original", [5, 10], 10, 10 * start, {5: 9.5, 10: original})
    write_fake_run(parity_mle.start_dir(workdir, 4) / "port", [5, 10], 10, 40, {5: 9.6, 10: 9.4})
    results = parity_mle.collect_starts(workdir, 10, 5, 100, ["port", "original"], [1, 2, 3, 4])
    table = parity_report.mle_markdown(results)
    # Equal parameters at start 3 (the same pickles): relative difference 0.
    assert "| 1 | 9.2000 | 9.2500 | -0.0500 | " in table
    assert "| 3 | 9.3000 | 9.3000 | +0.0000 | 0.0e+00 |" in table
    assert "| 4 | 9.4000 | -- | -- | -- |" in table
    assert "| 5 | 3 | 9.5000 (0.0000) | 9.5000 (0.0000) | +0.0000 (0.0000) | -- (2) | -- |" in table
    test = parity_stats.compare_paired([9.20, 9.10, 9.30], [9.25, 9.12, 9.30])
    assert f"| {test['paired_p']:.3f} |" in table and "| 2 / 0 / 1 |" in table
    # Epoch 5's differences are all equal (no test), so one test counts, at alpha / 1.
    below = int(test["paired_p"] < 0.05)
    assert table.rstrip().endswith(
        f"Paired p below 0.05: {below} of 1 exports (0.05 expected by chance alone if the "
        f"programs agree); below Bonferroni's 0.05 / 1 = 0.0500: {below}."
    )
    figure = tmp_path / "mle.png"
    parity_report.write_mle(workdir, results, str(figure))
    assert figure.stat().st_size > 10_000
    assert json.loads((workdir / "results.json").read_text())["starts"] == [1, 2, 3, 4]


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("SEQGAN_ORIGINAL_REPO"),
    reason="set SEQGAN_ORIGINAL_REPO to a clone of LantaoYu/SeqGAN",
)
def test_both_programs_train_several_starts_by_mle_and_are_paired(tmp_path):
    flags = [
        f"--original_repo={os.environ['SEQGAN_ORIGINAL_REPO']}",
        f"--workdir={tmp_path}",
        "--phase=mle",
        "--mle_starts=1,2",
        "--mle_epochs=1",
        "--score_samples=1024",
    ]
    results = original_parity.main(flags)
    test = results["comparison_by_epoch"]["1"]
    assert test["starts"] == [1, 2]
    for program in ("port", "original"):
        assert all(4.0 < v < 12.0 for v in test[program]["values"])
    # One epoch from identical weights: the programs' parameters agree to float32 rounding.
    for start in ("1", "2"):
        arrays = results["parameter_differences"][start]["1"]
        assert max(a["relative"] for a in arrays.values()) < 1e-3
    assert (tmp_path / "mle_starts" / "results.md").is_file()
