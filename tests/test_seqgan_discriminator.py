"""The discriminator: shapes, initialisers, forward pass, loss, dropout, optimiser."""

from __future__ import annotations

import dataclasses
import math

import keras
import numpy as np
import numpy_reference as ref
import pytest
import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.discriminator import Discriminator, Highway
from seqgan_tf.models.kernels.fused_adam import TF1Adam
from seqgan_tf.models.optimizers import tf1_adam

SMALL = ModelConfig(
    vocab_size=30,
    sequence_length=6,
    dis_emb_dim=5,
    dis_filter_sizes=(1, 2, 6),
    dis_num_filters=(3, 4, 2),
)
FILTER_SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
NUM_FILTERS = (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)


@pytest.fixture(scope="module")
def full_discriminator() -> Discriminator:
    return Discriminator(seed=0)


def test_trainable_parameter_count_from_the_specs_shapes(full_discriminator):
    vocab, emb, features = 5000, 64, sum(NUM_FILTERS)
    assert features == 1720
    convolutions = sum(w * emb * f + f for w, f in zip(FILTER_SIZES, NUM_FILTERS, strict=True))
    highway = 2 * (features * features + features)
    output = features * 2 + 2
    expected = vocab * emb + convolutions + highway + output
    assert expected == 7_045_402
    count = sum(int(np.prod(v.shape)) for v in full_discriminator.trainable_variables)
    assert count == expected


def test_initialisers(full_discriminator):
    d = full_discriminator
    embedding = d.embedding.numpy()
    assert embedding.min() >= -1.0 and embedding.max() <= 1.0
    assert abs(embedding.std() - 2 / math.sqrt(12)) < 0.01  # uniform(-1, 1)
    # truncated normal(0.1): |w| <= 2 sigma, std of N(0,1) truncated at 2 is 0.8796
    for conv in d.convolutions:
        kernel, bias = conv.kernel.numpy(), conv.bias.numpy()
        assert np.abs(kernel).max() <= 0.2 + 1e-6
        assert abs(kernel.std() - 0.08796) < 0.005
        np.testing.assert_array_equal(bias, np.full_like(bias, np.float32(0.1)))
    limit = math.sqrt(6 / (1720 + 1720))  # Glorot-uniform, bias too (fan_in = fan_out = 1720)
    h = d.highway
    for array in (h.transform_kernel, h.transform_bias, h.gate_kernel, h.gate_bias_weight):
        values = array.numpy()
        assert np.abs(values).max() <= limit
        assert abs(values.std() - limit / math.sqrt(3)) < 0.05 * limit
    assert h.gate_bias == 0.0  # the original overrides highway()'s default -2
    assert np.abs(d.output_kernel.numpy()).max() <= 0.2 + 1e-6
    np.testing.assert_array_equal(d.output_bias.numpy(), np.float32([0.1, 0.1]))


def _reference_logits(d: Discriminator, tokens: np.ndarray) -> np.ndarray:
    h = d.highway
    return ref.discriminator_logits(
        d.embedding.numpy(),
        [conv.kernel.numpy() for conv in d.convolutions],
        [conv.bias.numpy() for conv in d.convolutions],
        (
            h.gate_kernel.numpy(),
            h.gate_bias_weight.numpy(),
            h.transform_kernel.numpy(),
            h.transform_bias.numpy(),
        ),
        d.output_kernel.numpy(),
        d.output_bias.numpy(),
        tokens,
    )


def test_forward_pass_matches_reference_on_full_size_model(full_discriminator):
    tokens = np.random.default_rng(0).integers(0, 5000, size=(8, 20))
    want = _reference_logits(full_discriminator, tokens)
    got = full_discriminator(tf.constant(tokens, tf.int32), training=False).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    probability = full_discriminator.real_probability(tf.constant(tokens, tf.int32)).numpy()
    softmax = np.exp(want) / np.exp(want).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probability, softmax[:, 1], atol=1e-5)


def test_loss_is_mean_cross_entropy_plus_l2_of_output_layer():
    d = Discriminator(SMALL, seed=1)
    rng = np.random.default_rng(1)
    tokens = rng.integers(0, 30, size=(10, 6))
    labels = rng.integers(0, 2, size=10)  # 1 = real = one-hot [0, 1]
    logits = _reference_logits(d, tokens)
    log_softmax = ref.log_softmax(logits)
    cross_entropy = -log_softmax[np.arange(10), labels].mean()
    l2 = (d.output_kernel.numpy().astype(np.float64) ** 2).sum() / 2 + (
        d.output_bias.numpy().astype(np.float64) ** 2
    ).sum() / 2
    want = cross_entropy + 0.2 * l2
    got = d.loss_fn(tf.constant(tokens, tf.int32), labels, training=False).numpy()
    assert got == pytest.approx(want, rel=1e-5)
    one_hot = np.eye(2)[labels]
    got_one_hot = d.loss_fn(tf.constant(tokens, tf.int32), one_hot, training=False).numpy()
    assert got_one_hot == pytest.approx(want, rel=1e-5)


