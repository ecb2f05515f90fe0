"""The SeqGAN discriminator: the original's CNN text classifier with one highway layer.

embedding (64, uniform(-1, 1)) -> one convolution per window size (12 sizes, 1,720
filters, truncated-normal 0.1 weights, 0.1 biases, ReLU) -> max over positions ->
highway (Glorot-uniform weights and biases, transform-gate bias 0 instead of the
usual -2) -> dropout (keep 0.75 in training only) -> 2 logits. Label [0, 1] means
real, [1, 0] generated; the reward is softmax(logits)[:, 1].

Loss: mean softmax cross-entropy + 0.2 * (l2_loss(W_out) + l2_loss(b_out)) with
l2_loss(x) = sum(x^2) / 2; Adam(1e-4).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.models.kernels import select
from seqgan_tf.models.kernels.reference import conv_max_features
from seqgan_tf.models.optimizers import dense_gradients
from seqgan_tf.models.step_loop import stacked_step_outputs


def _seeded(initializer_cls, seed: int | None, offset: int, **kwargs):
    return initializer_cls(seed=None if seed is None else seed + offset, **kwargs)


def round_batches(
    real: np.ndarray,
    generated: np.ndarray,
    batch_size: int,
    epochs: int,
    shuffle_seed: int,
    per_epoch: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A round's batches [num_batches, B, T] and labels [num_batches, B] (1 = real): the
    mixed data in a seeded random order, the remainder of whole batches dropped. With
    ``per_epoch``, ``epochs`` orders one after another (train them as one pass);
    otherwise one order, to be passed over ``epochs`` times."""
    tokens = np.concatenate([real, generated]).astype(np.int32)
    labels = np.concatenate([np.ones(len(real), np.int32), np.zeros(len(generated), np.int32)])
    num_batches = len(tokens) // batch_size
    if num_batches == 0:
        raise ValueError(f"a discriminator round needs at least {batch_size} sequences")
    rng = np.random.default_rng(shuffle_seed)
    orders = [rng.permutation(len(tokens))[: num_batches * batch_size]]
    if per_epoch:
        orders += [
            rng.permutation(len(tokens))[: num_batches * batch_size] for _ in range(epochs - 1)
        ]
    order = np.concatenate(orders)
    return (
        tokens[order].reshape(-1, batch_size, tokens.shape[1]),
        labels[order].reshape(-1, batch_size),
    )


