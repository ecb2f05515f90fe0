"""Architecture of the CycleGAN port against counts and shapes derived from the layer list,
and whole forward passes against a float64 NumPy network written from that list
(tests/cyclegan_numpy_reference.py), with each official ``--norm``."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from cyclegan_numpy_reference import (
    Norm,
    np_conv_transpose_x2,
    np_instance_norm,
    np_patch_discriminator,
    np_resnet_generator,
)

from cyclegan_tf.discriminator import PatchDiscriminator
from cyclegan_tf.generator import ResnetGenerator, transposed_conv_x2
from cyclegan_tf.layers import InstanceNormalization, ReflectionPadding2D

PUBLISHED_G = 11_378_179  # official ResnetGenerator, ngf 64, 9 blocks, instance norm
PUBLISHED_D = 2_764_737  # official NLayerDiscriminator, ndf 64, n_layers 3


def conv_params(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in * c_out + c_out  # kernel + bias (same for a transposed conv)


def normed_conv_params(k: int, c_in: int, c_out: int, norm: str) -> tuple[int, int]:
    """(trainable, non-trainable) parameters of a convolution and the norm after it, by the
    official rules: a conv bias only with instance norm (``use_bias``); BatchNorm2d's
    weight and bias (affine) and its two running statistics; no parameters in
    InstanceNorm2d (affine=False) or the identity."""
    kernel = k * k * c_in * c_out
    if norm == "instance":
        return kernel + c_out, 0
    if norm == "batch":
        return kernel + 2 * c_out, 2 * c_out
    return kernel, 0


def expected_generator_params(n_blocks: int, norm: str = "instance") -> tuple[int, int]:
    """(trainable, non-trainable); the last convolution keeps its bias, no norm after it."""
    layers = [(7, 3, 64), (3, 64, 128), (3, 128, 256)]
    layers += [(3, 256, 256)] * (2 * n_blocks)
    layers += [(3, 256, 128), (3, 128, 64)]
    counts = [normed_conv_params(*layer, norm) for layer in layers]
    return sum(t for t, _ in counts) + conv_params(7, 64, 3), sum(n for _, n in counts)


def expected_discriminator_params(norm: str = "instance") -> tuple[int, int]:
    """(trainable, non-trainable); the first and the last convolution keep their biases."""
    normed = [(4, 64, 128), (4, 128, 256), (4, 256, 512)]
    counts = [normed_conv_params(*layer, norm) for layer in normed]
    trainable = conv_params(4, 3, 64) + sum(t for t, _ in counts) + conv_params(4, 512, 1)
    return trainable, sum(n for _, n in counts)


def parameter_counts(model: keras.Model) -> tuple[int, int]:
    count = lambda weights: sum(int(np.prod(w.shape)) for w in weights)  # noqa: E731
    return count(model.trainable_weights), count(model.non_trainable_weights)


def torch_conv_out(size: int, k: int, s: int, p: int) -> int:
    return (size + 2 * p - k) // s + 1


@pytest.mark.parametrize("upsample", ["transpose", "resize"])
def test_generator_parameter_count_matches_derivation_and_official(upsample):
    g = ResnetGenerator(9, upsample)  # Functional: built from shapes, no forward pass
    assert expected_generator_params(9) == (PUBLISHED_G, 0)
    assert g.count_params() == PUBLISHED_G
    assert len(g.trainable_weights) == 2 * (3 + 18 + 3)  # kernel and bias per conv: no IN affine


def test_generator_parameter_count_follows_n_blocks():
    g = ResnetGenerator(2)
    assert parameter_counts(g) == expected_generator_params(2)


@pytest.mark.parametrize("norm", ["batch", "none"])
def test_norm_options_follow_the_official_bias_and_affine_rules(norm):
    """--norm=batch: no conv bias before a norm, BatchNorm2d's affine weight and bias and
    its running statistics; --norm=none: no conv bias before where the norm would be."""
    assert parameter_counts(ResnetGenerator(2, norm=norm)) == expected_generator_params(2, norm)
    d = PatchDiscriminator(norm=norm)
    assert parameter_counts(d) == expected_discriminator_params(norm)
    # The official counts for --norm=batch: the 9-block G loses the biases of its 25
    # convolutions before a norm (5,248 values) and gains twice as many affine values; D
    # loses 896 biases and gains 1,792.
    if norm == "batch":
        g = ResnetGenerator(9, norm=norm)
        assert parameter_counts(g)[0] == PUBLISHED_G - 5_248 + 2 * 5_248
        assert parameter_counts(d)[0] == PUBLISHED_D - 896 + 2 * 896


@pytest.mark.parametrize("variant", ["patch70", "seed16"])
def test_discriminator_parameter_count(variant):
    d = PatchDiscriminator(variant)
    assert expected_discriminator_params() == (PUBLISHED_D, 0)
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


@pytest.mark.parametrize(
    "network, n_convs",
    [("generator", 8), ("discriminator", 5), ("seed16 discriminator", 5)],
)
def test_weights_drawn_from_normal_0_002_with_zero_bias(network, n_convs):
    """Official init_weights('normal', 0.02): every conv kernel N(0, 0.02), biases 0.
    n_convs: the generator with one block has 3 + 2 + 3 convolutions, the discriminator 5;
    counting them keeps a kernel from escaping the check."""
    if network == "generator":
        model = ResnetGenerator(1)
    else:
        model = PatchDiscriminator("seed16" if network.startswith("seed16") else "patch70")
    kernels = 0
    for w in model.trainable_weights:
        values = w.numpy().ravel()
        if w.ndim == 1:
            assert np.all(values == 0), w.path
            continue
        # Every kernel has >= 3,072 values (the discriminator's first, 4 x 4 x 3 x 64), so
        # the std is known to ~1%: Keras' default Glorot-uniform (std 0.013-0.043 here)
        # misses it. Standard errors of a normal sample's mean and std: s / sqrt(n),
        # s / sqrt(2n).
        assert values.size >= 3072, w.path
        assert abs(values.mean()) < 5 * 0.02 / np.sqrt(values.size), w.path
        assert abs(values.std() - 0.02) < 5 * 0.02 / np.sqrt(2 * values.size), w.path
        kernels += 1
    assert kernels == n_convs


def test_instance_norm_matches_numpy():
    x = np.random.default_rng(0).normal(3.0, 2.0, (2, 5, 6, 4)).astype(np.float32)
    expected = np_instance_norm(x.astype(np.float64))
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
    want = np_conv_transpose_x2(x.astype(np.float64), kernel, bias)
    np.testing.assert_allclose(got, want, atol=1e-5)


def _randomise(model, seed, scale=0.3):
    """Weights N(0, scale^2), biases included (zero biases would hide their handling);
    batch norms' running variances uniform in [0.5, 1.5]. Returns each layer's weights
    by layer name, in float64."""
    rng = np.random.default_rng(seed)
    model.set_weights(
        [
            rng.uniform(0.5, 1.5, w.shape)
            if w.path.endswith("moving_variance")
            else rng.normal(0, scale, w.shape)
            for w in model.weights
        ]
    )
    return {
        layer.name: [np.asarray(w, np.float64) for w in layer.get_weights()]
        for layer in model.layers
        if layer.get_weights()
    }


# (norm, training): instance norm; batch norm on the batch's statistics (training) and on
# the running ones (inference); no norm.
NORM_MODES = [("instance", False), ("batch", True), ("batch", False), ("none", False)]


def _check_running_statistics(model, reference: Norm) -> None:
    """Each batch norm's running statistics after the call equal the reference's."""
    assert len(reference.running) == sum(1 for w in model.weights if w.path.endswith("gamma"))
    for name, (mean, var) in reference.running.items():
        layer = model.get_layer(name)
        np.testing.assert_allclose(layer.moving_mean.numpy(), mean, atol=1e-5, err_msg=name)
        np.testing.assert_allclose(layer.moving_variance.numpy(), var, rtol=1e-5, err_msg=name)


@pytest.mark.parametrize(
    "n_blocks, upsample, norm, training",
    [(0, "transpose", "instance", False), (2, "transpose", "instance", False)]
    + [(1, "resize", "instance", False)]
    + [(1, "transpose", norm, training) for norm, training in NORM_MODES[1:]],
)
def test_generator_forward_pass_equals_the_numpy_network(n_blocks, upsample, norm, training):
    """'transpose' is the official layout; 'resize' the seed's (--upsample=resize). A batch
    of two images, so that batch statistics differ from each image's."""
    g = ResnetGenerator(n_blocks, upsample, filters=4, norm=norm)
    weights = _randomise(g, seed=n_blocks, scale=0.1 if norm == "none" else 0.3)
    x = np.random.default_rng(10).uniform(-1, 1, (2, 16, 16, 3))
    reference = Norm(norm, weights, training)
    want = np_resnet_generator(x, weights, n_blocks, upsample, reference)
    assert 0.05 < np.abs(want).mean() < 0.95  # neither vanishing nor saturated
    got = g(x.astype(np.float32), training=training).numpy()
    np.testing.assert_allclose(got, want, atol=2e-5)
    _check_running_statistics(g, reference)