def test_dropout_keeps_075_in_training_only():
    d = Discriminator(SMALL, seed=2)
    tokens = tf.constant(np.random.default_rng(2).integers(0, 30, size=(16, 6)), tf.int32)
    np.testing.assert_array_equal(d(tokens, training=False).numpy(), d(tokens).numpy())
    assert not np.allclose(d(tokens, training=True).numpy(), d(tokens, training=True).numpy())
    dropped = d.dropout(tf.ones([2000, 100]), training=True).numpy()
    assert abs((dropped == 0).mean() - 0.25) < 0.01
    np.testing.assert_allclose(dropped[dropped != 0], 1 / 0.75, rtol=1e-6)


def test_round_shuffles_once_and_passes_over_that_order_each_epoch():
    """The current code's round: real and generated mixed, shuffled once, the remainder of
    whole batches dropped, then ``epochs`` passes over the same batches in the same order,
    one Adam step per batch."""
    from seqgan_tf.models.discriminator import round_batches

    config = dataclasses.replace(SMALL, dis_dropout_keep_prob=1.0, batch_size=8)
    rng = np.random.default_rng(6)
    real = rng.integers(0, 15, size=(40, 6), dtype=np.int32)  # disjoint ids: rows tell
    generated = rng.integers(15, 30, size=(25, 6), dtype=np.int32)  # their origin
    batches, labels = round_batches(real, generated, 8, 3, shuffle_seed=5)
    rows = batches.reshape(-1, 6)
    assert batches.shape == (8, 8, 6)  # 65 sequences: 8 whole batches, 1 dropped
    mixed = {tuple(r) for r in np.concatenate([real, generated])}
    assert len({tuple(r) for r in rows}) == 64 and {tuple(r) for r in rows} <= mixed
    np.testing.assert_array_equal(labels.reshape(-1), (rows[:, 0] < 15).astype(np.int32))
    assert 0 < labels[0].sum() < 8 or 0 < labels[1].sum() < 8  # shuffled, not concatenated
    by_round, by_steps = Discriminator(config, seed=3), Discriminator(config, seed=3)
    by_round.train_round(real, generated, epochs=3, shuffle_seed=5)
    for _ in range(3):
        for tokens, label in zip(batches, labels, strict=True):
            by_steps.train_step_on_batch(tf.constant(tokens), tf.one_hot(label, 2))
    assert int(by_round.train_optimizer.iterations) == 24
    for a, b in zip(by_round.trainable_variables, by_steps.trainable_variables, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6, err_msg=a.path)


def test_training_steps_are_tf1_adam_1e4_updates():
    """Three steps against float64 TF1 Adam (bias-corrected step size, epsilon outside the
    square root), each from the gradients at the weights the previous step left."""
    config = dataclasses.replace(SMALL, dis_dropout_keep_prob=1.0)  # deterministic
    d = Discriminator(config, seed=3)
    rng = np.random.default_rng(3)
    variables = d.trainable_variables
    weights = [v.numpy().astype(np.float64) for v in variables]
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    for step in range(1, 4):
        tokens = tf.constant(rng.integers(0, 30, size=(12, 6)), tf.int32)
        labels = tf.one_hot(rng.integers(0, 2, size=12), 2)
        with tf.GradientTape() as tape:
            loss = d.loss_fn(tokens, labels, training=True)
        gradients = [
            tf.convert_to_tensor(g).numpy().astype(np.float64)
            for g in tape.gradient(loss, variables)
        ]
        d.train_step_on_batch(tokens, labels)
        alpha = 1e-4 * math.sqrt(1 - 0.999**step) / (1 - 0.9**step)
        for i, g in enumerate(gradients):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            weights[i] = weights[i] - alpha * m[i] / (np.sqrt(v[i]) + 1e-8)
        for variable, want in zip(variables, weights, strict=True):
            np.testing.assert_allclose(
                variable.numpy(), want, atol=1e-7, err_msg=f"{variable.path}, step {step}"
            )
        assert int(d.train_optimizer.iterations) == step


