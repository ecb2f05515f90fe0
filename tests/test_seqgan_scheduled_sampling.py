"""Scheduled sampling: the probability schedule, the loss at p = 1, the inputs it feeds."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from numpy_reference import log_softmax, lstm_step, unpack
from seqgan_tiny import TINY_CONFIG

from seqgan_tf.models.generator import Generator
from seqgan_tf.schedule import BASELINE_PRESETS, BaselineSchedule
from seqgan_tf.training.scheduled_sampling import (
    ScheduledSamplingTrainer,
    scheduled_sampling_log_probs,
)


def test_true_input_probability_per_epoch():
    paper = BaselineSchedule()  # 1.0, falling 0.002 an epoch, 300 epochs
    assert [paper.true_input_prob(e) for e in (0, 1, 2)] == pytest.approx([1.0, 0.998, 0.996])
    assert paper.true_input_prob(299) == pytest.approx(0.402)
    assert paper.true_input_prob(500) == 0.0  # floored, never negative
    quick = BaselineSchedule(**BASELINE_PRESETS["quick"])
    assert quick.true_input_prob(quick.ss_epochs - 1) == pytest.approx(0.42)
    with pytest.raises(ValueError, match="--ss_initial_true_prob must lie in"):
        BaselineSchedule(ss_initial_true_prob=1.5)


def _tokens(seed: int, batch: int = 16) -> tf.Tensor:
    rng = np.random.default_rng(seed)
    shape = (batch, TINY_CONFIG.sequence_length)
    return tf.constant(rng.integers(0, TINY_CONFIG.vocab_size, shape), tf.int32)


def test_with_probability_one_the_loss_and_gradient_are_the_mle_ones():
    generator = Generator(TINY_CONFIG, seed=3)
    trainer = ScheduledSamplingTrainer(generator)
    tokens = _tokens(0)
    seed = tf.constant([1, 2], tf.int64)
    with tf.GradientTape(persistent=True) as tape:
        ss_loss = trainer.loss(tokens, 1.0, seed)
        mle_loss = generator.pretrain_loss(tokens)
    np.testing.assert_allclose(ss_loss.numpy(), mle_loss.numpy(), rtol=1e-6)
    for a, b in zip(
        tape.gradient(ss_loss, generator.trainable_variables),
        tape.gradient(mle_loss, generator.trainable_variables),
        strict=True,
    ):
        np.testing.assert_allclose(
            tf.convert_to_tensor(a).numpy(), tf.convert_to_tensor(b).numpy(), atol=1e-6
        )
    _, inputs = scheduled_sampling_log_probs(generator, tokens, 1.0, seed)
    np.testing.assert_array_equal(inputs[:, 1:], tokens[:, :-1])


def _reference_log_probs(params, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """float64 log p(targets[t] | inputs[:t+1]) of the original cell."""
    params = unpack(params)
    embedding, w_out, b_out = params[0], params[13], params[14]
    batch, length = targets.shape
    h = np.zeros((batch, params[2].shape[0]))
    c = np.zeros_like(h)
    out = np.zeros((batch, length))
    for t in range(length):
        h, c = lstm_step(params, embedding[inputs[:, t]], h, c)
        out[:, t] = log_softmax(h @ w_out + b_out)[np.arange(batch), targets[:, t]]
    return out


@pytest.mark.parametrize("prob", [0.0, 0.5])
def test_log_probs_condition_on_the_inputs_actually_fed(prob):
    generator = Generator(TINY_CONFIG, seed=4)
    tokens = _tokens(1, batch=256)
    log_probs, inputs = scheduled_sampling_log_probs(
        generator, tokens, prob, tf.constant([7, 8], tf.int64)
    )
    inputs = inputs.numpy()
    assert np.all(inputs[:, 0] == TINY_CONFIG.start_token)
    expected = _reference_log_probs(generator.export_params(), inputs, tokens.numpy())
    np.testing.assert_allclose(log_probs.numpy(), expected, atol=1e-5)
    fed_true = np.mean(inputs[:, 1:] == tokens.numpy()[:, :-1])
    if prob == 0.0:
        # Only the model's own draws: they match the true token about as often as chance.
        assert fed_true < 0.2
    else:
        # A coin per token (binomial sd ~0.007 over 1,280 inputs) plus chance agreement.
        assert 0.47 < fed_true < 0.65


def test_an_epoch_updates_the_generator_and_is_reproducible():
    batches = tf.reshape(_tokens(2, batch=32), [4, 8, TINY_CONFIG.sequence_length])
    losses, weights = [], []
    for _ in range(2):
        generator = Generator(TINY_CONFIG, seed=5)
        before = generator.export_params()
        losses.append(
            ScheduledSamplingTrainer(generator).train_epoch(
                batches, 0.7, tf.constant([3, 4], tf.int64)
            )
        )
        after = generator.export_params()
        assert all(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
        weights.append(after)
    assert np.isfinite(losses[0]) and losses[0] == losses[1]
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)
