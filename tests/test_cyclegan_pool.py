"""The image pool against the official query rule, replayed in NumPy."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from cyclegan_tf.image_pool import ImagePool

SHAPE = (2, 2, 1)


def image(value: float) -> np.ndarray:
    return np.full(SHAPE, value, np.float32)


def test_pool_returns_input_while_filling_then_swaps_half_the_time():
    size = 5
    pool = ImagePool(size, SHAPE, seed=123)
    # Filling: a batch of 2, then 3 single images: every output is its input.
    out = pool.query(tf.constant(np.stack([image(1), image(2)])), step=0).numpy()
    np.testing.assert_array_equal(out, np.stack([image(1), image(2)]))
    for step, v in enumerate((3, 4, 5), start=1):
        out = pool.query(tf.constant(image(v)[None]), step=step).numpy()
        np.testing.assert_array_equal(out[0], image(v))
    stored = sorted(pool.images.numpy()[0, :, 0, 0, 0].tolist())
    assert stored == [1, 2, 3, 4, 5] and int(pool.counts.numpy()[0]) == size

    # Full: replay each query in NumPy. The output is the input or one stored fake; when it
    # is a stored fake, the input takes that fake's place; the pool keeps 5 images.
    mirror = pool.images.numpy()[0, :, 0, 0, 0].copy()
    swaps, n = 0, 400
    for k in range(n):
        v = 100.0 + k
        out = float(pool.query(tf.constant(image(v)[None]), step=10 + k).numpy()[0, 0, 0, 0])
        if out == v:
            np.testing.assert_array_equal(pool.images.numpy()[0, :, 0, 0, 0], mirror)
        else:
            assert out in mirror.tolist()
            mirror[mirror.tolist().index(out)] = v
            np.testing.assert_array_equal(pool.images.numpy()[0, :, 0, 0, 0], mirror)
            swaps += 1
    # Binomial(400, 1/2): mean 200, sd 10; 5 sd either way.
    assert 150 <= swaps <= 250


def test_pool_draws_are_seeded_and_keyed_by_step():
    def run(seed):
        pool = ImagePool(2, SHAPE, seed=seed)
        outs = []
        for step in range(30):
            outs.append(float(pool.query(tf.constant(image(step)[None]), step).numpy()[0, 0, 0, 0]))
        return outs

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_pool_size_zero_is_identity():
    pool = ImagePool(0, SHAPE)
    x = tf.constant(np.stack([image(1), image(2)]))
    np.testing.assert_array_equal(pool.query(x, 0).numpy(), x.numpy())
