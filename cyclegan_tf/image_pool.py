"""The image pool (history buffer) of Shrivastava et al. 2017 as used by CycleGAN.

The discriminators see a mix of the newest fakes and fakes from earlier steps. Official
``ImagePool.query``, per image: while fewer than ``pool_size`` are stored, store it and return
it; afterwards, with probability 1/2 return a uniformly chosen stored fake and put the new
image in its place, else return the new image.

Port notes: the state lives in ``tf.Variable``s so it is saved in checkpoints and resumed
after a kill (the seed's Python list is lost on restart); the coin flips are stateless random
numbers keyed by (seed, step, replica, image), so a resumed run draws the same ones. Under a
distribution strategy each replica keeps its own pool, as each process of the official
DataParallel code keeps its own: the variable holds one pool per replica, each replica updates
its slice, and the replicas exchange only the slots they wrote this step (an all-gather of a
batch's images, not of the pools), which every replica then writes into its copy of the
(mirrored) variable, so the copies stay identical.

Images of varying size (``--preprocess=scale_width|none``, one image per step on one
replica): the official pool keeps each fake as it is, so a returned fake may differ in size
from the new one (the discriminator, fully convolutional, takes any size). Here the pool is
a buffer as large as the largest image so far (it grows when a larger one arrives), each
image stored in its top-left corner beside its height and width, and returned cut to them.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf


class ImagePool(tf.Module):
    """Per-replica pools of ``pool_size`` images of ``image_shape`` (H, W, C).

    Args:
      pool_size: images kept per replica; 0 disables the pool (query returns its input).
      image_shape: (H, W, C) of one image; (None, None, C) for images of varying size
        (one replica, one image per query).
      num_replicas: replicas of the strategy the pool is created under.
      seed: seed of the pool's stateless random stream.
    """

    def __init__(
        self,
        pool_size: int,
        image_shape: Sequence[int],
        num_replicas: int = 1,
        seed: int = 0,
        name: str | None = None,
    ):
        super().__init__(name=name)
        if pool_size < 0:
            raise ValueError(f"pool_size must be >= 0, got {pool_size}")
        self.pool_size = int(pool_size)
        self.num_replicas = int(num_replicas)
        self.seed = int(seed)
        self.varying_size = image_shape[0] is None or image_shape[1] is None
        agg = tf.VariableAggregation.ONLY_FIRST_REPLICA
        slots = [self.num_replicas, max(self.pool_size, 1)]
        if self.varying_size:
            if self.num_replicas != 1:
                raise ValueError("a pool of images of varying size holds one replica's images")
            channels = int(image_shape[2])
            # Grows to the largest image stored; heights and widths of the stored images.
            self.images = tf.Variable(
                tf.zeros([*slots, 0, 0, channels]),
                shape=tf.TensorShape([*slots, None, None, channels]),
                trainable=False,
                aggregation=agg,
                name="images",
            )
            self.sizes = tf.Variable(
                tf.zeros([*slots, 2], tf.int32), trainable=False, aggregation=agg, name="sizes"
            )
        else:
            shape = [*slots, *[int(s) for s in image_shape]]
            self.images = tf.Variable(
                tf.zeros(shape), trainable=False, aggregation=agg, name="images"
            )
        self.counts = tf.Variable(
            tf.zeros([self.num_replicas], tf.int32), trainable=False, aggregation=agg, name="counts"
        )

    def _draws(self, step: tf.Tensor, replica: tf.Tensor, i: int) -> tuple[tf.Tensor, tf.Tensor]:
        """The coin (uniform in [0, 1)) and the slot drawn for image ``i`` of a replica's
        batch at ``step``."""
        key = tf.stack(
            [
                tf.constant(self.seed, tf.int64),
                step * 65536 + tf.cast(replica, tf.int64) * 1024 + i,
            ]
        )
        p = tf.random.stateless_uniform([], seed=key)
        slot = tf.random.stateless_uniform(
            [], seed=key + [0, 1 << 40], minval=0, maxval=self.pool_size, dtype=tf.int32
        )
        return p, slot

    def query(self, images: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
        """Returns the images the discriminator should see for this replica's batch ``images``.

        Call in replica context (inside ``strategy.run``) or with no strategy. ``step`` is the
        global training step; it keys the random draws.
        """
        if self.pool_size == 0:
            return images
        if self.varying_size:
            return self._query_varying_size(images, tf.cast(step, tf.int64))
        ctx = tf.distribute.get_replica_context()
        replica = ctx.replica_id_in_sync_group if ctx is not None else 0
        replica = tf.cast(replica, tf.int32)
        pool = self.images[replica]
        count = self.counts[replica]
        step = tf.cast(step, tf.int64)
        outputs, written_slots = [], []
        for i in range(images.shape[0]):  # static per-replica batch: the images in order
            image = images[i]
            p, slot = self._draws(step, replica, i)
            filling = count < self.pool_size
            swap = tf.logical_and(tf.logical_not(filling), p > 0.5)
            outputs.append(tf.where(swap, pool[slot], image))
            write_at = tf.where(filling, count, slot)
            written = tf.where(tf.logical_or(filling, swap), image, pool[write_at])
            pool = tf.tensor_scatter_nd_update(pool, [[write_at]], written[None])
            count = count + tf.cast(filling, tf.int32)
            written_slots.append(write_at)
        # Each slot written this step, with its final content (a slot written twice carries
        # the same final image in both entries, so the order of the scatter does not matter).
        slots = tf.stack(written_slots)
        contents = tf.gather(pool, slots)
        replicas = tf.fill(tf.shape(slots), replica)
        if ctx is not None and self.num_replicas > 1:
            slots, contents, replicas = (
                ctx.all_gather(x, axis=0) for x in (slots, contents, replicas)
            )
            counts = ctx.all_gather(count[None], axis=0)
        else:
            counts = tf.tensor_scatter_nd_update(self.counts, [[replica]], count[None])
        indices = tf.stack([replicas, slots], axis=1)
        self.images.assign(tf.tensor_scatter_nd_update(self.images, indices, contents))
        self.counts.assign(counts)
        return tf.stack(outputs)

    def _query_varying_size(self, images: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
        """:meth:`query` of one image of any size: the official rule, with the same draws."""
        if images.shape[0] != 1:
            raise ValueError("a pool of images of varying size takes one image per query")
        image = images[0]
        p, slot = self._draws(step, tf.constant(0, tf.int32), 0)
        count = self.counts[0]
        filling = count < self.pool_size
        swap = tf.logical_and(tf.logical_not(filling), p > 0.5)
        pool, sizes = self.images[0], self.sizes[0]
        stored = sizes[slot]
        output = tf.cond(
            swap, lambda: pool[slot, : stored[0], : stored[1]], lambda: tf.identity(image)
        )
        # Grow the buffer to hold the new image, which goes into its top-left corner.
        height, width = tf.shape(image)[0], tf.shape(image)[1]
        buffer_height = tf.maximum(tf.shape(pool)[1], height)
        buffer_width = tf.maximum(tf.shape(pool)[2], width)
        pool = tf.pad(
            pool,
            [
                [0, 0],
                [0, buffer_height - tf.shape(pool)[1]],
                [0, buffer_width - tf.shape(pool)[2]],
                [0, 0],
            ],
        )
        padded = tf.pad(image, [[0, buffer_height - height], [0, buffer_width - width], [0, 0]])
        write_at = tf.where(filling, count, slot)
        write = tf.logical_or(filling, swap)
        pool = tf.cond(
            write,
            lambda: tf.tensor_scatter_nd_update(pool, [[write_at]], padded[None]),
            lambda: pool,
        )
        sizes = tf.where(
            write, tf.tensor_scatter_nd_update(sizes, [[write_at]], [[height, width]]), sizes
        )
        self.images.assign(pool[None])
        self.sizes.assign(sizes[None])
        self.counts.assign((count + tf.cast(filling, tf.int32))[None])
        return output[None]
