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


def test_photos_of_varying_size_trace_the_step_once(tmp_path):
    """--preprocess=none: each step's photo has its own shape; the step is still traced
    once (its input's height and width are unknown to the trace)."""
    from test_cyclegan_data import make_non_square_folder

    make_non_square_folder(tmp_path / "data")
    config = RunConfig(
        workdir=str(tmp_path / "run"),
        dataset="folder",
        data_folder=str(tmp_path / "data"),
        preprocess="none",
        load_size=16,
        crop_size=16,
        model=ModelConfig(
            n_blocks=0, ngf=4, ndf=4, n_layers_d=2, pool_size=2, n_epochs=2, n_epochs_decay=0
        ),
        sample_every=0,
        n_samples=1,
        checkpoint_every=0,
        save_epoch_freq=0,
        progress_interval=100.0,
    )
    result = train(config)
    assert (result["step"], result["traces"]) == (6, 1)


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


def test_bfloat16_mixed_precision_computes_in_bfloat16_and_keeps_float32_weights():
    import dataclasses

    import keras
    import numpy as np
    import tensorflow as tf

    from cyclegan_tf.builder import build_cyclegan

    strategy = tf.distribute.get_strategy()
    config = ModelConfig(image_size=32, n_blocks=1, ngf=8, ndf=8, batch_size=2, seed=4)
    full = build_cyclegan(config, strategy, steps_per_epoch=10, run_eagerly=True)
    mixed_config = dataclasses.replace(config, mixed_precision="bfloat16")
    mixed = build_cyclegan(mixed_config, strategy, steps_per_epoch=10, run_eagerly=True)
    assert keras.mixed_precision.global_policy().name == "float32"  # restored after building
    for net in (mixed.g_ab, mixed.d_a):
        assert (
            net.get_layer("block0_conv1" if net is mixed.g_ab else "block1_conv").compute_dtype
            == "bfloat16"
        )
        assert all(w.dtype == "float32" for w in net.weights), net.name
    assert mixed.g_ab.get_layer("tanh").compute_dtype == "float32"
    for a, b in ((full.g_ab, mixed.g_ab), (full.g_ba, mixed.g_ba), (full.d_a, mixed.d_a)):
        b.set_weights(a.get_weights())
    mixed.d_b.set_weights(full.d_b.get_weights())
    rng = np.random.default_rng(0)
    real_a, real_b = (rng.uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32) for _ in range(2))
    fake = mixed.g_ab(real_a)
    assert fake.dtype == tf.float32
    # bfloat16 keeps about 3 significant digits: the outputs and losses agree to ~1e-2.
    np.testing.assert_allclose(fake, full.g_ab(real_a), atol=0.05)
    logs_full = full.train_on_batch(real_a, real_b, return_dict=True)
    logs_mixed = mixed.train_on_batch(real_a, real_b, return_dict=True)
    for name in ("g_loss", "cycle_a", "d_a_loss", "d_b_loss"):
        np.testing.assert_allclose(logs_mixed[name], logs_full[name], rtol=0.03, err_msg=name)
    assert any(
        not np.array_equal(w.numpy(), v.numpy())
        for w, v in zip(mixed.g_ab.weights, full.g_ab.weights, strict=True)
    )  # both trained, and not in the same precision
