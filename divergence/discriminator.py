"""A small Keras discriminator trained on samples with the seed's objective V(G, D).

Training maximises the sample estimate of

    V(G, D) = E_{x~P_data}[log D(x)] + E_{x~P_G}[log(1 - D(x))],

i.e. minimises the binary cross-entropy with "data" = 1 and "generated" = 0. The network
outputs the logit l(x), D = sigmoid(l), so log D = -softplus(-l) is exact. Samples are drawn
from large fixed pools (known distributions, so the pools stand in for fresh samples); the
whole run of steps is one tf.function loop, which keeps the 2-core CPU busy with arithmetic
rather than Python.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from divergence import validation

# The discriminator's step decays to this fraction of its peak.
_LR_FLOOR = 0.02


def make_mlp(
    input_dim: int,
    hidden_units: tuple[int, ...],
    seed: int,
    name: str,
    activation: str = "tanh",
    output_dim: int = 1,
) -> keras.Model:
    """An MLP whose last layer is linear; initialisers are seeded so runs repeat exactly.

    float32 explicitly: the comparisons with float64 closed forms must not change if some
    other code in the process sets a global mixed-precision policy.
    """
    layers: list[keras.layers.Layer] = [keras.Input(shape=(input_dim,))]
    for i, units in enumerate(hidden_units):
        layers.append(
            keras.layers.Dense(
                units,
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i),
                dtype="float32",
            )
        )
    layers.append(
        keras.layers.Dense(
            output_dim,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1000),
            dtype="float32",
        )
    )
    return keras.Sequential(layers, name=name)


def make_discriminator(
    input_dim: int = 1, hidden_units: tuple[int, ...] = (32, 32), seed: int = 0
) -> keras.Model:
    """x -> logit of D(x). tanh units give the smooth logit that D* = sigmoid(log p_d - log p_g)
    has for Gaussian pairs (a quadratic in x), with few units."""
    return make_mlp(input_dim, hidden_units, seed, "discriminator", activation="tanh")


def cosine_decay(step: tf.Tensor, total: tf.Tensor, floor: float | tf.Tensor) -> tf.Tensor:
    """A learning-rate factor falling from 1 at step 0 to ``floor`` at step ``total`` along
    half a cosine: floor + (1 - floor) (1 + cos(pi step / total)) / 2."""
    progress = tf.cast(step, tf.float32) / tf.cast(total, tf.float32)
    return floor + (1.0 - floor) * 0.5 * (1.0 + tf.cos(np.pi * progress))


def value_from_logits(logits_data: tf.Tensor, logits_gen: tf.Tensor) -> tf.Tensor:
    """The sample estimate of V(G, D) from the discriminator's logits."""
    return -tf.reduce_mean(tf.nn.softplus(-logits_data)) - tf.reduce_mean(
        tf.nn.softplus(logits_gen)
    )


@dataclasses.dataclass(frozen=True)
class DiscriminatorConfig:
    steps: int = 1500
    batch_size: int = 512
    learning_rate: float = 3e-3
    hidden_units: tuple[int, ...] = (32, 32)
    # Evaluations of V on a fixed batch recorded during training (for the curve).
    num_records: int = 20

    def __post_init__(self) -> None:
        validation.check_positive_int(self.steps, "steps")
        validation.check_positive_int(self.batch_size, "batch_size")
        validation.check_positive(self.learning_rate, "learning_rate")
        validation.check_positive_int(self.num_records, "num_records")


@dataclasses.dataclass
class TrainedDiscriminator:
    model: keras.Model
    # (step, V estimated on a fixed held-out batch) pairs, from step 0 to the last step.
    history: list[tuple[int, float]]

    def logits(self, x: np.ndarray) -> np.ndarray:
        """float64 logits at points of shape (n,) or (n, dim)."""
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 1:
            x = x[:, None]
        return self.model(x, training=False).numpy()[:, 0].astype(np.float64)


def _pool(samples: np.ndarray, name: str) -> tf.Tensor:
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2 or len(samples) < 2:
        raise ValueError(f"{name} must be an (n, dim) array of at least 2 samples")
    return tf.constant(samples)


