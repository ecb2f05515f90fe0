"""Rollout: delayed parameter update, completions, and the reward matrix."""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf
from scipy import stats
from seqgan_tiny import TINY_SPEC

from seqgan_tf.config import ModelConfig
from seqgan_tf.experiments.oracle import OracleExperiment
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.rollout import Rollout

SMALL = ModelConfig(
    vocab_size=30,
    sequence_length=6,
    gen_emb_dim=4,
    gen_hidden_dim=5,
    dis_emb_dim=5,
    dis_filter_sizes=(1, 2, 3),
    dis_num_filters=(3, 4, 5),
)


def _perturb(generator: Generator, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for variable in generator.lstm_variables:
        variable.assign(variable.numpy() + rng.normal(0, 0.3, size=variable.shape))


@pytest.mark.parametrize("rate", [0.8, 0.0])
def test_update_is_r_old_plus_1_minus_r_generator_embedding_copied(rate):
    generator = Generator(SMALL, seed=0)
    rollout = Rollout(generator, update_rate=rate)
    for mine, theirs in zip(rollout.export_params(), generator.export_params(), strict=True):
        np.testing.assert_array_equal(mine, theirs)  # starts as a copy
    _perturb(generator, seed=1)
    old = rollout.export_params()
    new_generator = generator.export_params()
    rollout.update_params(generator)
    got = rollout.export_params()
    np.testing.assert_array_equal(got[0], new_generator[0])  # embedding copied outright
    for index in range(1, 15):
        want = rate * old[index].astype(np.float64) + (1 - rate) * new_generator[index]
        np.testing.assert_allclose(got[index], want, atol=1e-6, err_msg=str(index))
    if rate == 0.0:
        for mine, theirs in zip(got, new_generator, strict=True):
            np.testing.assert_allclose(mine, theirs, atol=1e-7)


@pytest.mark.parametrize("rate", [0.8, 0.0])
def test_a_run_lags_its_rollout_network_by_r_after_every_iteration(tmp_path, rate):
    """The training loop wires the rule above: the rollout network starts as a copy of
    the pre-trained generator and, after each iteration's generator step, moves by
    (1 - r) towards it; r = 0 is the original code's unlagged rollout. Replayed in
    float64 from the generator's weights after every unit of a tiny run."""
    spec = dataclasses.replace(
        TINY_SPEC, config=dataclasses.replace(TINY_SPEC.config, rollout_update_rate=rate)
    )
    generator_after, rollout_after = [], []

    def after_unit(index, unit):
        if unit.phase == "dis_pretrain" or (unit.phase == "adversarial" and unit.part == 0):
            generator_after.append((unit, experiment.generator.export_params()))
            rollout_after.append(experiment.rollout.export_params())

    experiment = OracleExperiment(
        str(tmp_path), spec, progress_interval=1e9, print_fn=lambda _: None, after_unit=after_unit
    )
    experiment.run()
    first = next(i for i, (unit, _) in enumerate(generator_after) if unit.phase == "adversarial")
    pretrained = generator_after[first - 1][1]
    expected = [np.asarray(a, np.float64) for a in pretrained]
    for (unit, generator), rollout in zip(
        generator_after[first:], rollout_after[first:], strict=True
    ):
        expected = [generator[0].astype(np.float64)] + [
            rate * old + (1 - rate) * new.astype(np.float64)
            for old, new in zip(expected[1:], generator[1:], strict=True)
        ]
        for got, want in zip(rollout, expected, strict=True):
            np.testing.assert_allclose(got, want, atol=1e-6, err_msg=str(unit))
    assert len(generator_after) - first == spec.schedule.adversarial_iterations
    # The generator moved, so the check could tell a lagged rollout from a copy.
    assert not np.allclose(generator_after[-1][1][1], pretrained[1], atol=1e-4)


def test_rollout_is_not_moved_by_generator_training():
    generator = Generator(SMALL, seed=0)
    rollout = Rollout(generator, update_rate=0.8)
    before = rollout.export_params()
    tokens = tf.constant(np.random.default_rng(0).integers(0, 30, size=(8, 6)), tf.int32)
    generator.pretrain_step(tokens)
    for a, b in zip(rollout.export_params(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert rollout.trainable_variables == []


def test_completions_keep_each_prefix():
    generator = Generator(SMALL, seed=0)
    rollout = Rollout(generator)
    samples = np.random.default_rng(1).integers(0, 30, size=(4, 6))
    n = 3
    seeds = tf.random.Generator.from_seed(0).make_seeds(6)
    completions = rollout.rollout_completions(tf.constant(samples, tf.int32), n, seeds).numpy()
    assert completions.shape == (5 * n * 4, 6)
    for g in range(1, 6):
        for rollout_index in range(n):
            rows = completions[
                ((g - 1) * n + rollout_index) * 4 : ((g - 1) * n + rollout_index + 1) * 4
            ]
            np.testing.assert_array_equal(rows[:, :g], samples[:, :g])
    assert (completions >= 0).all() and (completions < 30).all()


def test_completions_follow_the_rollout_networks_conditionals():
    """For a fixed prefix, completed suffixes are distributed as the rollout network's
    p(y_g.. | y_<g) (exact from the NumPy reference), chi-square at a fixed seed."""
    tiny = ModelConfig(vocab_size=3, sequence_length=3, gen_emb_dim=4, gen_hidden_dim=5)
    params = ref.random_params(np.random.default_rng(0), vocab=3, emb=4, hidden=5, scale=1.0)
    generator = Generator(tiny, seed=0)
    generator.import_params(params)
    rollout = Rollout(generator, update_rate=0.0)
    prefix = np.array([[2, 0, 1]])
    n = 20000
    completions = rollout.rollout_completions(
        tf.constant(prefix, tf.int32), n, tf.random.Generator.from_seed(7).make_seeds(3)
    ).numpy()
    sequences, joint = ref.all_sequence_probabilities(params, length=3)
    # g = 1: suffix (y1, y2) given y0 = 2.
    block = completions[:n]
    given = sequences[:, 0] == 2
    conditional = joint[given] / joint[given].sum()
    counts = np.bincount(block[:, 1] * 3 + block[:, 2], minlength=9)
    assert stats.chisquare(counts, conditional * n).pvalue > 1e-3
    # g = 2: y2 given (y0, y1) = (2, 0).
    block = completions[n:]
    given = (sequences[:, 0] == 2) & (sequences[:, 1] == 0)
    conditional = joint[given] / joint[given].sum()
    counts = np.bincount(block[:, 2], minlength=3)
    assert stats.chisquare(counts, conditional * n).pvalue > 1e-3
    assert stats.chisquare(counts, np.full(3, n / 3)).pvalue < 1e-9  # and not uniform


def test_rewards_shape_range_and_definition():
    generator = Generator(SMALL, seed=0)
    discriminator = Discriminator(SMALL, seed=0)
    rollout = Rollout(generator)
    rng = tf.random.Generator.from_seed(3)
    samples = generator.generate(8, rng.make_seeds(6))
    n = 4
    seeds = rng.make_seeds(6)
    rewards = rollout.get_reward(samples, n, discriminator, seeds).numpy()
    assert rewards.shape == (8, 6)
    assert (rewards >= 0).all() and (rewards <= 1).all()
    full = discriminator.real_probability(samples).numpy()
    np.testing.assert_allclose(rewards[:, -1], full, atol=1e-6)
    # reward[b, g-1] is the mean over the n rollouts of D's real-probability.
    completions = rollout.rollout_completions(samples, n, seeds)
    scores = discriminator.real_probability(completions).numpy().reshape(5, n, 8)
    np.testing.assert_allclose(rewards[:, :-1], scores.mean(axis=1).T, atol=1e-6)


def test_full_size_reward_matrix_is_batch_by_20():
    generator = Generator(seed=0)
    discriminator = Discriminator(seed=0)
    rollout = Rollout(generator, update_rate=0.8)
    rng = tf.random.Generator.from_seed(0)
    samples = generator.generate(16, rng.make_seeds(20))  # the experiment uses 64; 16 is quicker
    # 2 rollouts, not the experiment's 16: the matrix's shape does not depend on their number
    rewards = rollout.get_reward(samples, 2, discriminator, rng.make_seeds(20)).numpy()
    assert rewards.shape == (16, 20)
    assert (rewards >= 0).all() and (rewards <= 1).all()
    np.testing.assert_allclose(
        rewards[:, -1], discriminator.real_probability(samples).numpy(), atol=1e-6
    )


def test_bad_update_rate():
    with pytest.raises(ValueError, match=r"update rate must lie in \[0, 1\], got 1.5"):
        Rollout(Generator(SMALL, seed=0), update_rate=1.5)