class Highway(keras.layers.Layer):
    """out = t * relu(z W_g + b_g) + (1 - t) * z, t = sigmoid(z W_t + b_t + gate_bias).

    The original's ``linear()`` creates its matrix and bias with ``tf.get_variable``'s
    default initialiser, Glorot-uniform, for the bias too (fan_in = fan_out = size). The
    paper-era code called ``_linear(..., 0, ...)``, whose third argument is ``bias=False``:
    ``use_bias=False`` reproduces it (b_g = b_t = 0, no variables).
    """

    def __init__(
        self,
        size: int,
        gate_bias: float = 0.0,
        seed: int | None = None,
        use_bias: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.size = size
        self.gate_bias = gate_bias
        self.use_bias = use_bias

        def glorot(offset: int):
            return _seeded(keras.initializers.GlorotUniform, seed, offset)

        self.transform_kernel = self.add_weight(
            shape=(size, size), initializer=glorot(0), name="transform_kernel"
        )
        self.gate_kernel = self.add_weight(
            shape=(size, size), initializer=glorot(2), name="gate_kernel"
        )
        if use_bias:
            self.transform_bias = self.add_weight(
                shape=(size,), initializer=glorot(1), name="transform_bias"
            )
            self.gate_bias_weight = self.add_weight(
                shape=(size,), initializer=glorot(3), name="gate_bias"
            )
        self.built = True

    def call(self, z: tf.Tensor) -> tf.Tensor:
        zeros = tf.zeros([self.size], z.dtype)
        transform_bias = tf.convert_to_tensor(self.transform_bias) if self.use_bias else zeros
        gate_bias = tf.convert_to_tensor(self.gate_bias_weight) if self.use_bias else zeros
        return highway(
            z,
            tf.convert_to_tensor(self.transform_kernel),
            transform_bias,
            tf.convert_to_tensor(self.gate_kernel),
            gate_bias + self.gate_bias,
        )


def highway(
    z: tf.Tensor,
    transform_kernel: tf.Tensor,
    transform_bias: tf.Tensor,
    gate_kernel: tf.Tensor,
    gate_bias: tf.Tensor,
) -> tf.Tensor:
    """t * relu(z W_g + b_g) + (1 - t) * z with t = sigmoid(z W_t + b_t), [B, N], on both
    kernel paths. (A hand-written backward pass was dropped: 1.6% of a step,
    docs/PERFORMANCE.md.)"""
    transformed = tf.nn.relu(tf.matmul(z, transform_kernel) + transform_bias)
    gate = tf.sigmoid(tf.matmul(z, gate_kernel) + gate_bias)
    return gate * transformed + (1.0 - gate) * z


class Discriminator(keras.Model):
    """D_phi: probability that a token sequence is real.

    Args:
      config: shapes and optimiser settings (defaults: the original's).
      seed: seed of the initialisers.
    """

    def __init__(self, config: ModelConfig | None = None, seed: int | None = None, **kwargs):
        kwargs.setdefault("name", "discriminator")
        super().__init__(**kwargs)
        config = config or ModelConfig()
        # Checked here, not in ModelConfig, which also configures generator-only models.
        if max(config.dis_filter_sizes) > config.sequence_length:
            raise ValueError(
                f"--dis_filter_sizes: a discriminator window of {max(config.dis_filter_sizes)} "
                f"exceeds the sequence length {config.sequence_length}"
            )
        self.config = config
        self.embedding = self.add_weight(
            shape=(config.vocab_size, config.dis_emb_dim),
            initializer=_seeded(keras.initializers.RandomUniform, seed, 0, minval=-1.0, maxval=1.0),
            name="embedding",
        )
        self.convolutions = []
        for index, (width, filters) in enumerate(
            zip(config.dis_filter_sizes, config.dis_num_filters, strict=True)
        ):
            # The original's conv2d over [B, T, E, 1] with a [w, E, 1, f] filter, VALID
            # padding, is this Conv1D over [B, T, E].
            conv = keras.layers.Conv1D(
                filters,
                width,
                padding="valid",
                activation="relu",
                kernel_initializer=_seeded(
                    keras.initializers.TruncatedNormal, seed, 10 + index, stddev=0.1
                ),
                bias_initializer=keras.initializers.Constant(0.1),
                name=f"conv_maxpool_{width}",
            )
            conv.build((None, config.sequence_length, config.dis_emb_dim))
            self.convolutions.append(conv)
            # tf.train.Checkpoint follows a Keras layer's attributes but not its lists of
            # layers (a Keras 3 TensorFlow-backend limit), so each convolution is an
            # attribute too; without it a checkpoint would miss the convolutions.
            setattr(self, f"convolution_{index}", conv)
        self.num_features = sum(config.dis_num_filters)
        self.highway = Highway(
            self.num_features,
            gate_bias=config.dis_highway_gate_bias,
            seed=None if seed is None else seed + 100,
            use_bias=config.dis_highway_bias,
        )
        self.dropout = keras.layers.Dropout(
            1.0 - config.dis_dropout_keep_prob, seed=None if seed is None else seed + 200
        )
        self.output_kernel = self.add_weight(
            shape=(self.num_features, 2),
            initializer=_seeded(keras.initializers.TruncatedNormal, seed, 300, stddev=0.1),
            name="output_kernel",
        )
        self.output_bias = self.add_weight(
            shape=(2,), initializer=keras.initializers.Constant(0.1), name="output_bias"
        )
        self.kernels = select(config.kernels)
        self.train_optimizer = self.kernels.discriminator_adam(
            config.dis_learning_rate, config.adam_epsilon, name="discriminator_adam"
        )
        self.built = True
        self.train_optimizer.build(self.trainable_variables)
        # Only the convolutions: the highway stays on oneDNN, which beat XLA on it.
        self._training_features = self.kernels.training_features(self.embedding, self.convolutions)

    def features(self, tokens: tf.Tensor, training: bool = False) -> tf.Tensor:
        """Max-pooled convolution features [B, 1720] of the embedded sequence.

        The training step (where the backward pass is taken) computes them with its
        kernels' ``training_features`` (on the fast path im2col matmuls under XLA);
        inference runs oneDNN's convolutions on both paths, faster on the reward's
        1,024-row blocks, whose im2col windows would not fit in cache.
        """
        if training:
            return self._training_features(tokens)
        return conv_max_features(tf.gather(self.embedding, tokens), self.convolutions)

    def call(self, tokens: tf.Tensor, training: bool = False) -> tf.Tensor:
        """Logits [B, 2]: column 0 "generated", column 1 "real"."""
        z = self.highway(self.features(tokens, training=training))
        z = self.dropout(z, training=training)
        return tf.matmul(z, self.output_kernel) + self.output_bias

    def loss_fn(self, tokens: tf.Tensor, labels: tf.Tensor, training: bool = True) -> tf.Tensor:
        """Mean softmax cross-entropy + lambda * (l2_loss(W_out) + l2_loss(b_out)).

        Args:
          labels: one-hot [B, 2] ([0, 1] = real) or integer class ids [B] (1 = real).
        """
        labels = tf.convert_to_tensor(labels)
        if labels.shape.rank == 1:
            labels = tf.one_hot(labels, 2)
        logits = self(tokens, training=training)
        cross_entropy = tf.nn.softmax_cross_entropy_with_logits(
            labels=tf.cast(labels, logits.dtype), logits=logits
        )
        l2 = tf.nn.l2_loss(self.output_kernel) + tf.nn.l2_loss(self.output_bias)
        return tf.reduce_mean(cross_entropy) + self.config.dis_l2_reg_lambda * l2

    @tf.function
    def train_step_on_batch(self, tokens: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """One Adam(1e-4) update with dropout active; returns the loss before it."""
        with tf.GradientTape() as tape:
            loss = self.loss_fn(tokens, labels, training=True)
        gradients = dense_gradients(tape.gradient(loss, self.trainable_variables))
        self.train_optimizer.apply_gradients(zip(gradients, self.trainable_variables, strict=True))
        return loss

    @tf.function
    def train_epochs(self, batches: tf.Tensor, labels: tf.Tensor, epochs: int) -> tf.Tensor:
        """``epochs`` passes over ``batches`` [num_batches, B, T] with integer labels
        [num_batches, B] (1 = real), one compiled call; returns the mean loss."""
        num_batches = tf.shape(batches)[0]

        def update(step: tf.Tensor) -> tf.Tensor:
            i = step % num_batches
            return self.train_step_on_batch(batches[i], tf.one_hot(labels[i], 2))

        return tf.reduce_mean(stacked_step_outputs(num_batches * epochs, update))

    def train_round(
        self, real: np.ndarray, generated: np.ndarray, epochs: int, shuffle_seed: int
    ) -> float:
        """One round of the original: mix real and generated sequences, shuffle, drop the
        remainder of whole batches, train ``epochs`` epochs; mean loss. The current code
        shuffles once a round, the paper-era code every epoch (``dis_shuffle``)."""
        batches, batch_labels = round_batches(
            real,
            generated,
            self.config.batch_size,
            epochs,
            shuffle_seed,
            per_epoch=self.config.dis_shuffle == "per_epoch",
        )
        passes = 1 if self.config.dis_shuffle == "per_epoch" else epochs
        return float(self.train_epochs(tf.constant(batches), tf.constant(batch_labels), passes))

    @tf.function
    def real_probability(self, tokens: tf.Tensor) -> tf.Tensor:
        """D(Y) = softmax(logits)[:, 1] with dropout off, [B] (the reward)."""
        return tf.nn.softmax(self(tokens, training=False))[:, 1]