class _Trainer:
    """One discriminator, optimiser and traced training loop per architecture, reused.

    Tracing the training loop costs seconds on a 2-core CPU, more than training a small D
    for a thousand steps; a report trains six discriminators of one architecture and the
    tests more. So the traced function takes the sample pools, step counts and schedule as
    arguments, and each training run re-initialises the weights, the Adam state and the
    minibatch generator instead of building new ones.
    """

    def __init__(self, input_dim: int, hidden_units: tuple[int, ...], batch_size: int) -> None:
        self.model = make_discriminator(input_dim, hidden_units, seed=0)
        self.optimizer = keras.optimizers.Adam(1e-3)
        self.optimizer.build(self.model.trainable_variables)
        self.rng = tf.random.Generator.from_seed(0)
        pool_spec = tf.TensorSpec([None, input_dim], tf.float32)
        scalar = tf.TensorSpec([], tf.int64)
        rate = tf.TensorSpec([], tf.float32)
        self.run = tf.function(
            self._run, input_signature=[pool_spec, pool_spec, scalar, scalar, scalar, rate]
        )
        self.batch_size = batch_size

    def _run(self, data_pool, gen_pool, start, stop, total, peak_rate) -> None:
        n_data = tf.shape(data_pool, out_type=tf.int64)[0]
        n_gen = tf.shape(gen_pool, out_type=tf.int64)[0]
        for step in tf.range(start, stop):
            # A large step to get near D* fast, a small one at the end so that minibatch
            # noise does not keep D jittering around it.
            decay = cosine_decay(step, total, _LR_FLOOR)
            self.optimizer.learning_rate.assign(peak_rate * decay)
            xd = tf.gather(data_pool, self.rng.uniform([self.batch_size], 0, n_data, tf.int64))
            xg = tf.gather(gen_pool, self.rng.uniform([self.batch_size], 0, n_gen, tf.int64))
            with tf.GradientTape() as tape:
                logits_d = self.model(xd, training=True)
                logits_g = self.model(xg, training=True)
                loss = -value_from_logits(logits_d, logits_g)
            grads = tape.gradient(loss, self.model.trainable_variables)
            self.optimizer.apply(grads, self.model.trainable_variables)

    def reset(self, weights: list[np.ndarray], seed: int) -> None:
        self.model.set_weights(weights)
        for variable in self.optimizer.variables:  # Adam moments and the step counter
            variable.assign(tf.zeros_like(variable))
        self.rng.reset_from_seed(seed)


_TRAINERS: dict[tuple, _Trainer] = {}


def _trainer(input_dim: int, hidden_units: tuple[int, ...], batch_size: int) -> _Trainer:
    key = (input_dim, tuple(hidden_units), batch_size)
    if key not in _TRAINERS:
        _TRAINERS[key] = _Trainer(input_dim, tuple(hidden_units), batch_size)
    return _TRAINERS[key]


def train_discriminator(
    data_samples: np.ndarray,
    gen_samples: np.ndarray,
    config: DiscriminatorConfig,
    seed: int,
    held_out: tuple[np.ndarray, np.ndarray] | None = None,
    init_from: keras.Model | None = None,
) -> TrainedDiscriminator:
    """Trains a fresh discriminator to maximise V on minibatches drawn from the two pools.

    Args:
      data_samples, gen_samples: (n, dim) pools of samples of P_data and of P_G.
      config: steps, batch size, peak learning rate (cosine-decayed), width.
      seed: seeds the initial weights and the minibatch draws.
      held_out: samples (data, generated) on which V is recorded during training; by
        default the first 4096 of each pool.
      init_from: a discriminator of the same architecture to start from (a copy is trained),
        e.g. a GAN's D when maximising over D against its frozen final G; default: fresh.

    Returns:
      A new model (not shared with later calls) and its held-out V during training.
    """
    data_pool, gen_pool = _pool(data_samples, "data_samples"), _pool(gen_samples, "gen_samples")
    dim = data_pool.shape[1]
    if dim != gen_pool.shape[1]:
        raise ValueError(
            f"mismatched supports: data samples are {dim}-D, generated samples "
            f"{gen_pool.shape[1]}-D"
        )
    if held_out is None:
        held_out = (data_samples[:4096], gen_samples[:4096])
    eval_data, eval_gen = _pool(held_out[0], "held_out data"), _pool(held_out[1], "held_out gen")

    model = make_discriminator(dim, config.hidden_units, seed)
    if init_from is not None:
        shapes = [w.shape for w in init_from.get_weights()]
        if shapes != [w.shape for w in model.get_weights()]:
            raise ValueError(
                f"init_from has weights of shapes {shapes}, but hidden_units="
                f"{config.hidden_units} on {dim}-D input needs "
                f"{[w.shape for w in model.get_weights()]}"
            )
        model.set_weights(init_from.get_weights())
    trainer = _trainer(dim, config.hidden_units, config.batch_size)
    trainer.reset(model.get_weights(), seed)

    def held_out_value() -> float:
        # Eager: one forward pass is cheaper than tracing another function.
        return float(value_from_logits(trainer.model(eval_data), trainer.model(eval_gen)))

    total = tf.constant(config.steps, tf.int64)
    rate = tf.constant(config.learning_rate, tf.float32)
    boundaries = np.unique(np.linspace(0, config.steps, config.num_records + 1).astype(int))
    history = [(0, held_out_value())]
    for start, stop in zip(boundaries[:-1], boundaries[1:], strict=True):
        trainer.run(
            data_pool,
            gen_pool,
            tf.constant(start, tf.int64),
            tf.constant(stop, tf.int64),
            total,
            rate,
        )
        history.append((int(stop), held_out_value()))
    model.set_weights(trainer.model.get_weights())
    return TrainedDiscriminator(model, history)
