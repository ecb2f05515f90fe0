"""The LSTM language model that generator, oracle and rollout network all are.

Embedding -> :class:`~seqgan_tf.lstm_cell.LSTMCell` -> linear output layer, with the
original's conventions: initial h and c are zeros; the first input is the embedding
of the start token; each later input is the embedding of the previous token (the
sampled one when generating, the true one when scoring).

Parameters import and export in the original's 15-array layout (embedding; Wi, Ui,
bi; Wf, Uf, bf; Wog, Uog, bog; Wc, Uc, bc; Wo, bo), the layout of the published
``target_params_py3.pkl``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf

from seqgan_tf.lstm_cell import (
    GATE_ARRAY_NAMES,
    LSTMCell,
    lstm_sequence,
    lstm_step,
    project_inputs,
)

# Sequences sampled per compiled call by generate_many. Larger calls were not faster:
# each step's [N, V] logits then fall out of cache.
DEFAULT_SAMPLE_BATCH = 1024


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


def _upper_triangular_ones(size: int) -> tf.Tensor:
    return tf.constant(np.triu(np.ones((size, size), np.float32)))


def categorical_sample(
    logits: tf.Tensor, seed: tf.Tensor, shift: tf.Tensor | None = None
) -> tf.Tensor:
    """One exact draw per row from softmax(logits) [N, V] (temperature 1), int32 [N].

    ``shift`` [N, 1] is subtracted from each row before exponentiating: by default the row
    max; :func:`sample_from_states` passes :func:`softmax_shift`'s.

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
    states: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, seed: tf.Tensor
) -> tf.Tensor:
    """One draw per row from softmax(states @ kernel + bias), int32 [N]."""
    logits = affine(states, kernel, bias)
    return categorical_sample(logits, seed, softmax_shift(states, kernel, bias, logits))


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


PARAM_NAMES = ("embedding",) + GATE_ARRAY_NAMES + ("Wo", "bo")


def param_shapes(vocab_size: int, emb_dim: int, hidden_dim: int) -> list[tuple[int, ...]]:
    """Shapes of the 15 arrays of the original's parameter layout."""
    gate = [(emb_dim, hidden_dim), (hidden_dim, hidden_dim), (hidden_dim,)]
    return [(vocab_size, emb_dim)] + gate * 4 + [(hidden_dim, vocab_size), (vocab_size,)]


