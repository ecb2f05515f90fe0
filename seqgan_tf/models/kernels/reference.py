"""The ``reference`` path: the operations of :class:`Kernels` in plain TensorFlow.

Each is written as the equation reads, with the row max as the softmax's shift, TF's
sparse softmax cross-entropy for the log-probabilities, the LSTM as its step loop and the
convolutions as ``tf.nn.conv1d``; gradients come from autodiff, and the discriminator's
optimiser is Keras' Adam. What this path does not make plain (it shares it with the fast
path) is listed in :mod:`seqgan_tf.models.kernels`.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from seqgan_tf.models.kernels.interface import Kernels
from seqgan_tf.models.lstm_cell import lstm_step
from seqgan_tf.models.optimizers import tf1_adam


def logits(states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) -> tf.Tensor:
    """states @ kernel + bias, [N, V]."""
    return tf.matmul(states, kernel) + bias


def logits_and_row_max(
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """The logits [N, V] and their row max [N, 1], the shift ``tf.nn.softmax`` uses."""
    row_logits = logits(states, kernel, bias)
    return row_logits, tf.reduce_max(row_logits, axis=1, keepdims=True)


def log_probs(
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, targets: tf.Tensor
) -> tf.Tensor:
    """log softmax(states @ kernel + bias)[i, targets[i]], [N]."""
    return -tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=targets, logits=logits(states, kernel, bias)
    )


def lstm_states(projected: tf.Tensor, recurrent_kernel: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The cell's steps from zero states, (h, c) after each, [B, T, H] each, given the
    inputs' projections x_t W + b [B, T, 4H]."""
    batch = tf.shape(projected)[0]
    h = c = tf.zeros([batch, recurrent_kernel.shape[0]], projected.dtype)
    hs, cs = [], []
    for projected_t in tf.unstack(projected, axis=1):
        h, c = lstm_step(projected_t, h, c, recurrent_kernel)
        hs.append(h)
        cs.append(c)
    return tf.stack(hs, axis=1), tf.stack(cs, axis=1)


def conv_max_features(embedded: tf.Tensor, convolutions: list) -> tf.Tensor:
    """ReLU(max over positions of each VALID convolution + bias), [B, sum of filters],
    of the embedded tokens [B, T, E], by oneDNN's convolutions. (The discriminator's
    inference runs this on both paths.)"""
    return tf.concat(
        [
            tf.nn.relu(
                tf.reduce_max(
                    tf.nn.conv1d(embedded, conv.kernel, stride=1, padding="VALID"), axis=1
                )
                + conv.bias
            )
            for conv in convolutions
        ],
        axis=1,
    )


def training_features(
    embedding: tf.Variable, convolutions: list
) -> Callable[[tf.Tensor], tf.Tensor]:
    """tokens [B, T] -> :func:`conv_max_features` of their embedding."""

    def features(tokens: tf.Tensor) -> tf.Tensor:
        return conv_max_features(tf.gather(embedding, tokens), convolutions)

    return features


REFERENCE = Kernels(
    name="reference",
    logits=logits,
    logits_and_shift=logits_and_row_max,
    scoring_log_probs=log_probs,
    training_log_probs=log_probs,
    lstm_states=lstm_states,
    training_features=training_features,
    discriminator_adam=tf1_adam,
)
