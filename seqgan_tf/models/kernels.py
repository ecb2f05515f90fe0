"""The speed kernels, each beside the plain TensorFlow path it replaces.

``ModelConfig.kernels`` (``--kernels``) picks one: ``fast`` (the default) runs the kernels
below; ``reference`` runs plain ops with autodiff and Keras' Adam. Both compute the same
function to float32 round-off (tests/test_seqgan_kernels.py trains both side by side);
the kernels only reorder float32 sums, skip passes over memory and take gradients by hand.
What each one bought is measured in docs/PERFORMANCE.md.

- the softmax's shift from a bound computed from the states (no row-max pass), and the
  output layer's log-probabilities with a hand-written gradient;
- the LSTM over a sequence with its backward pass written out;
- the discriminator's convolutions as im2col matmuls under XLA in training, and Adam as
  TF1's fused kernel.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from seqgan_tf.config import KERNELS
from seqgan_tf.models.lstm_cell import lstm_step, step_with_gates

FAST, REFERENCE = KERNELS


# ===================================================================== output layer
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
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, kernels: str
) -> tuple[tf.Tensor, tf.Tensor]:
    """states @ kernel + bias [N, V] and the per-row constant a softmax subtracts [N, 1]
    (``reference``: the row max)."""
    if kernels == FAST:
        logits = affine(states, kernel, bias)
        return logits, softmax_shift(states, kernel, bias, logits)
    logits = tf.matmul(states, kernel) + bias
    return logits, tf.reduce_max(logits, axis=1, keepdims=True)


def scoring_log_probs(
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, targets: tf.Tensor, kernels: str
) -> tf.Tensor:
    """log softmax(states @ kernel + bias)[i, targets[i]], [N], for scoring (no gradient
    is taken): target logit minus log-sum-exp, which reads the logits once."""
    if kernels == REFERENCE:
        return -tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=targets, logits=tf.matmul(states, kernel) + bias
        )
    logits, shift = logits_and_shift(states, kernel, bias, kernels)
    log_sum_exp = shift[:, 0] + tf.math.log(tf.reduce_sum(tf.exp(logits - shift), axis=1))
    return tf.gather(logits, targets[:, None], batch_dims=1)[:, 0] - log_sum_exp


def training_log_probs(
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, targets: tf.Tensor, kernels: str
) -> tf.Tensor:
    """The same numbers as :func:`scoring_log_probs`, where gradients are taken."""
    if kernels == FAST:
        return output_log_probs(states, kernel, bias, targets)
    return -tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=targets, logits=tf.matmul(states, kernel) + bias
    )


# ===================================================================== LSTM
@tf.custom_gradient
def lstm_sequence(
    projected: tf.Tensor, recurrent_kernel: tf.Tensor
) -> tuple[tuple[tf.Tensor, tf.Tensor], object]:
    """The cell run over a whole sequence from zero states: (h, c) after each step,
    [B, T, H] each, given the inputs' projections x_t W + b, [B, T, 4H].

    The forward pass is :func:`lstm_step`'s arithmetic. The backward pass is written out
    (backpropagation through time) so that the recurrent kernel's gradient is one
    [H, T * B] x [T * B, 4H] product after the loop instead of T small products summed
    inside it, which autodiff of the unrolled loop gives (docs/PERFORMANCE.md). Its
    values equal float64 autodiff
    of the step loop (tests/test_seqgan_lstm_cell.py).
    """
    batch = tf.shape(projected)[0]
    h = c = tf.zeros([batch, recurrent_kernel.shape[0]], projected.dtype)
    hs, cs, saved = [], [], []
    for projected_t in tf.unstack(projected, axis=1):
        h_new, c_new, gates = step_with_gates(projected_t, h, c, recurrent_kernel)
        saved.append((h, c, gates))
        h, c = h_new, c_new
        hs.append(h)
        cs.append(c)

    def gradient(upstream_h: tf.Tensor, upstream_c: tf.Tensor | None):
        upstream_h = tf.unstack(upstream_h, axis=1)
        upstream_c = (
            tf.unstack(upstream_c, axis=1) if upstream_c is not None else [None] * len(saved)
        )
        dh_next = dc_next = tf.zeros_like(h)
        dz_reversed = []
        for t in reversed(range(len(saved))):
            _, c_prev, (i, f, o, candidate, tanh_c) = saved[t]
            dh = upstream_h[t] + dh_next
            dc = dc_next + dh * o * (1.0 - tanh_c * tanh_c)
            if upstream_c[t] is not None:
                dc += upstream_c[t]
            dz = tf.concat(
                [
                    dc * candidate * i * (1.0 - i),
                    dc * c_prev * f * (1.0 - f),
                    dh * tanh_c * o * (1.0 - o),
                    dc * i * (1.0 - candidate * candidate),
                ],
                axis=-1,
            )
            dz_reversed.append(dz)
            dh_next = tf.matmul(dz, recurrent_kernel, transpose_b=True)
            dc_next = dc * f
        dz_steps = dz_reversed[::-1]
        # Sum over t of h_{t-1}^T dz_t as one product of the time-major stacks.
        d_kernel = tf.matmul(
            tf.concat([h_prev for h_prev, _, _ in saved], axis=0),
            tf.concat(dz_steps, axis=0),
            transpose_a=True,
        )
        return tf.stack(dz_steps, axis=1), d_kernel

    return (tf.stack(hs, axis=1), tf.stack(cs, axis=1)), gradient


def lstm_sequence_reference(
    projected: tf.Tensor, recurrent_kernel: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """:func:`lstm_sequence` as plain steps, differentiated by autodiff."""
    batch = tf.shape(projected)[0]
    h = c = tf.zeros([batch, recurrent_kernel.shape[0]], projected.dtype)
    hs, cs = [], []
    for projected_t in tf.unstack(projected, axis=1):
        h, c = lstm_step(projected_t, h, c, recurrent_kernel)
        hs.append(h)
        cs.append(c)
    return tf.stack(hs, axis=1), tf.stack(cs, axis=1)


def lstm_states(
    projected: tf.Tensor, recurrent_kernel: tf.Tensor, kernels: str
) -> tuple[tf.Tensor, tf.Tensor]:
    """(h, c) after each step from zero states, [B, T, H] each, given x_t W + b [B, T, 4H]."""
    if kernels == FAST:
        return lstm_sequence(projected, recurrent_kernel)
    return lstm_sequence_reference(projected, recurrent_kernel)


# ===================================================================== discriminator
def highway(z, transform_kernel, transform_bias, gate_kernel, gate_bias):
    """t * relu(z W_g + b_g) + (1 - t) * z with t = sigmoid(z W_t + b_t), [B, N], on both
    paths. (A hand-written backward pass was dropped: 1.6% of a step, docs/PERFORMANCE.md.)"""
    transformed = tf.nn.relu(tf.matmul(z, transform_kernel) + transform_bias)
    gate = tf.sigmoid(tf.matmul(z, gate_kernel) + gate_bias)
    return gate * transformed + (1.0 - gate) * z


def conv_max_features(embedded: tf.Tensor, convolutions: list) -> tf.Tensor:
    """ReLU(max over positions of each VALID convolution + bias), [B, sum of filters]:
    oneDNN's convolutions (the reference path, and inference on either)."""
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


