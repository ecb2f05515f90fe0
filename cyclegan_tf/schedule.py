"""Constant learning rate, then linear decay towards zero, changing once per epoch.

Official ``lambda_rule`` (``models/networks.py``, ``--lr_policy linear``, ``epoch_count`` 1):
lr = 1 - max(0, s + epoch_count - n_epochs) / (n_epochs_decay + 1) after the scheduler's s-th
step, and ``train.py`` steps it (``model.update_learning_rate()``) at the start of every
epoch, the first included. So training epoch e, counted from 0, runs at s = e + 1:

    factor(e) = 1 - max(0, e + 2 - n_epochs) / (n_epochs_decay + 1),

constant for ``n_epochs - 1`` epochs, then falling by 1/(n_epochs_decay + 1) per epoch to
exactly 0 in the last epoch (e = n_epochs + n_epochs_decay - 1).

The seed's ``LambdaLR(n_epochs=N, decay_start_epoch=S)``, stepped at the end of each epoch,
is 1 - max(0, e - S) / (N - S): the same curve with n_epochs = S + 2 and n_epochs_decay =
N - S - 1 (its code's N=5, S=3 is ``--n_epochs=5 --n_epochs_decay=1``).
"""

from __future__ import annotations

import keras
import tensorflow as tf


def lr_factor(epoch: int, n_epochs: int, n_epochs_decay: int) -> float:
    """The multiplier of the initial learning rate during 0-based ``epoch`` (Python side)."""
    return max(0.0, 1.0 - max(0, epoch + 2 - n_epochs) / float(n_epochs_decay + 1))


@keras.saving.register_keras_serializable(package="cyclegan_tf")
class LinearDecaySchedule(keras.optimizers.schedules.LearningRateSchedule):
    """A Keras schedule of the optimiser's step: the epoch is ``step // steps_per_epoch``.

    Keyed on the optimiser's own step counter, the rate is restored with the optimiser
    after a resume, with no extra state.
    """

    def __init__(self, initial_lr: float, steps_per_epoch: int, n_epochs: int, n_epochs_decay: int):
        if steps_per_epoch < 1:
            raise ValueError(f"steps_per_epoch must be >= 1, got {steps_per_epoch}")
        if n_epochs < 0 or n_epochs_decay < 0:
            raise ValueError("n_epochs and n_epochs_decay must be >= 0")
        self.initial_lr = float(initial_lr)
        self.steps_per_epoch = int(steps_per_epoch)
        self.n_epochs = int(n_epochs)
        self.n_epochs_decay = int(n_epochs_decay)

    def __call__(self, step):
        epoch = tf.cast(tf.math.floordiv(tf.cast(step, tf.int64), self.steps_per_epoch), tf.float32)
        past = tf.maximum(0.0, epoch + 2.0 - float(self.n_epochs))
        factor = 1.0 - past / float(self.n_epochs_decay + 1)
        return self.initial_lr * tf.maximum(factor, 0.0)

    def get_config(self):
        return {
            "initial_lr": self.initial_lr,
            "steps_per_epoch": self.steps_per_epoch,
            "n_epochs": self.n_epochs,
            "n_epochs_decay": self.n_epochs_decay,
        }
