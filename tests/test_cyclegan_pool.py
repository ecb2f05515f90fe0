"""The image pool against the official query rule, replayed in NumPy."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from conftest import run_script

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


MIRRORED_SCRIPT = """
import json
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
from cyclegan_tf.image_pool import ImagePool

SIZE, BATCH, SEED, STEPS = 3, 2, 11, 12
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    pool = ImagePool(SIZE, (1, 1, 1), num_replicas=2, seed=SEED)


@tf.function
def query(step):
    def replica_fn():
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        values = 1000.0 * tf.cast(replica + 1, tf.float32) + 10.0 * tf.cast(step, tf.float32)
        images = tf.reshape(values + tf.range(BATCH, dtype=tf.float32), [BATCH, 1, 1, 1])
        return pool.query(images, step)
    return strategy.run(replica_fn)


outputs = []
for step in range(STEPS):
    per_replica = strategy.experimental_local_results(query(tf.constant(step, tf.int64)))
    outputs.append([r.numpy().ravel().tolist() for r in per_replica])
copies = [v.numpy().tolist() for v in strategy.experimental_local_results(pool.images)]
counts = [v.numpy().tolist() for v in strategy.experimental_local_results(pool.counts)]
print("RESULT" + json.dumps({"outputs": outputs, "copies": copies, "counts": counts}))
"""


def replay_official_rule(size: int, batch: int, seed: int, steps: int, replica: int):
    """The official ImagePool.query per image, with the port's keyed draws."""
    stored: list[float] = []
    outputs = []
    for step in range(steps):
        out = []
        for i in range(batch):
            value = 1000.0 * (replica + 1) + 10.0 * step + i
            key = tf.constant([seed, step * 65536 + replica * 1024 + i], tf.int64)
            p = float(tf.random.stateless_uniform([], seed=key))
            slot = int(
                tf.random.stateless_uniform(
                    [], seed=key + [0, 1 << 40], minval=0, maxval=size, dtype=tf.int32
                )
            )
            if len(stored) < size:
                stored.append(value)
                out.append(value)
            elif p > 0.5:
                out.append(stored[slot])
                stored[slot] = value
            else:
                out.append(value)
        outputs.append(out)
    return outputs, stored


def test_full_pools_under_mirrored_strategy_follow_the_rule_per_replica():
    result = run_script(MIRRORED_SCRIPT, timeout=300)
    copies = np.array(result["copies"])[..., 0, 0, 0]  # [devices, replicas, size]
    np.testing.assert_array_equal(copies[0], copies[1])  # the mirrored copies agree
    assert result["counts"] == [[3, 3], [3, 3]]
    swaps = 0
    for replica in range(2):
        outputs, stored = replay_official_rule(3, 2, 11, 12, replica)
        got = [step[replica] for step in result["outputs"]]
        assert got == outputs
        np.testing.assert_array_equal(copies[0][replica], stored)
        swaps += sum(
            o != 1000.0 * (replica + 1) + 10.0 * s + i
            for s, row in enumerate(outputs)
            for i, o in enumerate(row)
        )
    assert swaps > 0  # the swap path ran with the pools full


def test_a_pool_of_varying_sizes_returns_each_fake_at_its_own_size_and_restores(tmp_path):
    """--preprocess=scale_width|none: one image per step, each of its own size. The outputs
    follow the official rule (replayed with the same draws), each a stored fake whole at
    the size it was stored with; a checkpointed pool restores and goes on alike."""
    size, seed, steps = 3, 11, 24
    rng = np.random.default_rng(0)
    shapes = [tuple(rng.integers(2, 7, 2)) for _ in range(steps + 8)]

    def image_of(step):  # the value the replay gives this step's image, at its own shape
        return np.full((*shapes[step], 1), 1000.0 + 10.0 * step, np.float32)

    pool = ImagePool(size, (None, None, 1), seed=seed)
    expected, _ = replay_official_rule(size, 1, seed, steps + 8, replica=0)
    shape_of = {1000.0 + 10.0 * s: shapes[s] for s in range(steps + 8)}

    def check(pool, step):
        out = pool.query(tf.constant(image_of(step)[None]), tf.constant(step, tf.int64)).numpy()
        value = expected[step][0]
        assert out.shape == (1, *shape_of[value], 1), step
        assert np.all(out == value), step
        return value != 1000.0 + 10.0 * step

    swaps = sum(check(pool, step) for step in range(steps))
    assert swaps > 0  # the swap path ran with the pool full
    # The buffer holds the largest image stored so far; the sizes are the images'.
    stored_sizes = pool.sizes.numpy()[0]
    assert {tuple(s) for s in stored_sizes} <= set(shapes)
    assert np.all(pool.images.numpy().shape[2:4] >= stored_sizes.max(axis=0))
    checkpoint = tf.train.Checkpoint(pool=pool).write(str(tmp_path / "pool"))
    restored = ImagePool(size, (None, None, 1), seed=seed)
    tf.train.Checkpoint(pool=restored).read(checkpoint).assert_existing_objects_matched()
    np.testing.assert_array_equal(restored.images.numpy(), pool.images.numpy())
    for step in range(steps, steps + 8):
        check(restored, step)
