"""The official --norm choices: the layer each makes, PyTorch's BatchNorm2d against NumPy,
its initialisation. (The networks with each norm: test_cyclegan_models.py.)"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from cyclegan_numpy_reference import np_batch_norm

from cyclegan_tf.generator import ResnetGenerator
from cyclegan_tf.layers import InstanceNormalization
from cyclegan_tf.normalization import BatchNormalization, normalization, uses_bias


def test_each_norm_makes_its_layer_and_only_instance_norm_keeps_conv_biases():
    assert isinstance(normalization("instance", "n"), InstanceNormalization)
    assert isinstance(normalization("batch", "n"), BatchNormalization)
    assert isinstance(normalization("none", "n"), keras.layers.Identity)
    assert [uses_bias(n) for n in ("instance", "batch", "none")] == [True, False, False]
    with pytest.raises(ValueError, match="--norm=group"):
        normalization("group", "n")


def test_batch_norm_trains_and_infers_as_pytorch_batchnorm2d():
    """Two training calls (batch statistics; running statistics moved by 0.1 towards the
    batch's mean and unbiased variance), then inference on the running statistics."""
    rng = np.random.default_rng(0)
    layer = BatchNormalization()
    # Keras' own layer with PyTorch's momentum and epsilon: the same outputs and running
    # mean, but a running variance moved towards the biased variance.
    keras_layer = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
    gamma, beta = rng.normal(1, 0.5, 4), rng.normal(0, 0.5, 4)
    for bn in (layer, keras_layer):
        bn.build((None, 3, 5, 4))
        bn.set_weights([gamma, beta, np.zeros(4), np.ones(4)])
    running = (np.zeros(4), np.ones(4))
    for call in range(2):
        x = rng.normal(2.0 + call, 3.0, (2, 3, 5, 4))
        want, running = np_batch_norm(x, gamma, beta, *running, training=True)
        got = layer(x.astype(np.float32), training=True).numpy()
        np.testing.assert_allclose(got, want, atol=1e-5)
        np.testing.assert_allclose(layer.moving_mean.numpy(), running[0], rtol=1e-6)
        np.testing.assert_allclose(layer.moving_variance.numpy(), running[1], rtol=1e-6)
        np.testing.assert_allclose(keras_layer(x, training=True).numpy(), want, atol=1e-5)
        np.testing.assert_allclose(keras_layer.moving_mean.numpy(), running[0], rtol=1e-6)
    # 30 values per channel: the unbiased variance is 30/29 of the biased one.
    assert np.all(keras_layer.moving_variance.numpy() < running[1] * (1 - 1e-3))
    x = rng.normal(0, 1, (1, 3, 5, 4))
    want, _ = np_batch_norm(x, gamma, beta, *running, training=False)
    np.testing.assert_allclose(layer(x.astype(np.float32)).numpy(), want, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), running[0], rtol=1e-6)  # unmoved


def test_batch_norm_starts_as_the_official_init_weights():
    """init_weights('normal', 0.02): BatchNorm2d's weight N(1, 0.02), bias 0; the running
    statistics start at PyTorch's 0 and 1."""
    keras.utils.set_random_seed(1)
    g = ResnetGenerator(9, norm="batch")
    values = {
        kind: np.concatenate([w.numpy() for w in g.weights if w.path.endswith(kind)])
        for kind in ("gamma", "beta", "moving_mean", "moving_variance")
    }
    gamma = values["gamma"]
    assert gamma.size == 5_248  # every norm channel of the 9-block generator
    assert abs(gamma.mean() - 1.0) < 5 * 0.02 / np.sqrt(gamma.size)
    assert abs(gamma.std() - 0.02) < 5 * 0.02 / np.sqrt(2 * gamma.size)
    assert np.all(values["beta"] == 0) and np.all(values["moving_mean"] == 0)
    assert np.all(values["moving_variance"] == 1)


def test_batch_norm_without_running_statistics_is_pytorch_train_mode_on_one_image():
    """The official test without --eval: each image normalised with its own batch
    statistics (BatchNorm2d in train mode on a batch of one), whichever batch it comes in,
    and the running statistics left as they were; the choice survives get_config."""
    rng = np.random.default_rng(1)
    gamma, beta = rng.normal(1, 0.5, 4), rng.normal(0, 0.5, 4)
    running = (rng.normal(0, 1, 4), rng.uniform(0.5, 1.5, 4))
    layer = BatchNormalization(use_running_statistics=False)
    layer.build((None, 3, 5, 4))
    layer.set_weights([gamma, beta, *running])
    x = rng.normal(2.0, 3.0, (3, 3, 5, 4))
    want = np.concatenate(
        [np_batch_norm(image[None], gamma, beta, *running, training=True)[0] for image in x]
    )
    # The whole batch's statistics give other outputs: the test can tell them apart.
    batch_statistics, _ = np_batch_norm(x, gamma, beta, *running, training=True)
    assert np.abs(batch_statistics - want).max() > 0.1
    got = layer(x.astype(np.float32), training=False).numpy()
    np.testing.assert_allclose(got, want, atol=1e-5)
    one_at_a_time = [layer(image[None].astype(np.float32)).numpy() for image in x]
    # Equal but for float32 round-off (the reductions run in another order).
    np.testing.assert_allclose(np.concatenate(one_at_a_time), got, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), running[0].astype(np.float32))
    np.testing.assert_array_equal(layer.moving_variance.numpy(), running[1].astype(np.float32))
    # Training is the same either way: the batch's statistics, the running ones moved.
    np.testing.assert_allclose(
        layer(x.astype(np.float32), training=True), batch_statistics, atol=1e-5
    )
    assert not np.allclose(layer.moving_mean.numpy(), running[0])
    copy = BatchNormalization.from_config(layer.get_config())
    assert copy.use_running_statistics is False
    assert BatchNormalization().get_config()["use_running_statistics"] is True
