"""The fast path's discriminator optimiser: TF1's fused Adam kernel on moments it owns.

The same update as Keras' Adam built by :func:`seqgan_tf.models.optimizers.tf1_adam` (the
reference path's; tests/test_seqgan_discriminator.py compares them and float64 TF1 Adam).
"""

from __future__ import annotations

import keras
import tensorflow as tf


class TF1Adam(tf.Module):
    """TF1's ``tf.train.AdamOptimizer``, run by its own fused kernel ``ResourceApplyAdam``
    on moments and a step counter this module owns (checkpointed with it).

    The discriminator's optimiser: Adam over its 7M parameters is memory-bound, and one
    fused op per variable lets each update start as soon as its gradient exists, where
    Keras' Adam runs several graph ops per variable (the measured difference is in
    docs/PERFORMANCE.md). The update is Keras' (:mod:`seqgan_tf.models.optimizers`):
    alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t); m += (g - m)(1 - beta1);
    v += (g^2 - v)(1 - beta2); w -= alpha m / (sqrt(v) + epsilon).
    """

    def __init__(
        self,
        learning_rate: float,
        epsilon: float = 1e-8,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.learning_rate, self.epsilon = learning_rate, epsilon
        self.beta_1, self.beta_2 = beta_1, beta_2
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name="iterations")
        self.momentums: list[tf.Variable] = []
        self.velocities: list[tf.Variable] = []
        self._variable_ids: list[int] = []  # id() of the variable each slot pair serves

    def build(self, variables: list) -> None:
        """Creates zero moments for ``variables`` (the ones it will update, in order)."""
        for variable in variables:
            if id(variable) in self._variable_ids:
                continue
            zeros = tf.zeros(variable.shape, variable.dtype)
            self.momentums.append(tf.Variable(zeros, trainable=False, name="momentum"))
            self.velocities.append(tf.Variable(zeros, trainable=False, name="velocity"))
            self._variable_ids.append(id(variable))

    def apply_gradients(self, grads_and_vars) -> None:
        grads_and_vars = list(grads_and_vars)
        step = tf.cast(self.iterations + 1, tf.float32)
        beta_1, beta_2 = tf.constant(self.beta_1), tf.constant(self.beta_2)
        beta_1_power, beta_2_power = tf.pow(beta_1, step), tf.pow(beta_2, step)
        for gradient, variable in grads_and_vars:
            if id(variable) not in self._variable_ids:
                raise ValueError(f"{self.name}: {variable.name} was not in build()")
            index = self._variable_ids.index(id(variable))
            m, v = self.momentums[index], self.velocities[index]
            tf.raw_ops.ResourceApplyAdam(
                var=_resource(variable).handle,
                m=m.handle,
                v=v.handle,
                beta1_power=beta_1_power,
                beta2_power=beta_2_power,
                lr=tf.constant(self.learning_rate, tf.float32),
                beta1=beta_1,
                beta2=beta_2,
                epsilon=tf.constant(self.epsilon, tf.float32),
                grad=gradient,
            )
        self.iterations.assign_add(1)


def _resource(variable) -> tf.Variable:
    """The tf.Variable behind a Keras variable (Keras' public ``Variable.value``)."""
    return variable.value if isinstance(variable, keras.Variable) else variable
