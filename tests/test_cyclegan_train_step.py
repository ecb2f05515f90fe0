"""One CycleGAN training step: losses equal a NumPy recomputation, the weights move."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from test_cyclegan_models import feeds_instance_norm

from cyclegan_tf.builder import ModelConfig, build_cyclegan, networks_by_domain


def test_one_step_losses_finite_match_numpy_and_change_the_weights():
    # lambda_A 4, lambda_B 6: the identity terms weigh 0.5 x 4 (real A through G_BA) and
    # 0.5 x 6 (official: lambda_identity scales lambda_A / lambda_B).
    config = ModelConfig(
        image_size=32, n_blocks=1, batch_size=2, seed=3, lambda_a=4.0, lambda_b=6.0
    )
    strategy = tf.distribute.get_strategy()
    # Eager: one step costs less than tracing it; the compiled step (under MirroredStrategy)
    # is exercised by test_cyclegan_distributed.py.
    model = build_cyclegan(config, strategy, steps_per_epoch=10, run_eagerly=True)
    rng = np.random.default_rng(0)
    real_a = rng.uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    real_b = rng.uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)

    # Independent recomputation of the official objective with the weights before the step.
    def np_(x):
        return np.asarray(x, np.float64)

    g_ab, g_ba, d_a, d_b = model.g_ab, model.g_ba, model.d_a, model.d_b
    fake_b, fake_a = np_(g_ab(real_a)), np_(g_ba(real_b))
    gan = np.mean((np_(d_b(fake_b)) - 1) ** 2) + np.mean((np_(d_a(fake_a)) - 1) ** 2)

    def l1(x, y):
        return np.mean(np.abs(np_(x) - y))

    cycle = 4.0 * l1(g_ba(fake_b), real_a) + 6.0 * l1(g_ab(fake_a), real_b)
    ident = 2.0 * l1(g_ba(real_a), real_a) + 3.0 * l1(g_ab(real_b), real_b)
    expected_g = gan + cycle + ident
    # The pool is filling, so D sees this step's fakes; D is unchanged by the G update.
    expected_d_a = 0.5 * (np.mean((np_(d_a(real_a)) - 1) ** 2) + np.mean(np_(d_a(fake_a)) ** 2))
    expected_d_b = 0.5 * (np.mean((np_(d_b(real_b)) - 1) ** 2) + np.mean(np_(d_b(fake_b)) ** 2))

    nets = {"G_AB": g_ab, "G_BA": g_ba, "D_A": d_a, "D_B": d_b}
    before = {name: [w.numpy().copy() for w in net.trainable_weights] for name, net in nets.items()}
    logs = model.train_on_batch(real_a, real_b, return_dict=True)

    assert all(np.isfinite(v) for v in logs.values()), logs
    np.testing.assert_allclose(logs["g_loss"], expected_g, rtol=1e-4)
    np.testing.assert_allclose(logs["d_a_loss"], expected_d_a, rtol=1e-4)
    np.testing.assert_allclose(logs["d_b_loss"], expected_d_b, rtol=1e-4)
    skipped = 0
    for name, net in nets.items():
        assert len(net.trainable_weights) == len(before[name])
        for w, old in zip(net.trainable_weights, before[name], strict=True):
            # A conv bias just before an instance norm has a mathematically zero gradient
            # (test_cyclegan_models.py::test_only_the_biases_before_instance_norm_are_
            # cancelled). Adam normalises the round-off left of that gradient into a step of
            # its own, so whether such a bias moves proves nothing; every other weight must.
            if feeds_instance_norm(name, w.path):
                skipped += 1
            else:
                assert not np.array_equal(w.numpy(), old), f"{name}/{w.path} did not change"
    # Only those biases are skipped: 7 per generator (stem, 2 down, 2 in the one residual
    # block, 2 up), 3 per discriminator (blocks 1-3).
    assert skipped == 2 * 7 + 2 * 3
    assert int(model.g_optimizer.iterations) == 1 and int(model.d_optimizer.iterations) == 1
    # The epoch means (keras.metrics.Mean) after one step are that step's losses.
    means = {m.name: float(m.result()) for m in model.metrics}
    assert means == {k: float(v) for k, v in logs.items()}
    assert model.g_optimizer.epsilon == model.d_optimizer.epsilon == 1e-8  # PyTorch's
    # Both fakes went into the pools.
    assert int(model.pool_a.counts.numpy()[0]) == 2 and int(model.pool_b.counts.numpy()[0]) == 2
    np.testing.assert_allclose(model.pool_a.images.numpy()[0, :2], fake_a, atol=1e-5)


def test_vanilla_gan_mode_is_cross_entropy_on_the_logits():
    """--gan_mode=vanilla: the official GANLoss('vanilla'), BCEWithLogits against 1 (G) and
    0.5 [BCE(real, 1) + BCE(fake, 0)] (D), recomputed in float64 NumPy."""
    config = ModelConfig(
        image_size=32, n_blocks=0, batch_size=2, seed=5, gan_mode="vanilla", lambda_identity=0
    )
    model = build_cyclegan(config, tf.distribute.get_strategy(), 10, run_eagerly=True)
    rng = np.random.default_rng(1)
    real_a, real_b = (rng.uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32) for _ in range(2))

    def bce(logits, label):  # -[y log s(x) + (1 - y) log(1 - s(x))], stable
        x = np.asarray(logits, np.float64)
        return np.mean(np.maximum(x, 0) - x * label + np.log1p(np.exp(-np.abs(x))))

    def l1(x, y):
        return np.mean(np.abs(np.asarray(x, np.float64) - y))

    g_ab, g_ba, d_a, d_b = model.g_ab, model.g_ba, model.d_a, model.d_b
    fake_b, fake_a = g_ab(real_a).numpy(), g_ba(real_b).numpy()
    expected_g = bce(d_b(fake_b), 1) + bce(d_a(fake_a), 1)
    expected_g += 10 * (l1(g_ba(fake_b), real_a) + l1(g_ab(fake_a), real_b))
    expected_d_a = 0.5 * (bce(d_a(real_a), 1) + bce(d_a(fake_a), 0))
    logs = model.train_on_batch(real_a, real_b, return_dict=True)
    np.testing.assert_allclose(logs["g_loss"], expected_g, rtol=1e-4)
    np.testing.assert_allclose(logs["d_a_loss"], expected_d_a, rtol=1e-4)


def test_btoa_swaps_the_roles_of_the_domains():
    """Official --direction=BtoA: the model's A is the data's B, so its G_AB is the network
    that maps B to A, and lambda_A (4 here) weighs the cycle that starts from B; the
    networks keep the data's names (networks_by_domain). Recomputed in float64 NumPy."""
    config = ModelConfig(
        image_size=16,
        n_blocks=0,
        ngf=4,
        ndf=4,
        n_layers_d=2,
        seed=6,
        lambda_a=4.0,
        lambda_b=6.0,
        lambda_identity=0,
    )
    model = build_cyclegan(config, tf.distribute.get_strategy(), 10, True, direction="BtoA")
    assert [model.g_ab.name, model.g_ba.name, model.d_a.name, model.d_b.name] == [
        "G_BA",
        "G_AB",
        "D_B",
        "D_A",
    ]
    nets = networks_by_domain(model, "BtoA")
    assert {key: net.name for key, net in nets.items()} == {
        "g_ab": "G_AB",
        "g_ba": "G_BA",
        "d_a": "D_A",
        "d_b": "D_B",
    }
    rng = np.random.default_rng(2)
    data_a, data_b = (rng.uniform(-1, 1, (1, 16, 16, 3)).astype(np.float32) for _ in range(2))

    def l1(x, y):
        return np.mean(np.abs(np.asarray(x, np.float64) - y))

    def lsgan(scores):
        return np.mean((np.asarray(scores, np.float64) - 1) ** 2)

    g_ab, g_ba, d_a, d_b = (nets[k] for k in ("g_ab", "g_ba", "d_a", "d_b"))
    fake_a, fake_b = g_ba(data_b), g_ab(data_a)
    cycle_from_b = l1(g_ab(fake_a), data_b)
    expected = lsgan(d_a(fake_a)) + lsgan(d_b(fake_b)) + 4 * cycle_from_b
    expected += 6 * l1(g_ba(fake_b), data_a)
    logs = model.train_on_batch(data_b, data_a, return_dict=True)  # the BtoA pipeline's order
    np.testing.assert_allclose(logs["cycle_a"], cycle_from_b, rtol=1e-4)
    np.testing.assert_allclose(logs["g_loss"], expected, rtol=1e-4)
