"""The LSTM language model that generator, oracle and rollout network all are.

Embedding -> :class:`~seqgan_tf.models.lstm_cell.LSTMCell` -> linear output layer, with the
original's conventions: initial h and c are zeros; the first input is the embedding
of the start token; each later input is the embedding of the previous token (the
sampled one when generating, the true one when scoring).

Parameters import and export in the original's 15-array layout
(:mod:`seqgan_tf.models.param_layout`); sampling is :mod:`seqgan_tf.models.sampling`.
"""

from __future__ import annotations

from collections.abc import Iterator

import keras
import numpy as np
import tensorflow as tf

from seqgan_tf.models.kernels import FAST, Kernels, select
from seqgan_tf.models.lstm_cell import LSTMCell
from seqgan_tf.models.param_layout import param_shapes, validate_params
from seqgan_tf.models.sampling import (
    DEFAULT_SAMPLE_BATCH,
    check_temperature,
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
        return compiled_sample_sequences(
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
