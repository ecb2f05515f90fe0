"""Cluster readiness: one trace of the step per run, whatever its number of epochs."""

from __future__ import annotations

from cyclegan_tf.config import ModelConfig, RunConfig
from cyclegan_tf.train import train


def test_the_step_is_traced_once_over_many_epochs(tmp_path):
    # 6 epochs of 2 steps through model.fit (one fit per epoch, each with its own dataset);
    # the multi-worker loop's count is checked in test_cyclegan_multi_worker.
    config = RunConfig(
        workdir=str(tmp_path),
        dataset="synthetic_facades",
        synthetic_train=2,
        synthetic_test=1,
        load_size=24,
        crop_size=24,
        model=ModelConfig(n_blocks=0, ngf=4, ndf=4, pool_size=2, n_epochs=4, n_epochs_decay=2),
        sample_every=0,
        n_samples=1,
        checkpoint_every=0,
        save_epoch_freq=0,
        progress_interval=100.0,
    )
    result = train(config)
    assert (result["step"], result["epoch"]) == (12, 6)
    assert result["traces"] == 1


def test_deterministic_enables_op_determinism(tmp_path, monkeypatch):
    import tensorflow as tf

    calls = []
    monkeypatch.setattr(tf.config.experimental, "enable_op_determinism", lambda: calls.append(1))
    config = RunConfig(
        workdir=str(tmp_path),
        dataset="synthetic_facades",
        synthetic_train=1,
        synthetic_test=1,
        load_size=24,
        crop_size=24,
        model=ModelConfig(n_blocks=0, ngf=4, ndf=4, n_epochs=1, n_epochs_decay=0),
        n_samples=1,
        run_eagerly=True,
        deterministic=True,
    )
    train(config)
    assert calls == [1]
