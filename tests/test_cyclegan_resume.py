"""A run killed between checkpoints resumes with the same weights, step, pool, epoch and data."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from cyclegan_tf.config import RunConfig
from cyclegan_tf.train import train


class Killed(Exception):
    pass


def make_config(workdir) -> RunConfig:
    return RunConfig(
        workdir=str(workdir),
        dataset="synthetic_facades",
        synthetic_train=3,
        synthetic_test=2,
        load_size=28,
        crop_size=24,
        n_blocks=0,
        pool_size=2,
        n_epochs=1,
        n_epochs_decay=1,
        seed=11,
        sample_every=0,
        n_samples=2,
        checkpoint_every=0,
        summary_every=1,
        progress_interval=0.0,
        # Eager: a few steps cost less than tracing; the graph step has its own tests.
        run_eagerly=True,
    )


def test_kill_and_resume_continues_where_it_stopped(tmp_path):
    # 3 steps per epoch, 2 epochs; checkpoints only at epoch ends (steps 3 and 6).
    first: dict[int, dict] = {}

    def record_then_kill(step, logs):
        first[step] = logs
        if step == 5:
            raise Killed  # steps 4 and 5 ran but were never checkpointed

    with pytest.raises(Killed):
        train(make_config(tmp_path), on_step=record_then_kill)
    saved = tf.train.load_checkpoint(str(tmp_path / "checkpoints" / "ckpt-3"))
    saved_step = saved.get_tensor("g_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE")
    saved_epoch = saved.get_tensor("epoch/.ATTRIBUTES/VARIABLE_VALUE")
    saved_pool = saved.get_tensor("pool_a/images/.ATTRIBUTES/VARIABLE_VALUE")
    assert (saved_step, saved_epoch) == (3, 1)
    assert saved.get_tensor("pool_a/counts/.ATTRIBUTES/VARIABLE_VALUE").tolist() == [2]

    second: dict[int, dict] = {}

    def record(step, logs):
        second[step] = logs

    result = train(make_config(tmp_path), on_step=record)
    model = result["model"]
    # It resumed at step 4: the killed run's steps 4 and 5 are recomputed identically, which
    # needs the same weights and Adam moments (step 5's losses see step 4's update), the
    # same pool contents (pool_size 2 is full, so D sees swapped fakes), and the same batches.
    assert sorted(second) == [4, 5, 6]
    for step in (4, 5):
        for key, value in first[step].items():
            np.testing.assert_allclose(second[step][key], value, rtol=1e-4, err_msg=f"{key}@{step}")
    assert result["step"] == 6 and result["epoch"] == 2
    assert int(model.g_optimizer.iterations.numpy()) == 6
    assert int(model.d_optimizer.iterations.numpy()) == 6
    assert not np.array_equal(model.pool_a.images.numpy(), saved_pool)
    # After the last epoch the official linear decay has reached zero.
    assert float(model.g_optimizer.learning_rate) == 0.0
    # A finished run restarted does nothing more.
    assert train(make_config(tmp_path))["step"] == 6
