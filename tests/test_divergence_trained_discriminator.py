"""A Keras discriminator trained on samples with the seed's objective converges to D*."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from divergence import discriminator
from divergence.densities import GaussianMixture
from divergence.discriminator import DiscriminatorConfig
from divergence.grids import Grid
from divergence.trained_vs_optimal import train_and_compare

LOG2 = math.log(2.0)
GRID = Grid.regular(-12.0, 12.0, 2401)
CONFIG = DiscriminatorConfig(steps=1000, num_records=4)


@pytest.fixture(scope="module")
def gaussian_pair_check():
    started = time.monotonic()
    check = train_and_compare(
        GaussianMixture.one_d([1.0], [0.0], [1.0]),
        GaussianMixture.one_d([1.0], [1.5], [0.7]),
        GRID,
        CONFIG,
        seed=7,
        num_samples=100_000,
        num_held_out=50_000,
    )
    return check, time.monotonic() - started


def test_trained_value_is_within_0_02_of_2jsd_minus_2log2(gaussian_pair_check):
    check, seconds = gaussian_pair_check
    # Reference: JS of the pair as a Riemann sum of SciPy densities, independent of the
    # package's measures.
    x = GRID.axes[0]
    pd, pg = stats.norm.pdf(x, 0, 1), stats.norm.pdf(x, 1.5, 0.7)
    m = 0.5 * (pd + pg)
    js = 0.5 * float(np.sum(pd * np.log(pd / m) + pg * np.log(pg / m)) * GRID.spacing[0])
    assert check.max_value == pytest.approx(2 * js - 2 * LOG2, abs=1e-6)
    assert abs(check.trained_value_grid - check.max_value) < 0.02
    assert abs(check.trained_value_held_out - check.max_value) < 0.02
    # Any discriminator scores at most max_D V when V is integrated exactly.
    assert check.trained_value_grid <= check.max_value + 1e-9
    assert seconds < 30, f"training and measuring took {seconds:.1f} s"


def test_trained_discriminator_is_close_to_d_star(gaussian_pair_check):
    check, _ = gaussian_pair_check
    assert check.rms_distance < 0.03
    # The untrained network is far from D*: the distance measures learning, not luck.
    first_value = check.trained.history[0][1]
    assert first_value < check.max_value - 0.1


def test_training_increases_the_held_out_value(gaussian_pair_check):
    check, _ = gaussian_pair_check
    values = [v for _, v in check.trained.history]
    assert values[-1] > values[0] + 0.1


def test_cosine_decay_falls_from_one_to_the_floor_along_half_a_cosine():
    total, floor = 300, 0.05
    steps = np.arange(total + 1)
    got = discriminator.cosine_decay(tf.constant(steps), tf.constant(total), floor).numpy()
    expected = floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * steps / total))
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    assert got[0] == pytest.approx(1.0) and got[-1] == pytest.approx(floor)


def test_value_from_logits_matches_the_seed_objective():
    rng = np.random.default_rng(0)
    ld, lg = rng.normal(0, 3, 1000), rng.normal(0, 3, 1000)
    d_data, d_gen = 1 / (1 + np.exp(-ld)), 1 / (1 + np.exp(-lg))
    expected = np.mean(np.log(d_data)) + np.mean(np.log(1 - d_gen))
    got = float(discriminator.value_from_logits(tf.constant(ld), tf.constant(lg)))
    assert got == pytest.approx(expected, rel=1e-10)
