"""Adam as the original's TF1 ``tf.train.AdamOptimizer`` computes it.

Keras 3's Adam applies the same update as TF1's (the bias correction folded into
the step size, epsilon added to the uncorrected sqrt(v)); only the default epsilon
differs (Keras 1e-7, TF1 1e-8), so every SeqGAN optimiser is built here with TF1's.
"""

from __future__ import annotations

import keras
import tensorflow as tf

TF1_ADAM_EPSILON = 1e-8


def tf1_adam(learning_rate: float, name: str | None = None) -> keras.optimizers.Adam:
    """Adam(learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8), TF1's defaults."""
    return keras.optimizers.Adam(
        learning_rate=learning_rate,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=TF1_ADAM_EPSILON,
        name=name,
    )


def apply_adam_with_tf1_kernel(
    optimizer: keras.optimizers.Adam, gradients: list[tf.Tensor], variables: list
) -> None:
    """One step of ``optimizer`` run by TF1's fused Adam kernel, ``ResourceApplyAdam``.

    It is the op the original's ``tf.train.AdamOptimizer`` ran, and it computes Keras'
    update (module docstring): alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t);
    m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2); w -= alpha m / (sqrt(v) + eps).
    The moments, step counter and learning rate are the Keras optimizer's own variables,
    so checkpoints and ``optimizer.apply_gradients`` see the same state. One op per
    variable lets each update start as soon as its gradient exists (why the
    discriminator uses it: see :func:`seqgan_tf.discriminator.highway`).
    """
    if not isinstance(optimizer, keras.optimizers.Adam) or optimizer.amsgrad:
        raise ValueError(f"expected a plain Keras Adam optimizer, got {optimizer!r}")
    extras = {
        "weight_decay": optimizer.weight_decay,
        "clipnorm": optimizer.clipnorm,
        "global_clipnorm": optimizer.global_clipnorm,
        "clipvalue": optimizer.clipvalue,
    }
    if optimizer.use_ema or any(value is not None for value in extras.values()):
        raise ValueError(f"{optimizer.name}: TF1's Adam kernel has no EMA, decay or clipping")
    step = tf.cast(optimizer.iterations + 1, tf.float32)
    beta_1, beta_2 = (
        tf.constant(optimizer.beta_1, tf.float32),
        tf.constant(optimizer.beta_2, tf.float32),
    )
    beta_1_power, beta_2_power = tf.pow(beta_1, step), tf.pow(beta_2, step)
    learning_rate = tf.cast(optimizer.learning_rate, tf.float32)
    epsilon = tf.constant(optimizer.epsilon, tf.float32)
    for variable, gradient in zip(variables, gradients, strict=True):
        index = optimizer._get_variable_index(variable)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.value.handle,
            m=optimizer._momentums[index].value.handle,
            v=optimizer._velocities[index].value.handle,
            beta1_power=beta_1_power,
            beta2_power=beta_2_power,
            lr=learning_rate,
            beta1=beta_1,
            beta2=beta_2,
            epsilon=epsilon,
            grad=gradient,
        )
    optimizer.iterations.assign_add(1)


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
