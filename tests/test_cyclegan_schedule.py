"""Learning-rate schedule and losses against closed forms and NumPy."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from cyclegan_tf.losses import l1_loss, lsgan_discriminator_loss, lsgan_generator_loss
from cyclegan_tf.schedule import LinearDecaySchedule, lr_factor


def official_factor(epoch: int, n_epochs: int, n_epochs_decay: int) -> float:
    """PyTorch's LambdaLR as the official train.py drives it: one scheduler.step() at the
    start of every epoch (the first included), lambda_rule of the step count s."""

    def lambda_rule(s: int) -> float:  # models/networks.py, epoch_count = 1
        return 1.0 - max(0, s + 1 - n_epochs) / float(n_epochs_decay + 1)

    steps = epoch + 1  # steps taken before epoch `epoch` (0-based) trains
    return lambda_rule(steps)


@pytest.mark.parametrize(
    "epoch, expected",
    [(0, 1.0), (50, 1.0), (98, 1.0), (99, 1 - 1 / 101), (150, 1 - 52 / 101), (199, 0.0)],
)
def test_official_schedule_100_plus_100(epoch, expected):
    assert official_factor(epoch, 100, 100) == pytest.approx(expected)
    assert lr_factor(epoch, 100, 100) == pytest.approx(expected)
    schedule = LinearDecaySchedule(2e-4, steps_per_epoch=7, n_epochs=100, n_epochs_decay=100)
    for step in (epoch * 7, epoch * 7 + 6):  # constant within the epoch
        assert float(schedule(step)) == pytest.approx(2e-4 * expected, rel=1e-6)


def seed_lambda(epoch: int, n_epochs: int, decay_start: int) -> float:
    """The seed's LambdaLR.step, offset 0."""
    return 1.0 - max(0, epoch - decay_start) / (n_epochs - decay_start)


@pytest.mark.parametrize("n_epochs, decay_start", [(5, 3), (50, 30)])
def test_seed_schedule_is_official_formula_with_shifted_lengths(n_epochs, decay_start):
    for epoch in range(n_epochs):
        assert lr_factor(epoch, decay_start + 2, n_epochs - decay_start - 1) == pytest.approx(
            seed_lambda(epoch, n_epochs, decay_start)
        )


def test_optimizer_reads_schedule_from_its_step():
    schedule = LinearDecaySchedule(3e-4, steps_per_epoch=10, n_epochs=2, n_epochs_decay=3)
    opt = keras.optimizers.Adam(schedule)
    v = keras.Variable(np.ones(3, np.float32))
    opt.build([v])
    opt.iterations.assign(35)  # epoch 3: factor 1 - (3 + 2 - 2) / 4 = 0.25
    assert float(opt.learning_rate) == pytest.approx(0.75e-4)


def test_losses_match_numpy():
    rng = np.random.default_rng(0)
    d_real = rng.normal(size=(3, 4, 4, 1)).astype(np.float32)
    d_fake = rng.normal(size=(3, 4, 4, 1)).astype(np.float32)
    x = rng.normal(size=(3, 5, 5, 3)).astype(np.float32)
    y = rng.normal(size=(3, 5, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(
        lsgan_generator_loss(tf.constant(d_fake)).numpy(),
        ((d_fake - 1) ** 2).mean(axis=(1, 2, 3)),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        lsgan_discriminator_loss(tf.constant(d_real), tf.constant(d_fake)).numpy(),
        0.5 * (((d_real - 1) ** 2).mean(axis=(1, 2, 3)) + (d_fake**2).mean(axis=(1, 2, 3))),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        l1_loss(tf.constant(x), tf.constant(y)).numpy(),
        np.abs(x - y).mean(axis=(1, 2, 3)),
        rtol=1e-5,
    )
