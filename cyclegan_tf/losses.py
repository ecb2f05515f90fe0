"""CycleGAN's losses, per example, so that a distribution strategy can scale by the global batch.

The official ``GANLoss('lsgan')`` is ``nn.MSELoss`` against a target of 1 (real) or 0 (fake);
the seed uses the same ``MSELoss``. Averaging each example's patch map first and then dividing
the sum over examples by the global batch (``tf.nn.compute_average_loss``) gives exactly
PyTorch's mean over the whole batch, because every example has the same number of patches.
"""

from __future__ import annotations

import tensorflow as tf


def _mean_per_example(x: tf.Tensor) -> tf.Tensor:
    # In float32 whatever the compute dtype (--mixed_precision): sums of squares over a
    # score map lose too much in bfloat16.
    x = tf.cast(x, tf.float32)
    return tf.reduce_mean(tf.reshape(x, [tf.shape(x)[0], -1]), axis=1)


def lsgan_generator_loss(d_fake: tf.Tensor) -> tf.Tensor:
    """Per-example ``mean((D(G(x)) - 1)^2)``: the generator wants its fakes scored 1."""
    return _mean_per_example(tf.square(tf.cast(d_fake, tf.float32) - 1.0))


def lsgan_discriminator_loss(d_real: tf.Tensor, d_fake: tf.Tensor) -> tf.Tensor:
    """Per-example ``0.5 * [mean((D(real) - 1)^2) + mean(D(fake)^2)]``.

    The factor 0.5 is the official ``backward_D_basic``'s (and the seed's ``/ 2``): it slows
    D relative to G.
    """
    d_real, d_fake = tf.cast(d_real, tf.float32), tf.cast(d_fake, tf.float32)
    return 0.5 * (_mean_per_example(tf.square(d_real - 1.0)) + _mean_per_example(tf.square(d_fake)))


def l1_loss(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    """Per-example mean absolute error (``nn.L1Loss`` on one example)."""
    return _mean_per_example(tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32)))


def vanilla_generator_loss(d_fake: tf.Tensor) -> tf.Tensor:
    """Per-example ``BCEWithLogits(D(G(x)), 1)`` averaged over the score map (official
    ``GANLoss('vanilla')``)."""
    logits = tf.cast(d_fake, tf.float32)
    return _mean_per_example(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(logits), logits=logits)
    )


def vanilla_discriminator_loss(d_real: tf.Tensor, d_fake: tf.Tensor) -> tf.Tensor:
    """Per-example ``0.5 * [BCE(D(real), 1) + BCE(D(fake), 0)]`` on logits."""
    real, fake = tf.cast(d_real, tf.float32), tf.cast(d_fake, tf.float32)
    bce = tf.nn.sigmoid_cross_entropy_with_logits
    return 0.5 * (
        _mean_per_example(bce(labels=tf.ones_like(real), logits=real))
        + _mean_per_example(bce(labels=tf.zeros_like(fake), logits=fake))
    )


GAN_MODES = ("lsgan", "vanilla")


def gan_losses(gan_mode: str):
    """(generator loss, discriminator loss) of the official ``--gan_mode``."""
    if gan_mode == "lsgan":
        return lsgan_generator_loss, lsgan_discriminator_loss
    if gan_mode == "vanilla":
        return vanilla_generator_loss, vanilla_discriminator_loss
    raise ValueError(f"--gan_mode={gan_mode}: expected one of {', '.join(GAN_MODES)}")