@pytest.mark.parametrize("use_running_statistics", [False, True])
def test_generator_inference_with_and_without_eval_equals_the_numpy_network(
    use_running_statistics,
):
    """The official test with --eval (batch norms on the running statistics) and without
    (the networks in train mode on one image at a time: each image's own statistics). A
    batch of two gives the outputs of one image at a time, and the running statistics stay
    as they were."""
    g = ResnetGenerator(1, filters=4, norm="batch", use_running_statistics=use_running_statistics)
    weights = _randomise(g, seed=4)
    before = [w.numpy() for w in g.weights]
    x = np.random.default_rng(12).uniform(-1, 1, (2, 16, 16, 3))
    running = np_resnet_generator(x, weights, 1, norm=Norm("batch", weights, training=False))
    per_image = np.concatenate(
        [
            np_resnet_generator(image[None], weights, 1, norm=Norm("batch", weights, True))
            for image in x
        ]
    )
    assert np.abs(running - per_image).max() > 0.05  # the two modes tell apart
    got = g(x.astype(np.float32), training=False).numpy()
    np.testing.assert_allclose(got, running if use_running_statistics else per_image, atol=2e-5)
    one_at_a_time = [g(image[None].astype(np.float32), training=False).numpy() for image in x]
    # Equal but for float32 round-off (the reductions run in another order).
    np.testing.assert_allclose(np.concatenate(one_at_a_time), got, rtol=0, atol=1e-5)
    for weight, value in zip(g.weights, before, strict=True):
        np.testing.assert_array_equal(weight.numpy(), value, err_msg=weight.path)