class TokenLSTM(keras.Model):
    """Embedding, custom-gate LSTM cell and softmax output over a fixed-length sequence.

    Args:
      vocab_size, emb_dim, hidden_dim, sequence_length, start_token: the shapes.
      init_stddev: every parameter, biases included, starts ~ N(0, init_stddev).
      seed: seed of the initialisers (None: Keras' global seed stream).
    """

    def __init__(
        self,
        vocab_size: int,
        emb_dim: int,
        hidden_dim: int,
        sequence_length: int,
        start_token: int = 0,
        init_stddev: float = 0.1,
        seed: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.emb_dim = emb_dim
        self.hidden_dim = hidden_dim
        self.sequence_length = sequence_length
        self.start_token = start_token

        def init(offset: int) -> keras.initializers.Initializer:
            return keras.initializers.RandomNormal(
                0.0, init_stddev, seed=None if seed is None else seed + offset
            )

        self.embedding = self.add_weight(
            shape=(vocab_size, emb_dim), initializer=init(0), name="embedding"
        )
        self.cell = LSTMCell(emb_dim, hidden_dim, initializer=init(1), name="lstm_cell")
        self.output_kernel = self.add_weight(
            shape=(hidden_dim, vocab_size), initializer=init(2), name="output_kernel"
        )
        self.output_bias = self.add_weight(
            shape=(vocab_size,), initializer=init(3), name="output_bias"
        )
        self.built = True

    @staticmethod
    def shape_kwargs(config) -> dict:
        """The constructor's shape arguments from a :class:`~seqgan_tf.config.ModelConfig`
        (generator, oracle and rollout share them)."""
        return {
            "vocab_size": config.vocab_size,
            "emb_dim": config.gen_emb_dim,
            "hidden_dim": config.gen_hidden_dim,
            "sequence_length": config.sequence_length,
            "start_token": config.start_token,
        }

    # ----------------------------------------------------------------- pieces
    def embed(self, tokens: tf.Tensor) -> tf.Tensor:
        return tf.gather(self.embedding, tokens)

    def output_logits(self, h: tf.Tensor) -> tf.Tensor:
        """Logits [..., V] of states [..., H]."""
        kernel = tf.convert_to_tensor(self.output_kernel)
        bias = tf.convert_to_tensor(self.output_bias)
        if h.shape.rank == 2:
            return affine(h, kernel, bias)
        # One 2-D matmul: a [B, T, H] x [H, V] matmul broadcasts into a batched matmul
        # whose kernel gradient is a [B, H, V] tensor summed over B.
        logits = affine(tf.reshape(h, [-1, self.hidden_dim]), kernel, bias)
        return tf.reshape(logits, tf.concat([tf.shape(h)[:-1], [self.vocab_size]], axis=0))

    def sample_next(self, h: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """One token per row of states h [N, H], drawn from the output softmax, int32 [N]."""
        return sample_from_states(
            h,
            tf.convert_to_tensor(self.output_kernel),
            tf.convert_to_tensor(self.output_bias),
            seed,
        )

    def zero_state(self, batch_size) -> tuple[tf.Tensor, tf.Tensor]:
        zeros = tf.zeros([batch_size, self.hidden_dim], dtype=self.embedding.dtype)
        return zeros, zeros

    def _teacher_forced_inputs(self, tokens: tf.Tensor) -> tf.Tensor:
        """[start, y_0, ..., y_{T-2}] for each row of ``tokens``."""
        batch = tf.shape(tokens)[0]
        start = tf.fill([batch, 1], tf.constant(self.start_token, dtype=tokens.dtype))
        return tf.concat([start, tokens[:, :-1]], axis=1)

    # ----------------------------------------------------------------- scoring
    def teacher_forced_states(
        self, tokens: tf.Tensor, inputs: tf.Tensor | None = None
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Hidden and cell states [B, T, H] after each step, fed the true tokens.

        ``h[:, t]`` is the state whose output layer gives p(y_t | y_<t).

        Args:
          inputs: the token fed at each step, [B, T]; by default the start token, then
            ``tokens[:, :-1]`` (teacher forcing). Scheduled sampling feeds others.
        """
        tokens = tf.convert_to_tensor(tokens)
        if inputs is None:
            inputs = self._teacher_forced_inputs(tokens)
        projected = self.cell.project_inputs(self.embed(inputs))
        return lstm_sequence(projected, tf.convert_to_tensor(self.cell.recurrent_kernel))

    def call(self, tokens: tf.Tensor) -> tf.Tensor:
        """Teacher-forced logits [B, T, V] of p(y_t | y_<t)."""
        hs, _ = self.teacher_forced_states(tokens)
        return self.output_logits(hs)

    def token_log_probs(self, tokens: tf.Tensor) -> tf.Tensor:
        """log p(y_t | y_<t) of each given token, [B, T] (teacher forcing).

        Target logit minus log-sum-exp on a flat [B * T, V] matrix, shifted by
        :func:`softmax_shift`: for scoring without gradients this reads the logits once
        after writing them, and writes nothing else of their size.
        """
        tokens = tf.convert_to_tensor(tokens)
        hs, _ = self.teacher_forced_states(tokens)
        states = tf.reshape(hs, [-1, self.hidden_dim])
        kernel = tf.convert_to_tensor(self.output_kernel)
        bias = tf.convert_to_tensor(self.output_bias)
        logits = affine(states, kernel, bias)
        shift = softmax_shift(states, kernel, bias, logits)
        log_sum_exp = shift[:, 0] + tf.math.log(tf.reduce_sum(tf.exp(logits - shift), axis=1))
        target_logits = tf.gather(logits, tf.reshape(tokens, [-1, 1]), batch_dims=1)[:, 0]
        return tf.reshape(target_logits - log_sum_exp, tf.shape(tokens))

    def token_log_probs_for_training(
        self, tokens: tf.Tensor, inputs: tf.Tensor | None = None
    ) -> tf.Tensor:
        """The same numbers as :meth:`token_log_probs`, with a gradient that costs one
        exponential per logit (:func:`output_log_probs`); used where gradients are taken.
        ``inputs``: as in :meth:`teacher_forced_states`."""
        tokens = tf.convert_to_tensor(tokens)
        hs, _ = self.teacher_forced_states(tokens, inputs)
        log_probs = output_log_probs(
            tf.reshape(hs, [-1, self.hidden_dim]),
            tf.convert_to_tensor(self.output_kernel),
            tf.convert_to_tensor(self.output_bias),
            tf.reshape(tokens, [-1]),
        )
        return tf.reshape(log_probs, tf.shape(tokens))

    # ----------------------------------------------------------------- sampling
    def generate(self, num_sequences: int, seeds: tf.Tensor) -> tf.Tensor:
        """Draws ``num_sequences`` sequences [N, T] at temperature 1, XLA-compiled.

        Args:
          seeds: int [2, T] stateless seeds, one pair per position (from a
            ``tf.random.Generator``'s ``make_seeds``), so that a run's random stream
            is the generator's checkpointable state.
        """
        return _compiled_sample_sequences(
            tuple(self.lstm_variables),
            num_sequences,
            tf.convert_to_tensor(seeds),
            self.sequence_length,
            self.start_token,
        )

    def generate_many(
        self,
        num_sequences: int,
        rng: tf.random.Generator,
        batch_size: int = DEFAULT_SAMPLE_BATCH,
    ) -> np.ndarray:
        """``num_sequences`` samples [N, T] drawn ``batch_size`` at a time from ``rng``."""
        return np.concatenate(list(self.generate_chunks(num_sequences, rng, batch_size)), axis=0)

    def generate_chunks(
        self,
        num_sequences: int,
        rng: tf.random.Generator,
        batch_size: int = DEFAULT_SAMPLE_BATCH,
    ) -> Iterator[np.ndarray]:
        """:meth:`generate_many`'s samples, one compiled call's ``batch_size`` at a time
        (``rng`` is drawn from as they are taken)."""
        for start in range(0, num_sequences, batch_size):
            count = min(batch_size, num_sequences - start)
            yield self.generate(count, rng.make_seeds(self.sequence_length)).numpy()

    # ----------------------------------------------------------------- parameters
    def export_params(self) -> list[np.ndarray]:
        """The 15 float32 arrays of the original's layout (see :data:`PARAM_NAMES`)."""
        return (
            [keras.ops.convert_to_numpy(self.embedding)]
            + self.cell.gate_arrays()
            + [
                keras.ops.convert_to_numpy(self.output_kernel),
                keras.ops.convert_to_numpy(self.output_bias),
            ]
        )

    def import_params(self, arrays: list[np.ndarray], source: str = "parameters") -> None:
        """Loads the 15 arrays of the original's layout, checking count and shapes.

        Raises:
          ValueError: naming ``source``, the array and the problem.
        """
        arrays = validate_params(
            arrays, param_shapes(self.vocab_size, self.emb_dim, self.hidden_dim), source
        )
        self.embedding.assign(arrays[0])
        self.cell.set_gate_arrays(list(arrays[1:13]))
        self.output_kernel.assign(arrays[13])
        self.output_bias.assign(arrays[14])

    def copy_params_from(self, other: TokenLSTM) -> None:
        for mine, theirs in zip(self.lstm_variables, other.lstm_variables, strict=True):
            mine.assign(theirs)

    @property
    def lstm_variables(self) -> list:
        """Embedding, the cell's three fused arrays, output kernel and bias (fixed order)."""
        cell = self.cell
        return [
            self.embedding,
            cell.input_kernel,
            cell.recurrent_kernel,
            cell.bias,
            self.output_kernel,
            self.output_bias,
        ]


def sample_sequences(
    variables: tuple,
    num_sequences: int,
    seeds: tf.Tensor,
    sequence_length: int,
    start_token: int,
) -> tf.Tensor:
    """``num_sequences`` sequences [N, T] drawn from the LSTM whose
    :attr:`TokenLSTM.lstm_variables` are ``variables`` (see :meth:`TokenLSTM.generate`).

    A function of the variables rather than a method: its compiled form
    (``_compiled_sample_sequences``) is traced and compiled once per set of shapes and
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
        token = sample_from_states(h, output_kernel, output_bias, seeds[:, t])
        return t + 1, h, c, tf.gather(embedding, token), tokens.write(t, token)

    tokens = tf.TensorArray(tf.int32, size=sequence_length)
    *_, tokens = tf.while_loop(
        lambda t, *_: t < sequence_length, step, (0, zeros, zeros, x, tokens)
    )
    return tf.transpose(tokens.stack())


# Under XLA (faster than the graph executor here). XLA's stateless uniforms are another
# stream than the graph executor's, of the same distribution.
_compiled_sample_sequences = tf.function(sample_sequences, jit_compile=True)


def validate_params(
    arrays, expected_shapes: list[tuple[int, ...]], source: str
) -> list[np.ndarray]:
    """Checks a 15-array parameter list; raises ValueError naming the array and problem."""
    if not isinstance(arrays, (list, tuple)):
        raise ValueError(
            f"{source}: expected a list of {len(expected_shapes)} arrays, "
            f"got {type(arrays).__name__}"
        )
    if len(arrays) != len(expected_shapes):
        raise ValueError(
            f"{source}: expected {len(expected_shapes)} arrays "
            f"({', '.join(PARAM_NAMES)}), got {len(arrays)}"
        )
    checked = []
    for index, (array, shape, name) in enumerate(
        zip(arrays, expected_shapes, PARAM_NAMES, strict=True)
    ):
        if not isinstance(array, np.ndarray):
            raise ValueError(
                f"{source}: array {index} ({name}) is a {type(array).__name__}, not a numpy array"
            )
        if tuple(array.shape) != tuple(shape):
            raise ValueError(
                f"{source}: array {index} ({name}) has shape {tuple(array.shape)}, "
                f"expected {tuple(shape)}"
            )
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f"{source}: array {index} ({name}) has dtype {array.dtype}, not float")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{source}: array {index} ({name}) holds NaN or infinite values")
        checked.append(array.astype(np.float32))
    return checked