def test_tf1_adam_equals_keras_adam_and_checkpoints_its_state(tmp_path):
    """``TF1Adam`` (TF1's fused kernel on its own moments) against Keras' Adam with the
    same epsilon, over steps with different gradients; its moments and step counter
    survive a checkpoint round trip."""
    rng = np.random.default_rng(8)
    start = [rng.normal(size=(5, 3)), rng.normal(size=(7,))]
    fused_vars = [keras.Variable(w.astype(np.float32)) for w in start]
    keras_vars = [keras.Variable(w.astype(np.float32)) for w in start]
    fused, reference = TF1Adam(1e-2, epsilon=1e-8), tf1_adam(1e-2, epsilon=1e-8)
    fused.build(fused_vars)
    reference.build(keras_vars)
    for _ in range(4):
        gradients = [tf.constant(rng.normal(size=w.shape), tf.float32) for w in start]
        fused.apply_gradients(zip(gradients, fused_vars, strict=True))
        reference.apply_gradients(zip(gradients, keras_vars, strict=True))
    for got, want, initial in zip(fused_vars, keras_vars, start, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)  # float32
        assert not np.allclose(got.numpy(), initial)
    assert int(fused.iterations) == int(reference.iterations) == 4
    path = tf.train.Checkpoint(optimizer=fused).write(str(tmp_path / "ckpt"))
    restored = TF1Adam(1e-2)
    restored.build([keras.Variable(w.astype(np.float32)) for w in start])
    tf.train.Checkpoint(optimizer=restored).read(path).assert_consumed()
    assert int(restored.iterations) == 4
    for a, b in zip(restored.velocities, fused.velocities, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="was not in build"):
        fused.apply_gradients([(gradients[0], keras.Variable(start[0].astype(np.float32)))])


def test_training_separates_real_from_generated():
    # A larger step than the original's 1e-4 (checked above) keeps this test short.
    d = Discriminator(dataclasses.replace(SMALL, dis_learning_rate=1e-3), seed=3)
    rng = np.random.default_rng(3)
    real = rng.integers(0, 15, size=(32, 6))  # "real" sequences use the lower half of the vocab
    fake = rng.integers(15, 30, size=(32, 6))
    tokens = tf.constant(np.concatenate([real, fake]), tf.int32)
    labels = tf.one_hot(np.r_[np.ones(32, int), np.zeros(32, int)], 2)
    for _ in range(200):
        d.train_step_on_batch(tokens, labels)
    p = d.real_probability(tokens).numpy()
    assert p[:32].min() > 0.5 > p[32:].max()
    assert int(d.train_optimizer.iterations) == 200


def test_window_longer_than_sequence_is_rejected():
    with pytest.raises(ValueError, match="window of 20 exceeds the sequence length 6"):
        Discriminator(ModelConfig(sequence_length=6))


def test_im2col_features_and_gradients_match_keras_convolutions():
    """Both formulations of the features, im2col matmuls under XLA (training) and
    convolutions (inference), each with the max before bias and ReLU, give the features
    and the gradients of Conv1D -> ReLU -> max over positions, the original's."""
    d = Discriminator(SMALL, seed=4)
    tokens = tf.constant(np.random.default_rng(4).integers(0, 30, size=(7, 6)), tf.int32)
    weights = tf.constant(np.random.default_rng(5).normal(size=(7, 9)), tf.float32)
    variables = [d.embedding] + [v for conv in d.convolutions for v in (conv.kernel, conv.bias)]

    def conv_features():
        embedded = tf.gather(d.embedding, tokens)
        return tf.concat([tf.reduce_max(conv(embedded), axis=1) for conv in d.convolutions], 1)

    grads = []
    for features in (
        conv_features,
        lambda: d.features(tokens, training=True),
        lambda: d.features(tokens, training=False),
    ):
        with tf.GradientTape() as tape:
            value = features()
            loss = tf.reduce_sum(value * weights)
        grads.append([value] + [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)])
    for got_grads in grads[1:]:
        for want, got in zip(grads[0], got_grads, strict=True):
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_highway_layer_equals_the_float64_formula():
    """The float32 layer against t * relu(z W_g + b_g) + (1 - t) * z in float64."""
    rng = np.random.default_rng(6)
    size = 40

    def formula(z, transform_kernel, transform_bias, gate_kernel, gate_bias):
        gate = tf.sigmoid(z @ gate_kernel + gate_bias)
        return gate * tf.nn.relu(z @ transform_kernel + transform_bias) + (1.0 - gate) * z

    layer = Highway(size, seed=7)
    z = rng.normal(size=(9, size)).astype(np.float32)
    want = formula(
        *(
            tf.constant(a, tf.float64)
            for a in (
                z,
                layer.transform_kernel.numpy(),
                layer.transform_bias.numpy(),
                layer.gate_kernel.numpy(),
                layer.gate_bias_weight.numpy(),
            )
        )
    )
    np.testing.assert_allclose(layer(tf.constant(z)).numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_a_checkpoint_holds_every_weight(tmp_path):
    """tf.train.Checkpoint of the discriminator alone (no optimiser that would also hold
    its variables) restores every weight, the convolutions' included. (The dropout's
    seed state is not a weight: the experiment checkpoints it by itself.)"""
    saved = Discriminator(SMALL, seed=3)
    path = tf.train.Checkpoint(discriminator=saved).write(str(tmp_path / "ckpt"))
    restored = Discriminator(SMALL, seed=4)
    tf.train.Checkpoint(discriminator=restored).read(path).assert_consumed()
    weights = restored.trainable_variables
    assert len(weights) == len(saved.trainable_variables) == 2 * len(SMALL.dis_filter_sizes) + 7
    for a, b in zip(weights, saved.trainable_variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