@pytest.mark.parametrize(
    "variant, n_layers, size, side, norm, training",
    [
        ("patch70", 3, 32, 2, "instance", False),
        ("seed16", 3, 32, 2, "instance", False),
        ("patch70", 2, 32, 6, "instance", False),
        ("patch70", 4, 64, 2, "instance", False),
    ]
    + [("patch70", 2, 32, 6, norm, training) for norm, training in NORM_MODES[1:]],
)
def test_discriminator_forward_pass_equals_the_numpy_network(
    variant, n_layers, size, side, norm, training
):
    """n_layers: the official --n_layers_D (3 by default; 'patch70' only)."""
    d = PatchDiscriminator(variant, filters=4, n_layers=n_layers, norm=norm)
    weights = _randomise(d, seed=3)
    if n_layers == 4:  # the official nf_mult = min(2**n, 8) caps blocks 3 and 4 at 8 x 4
        assert weights["block3_conv"][0].shape == (4, 4, 16, 32)
        assert weights["block4_conv"][0].shape == (4, 4, 32, 32)
    x = np.random.default_rng(11).uniform(-1, 1, (2, size, size, 3))
    reference = Norm(norm, weights, training)
    want = np_patch_discriminator(x, weights, variant, n_layers, reference)
    assert want.shape == (2, side, side, 1)
    got = d(x.astype(np.float32), training=training).numpy()
    np.testing.assert_allclose(got, want, atol=1e-4, rtol=1e-4)
    _check_running_statistics(d, reference)


