"""The fast path's output layer: the softmax's shift from a bound, the bias inside the
logits' matmul, and the log-probabilities with a hand-written gradient.

Each computes what :mod:`seqgan_tf.models.kernels.reference` computes, to float32
round-off (tests/test_seqgan_output_layer.py against float64 NumPy,
tests/test_seqgan_kernels.py against the reference path).
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf


def sample_block_size(vocab: int) -> int:
    """Tokens per block of :func:`categorical_sample`: the smallest divisor of V that is
    at least sqrt(V) (no padding: 50 blocks of 100 for V = 5000), or ceil(sqrt(V)) with
    zero-weight padding when V has no divisor up to twice that."""
    root = max(1, math.isqrt(vocab - 1) + 1)  # ceil(sqrt(V))
    for size in range(root, 2 * root + 1):
        if vocab % size == 0:
            return size
    return root


# How far above a row's largest logit softmax_shift may put the shift. The row's largest
# term exp(max - shift) is then at least e^-50 ~ 2e-22, a normal float32; the terms that
# underflow to zero (each < 2^-126 ~ 1.2e-38) are each < 6e-17 of it, so they cannot move
# the row's float32 sum unless a row had ~10^9 of them.
MAX_SHIFT_ABOVE_ROW_MAX = 50.0


def softmax_shift(
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, logits: tf.Tensor
) -> tf.Tensor:
    """The constant subtracted from each row of ``logits`` = states @ kernel + bias
    before it is exponentiated, [N, 1].

    Softmax, log-sum-exp and sampling are exact for any per-row shift that keeps
    exp(logit - shift) in float32's range. The usual shift, the row max, costs a pass over
    the [N, V] logits before the pass that exponentiates them. This one is computed from
    the [N, H] states instead, as an upper bound of every logit (Cauchy-Schwarz):

        logit_v = h . w_v + b_v  <=  ||h|| max_v ||w_v|| + max_v b_v  =: upper,

    so no exponent is positive. The bound could lie far above the row's largest logit,
    and then every term would underflow. Any logit of the row is a lower bound of its
    largest; the largest of a few "probe" logits, those of the token with the largest
    bias in each block of :func:`sample_block_size` tokens (50 of 5,000, likely tokens
    a priori, found without a sort), is a close one. ``upper`` is used when it lies at
    most :data:`MAX_SHIFT_ABOVE_ROW_MAX` above the probes' largest in every row.
    Otherwise the whole batch falls back to the row max, and pays its pass (how far
    ``upper`` lies above the probes for the published oracle and trained generators:
    docs/FIDELITY.md). Only the float32 rounding of the shifted logits differs between
    the two shifts (the time saved: docs/PERFORMANCE.md).
    """
    vocab = bias.shape[0]
    block = sample_block_size(vocab)
    num_blocks = -(-vocab // block)
    padded_bias = tf.pad(bias, [[0, num_blocks * block - vocab]], constant_values=-np.inf)
    probe_tokens = tf.argmax(
        tf.reshape(padded_bias, [num_blocks, block]), axis=1, output_type=tf.int32
    ) + block * tf.range(num_blocks)
    probe_bias = tf.gather(bias, probe_tokens)
    largest_column_norm = tf.reduce_max(tf.norm(kernel, axis=0))
    upper = tf.norm(states, axis=1, keepdims=True) * largest_column_norm + tf.reduce_max(probe_bias)
    probe_logits = tf.matmul(states, tf.gather(kernel, probe_tokens, axis=1)) + probe_bias
    lower = tf.reduce_max(probe_logits, axis=1, keepdims=True)
    return tf.cond(
        tf.reduce_all(upper - lower <= MAX_SHIFT_ABOVE_ROW_MAX),
        lambda: upper,
        lambda: tf.reduce_max(logits, axis=1, keepdims=True),
    )


def affine(states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) -> tf.Tensor:
    """states @ kernel + bias [N, V] as one matmul of [states, 1] with [kernel; bias].

    The bias is added inside the product's sums instead of by a pass over the [N, V]
    result; the sums are float32 sums in another order.
    """
    return tf.matmul(_append_ones(states), tf.concat([kernel, bias[None]], axis=0))


def _append_ones(states: tf.Tensor) -> tf.Tensor:
    """[states, 1]: [N, H] -> [N, H + 1]."""
    return tf.concat([states, tf.ones_like(states[:, :1])], axis=1)


@tf.custom_gradient
def output_log_probs(
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, targets: tf.Tensor
) -> tf.Tensor:
    """log softmax(states @ kernel + bias)[i, targets[i]], [N], with a hand-written gradient.

    The gradient is the usual one, d log p_i / d logits_i = onehot(target_i) - p_i, with
    p = e / s, e = exp(logits - shift) (:func:`softmax_shift`), s = row sums of e; but
    neither p nor p - onehot is formed. The per-row factor g_i / s_i (g: the upstream
    gradient) goes into the small operand of each gradient matmul, so e is read once by
    each:

      d states  = g * kernel[:, target]^T - (g / s) * (e @ kernel^T)
      d [kernel; bias] = onehot-term - ([states, 1] * g / s)^T @ e   (one matmul for both)

    Autodiff of the cross-entropy computed exp twice per logit and wrote softmax - one-hot
    before its matmuls (the time saved: docs/PERFORMANCE.md). Values and gradients equal
    the autodiff ones to float32 round-off (tests).
    """
    logits = affine(states, kernel, bias)
    shift = softmax_shift(states, kernel, bias, logits)
    shifted_exp = tf.exp(logits - shift)
    row_sum = tf.reduce_sum(shifted_exp, axis=1, keepdims=True)
    target_logits = tf.gather(logits, targets[:, None], batch_dims=1)
    log_probs = (target_logits - shift - tf.math.log(row_sum))[:, 0]

    def gradient(upstream: tf.Tensor):
        hidden, vocab = tf.shape(kernel)[0], tf.shape(kernel)[1]
        scaled = upstream[:, None] / row_sum  # g_i / s_i, [N, 1]
        d_states = upstream[:, None] * tf.transpose(
            tf.gather(kernel, targets, axis=1)
        ) - scaled * tf.matmul(shifted_exp, kernel, transpose_b=True)
        states_and_one = _append_ones(states)
        onehot_terms = tf.math.unsorted_segment_sum(
            states_and_one * upstream[:, None], targets, vocab
        )  # [V, H + 1]: row v sums g_i [states_i, 1] over the rows whose target is v
        d_kernel_and_bias = tf.transpose(onehot_terms) - tf.matmul(
            states_and_one * scaled, shifted_exp, transpose_a=True
        )
        return d_states, d_kernel_and_bias[:hidden], d_kernel_and_bias[hidden], None

    return log_probs, gradient


def logits_and_shift(
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """states @ kernel + bias [N, V] (:func:`affine`) and :func:`softmax_shift`'s [N, 1]."""
    logits = affine(states, kernel, bias)
    return logits, softmax_shift(states, kernel, bias, logits)


def scoring_log_probs(
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, targets: tf.Tensor
) -> tf.Tensor:
    """log softmax(states @ kernel + bias)[i, targets[i]], [N], where no gradient is taken:
    target logit minus log-sum-exp with :func:`softmax_shift`, which reads the logits once."""
    logits, shift = logits_and_shift(states, kernel, bias)
    log_sum_exp = shift[:, 0] + tf.math.log(tf.reduce_sum(tf.exp(logits - shift), axis=1))
    return tf.gather(logits, targets[:, None], batch_dims=1)[:, 0] - log_sum_exp
