"""PG-BLEU: rewards in SeqGAN's layout with BLEU in place of D, and the policy-gradient
step and rollout update of :func:`seqgan_tf.train.adversarial_training` with them."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from seqgan_tiny import TINY_CONFIG

from seqgan_tf import train
from seqgan_tf.metrics.bleu import BleuScorer
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.rollout import Rollout
from seqgan_tf.training.pg_bleu import PGBleuReward


class _RecordingScorer:
    """Scores a sequence by a hash of its tokens, and records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[np.ndarray] = []

    def score(self, hypotheses: np.ndarray) -> np.ndarray:
        self.calls.append(np.array(hypotheses))
        weights = np.arange(1, hypotheses.shape[1] + 1)
        return ((hypotheses * weights).sum(axis=1) % 97) / 97.0


def test_rewards_average_the_score_of_each_prefix_completions():
    generator = Generator(TINY_CONFIG, seed=1)
    rollout = Rollout(generator, 0.8)
    scorer = _RecordingScorer()
    rollout_num, batch, length = 3, 4, TINY_CONFIG.sequence_length
    trainer = PGBleuReward(rollout, scorer, rollout_num)
    samples = generator.generate(batch, tf.constant(np.arange(2 * length).reshape(2, length)))
    rewards = trainer.rewards(samples.numpy(), tf.constant(np.ones((2, length), np.int64)))
    assert rewards.shape == (batch, length) and rewards.dtype == np.float32

    completions, full = scorer.calls
    np.testing.assert_array_equal(full, samples.numpy())
    scores = scorer.score(completions).reshape(length - 1, rollout_num, batch)
    for g in range(1, length):
        block = completions.reshape(length - 1, rollout_num, batch, length)[g - 1]
        # every completion of prefix g keeps the sample's first g tokens
        np.testing.assert_array_equal(
            block[:, :, :g], np.broadcast_to(samples.numpy()[:, :g], (rollout_num, batch, g))
        )
        np.testing.assert_allclose(rewards[:, g - 1], scores[g - 1].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(rewards[:, -1], scorer.score(samples.numpy()), rtol=1e-6)


def test_a_step_with_bleu_rewards_updates_generator_and_rollout():
    generator = Generator(TINY_CONFIG, seed=2)
    rollout = Rollout(generator, 0.8)
    # References from the generator itself, so that its samples share n-grams with them
    # and the rewards (hence the gradient) are not all zero.
    references = generator.generate(
        64, tf.random.Generator.from_seed(4).make_seeds(TINY_CONFIG.sequence_length)
    ).numpy()
    bleu = PGBleuReward(rollout, BleuScorer(references), 1)
    generator_before = generator.export_params()
    rollout_before = rollout.export_params()
    row = train.policy_gradient_step(
        generator,
        lambda samples, seeds: tf.constant(bleu.rewards(samples.numpy(), seeds)),
        tf.random.Generator.from_seed(3),
    )
    rollout.update_params(generator)  # what adversarial_training does after the steps
    assert np.isfinite(row["adversarial_loss"]) and 0.0 < row["mean_reward"] <= 1.0
    changed = [
        not np.array_equal(a, b)
        for a, b in zip(generator_before, generator.export_params(), strict=True)
    ]
    assert all(changed)
    # The delayed update moved the rollout network 20% of the way to the generator.
    for old, new, target in zip(
        rollout_before[1:], rollout.export_params()[1:], generator.export_params()[1:], strict=True
    ):
        np.testing.assert_allclose(new, 0.8 * old + 0.2 * target, atol=1e-6)