def feeds_instance_norm(model_name: str, weight_path: str) -> bool:
    """Whether a weight is the bias of a conv that an instance norm follows (the layer list:
    every generator conv but the last; the discriminator's blocks 1-3)."""
    layer = weight_path.split("/")[0]
    if model_name.startswith("G"):
        return weight_path.endswith("bias") and layer != "head_conv"
    return weight_path.endswith("bias") and layer in ("block1_conv", "block2_conv", "block3_conv")


def test_only_the_biases_before_instance_norm_are_cancelled():
    """Instance norm subtracts each channel's mean, so a conv bias just before it cancels:
    adding to it leaves the output unchanged and its gradient is zero (float32 round-off
    leaves ~1e-7 of the largest), so training cannot move it (only Adam's normalised noise
    does). Every other bias changes the output, and every other weight gets a gradient
    (>= 3e-2 of the largest here). The premise of the train-step test's exclusion."""
    rng = np.random.default_rng(13)
    x = rng.uniform(-1, 1, (1, 32, 32, 3)).astype(np.float32)
    # The layers' initialisers are unseeded: fix Keras' global seed, so that the weights,
    # hence the gradient ratios below, do not depend on which tests ran before.
    keras.utils.set_random_seed(13)
    for model in (ResnetGenerator(1, filters=4, name="G"), PatchDiscriminator(filters=4, name="D")):
        before = model(x).numpy()
        target = rng.uniform(-1, 1, before.shape).astype(np.float32)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - target))
        grads = [np.abs(g.numpy()).max() for g in tape.gradient(loss, model.trainable_weights)]
        scale = max(grads)
        cancelled = 0
        for w, g in zip(model.trainable_weights, grads, strict=True):
            moved = None
            if w.ndim == 1:
                old = w.numpy()
                w.assign(old + 1.0)
                moved = np.abs(model(x).numpy() - before).max()
                w.assign(old)
            if feeds_instance_norm(model.name, w.path):
                assert g < 1e-4 * scale, (w.path, g / scale)
                assert moved < 1e-4, w.path
                cancelled += 1
            else:
                assert g > 1e-3 * scale, (w.path, g / scale)
                assert moved is None or moved > 1e-2, w.path
        # G: stem, two down, two per block, two up; D: blocks 1-3.
        assert cancelled == (7 if model.name == "G" else 3)


@pytest.mark.parametrize("norm", ["instance", "batch"])
def test_models_are_functional_summarised_saved_and_reloaded(tmp_path, norm):
    g = ResnetGenerator(1, name="G_AB", norm=norm)
    d = PatchDiscriminator("patch70", name="D_B", norm=norm)
    lines = []
    g.summary(print_fn=lines.append)
    assert any("block0_add" in line for line in lines) and any(
        "head_conv" in line for line in lines
    )
    x = tf.random.uniform((1, 32, 32, 3), -1, 1, seed=2)
    for model in (g, d):
        if norm == "batch":  # running statistics away from their initial 0 and 1
            model(tf.random.uniform((2, 32, 32, 3), -1, 1, seed=4), training=True)
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        restored = keras.models.load_model(path)
        np.testing.assert_allclose(restored(x).numpy(), model(x).numpy(), atol=1e-6)
