"""Drawing tokens and sequences from an LSTM language model's output softmax.

:func:`categorical_sample` is the exact sampler every draw goes through;
:func:`sample_from_states` draws from a model's output layer (at a temperature);
:func:`sample_sequences` draws whole sequences from the variables of a
:class:`~seqgan_tf.models.token_lstm.TokenLSTM`, and :data:`compiled_sample_sequences`
is its XLA-compiled form, which :meth:`TokenLSTM.generate` calls.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from seqgan_tf.models.kernels import FAST, Kernels
from seqgan_tf.models.kernels.output_layer import sample_block_size
from seqgan_tf.models.lstm_cell import lstm_step, project_inputs

# Sequences sampled per compiled call by TokenLSTM.generate_many. Larger calls were not faster:
# each step's [N, V] logits then fall out of cache.
DEFAULT_SAMPLE_BATCH = 1024


def _upper_triangular_ones(size: int) -> tf.Tensor:
    return tf.constant(np.triu(np.ones((size, size), np.float32)))


def categorical_sample(
    logits: tf.Tensor, seed: tf.Tensor, shift: tf.Tensor | None = None
) -> tf.Tensor:
    """One exact draw per row from softmax(logits) [N, V] (temperature 1), int32 [N].

    ``shift`` [N, 1] is subtracted from each row before exponentiating: by default the row
    max; :func:`sample_from_states` passes its kernels' ``logits_and_shift``.

    Inverse-CDF sampling with one stateless uniform per row, the method of TensorFlow's
    own multinomial kernel, but in two levels so that it runs as vectorised float32 ops:
    the V probabilities are cut into ~sqrt(V) blocks; a uniform u * total picks the block
    whose cumulative sum first exceeds it, then the token inside that block whose
    cumulative sum first exceeds the remainder. Only the order of the float32 sums
    differs from a flat cumulative sum. (``tf.random.stateless_categorical`` computes a
    scalar double exp per logit and is much slower; Gumbel-max needs V uniforms a row.)

    The cumulative sums are products with an upper-triangular matrix of ones and "first
    exceeding" is a count of the entries <= the target (searchsorted side="right"): both
    compile to vectorised code under XLA (its cumsum and searchsorted lower poorly). A
    matmul accumulates every column over the rows in the same order, so a zero weight
    leaves the cumulative sum unchanged and is never drawn.
    """
    num_rows = tf.shape(logits)[0]
    vocab = logits.shape[-1]
    block = sample_block_size(vocab)
    num_blocks = -(-vocab // block)
    if shift is None:
        shift = tf.reduce_max(logits, axis=1, keepdims=True)
    weights = tf.exp(logits - shift)
    if num_blocks * block != vocab:  # zero weight for the padding: never drawn
        weights = tf.pad(weights, [[0, 0], [0, num_blocks * block - vocab]])
    weights = tf.reshape(weights, [num_rows, num_blocks, block])
    block_sums = tf.reduce_sum(weights, axis=2)  # [N, num_blocks]
    block_cdf = tf.matmul(block_sums, _upper_triangular_ones(num_blocks))
    target = tf.random.stateless_uniform([num_rows, 1], seed=seed) * block_cdf[:, -1:]
    # Count of cumulative sums <= target: the first block whose cumulative sum exceeds
    # it, so a block of zero weight is never chosen; the clamp only guards round-off.
    chosen = tf.minimum(
        tf.reduce_sum(tf.cast(block_cdf <= target, tf.int32), axis=1), num_blocks - 1
    )
    before = tf.gather(block_cdf - block_sums, chosen[:, None], batch_dims=1)  # [N, 1]
    inner_cdf = tf.matmul(tf.gather(weights, chosen, batch_dims=1), _upper_triangular_ones(block))
    inner = tf.minimum(
        tf.reduce_sum(tf.cast(inner_cdf <= target - before, tf.int32), axis=1), block - 1
    )
    return tf.minimum(chosen * block + inner, vocab - 1)


def sample_from_states(
    states: tf.Tensor,
    kernel: tf.Tensor,
    bias: tf.Tensor,
    seed: tf.Tensor,
    kernels: Kernels = FAST,
    temperature: float = 1.0,
) -> tf.Tensor:
    """One draw per row from softmax((states @ kernel + bias) / temperature), int32 [N].

    At temperature 1 (a Python float, fixed when traced) this is the untempered sampler,
    op for op. Otherwise the scaled logits are shifted by their row max: the fast
    kernels' bound on the logits, divided by a temperature below 1, could lie too far
    above them.
    """
    logits, shift = kernels.logits_and_shift(states, kernel, bias)
    if temperature != 1.0:
        logits = logits / temperature
        shift = tf.reduce_max(logits, axis=1, keepdims=True)
    return categorical_sample(logits, seed, shift)


def sample_sequences(
    variables: tuple,
    num_sequences: int,
    seeds: tf.Tensor,
    sequence_length: int,
    start_token: int,
    kernels: Kernels = FAST,
    temperature: float = 1.0,
) -> tf.Tensor:
    """``num_sequences`` sequences [N, T] drawn from the LSTM whose
    :attr:`~seqgan_tf.models.token_lstm.TokenLSTM.lstm_variables` are ``variables`` (see
    :meth:`~seqgan_tf.models.token_lstm.TokenLSTM.generate`).

    A function of the variables rather than a method: its compiled form
    (:data:`compiled_sample_sequences`) is traced and compiled once per set of shapes and
    serves every generator, oracle and rollout network of those shapes (a Table 1 run
    holds five), instead of once per model.
    """
    embedding, input_kernel, recurrent_kernel, bias, output_kernel, output_bias = variables
    zeros = tf.zeros([num_sequences, recurrent_kernel.shape[0]], embedding.dtype)
    x = tf.gather(embedding, tf.fill([num_sequences], start_token))

    # A loop rather than T unrolled steps: XLA compiles it several times faster, for a
    # little more time per draw (and the same draws).
    def step(t, h, c, x, tokens):
        h, c = lstm_step(project_inputs(x, input_kernel, bias), h, c, recurrent_kernel)
        token = sample_from_states(h, output_kernel, output_bias, seeds[:, t], kernels, temperature)
        return t + 1, h, c, tf.gather(embedding, token), tokens.write(t, token)

    tokens = tf.TensorArray(tf.int32, size=sequence_length)
    *_, tokens = tf.while_loop(
        lambda t, *_: t < sequence_length, step, (0, zeros, zeros, x, tokens)
    )
    return tf.transpose(tokens.stack())


# Under XLA (faster than the graph executor here). XLA's stateless uniforms are another
# stream than the graph executor's, of the same distribution.
compiled_sample_sequences = tf.function(sample_sequences, jit_compile=True)
