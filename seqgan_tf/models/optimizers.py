"""Adam as the original's TF1 ``tf.train.AdamOptimizer`` computes it.

Keras 3's Adam applies the same update as TF1's (the bias correction folded into
the step size, epsilon added to the uncorrected sqrt(v)); only the default epsilon
differs (Keras 1e-7, TF1 1e-8), so every SeqGAN optimiser is built here with
``ModelConfig.adam_epsilon``, TF1's by default. (The discriminator's fast path runs the
same update as TF1's fused kernel: :class:`seqgan_tf.models.kernels.fused_adam.TF1Adam`.)
"""

from __future__ import annotations

import keras
import tensorflow as tf


def tf1_adam(
    learning_rate: float, epsilon: float = 1e-8, name: str | None = None
) -> keras.optimizers.Adam:
    """Adam(learning_rate, beta_1=0.9, beta_2=0.999, epsilon), TF1's defaults."""
    return keras.optimizers.Adam(
        learning_rate=learning_rate, beta_1=0.9, beta_2=0.999, epsilon=epsilon, name=name
    )


def dense_gradients(gradients: list) -> list[tf.Tensor]:
    """Embedding look-ups give IndexedSlices; TF1's sparse Adam decays every row's moments
    exactly as the dense update does, so dense gradients reproduce it."""
    return [tf.convert_to_tensor(g) for g in gradients]


def apply_gradients(
    optimizer: keras.optimizers.Optimizer,
    gradients: list,
    variables: list,
    clip_norm: float | None = None,
) -> tf.Tensor:
    """Applies (optionally global-norm-clipped) gradients; returns the unclipped global norm."""
    gradients = dense_gradients(gradients)
    if clip_norm is not None:
        gradients, norm = tf.clip_by_global_norm(gradients, clip_norm)
    else:
        norm = tf.linalg.global_norm(gradients)
    optimizer.apply_gradients(zip(gradients, variables, strict=True))
    return norm
