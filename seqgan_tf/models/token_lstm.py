"""The LSTM language model that generator, oracle and rollout network all are.

Embedding -> :class:`~seqgan_tf.models.lstm_cell.LSTMCell` -> linear output layer, with the
original's conventions: initial h and c are zeros; the first input is the embedding
of the start token; each later input is the embedding of the previous token (the
sampled one when generating, the true one when scoring).

Parameters import and export in the original's 15-array layout (embedding; Wi, Ui,
bi; Wf, Uf, bf; Wog, Uog, bog; Wc, Uc, bc; Wo, bo), the layout of the published
``target_params_py3.pkl``.
"""

from __future__ import annotations

from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf

from seqgan_tf.models.kernels import FAST, Kernels, select
from seqgan_tf.models.kernels.output_layer import sample_block_size
from seqgan_tf.models.lstm_cell import GATE_ARRAY_NAMES, LSTMCell, lstm_step, project_inputs

# Sequences sampled per compiled call by generate_many. Larger calls were not faster:
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


def check_temperature(temperature: float) -> float:
    """``temperature`` as a float when it is finite and positive, else an error naming
    the flag."""
    value = float(temperature)
    if not (np.isfinite(value) and value > 0.0):
        raise ValueError(f"--temperature={temperature}: must be a finite number above 0")
    return value


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
      kernels: ``fast`` or ``reference``, the :class:`~seqgan_tf.models.kernels.Kernels`
        it computes with (:attr:`kernels`).
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
        kernels: str = FAST.name,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.kernels: Kernels = select(kernels)
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
        # One seeded initialiser per weight (a shared one repeats its numbers). W keeps
        # offset 1, so it starts as in runs made before U and b had their own.
        self.cell = LSTMCell(
            emb_dim,
            hidden_dim,
            kernel_initializer=init(1),
            recurrent_initializer=init(4),
            bias_initializer=init(5),
            name="lstm_cell",
        )
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
            "kernels": config.kernels,
        }

    # ----------------------------------------------------------------- pieces
    def embed(self, tokens: tf.Tensor) -> tf.Tensor:
        return tf.gather(self.embedding, tokens)

    def output_logits(self, h: tf.Tensor) -> tf.Tensor:
        """Logits [..., V] of states [..., H]."""
        kernel = tf.convert_to_tensor(self.output_kernel)
        bias = tf.convert_to_tensor(self.output_bias)
        if h.shape.rank == 2:
            return self.kernels.logits(h, kernel, bias)
        # One 2-D matmul: a [B, T, H] x [H, V] matmul broadcasts into a batched matmul
        # whose kernel gradient is a [B, H, V] tensor summed over B.
        logits = self.kernels.logits(tf.reshape(h, [-1, self.hidden_dim]), kernel, bias)
        return tf.reshape(logits, tf.concat([tf.shape(h)[:-1], [self.vocab_size]], axis=0))

    def sample_next(self, h: tf.Tensor, seed: tf.Tensor, temperature: float = 1.0) -> tf.Tensor:
        """One token per row of states h [N, H], drawn from the output softmax (at
        ``temperature``), int32 [N]."""
        return sample_from_states(
            h,
            tf.convert_to_tensor(self.output_kernel),
            tf.convert_to_tensor(self.output_bias),
            seed,
            self.kernels,
            temperature,
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
        recurrent_kernel = tf.convert_to_tensor(self.cell.recurrent_kernel)
        return self.kernels.lstm_states(projected, recurrent_kernel)

    def call(self, tokens: tf.Tensor) -> tf.Tensor:
        """Teacher-forced logits [B, T, V] of p(y_t | y_<t)."""
        hs, _ = self.teacher_forced_states(tokens)
        return self.output_logits(hs)

    def token_log_probs(self, tokens: tf.Tensor) -> tf.Tensor:
        """log p(y_t | y_<t) of each given token, [B, T] (teacher forcing), for scoring."""
        return self._log_probs(tokens, None, self.kernels.scoring_log_probs)

    def token_log_probs_for_training(
        self, tokens: tf.Tensor, inputs: tf.Tensor | None = None
    ) -> tf.Tensor:
        """The same numbers as :meth:`token_log_probs`, where gradients are taken
        (its kernels' ``training_log_probs``). ``inputs``: as in
        :meth:`teacher_forced_states`."""
        return self._log_probs(tokens, inputs, self.kernels.training_log_probs)

    def _log_probs(self, tokens, inputs, log_probs_fn) -> tf.Tensor:
        tokens = tf.convert_to_tensor(tokens)
        hs, _ = self.teacher_forced_states(tokens, inputs)
        log_probs = log_probs_fn(
            tf.reshape(hs, [-1, self.hidden_dim]),
            tf.convert_to_tensor(self.output_kernel),
            tf.convert_to_tensor(self.output_bias),
            tf.reshape(tokens, [-1]),
        )
        return tf.reshape(log_probs, tf.shape(tokens))

    # ----------------------------------------------------------------- sampling
    def generate(self, num_sequences: int, seeds: tf.Tensor, temperature: float = 1.0) -> tf.Tensor:
        """Draws ``num_sequences`` sequences [N, T], XLA-compiled.

        Args:
          seeds: int [2, T] stateless seeds, one pair per position (from a
            ``tf.random.Generator``'s ``make_seeds``), so that a run's random stream
            is the generator's checkpointable state.
          temperature: each step draws from softmax(logits / temperature); 1 (the
            default) is the model's own distribution. One compiled sampler per value.
        """
        return _compiled_sample_sequences(
            tuple(self.lstm_variables),
            num_sequences,
            tf.convert_to_tensor(seeds),
            self.sequence_length,
            self.start_token,
            self.kernels,
            check_temperature(temperature),
        )

    def generate_many(
        self,
        num_sequences: int,
        rng: tf.random.Generator,
        batch_size: int = DEFAULT_SAMPLE_BATCH,
        temperature: float = 1.0,
    ) -> np.ndarray:
        """``num_sequences`` samples [N, T] drawn ``batch_size`` at a time from ``rng``."""
        chunks = self.generate_chunks(num_sequences, rng, batch_size, temperature)
        return np.concatenate(list(chunks), axis=0)

    def generate_chunks(
        self,
        num_sequences: int,
        rng: tf.random.Generator,
        batch_size: int = DEFAULT_SAMPLE_BATCH,
        temperature: float = 1.0,
    ) -> Iterator[np.ndarray]:
        """:meth:`generate_many`'s samples, one compiled call's ``batch_size`` at a time
        (``rng`` is drawn from as they are taken)."""
        for start in range(0, num_sequences, batch_size):
            count = min(batch_size, num_sequences - start)
            seeds = rng.make_seeds(self.sequence_length)
            yield self.generate(count, seeds, temperature).numpy()

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
    kernels: Kernels = FAST,
    temperature: float = 1.0,
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
        token = sample_from_states(h, output_kernel, output_bias, seeds[:, t], kernels, temperature)
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
