"""The CycleGAN training model: two generators, two discriminators, two pools, one step.

Naming follows the seed: G_AB maps A to B, G_BA maps B to A, D_A judges domain A (real A
against G_BA's fakes) and D_B judges domain B. (The official code calls G_AB ``netG_A`` and
calls the discriminator of domain B ``netD_A``.)

Generator objective, official form: GAN_AB + GAN_BA + lambda_A cyc_A + lambda_B cyc_B
+ lambda_idt (lambda_A idt_A + lambda_B idt_B), where cyc_A and idt_A compare with real A.
The seed averages each pair instead ((x + y) / 2), which halves the whole objective; Adam is
invariant to that scale, so only the official form is kept. ``gan_mode`` picks the official
LSGAN or vanilla (cross-entropy) GAN terms.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from cyclegan_tf.image_pool import ImagePool
from cyclegan_tf.losses import gan_losses, l1_loss

LOSS_NAMES = (
    "g_loss",
    "gan_ab",
    "gan_ba",
    "cycle_a",
    "cycle_b",
    "identity_a",
    "identity_b",
    "d_loss",
    "d_a_loss",
    "d_b_loss",
)


class CycleGAN(keras.Model):
    """Keras-io style CycleGAN whose ``train_step`` does one official iteration; train it
    with ``fit``.

    Losses are averaged over ``global_batch_size`` (the per-replica batch times the replicas),
    so that gradients summed over replicas by the optimiser equal single-device gradients of the
    same global batch. ``train_step`` returns each loss of the step over the whole global
    batch (the replicas' shares summed), and ``metrics`` holds their means since the epoch
    began (``keras.metrics.Mean``, reset by ``fit`` at each epoch).
    """

    def __init__(
        self,
        g_ab: keras.Model,
        g_ba: keras.Model,
        d_a: keras.Model,
        d_b: keras.Model,
        pool_a: ImagePool,
        pool_b: ImagePool,
        lambda_a: float = 10.0,
        lambda_b: float = 10.0,
        lambda_identity: float = 0.5,
        gan_mode: str = "lsgan",
        global_batch_size: int = 1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.g_ab, self.g_ba, self.d_a, self.d_b = g_ab, g_ba, d_a, d_b
        self.pool_a, self.pool_b = pool_a, pool_b
        self.lambda_a, self.lambda_b = float(lambda_a), float(lambda_b)
        self.lambda_identity = float(lambda_identity)
        self.generator_loss, self.discriminator_loss = gan_losses(gan_mode)
        self.global_batch_size = int(global_batch_size)
        self.loss_trackers = {name: keras.metrics.Mean(name=name) for name in LOSS_NAMES}
        # Times train_step's Python ran while tracing a graph: once per local replica for
        # each trace of the step (the driver divides; a run should trace once, however many
        # epochs it has).
        self.traced_replica_steps = 0

    @property
    def metrics(self) -> list:
        return list(self.loss_trackers.values())

    @property
    def global_step(self) -> int:
        """Training steps done (the optimisers' step counter, restored with them)."""
        return int(self.d_optimizer.iterations.numpy())

    def compile(
        self,
        g_optimizer: keras.optimizers.Optimizer,
        d_optimizer: keras.optimizers.Optimizer,
        **kwargs,
    ) -> None:
        """One Adam for both generators (as the official and the seed), one for both D's.

        The seed gives D_A and D_B separate Adams, the official code one over both; Adam's
        update is per parameter, so the two are the same. ``kwargs`` go to Keras' compile
        (``jit_compile``, ``run_eagerly``); Keras' own ``optimizer`` is unused.
        """
        super().compile(optimizer=None, **kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    def build_all(self, image_shape: tuple[int, int, int]) -> None:
        """Creates every weight and optimiser slot (needed before restoring a checkpoint)."""
        shape = (None, *image_shape)
        for net in (self.g_ab, self.g_ba, self.d_a, self.d_b):
            if not net.built:  # Functional models are built when made
                net.build(shape)
        self.g_optimizer.build(self.generator_variables)
        self.d_optimizer.build(self.discriminator_variables)
        self.built = True

    @property
    def generator_variables(self) -> list:
        return self.g_ab.trainable_variables + self.g_ba.trainable_variables

    @property
    def discriminator_variables(self) -> list:
        return self.d_a.trainable_variables + self.d_b.trainable_variables

    def _average(self, per_example: tf.Tensor) -> tf.Tensor:
        return tf.nn.compute_average_loss(per_example, global_batch_size=self.global_batch_size)

    def train_step(self, data):
        # (A, B) batches from fit's dataset, or train_on_batch(A, B)'s (x, y, None).
        real_a, real_b, _ = keras.utils.unpack_x_y_sample_weight(data)
        if not tf.executing_eagerly():
            self.traced_replica_steps += 1
        # The step keys the pools' random draws; read it before the optimiser increments it.
        step = self.d_optimizer.iterations

        # Generators, with the discriminators held fixed (only G variables are updated).
        # The networks run in the official order (forward(), then backward_G's identity
        # and GAN terms): with --norm=batch each call moves the running statistics.
        with tf.GradientTape() as tape:
            fake_b = self.g_ab(real_a, training=True)
            rec_a = self.g_ba(fake_b, training=True)
            fake_a = self.g_ba(real_b, training=True)
            rec_b = self.g_ab(fake_a, training=True)
            gan_ab = self.generator_loss(self.d_b(fake_b, training=True))
            gan_ba = self.generator_loss(self.d_a(fake_a, training=True))
            cycle_a = l1_loss(rec_a, real_a)
            cycle_b = l1_loss(rec_b, real_b)
            per_example = gan_ab + gan_ba + self.lambda_a * cycle_a + self.lambda_b * cycle_b
            if self.lambda_identity > 0:
                # Official idt_A = G_A(real_B) compared with real_B: a generator fed an image
                # of its target domain should leave it unchanged.
                identity_a = l1_loss(self.g_ba(real_a, training=True), real_a)
                identity_b = l1_loss(self.g_ab(real_b, training=True), real_b)
                # Official: lambda_identity scales lambda_A / lambda_B, not the loss directly
                # (loss_idt_B, real A through G_BA, carries lambda_A).
                per_example += self.lambda_identity * (
                    self.lambda_a * identity_a + self.lambda_b * identity_b
                )
            else:
                identity_a = identity_b = tf.zeros_like(cycle_a)
            g_loss = self._average(per_example)
        g_vars = self.generator_variables
        self.g_optimizer.apply(tape.gradient(g_loss, g_vars), g_vars)

        # Discriminators on real images and on pooled earlier fakes (no gradient to G).
        pooled_a = self.pool_a.query(tf.stop_gradient(fake_a), step)
        pooled_b = self.pool_b.query(tf.stop_gradient(fake_b), step)
        with tf.GradientTape() as tape:
            d_a_per = self.discriminator_loss(
                self.d_a(real_a, training=True), self.d_a(pooled_a, training=True)
            )
            d_b_per = self.discriminator_loss(
                self.d_b(real_b, training=True), self.d_b(pooled_b, training=True)
            )
            d_a_loss = self._average(d_a_per)
            d_b_loss = self._average(d_b_per)
            d_loss = d_a_loss + d_b_loss
        d_vars = self.discriminator_variables
        self.d_optimizer.apply(tape.gradient(d_loss, d_vars), d_vars)

        shares = {
            "g_loss": g_loss,
            "gan_ab": self._average(gan_ab),
            "gan_ba": self._average(gan_ba),
            "cycle_a": self._average(cycle_a),
            "cycle_b": self._average(cycle_b),
            "identity_a": self._average(identity_a),
            "identity_b": self._average(identity_b),
            "d_loss": d_loss,
            "d_a_loss": d_a_loss,
            "d_b_loss": d_b_loss,
        }
        # Each replica holds its share of the global batch's loss: their sum is the loss.
        names = list(shares)
        totals = tf.distribute.get_replica_context().all_reduce(
            tf.distribute.ReduceOp.SUM, [shares[name] for name in names]
        )
        logs = dict(zip(names, totals, strict=True))
        for name, value in logs.items():
            self.loss_trackers[name].update_state(value)
        return logs
