"""The interface both kernel paths implement: :class:`Kernels`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import tensorflow as tf

# An output layer's arguments: states [N, H], kernel [H, V], bias [V] (and targets [N]).
Logits = Callable[[tf.Tensor, tf.Tensor, tf.Tensor], tf.Tensor]
LogitsAndShift = Callable[[tf.Tensor, tf.Tensor, tf.Tensor], tuple[tf.Tensor, tf.Tensor]]
LogProbs = Callable[[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor], tf.Tensor]


# eq=False: compared and hashed by identity, so that a compiled function given one of the
# two instances as an argument traces once per instance.
@dataclasses.dataclass(frozen=True, eq=False)
class Kernels:
    """The operations on which ``--kernels=fast`` and ``--kernels=reference`` differ.

    Each member is the same function on both paths, to float32 round-off; the paths
    differ in how it is computed (the order of float32 sums, which passes over memory
    are made, whether a gradient is written out or left to autodiff). A model picks its
    instance once, when it is built (:func:`seqgan_tf.models.kernels.select`).

    Attributes:
      name: the ``--kernels`` value, ``fast`` or ``reference``.
      logits: states @ kernel + bias, [N, V].
      logits_and_shift: the logits and, [N, 1], a per-row constant their softmax
        subtracts before exponentiating (the sampler's).
      scoring_log_probs: log softmax(logits)[i, targets[i]], [N], where no gradient is
        taken (NLL, evaluation).
      training_log_probs: the same numbers, where gradients are taken (the generator's
        MLE and policy-gradient losses).
      lstm_states: (h, c) after each step from zero states, [B, T, H] each, given the
        inputs' projections x_t W + b [B, T, 4H] and the recurrent kernel [H, 4H].
      training_features: given the discriminator's embedding variable and its
        convolution layers, the function tokens [B, T] -> ReLU(max over positions of
        each convolution + bias) [B, sum of filters] its training step differentiates.
      discriminator_adam: the discriminator's optimiser, built as
        ``discriminator_adam(learning_rate, epsilon, name=...)``: TF1's Adam update.
    """

    name: str
    logits: Logits
    logits_and_shift: LogitsAndShift
    scoring_log_probs: LogProbs
    training_log_probs: LogProbs
    lstm_states: Callable[[tf.Tensor, tf.Tensor], tuple[tf.Tensor, tf.Tensor]]
    training_features: Callable[[tf.Variable, list], Callable[[tf.Tensor], tf.Tensor]]
    discriminator_adam: Callable[..., object]
