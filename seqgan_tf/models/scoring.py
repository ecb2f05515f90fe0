"""Teacher-forced scoring of token sequences by an LSTM language model.

Functions of the six arrays of :attr:`~seqgan_tf.models.token_lstm.TokenLSTM.lstm_variables`
rather than methods, as the sampler is (:mod:`seqgan_tf.models.sampling`): the compiled
per-sequence NLL (:data:`compiled_batches_nll`) is then traced and compiled once per set
of shapes and serves every model of those shapes (the oracle and a Table 1 run's five
generators) instead of once per model. :class:`~seqgan_tf.models.token_lstm.TokenLSTM`'s
scoring methods are these functions of its own variables.
"""

from __future__ import annotations

import tensorflow as tf

from seqgan_tf.models.kernels import Kernels
from seqgan_tf.models.lstm_cell import project_inputs
from seqgan_tf.models.step_loop import stacked_step_outputs


def teacher_forced_inputs(tokens: tf.Tensor, start_token: int) -> tf.Tensor:
    """[start, y_0, ..., y_{T-2}] for each row of ``tokens`` [B, T]."""
    batch = tf.shape(tokens)[0]
    start = tf.fill([batch, 1], tf.constant(start_token, dtype=tokens.dtype))
    return tf.concat([start, tokens[:, :-1]], axis=1)


def teacher_forced_states(
    variables: tuple,
    tokens: tf.Tensor,
    start_token: int,
    kernels: Kernels,
    inputs: tf.Tensor | None = None,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Hidden and cell states [B, T, H] after each step, fed ``inputs`` (by default the
    start token, then ``tokens[:, :-1]``: teacher forcing)."""
    embedding, input_kernel, recurrent_kernel, bias, _, _ = variables
    tokens = tf.convert_to_tensor(tokens)
    if inputs is None:
        inputs = teacher_forced_inputs(tokens, start_token)
    projected = project_inputs(tf.gather(embedding, inputs), input_kernel, bias)
    return kernels.lstm_states(projected, tf.convert_to_tensor(recurrent_kernel))


def token_log_probs(
    variables: tuple,
    tokens: tf.Tensor,
    start_token: int,
    kernels: Kernels,
    inputs: tf.Tensor | None = None,
    training: bool = False,
) -> tf.Tensor:
    """log p(y_t | y_<t) of each given token, [B, T]: by the kernels'
    ``training_log_probs`` where gradients are taken (``training``), else their
    ``scoring_log_probs`` (the same numbers). ``inputs``: as in
    :func:`teacher_forced_states`."""
    _, _, recurrent_kernel, _, output_kernel, output_bias = variables
    tokens = tf.convert_to_tensor(tokens)
    hs, _ = teacher_forced_states(variables, tokens, start_token, kernels, inputs)
    log_probs_fn = kernels.training_log_probs if training else kernels.scoring_log_probs
    log_probs = log_probs_fn(
        tf.reshape(hs, [-1, recurrent_kernel.shape[0]]),
        tf.convert_to_tensor(output_kernel),
        tf.convert_to_tensor(output_bias),
        tf.reshape(tokens, [-1]),
    )
    return tf.reshape(log_probs, tf.shape(tokens))


def per_sequence_nll(
    variables: tuple, tokens: tf.Tensor, start_token: int, kernels: Kernels
) -> tf.Tensor:
    """Mean over each row of ``tokens`` [B, T] of -log p(y_t | y_<t), unclipped, [B]."""
    return -tf.reduce_mean(token_log_probs(variables, tokens, start_token, kernels), axis=1)


def batches_nll(
    variables: tuple, batches: tf.Tensor, start_token: int, kernels: Kernels
) -> tf.Tensor:
    """:func:`per_sequence_nll` of each of ``batches`` [num_batches, B, T] in one loop,
    [num_batches, B]."""
    return stacked_step_outputs(
        tf.shape(batches)[0],
        lambda i: per_sequence_nll(variables, batches[i], start_token, kernels),
    )


# Under XLA, faster than a graph call per batch; compiled once per number of batches.
compiled_batches_nll = tf.function(batches_nll, jit_compile=True)
# A batch left over after the whole ones, on the graph executor.
graph_per_sequence_nll = tf.function(per_sequence_nll)
