"""MirroredStrategy over two logical CPUs gives the single-device step (in a subprocess)."""

from __future__ import annotations

import textwrap

import numpy as np
from conftest import run_script

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import keras
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    # Must happen before TensorFlow initialises its devices.
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
    from cyclegan_tf.builder import ModelConfig, build_cyclegan
    from flags.common import make_strategy

    rng = np.random.default_rng(0)
    real_a = rng.uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    real_b = rng.uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    results = {}
    weights = None
    for name, per_replica in (("single", 2), ("mirrored", 1)):
        strategy = tf.distribute.get_strategy() if name == "single" else make_strategy("mirrored")
        config = ModelConfig(image_size=32, n_blocks=0, batch_size=per_replica, seed=5)
        # The reference runs eagerly (no second trace); the mirrored step is compiled.
        model = build_cyclegan(config, strategy, steps_per_epoch=10, run_eagerly=name == "single")
        nets = (model.g_ab, model.g_ba, model.d_a, model.d_b)
        if weights is None:
            weights = [n.get_weights() for n in nets]
        else:
            for n, w in zip(nets, weights):
                n.set_weights(w)
        # fit splits each global batch of 2 over the replicas (train_on_batch would not).
        step_logs = []

        def record(batch, logs=None):
            step_logs.append({k: float(v) for k, v in logs.items()})

        ds = tf.data.Dataset.from_tensor_slices((real_a, real_b))
        ds = ds.batch(2, drop_remainder=True).repeat(2)
        callback = keras.callbacks.LambdaCallback(on_train_batch_end=record)
        model.fit(ds, epochs=1, steps_per_epoch=2, callbacks=[callback], shuffle=False, verbose=0)
        results[name] = {
            "replicas": strategy.num_replicas_in_sync,
            "logs": step_logs,
            "g_ab": float(sum(np.abs(w).sum() for w in model.g_ab.get_weights())),
            "d_b": float(sum(np.abs(w).sum() for w in model.d_b.get_weights())),
            "iterations": int(model.g_optimizer.iterations.numpy()),
            "pool_counts": model.pool_a.counts.numpy().tolist(),
        }
    print("RESULT" + json.dumps(results))
    """
)


def test_mirrored_two_cpus_matches_single_device():
    r = run_script(SCRIPT)
    single, mirrored = r["single"], r["mirrored"]
    assert single["replicas"] == 1 and mirrored["replicas"] == 2
    for step_single, step_mirrored in zip(single["logs"], mirrored["logs"], strict=True):
        for key, value in step_single.items():
            np.testing.assert_allclose(step_mirrored[key], value, rtol=2e-4, err_msg=key)
    np.testing.assert_allclose(mirrored["g_ab"], single["g_ab"], rtol=1e-5)
    np.testing.assert_allclose(mirrored["d_b"], single["d_b"], rtol=1e-5)
    assert mirrored["iterations"] == single["iterations"] == 2
    # One pool per replica: each replica stored its own image per step.
    assert single["pool_counts"] == [4] and mirrored["pool_counts"] == [2, 2]
