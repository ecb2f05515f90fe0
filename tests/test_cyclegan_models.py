"""Architecture of the CycleGAN port against counts and shapes derived from the layer list."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from cyclegan_tf.discriminator import PatchDiscriminator
from cyclegan_tf.generator import ResnetGenerator, transposed_conv_x2
from cyclegan_tf.layers import InstanceNormalization, ReflectionPadding2D

PUBLISHED_G = 11_378_179  # official ResnetGenerator, ngf 64, 9 blocks, instance norm
PUBLISHED_D = 2_764_737  # official NLayerDiscriminator, ndf 64, n_layers 3


def conv_params(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in * c_out + c_out  # kernel + bias (same for a transposed conv)


def expected_generator_params(n_blocks: int) -> int:
    layers = [(7, 3, 64), (3, 64, 128), (3, 128, 256)]
    layers += [(3, 256, 256)] * (2 * n_blocks)
    layers += [(3, 256, 128), (3, 128, 64), (7, 64, 3)]
    return sum(conv_params(*layer) for layer in layers)


def expected_discriminator_params() -> int:
    layers = [(4, 3, 64), (4, 64, 128), (4, 128, 256), (4, 256, 512), (4, 512, 1)]
    return sum(conv_params(*layer) for layer in layers)


def torch_conv_out(size: int, k: int, s: int, p: int) -> int:
    return (size + 2 * p - k) // s + 1


@pytest.mark.parametrize("upsample", ["transpose", "resize"])
def test_generator_parameter_count_matches_derivation_and_official(upsample):
    g = ResnetGenerator(9, upsample)  # Functional: built from shapes, no forward pass
    assert expected_generator_params(9) == PUBLISHED_G
    assert g.count_params() == PUBLISHED_G
    assert len(g.trainable_weights) == 2 * (3 + 18 + 3)  # kernel and bias per conv: no IN affine


def test_generator_parameter_count_follows_n_blocks():
    g = ResnetGenerator(2)
    assert g.count_params() == expected_generator_params(2)


@pytest.mark.parametrize("variant", ["patch70", "seed16"])
def test_discriminator_parameter_count(variant):
    d = PatchDiscriminator(variant)
    assert expected_discriminator_params() == PUBLISHED_D
    assert d.count_params() == PUBLISHED_D


def test_discriminator_output_is_30x30_at_256_px():
    size = 256
    for stride in (2, 2, 2, 1, 1):  # official: three stride-2 convs, two stride-1, k4 p1
        size = torch_conv_out(size, 4, stride, 1)
    assert size == 30
    d = PatchDiscriminator("patch70")
    assert tuple(d(keras.KerasTensor((1, 256, 256, 3))).shape) == (1, 30, 30, 1)
    # A real forward pass at 64 px agrees with the same formula.
    size = 64
    for stride in (2, 2, 2, 1, 1):
        size = torch_conv_out(size, 4, stride, 1)
    assert d(tf.zeros((1, 64, 64, 3))).shape == (1, size, size, 1)


def test_seed_discriminator_output_is_16x16_at_256_px():
    size = 256
    for _ in range(4):
        size = torch_conv_out(size, 4, 2, 1)
    size = torch_conv_out(size + 1, 4, 1, 1)  # ZeroPad2d((1, 0, 1, 0)) adds one row/column
    assert size == 16
    d = PatchDiscriminator("seed16")
    assert tuple(d(keras.KerasTensor((1, 256, 256, 3))).shape) == (1, 16, 16, 1)


@pytest.mark.parametrize("upsample", ["transpose", "resize"])
def test_generator_maps_images_to_same_shape_in_tanh_range(upsample):
    g = ResnetGenerator(1, upsample)
    x = tf.random.uniform((2, 32, 32, 3), -1, 1, seed=1)
    y = g(x).numpy()
    assert y.shape == (2, 32, 32, 3)
    assert np.all(np.abs(y) < 1.0)


def test_weights_drawn_from_normal_0_002_with_zero_bias():
    g = ResnetGenerator(1)
    kernels = np.concatenate([w.numpy().ravel() for w in g.trainable_weights if w.ndim == 4])
    biases = np.concatenate([w.numpy().ravel() for w in g.trainable_weights if w.ndim == 1])
    assert abs(kernels.mean()) < 1e-3
    assert kernels.std() == pytest.approx(0.02, rel=0.05)
    assert np.all(biases == 0)


def test_instance_norm_matches_numpy():
    x = np.random.default_rng(0).normal(3.0, 2.0, (2, 5, 6, 4)).astype(np.float32)
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)  # biased, as PyTorch's InstanceNorm2d
    expected = (x - mean) / np.sqrt(var + 1e-5)
    np.testing.assert_allclose(InstanceNormalization()(x).numpy(), expected, atol=1e-4)
    assert not InstanceNormalization().trainable_weights


def test_reflection_padding_matches_numpy():
    x = np.arange(2 * 5 * 6 * 3, dtype=np.float32).reshape(2, 5, 6, 3)
    expected = np.pad(x, [(0, 0), (3, 3), (3, 3), (0, 0)], mode="reflect")
    np.testing.assert_array_equal(ReflectionPadding2D(3)(x).numpy(), expected)


def test_transposed_conv_matches_pytorch_convtranspose_semantics():
    """ConvTranspose2d(k=3, s=2, padding=1, output_padding=1): out[i*2 - 1 + k] += in[i] w[k]."""
    rng = np.random.default_rng(1)
    h, c_in, c_out = 4, 3, 2
    x = rng.normal(size=(1, h, h, c_in)).astype(np.float32)
    block = transposed_conv_x2(c_out)
    block.build((1, h, h, c_in))
    kernel = rng.normal(size=(3, 3, c_out, c_in)).astype(np.float32)  # Keras: (k, k, out, in)
    bias = rng.normal(size=(c_out,)).astype(np.float32)
    block.set_weights([kernel, bias])
    got = block(x).numpy()
    ref = np.zeros((1, 2 * h, 2 * h, c_out), np.float32)
    for i in range(h):
        for j in range(h):
            for ki in range(3):
                for kj in range(3):
                    oi, oj = 2 * i - 1 + ki, 2 * j - 1 + kj
                    if 0 <= oi < 2 * h and 0 <= oj < 2 * h:
                        ref[0, oi, oj] += kernel[ki, kj] @ x[0, i, j]
    np.testing.assert_allclose(got, ref + bias, atol=1e-5)


def test_models_are_functional_summarised_saved_and_reloaded(tmp_path):
    g = ResnetGenerator(1, name="G_AB")
    d = PatchDiscriminator("patch70", name="D_B")
    lines = []
    g.summary(print_fn=lines.append)
    assert any("block0_add" in line for line in lines) and any(
        "head_conv" in line for line in lines
    )
    x = tf.random.uniform((1, 32, 32, 3), -1, 1, seed=2)
    for model in (g, d):
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        restored = keras.models.load_model(path)
        np.testing.assert_allclose(restored(x).numpy(), model(x).numpy(), atol=1e-6)
