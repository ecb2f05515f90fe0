"""The LSTM language model that generator, oracle and rollout network all are.

Embedding -> :class:`~seqgan_tf.models.lstm_cell.LSTMCell` -> linear output layer, with the
original's conventions: initial h and c are zeros; the first input is the embedding
of the start token; each later input is the embedding of the previous token (the
sampled one when generating, the true one when scoring).

Parameters import and export in the original's 15-array layout
(:mod:`seqgan_tf.models.param_layout`). The scoring methods are
:mod:`seqgan_tf.models.scoring`'s functions of the model's variables, the sampling methods
:mod:`seqgan_tf.models.sampling`'s.
"""

from __future__ import annotations

from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf

from seqgan_tf.config import check_temperature
from seqgan_tf.models import scoring
from seqgan_tf.models.kernels import FAST, Kernels, select
from seqgan_tf.models.lstm_cell import LSTMCell
from seqgan_tf.models.param_layout import param_shapes, validate_params
from seqgan_tf.models.sampling import (
    DEFAULT_SAMPLE_BATCH,
    compiled_sample_sequences,
    sample_from_states,
)


class TokenLSTM(keras.Model):
    """Embedding, custom-gate LSTM cell and softmax output over a fixed-length sequence.

    Args:
      vocab_size, emb_dim, hidden_dim, sequence_length, start_token: the shapes.
      init_stddev: every parameter, biases included, starts ~ N(0, init_stddev).
      seed: seed of the initialisers (None: Keras' global seed stream).
      kernels: ``fast`` or ``reference``, the :class:`~seqgan_tf.models.kernels.Kernels`
        it computes with (:attr:`kernels`).
      score_batch_size: sequences per batch that :meth:`sequence_nll` scores.
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
        score_batch_size: int = 64,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.kernels: Kernels = select(kernels)
        self.vocab_size = vocab_size
        self.emb_dim = emb_dim
        self.hidden_dim = hidden_dim
        self.sequence_length = sequence_length
        self.start_token = start_token
        self.score_batch_size = score_batch_size

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
        return scoring.teacher_forced_states(
            self.lstm_variables, tokens, self.start_token, self.kernels, inputs
        )

    def call(self, tokens: tf.Tensor) -> tf.Tensor:
        """Teacher-forced logits [B, T, V] of p(y_t | y_<t)."""
        hs, _ = self.teacher_forced_states(tokens)
        return self.output_logits(hs)

    def token_log_probs(self, tokens: tf.Tensor) -> tf.Tensor:
        """log p(y_t | y_<t) of each given token, [B, T] (teacher forcing), for scoring."""
        return scoring.token_log_probs(self.lstm_variables, tokens, self.start_token, self.kernels)

    def token_log_probs_for_training(
        self, tokens: tf.Tensor, inputs: tf.Tensor | None = None
    ) -> tf.Tensor:
        """The same numbers as :meth:`token_log_probs`, where gradients are taken
        (its kernels' ``training_log_probs``). ``inputs``: as in
        :meth:`teacher_forced_states`."""
        return scoring.token_log_probs(
            self.lstm_variables, tokens, self.start_token, self.kernels, inputs, training=True
        )

    def sequence_nll(self, tokens: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Per-sequence mean of -log p(y_t | y_<t) (teacher forced, unclipped), [N] float64:
        NLL_oracle's terms under the oracle, NLL_test's under a generator.

        The whole batches of ``batch_size`` (default :attr:`score_batch_size`) are scored
        in one XLA-compiled loop, a final partial batch on the graph executor
        (:mod:`seqgan_tf.models.scoring`).
        """
        batch_size = batch_size or self.score_batch_size
        tokens = np.asarray(tokens, dtype=np.int32)
        if tokens.ndim != 2 or tokens.shape[1] != self.sequence_length:
            raise ValueError(
                f"expected token ids of shape [N, {self.sequence_length}], got {tokens.shape}"
            )
        variables = tuple(self.lstm_variables)
        whole = len(tokens) // batch_size * batch_size
        parts = []
        if whole:
            batches = tf.constant(tokens[:whole].reshape(-1, batch_size, self.sequence_length))
            nll = scoring.compiled_batches_nll(variables, batches, self.start_token, self.kernels)
            parts.append(nll.numpy().reshape(-1))
        if whole < len(tokens):
            rest = tf.constant(tokens[whole:])
            nll = scoring.graph_per_sequence_nll(variables, rest, self.start_token, self.kernels)
            parts.append(nll.numpy())
        return np.concatenate(parts).astype(np.float64)

    # ----------------------------------------------------------------- sampling
    def draw(self, num_sequences: int, seeds: tf.Tensor, temperature: float = 1.0) -> tf.Tensor:
        """Draws ``num_sequences`` sequences [N, T], XLA-compiled: every token as the
        LSTM drew it (:meth:`generate` is this here; a subclass may post-process it).

        Args:
          seeds: int [2, T] stateless seeds, one pair per position (from a
            ``tf.random.Generator``'s ``make_seeds``), so that a run's random stream
            is the generator's checkpointable state.
          temperature: each step draws from softmax(logits / temperature); 1 (the
            default) is the model's own distribution. One compiled sampler per value.
        """
        return compiled_sample_sequences(
            tuple(self.lstm_variables),
            num_sequences,
            tf.convert_to_tensor(seeds),
            self.sequence_length,
            self.start_token,
            self.kernels,
            check_temperature(temperature),
        )

    def generate(self, num_sequences: int, seeds: tf.Tensor, temperature: float = 1.0) -> tf.Tensor:
        """The model's samples [N, T]: :meth:`draw`'s."""
        return self.draw(num_sequences, seeds, temperature)

    def generate_many(
        self,
        num_sequences: int,
        rng: tf.random.Generator,
        batch_size: int = DEFAULT_SAMPLE_BATCH,
        temperature: float = 1.0,
        raw: bool = False,
    ) -> np.ndarray:
        """``num_sequences`` samples [N, T] drawn ``batch_size`` at a time from ``rng``;
        ``raw``: :meth:`draw`'s instead of :meth:`generate`'s, from the same draws."""
        chunks = self.generate_chunks(num_sequences, rng, batch_size, temperature, raw)
        return np.concatenate(list(chunks), axis=0)

    def generate_chunks(
        self,
        num_sequences: int,
        rng: tf.random.Generator,
        batch_size: int = DEFAULT_SAMPLE_BATCH,
        temperature: float = 1.0,
        raw: bool = False,
    ) -> Iterator[np.ndarray]:
        """:meth:`generate_many`'s samples, one compiled call's ``batch_size`` at a time
        (``rng`` is drawn from as they are taken)."""
        sample = self.draw if raw else self.generate
        for start in range(0, num_sequences, batch_size):
            count = min(batch_size, num_sequences - start)
            seeds = rng.make_seeds(self.sequence_length)
            yield sample(count, seeds, temperature).numpy()

    # ----------------------------------------------------------------- parameters
    def export_params(self) -> list[np.ndarray]:
        """The 15 float32 arrays of the original's layout
        (:data:`~seqgan_tf.models.param_layout.PARAM_NAMES`)."""
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
