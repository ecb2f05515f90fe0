"""Keras callbacks of the training driver: progress with ETA, TensorBoard, samples, checkpoints.

``fit`` runs them (train.py); each reads the global step from the model
(``CycleGAN.global_step``), since ``fit``'s batch index restarts with every epoch.
"""

from __future__ import annotations

import datetime
import os
import time

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from cyclegan_tf import images as image_io


class StepHooks(keras.callbacks.Callback):
    """The driver's bookkeeping after each step: the epoch variable, the test hook
    ``on_step(step, logs)``, and stopping at ``last_step`` or on a stop request."""

    def __init__(self, epoch: tf.Variable, steps_per_epoch: int, last_step: int, stop, on_step):
        super().__init__()
        self.epoch, self.steps_per_epoch, self.last_step = epoch, steps_per_epoch, last_step
        self.stop, self.on_step = stop, on_step
        self.logs: dict = {}

    def on_train_batch_end(self, batch, logs=None):
        step = self.model.global_step
        self.logs = {k: float(v) for k, v in (logs or {}).items()}
        self.epoch.assign(step // self.steps_per_epoch)
        if self.on_step is not None:
            self.on_step(step, self.logs)
        if step >= self.last_step or self.stop.should_stop:
            self.model.stop_training = True


class ProgressLogger(keras.callbacks.Callback):
    """Logs epoch, step, losses, images per second and the ETA every ``interval`` seconds."""

    def __init__(self, total_steps: int, steps_per_epoch: int, global_batch: int, interval: float):
        super().__init__()
        self.total_steps = total_steps
        self.steps_per_epoch = steps_per_epoch
        self.global_batch = global_batch
        self.interval = interval
        self._last = 0.0
        self._first_step = None
        self._first_time = None

    def on_train_batch_end(self, batch, logs=None):
        step, now = self.model.global_step, time.time()
        if self._first_step is None:  # the first step includes tracing: time from its end
            self._first_step, self._first_time = step, now
        if now - self._last < self.interval and step < self.total_steps:
            return
        self._last = now
        done = step - self._first_step
        rate = done / (now - self._first_time) if done else 0.0
        eta = datetime.timedelta(seconds=int((self.total_steps - step) / rate)) if rate else "?"
        losses = " ".join(
            f"{k}={float(logs[k]):.4f}"
            for k in ("g_loss", "d_loss", "cycle_a", "identity_a")
            if k in logs
        )
        logging.info(
            "[epoch %d/%d] [step %d/%d %.1f%%] %s | %.3f img/s | ETA %s",
            (step - 1) // self.steps_per_epoch + 1,
            -(-self.total_steps // self.steps_per_epoch),
            step,
            self.total_steps,
            100.0 * step / self.total_steps,
            losses,
            rate * self.global_batch,
            eta,
        )


class TensorBoardScalars(keras.callbacks.Callback):
    """Writes every loss and the learning rate as TensorBoard scalars every ``every`` steps."""

    def __init__(self, logdir: str, every: int, lr_fn):
        super().__init__()
        self.writer = tf.summary.create_file_writer(logdir)
        self.every = max(1, every)
        self.lr_fn = lr_fn

    def on_train_batch_end(self, batch, logs=None):
        step = self.model.global_step
        if step % self.every:
            return
        with self.writer.as_default(step=step):
            for key, value in logs.items():
                tf.summary.scalar(f"loss/{key}", value)
            tf.summary.scalar("learning_rate", self.lr_fn())

    def on_train_end(self, logs=None):
        self.writer.flush()


class SampleGrid(keras.callbacks.Callback):
    """Saves ``samples/step_XXXXXXX.png`` (real A, fake B, real B, fake A) every ``every`` steps.

    ``real_a``, ``real_b``: a batch of samples, or a list of batches of one (images of
    varying size).
    """

    def __init__(self, directory: str, real_a, real_b, every: int, g_ab, g_ba):
        super().__init__()
        self.directory = directory
        self.real_a, self.real_b = real_a, real_b
        self.every = every
        self.g_ab, self.g_ba = g_ab, g_ba
        self.last_path = None

    @staticmethod
    def _images(generator, batches) -> tuple[list, list]:
        """(inputs, outputs) as lists of HxWx3 images."""
        if not isinstance(batches, list):
            return list(batches), list(np.asarray(generator(batches, training=False)))
        outputs = [np.asarray(generator(x, training=False))[0] for x in batches]
        return [x[0] for x in batches], outputs

    def write(self, step: int) -> str:
        real_a, fake_b = self._images(self.g_ab, self.real_a)
        real_b, fake_a = self._images(self.g_ba, self.real_b)
        grid = image_io.sample_grid(real_a, fake_b, real_b, fake_a)
        path = os.path.join(self.directory, f"step_{step:07d}.png")
        image_io.save_png(grid, path)
        self.last_path = path
        return path

    def on_train_batch_end(self, batch, logs=None):
        step = self.model.global_step
        if self.every > 0 and step % self.every == 0:
            logging.info("sample grid: %s", self.write(step))


class PeriodicCheckpoint(keras.callbacks.Callback):
    """Saves the training state every ``every`` steps and at the end of every epoch, and a
    snapshot (kept for good) at the end of every ``snapshot_every``-th epoch."""

    def __init__(
        self,
        manager: tf.train.CheckpointManager,
        every: int,
        steps_per_epoch: int,
        snapshots: tf.train.CheckpointManager | None = None,
        snapshot_every: int = 0,
    ):
        super().__init__()
        self.manager = manager
        self.every = every
        self.steps_per_epoch = steps_per_epoch
        self.snapshots, self.snapshot_every = snapshots, snapshot_every
        self.saved_step: int | None = None

    def on_train_batch_end(self, batch, logs=None):
        step = self.model.global_step
        epoch_end = step % self.steps_per_epoch == 0
        if (self.every > 0 and step % self.every == 0) or epoch_end:
            self.manager.save(checkpoint_number=step)
            self.saved_step = step
        epoch = step // self.steps_per_epoch
        if epoch_end and self.snapshots is not None and self.snapshot_every > 0:
            if epoch % self.snapshot_every == 0:
                self.snapshots.save(checkpoint_number=epoch)
