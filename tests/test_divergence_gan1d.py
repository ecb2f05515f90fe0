"""The 1-D GAN: generator objectives, the pushforward density used to measure JS, and JS falling."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from divergence_reference import value_at_optimum
from scipy import stats

from divergence import gan1d, measures
from divergence.densities import GaussianMixture
from divergence.grids import Grid


def affine_generator(scale: float, shift: float) -> keras.Model:
    """G(z) = scale * z + shift, so P_G = N(shift, scale^2) exactly."""
    layer = keras.layers.Dense(1)
    model = keras.Sequential([keras.Input(shape=(1,)), layer])
    layer.set_weights([np.array([[scale]], np.float32), np.array([shift], np.float32)])
    return model


def test_generator_losses_are_the_seed_objective_and_its_non_saturating_variant():
    logits = np.random.default_rng(0).normal(0, 4, 500)
    d = 1 / (1 + np.exp(-logits))
    minimax = float(gan1d.generator_loss(tf.constant(logits), "minimax"))
    non_saturating = float(gan1d.generator_loss(tf.constant(logits), "non_saturating"))
    assert minimax == pytest.approx(np.mean(np.log(1 - d)), rel=1e-10)
    assert non_saturating == pytest.approx(-np.mean(np.log(d)), rel=1e-10)


def test_minimax_gradient_vanishes_where_d_rejects_the_samples_and_non_saturating_does_not():
    # When D confidently says "generated" (logit -10), d/dlogit of log(1 - D) is -D ~ -4.5e-5,
    # while d/dlogit of -log D is -(1 - D) ~ -1: the reason for the non-saturating variant.
    logits = tf.Variable([-10.0], dtype=tf.float64)
    grads = {}
    for loss in gan1d.LOSSES:
        with tf.GradientTape() as tape:
            value = gan1d.generator_loss(logits, loss)
        grads[loss] = float(tape.gradient(value, logits)[0])
    sigma = 1 / (1 + np.exp(10.0))
    assert grads["minimax"] == pytest.approx(-sigma, rel=1e-9)
    assert grads["non_saturating"] == pytest.approx(-(1 - sigma), rel=1e-9)


def test_pushforward_bins_of_an_affine_generator_match_the_normal_cdf():
    config = gan1d.GanConfig()
    edges = config.edges
    z, w = gan1d.z_grid(config.z_points)
    bins = gan1d.pushforward_bins(affine_generator(0.7, 1.5), edges, z, w)
    cdf = np.concatenate([[0.0], stats.norm.cdf(edges, 1.5, 0.7), [1.0]])
    np.testing.assert_allclose(bins, np.diff(cdf), atol=2e-4)
    assert bins.sum() == pytest.approx(1.0, abs=1e-12)


def test_binned_js_approaches_the_continuous_js():
    target = GaussianMixture.one_d([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5])
    config = gan1d.GanConfig()
    z, w = gan1d.z_grid(config.z_points)
    binned = measures.js_divergence(
        target.bin_probabilities(config.edges),
        gan1d.pushforward_bins(affine_generator(1.0, 0.5), config.edges, z, w),
    )
    grid = Grid.regular(-15.0, 15.0, 6001)
    continuous = measures.js_divergence_grid(
        target.log_prob_on(grid), stats.norm.logpdf(grid.axes[0], 0.5, 1.0), grid, log_inputs=True
    )
    # Data processing: binning can only lose information, and 0.05-wide bins lose little.
    assert binned <= continuous + 1e-4
    assert binned == pytest.approx(continuous, abs=2e-3)


@pytest.mark.parametrize("loss", gan1d.LOSSES)
def test_js_falls_while_the_gan_trains(loss):
    target = GaussianMixture.one_d([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5])
    config = gan1d.GanConfig(loss=loss, steps=300, eval_every=100, z_points=20_001)
    result = gan1d.train_gan(target, config, seed=5)
    js = [r.js for r in result.records]
    assert [r.step for r in result.records] == [0, 100, 200, 300]
    assert js[0] > 0.5  # the untrained generator barely overlaps the two modes
    assert js[-1] < 0.25
    assert js[-1] < 0.4 * js[0]
    # The last record's max_D V against V(G, D*) written out from the final bins.
    assert result.records[-1].max_value == pytest.approx(
        value_at_optimum(result.data_bins, result.gen_bins), abs=1e-10
    )


def test_evaluating_more_often_does_not_change_the_training_trajectory():
    target = GaussianMixture.one_d([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5])
    runs = {
        every: gan1d.train_gan(
            target, gan1d.GanConfig(steps=60, eval_every=every, z_points=2001), seed=3
        )
        for every in (20, 60)
    }
    often, rarely = runs[20], runs[60]
    assert [r.step for r in often.records] == [0, 20, 40, 60]
    for a, b in zip(often.generator.get_weights(), rarely.generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(
        often.discriminator.get_weights(), rarely.discriminator.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    # The records of the steps both runs evaluated are identical too.
    assert often.records[0] == rarely.records[0]
    assert often.records[-1] == rarely.records[-1]