def im2col_max_features(embedded: tf.Tensor, convolutions: list) -> tf.Tensor:
    """:func:`conv_max_features` as im2col matmuls (the fast path's training step, under XLA).

    Each convolution of width w is one matmul of the [B * (T - w + 1), w * E] windows
    (im2col) with its [w, E, f] kernel seen as [w * E, f]: the same products and sums
    as the original's VALID conv2d. ReLU(x + b) is monotonic, so the max over
    positions is taken before bias and ReLU: max_t relu(z_t + b) = relu(max_t z_t + b),
    exactly, with the same gradient (to the maximising position).
    """
    length, emb_dim = embedded.shape[1], embedded.shape[2]
    pooled = []
    for conv in convolutions:
        width, _, filters = conv.kernel.shape
        positions = length - width + 1
        windows = tf.concat(
            [embedded[:, k : k + positions] for k in range(width)], axis=2
        )  # [B, positions, width * E], offset-major as the kernel's [w, E] layout
        z = tf.matmul(
            tf.reshape(windows, [-1, width * emb_dim]),
            tf.reshape(conv.kernel, [width * emb_dim, filters]),
        )
        z = tf.reduce_max(tf.reshape(z, [-1, positions, filters]), axis=1)
        pooled.append(tf.nn.relu(z + conv.bias))
    return tf.concat(pooled, axis=1)


class TF1Adam(tf.Module):
    """TF1's ``tf.train.AdamOptimizer``, run by its own fused kernel ``ResourceApplyAdam``
    on moments and a step counter this module owns (checkpointed with it).

    The discriminator's optimiser: Adam over its 7M parameters is memory-bound, and one
    fused op per variable lets each update start as soon as its gradient exists, where
    Keras' Adam runs several graph ops per variable (the measured difference is in
    docs/PERFORMANCE.md). The update is Keras' (module docstring):
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
