"""The ``fast`` path: the operations of :class:`Kernels` as the speed kernels.

- the output layer (:mod:`.output_layer`): the softmax's shift from a bound computed
  from the states (no row-max pass), the bias inside the logits' matmul, and the
  log-probabilities with a hand-written gradient (one ``exp`` per logit);
- the LSTM over a sequence with its backward pass written out (:mod:`.lstm`);
- the discriminator's convolutions in training as im2col matmuls under XLA
  (:mod:`.im2col`), and its Adam as TF1's fused kernel (:mod:`.fused_adam`).

What each one bought is in docs/PERFORMANCE.md; each is tested against a float64
reference and the reference path (docs/FIDELITY.md).
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from seqgan_tf.models.kernels.fused_adam import TF1Adam
from seqgan_tf.models.kernels.im2col import im2col_max_features
from seqgan_tf.models.kernels.interface import Kernels
from seqgan_tf.models.kernels.lstm import lstm_sequence
from seqgan_tf.models.kernels.output_layer import (
    affine,
    logits_and_shift,
    output_log_probs,
    scoring_log_probs,
)


def training_features(
    embedding: tf.Variable, convolutions: list
) -> Callable[[tf.Tensor], tf.Tensor]:
    """tokens [B, T] -> :func:`~.im2col.im2col_max_features` of their embedding, compiled
    by XLA (cheaper there than oneDNN's Conv1D kernels; docs/PERFORMANCE.md)."""

    def features(tokens: tf.Tensor) -> tf.Tensor:
        return im2col_max_features(tf.gather(embedding, tokens), convolutions)

    return tf.function(features, jit_compile=True)


FAST = Kernels(
    name="fast",
    logits=affine,
    logits_and_shift=logits_and_shift,
    scoring_log_probs=scoring_log_probs,
    training_log_probs=output_log_probs,
    lstm_states=lstm_sequence,
    training_features=training_features,
    discriminator_adam=TF1Adam,
)
