"""A 1-D GAN trained with the seed's minimax objective; JS(P_data || P_G) measured as it trains.

    min_G max_D V(G, D),   V = E_{x~P_data}[log D(x)] + E_{z~N(0,1)}[log(1 - D(G(z)))]

D takes ``d_steps`` ascent steps on V per generator step. The generator then descends
either the seed's V itself ("minimax": minimise E log(1 - D(G(z)))) or the non-saturating
surrogate ("non_saturating": minimise -E log D(G(z))), which has the same fixed point but
does not lose its gradient when D confidently rejects the generated samples.

Measuring JS needs the density of P_G, which a neural generator does not give. With a 1-D
noise z, though, P_G is the pushforward of N(0, 1) through G, and its probability of any bin
is a 1-D integral over z: we evaluate G on a fine deterministic z-grid, weight each point by
its N(0, 1) mass and histogram the outputs. The data's bin probabilities come exactly from
its CDF. JS of the binned distributions (bins of width ``bin_width`` plus the two tails) is
what is tracked; by the data-processing inequality it is a slight underestimate of the
continuous JS, and the same bins are used at every step, so the curve is comparable.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf
from scipy.special import logsumexp

from divergence import measures, validation
from divergence import optimal_discriminator as od
from divergence.densities import GaussianMixture
from divergence.discriminator import (
    cosine_decay,
    make_discriminator,
    make_mlp,
    value_from_logits,
)

LOSSES = ("minimax", "non_saturating")
# Samples of P_data and of z on which each record estimates V of the current D.
EVAL_SAMPLES = 8192


@dataclasses.dataclass(frozen=True)
class GanConfig:
    steps: int = 3000
    batch_size: int = 256
    d_steps: int = 2
    d_learning_rate: float = 2e-3
    g_learning_rate: float = 1e-3
    loss: str = "minimax"
    hidden_units: tuple[int, ...] = (32, 32)
    lr_floor: float = 0.05
    eval_every: int = 100
    # The measurement grid: bins of this width over [low, high], and the z-grid resolution.
    low: float = -6.0
    high: float = 6.0
    bin_width: float = 0.05
    z_points: int = 100_001

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        for name in ("steps", "batch_size", "d_steps", "eval_every", "z_points"):
            validation.check_positive_int(getattr(self, name), name)
        for name in ("d_learning_rate", "g_learning_rate", "bin_width"):
            validation.check_positive(getattr(self, name), name)
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")

    @property
    def edges(self) -> np.ndarray:
        num = int(round((self.high - self.low) / self.bin_width))
        return np.linspace(self.low, self.high, num + 1)


def generator_loss(logits_gen: tf.Tensor, loss: str) -> tf.Tensor:
    """What the generator minimises, from D's logits on generated samples.

    minimax:        E log(1 - D(G(z))) = -E softplus(l)
    non_saturating: -E log D(G(z))      =  E softplus(-l)
    """
    if loss == "minimax":
        return -tf.reduce_mean(tf.nn.softplus(logits_gen))
    if loss == "non_saturating":
        return tf.reduce_mean(tf.nn.softplus(-logits_gen))
    raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")


def z_grid(num_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Points on [-7, 7] and their N(0, 1) masses (normalised; the tails beyond hold ~1e-12)."""
    z = np.linspace(-7.0, 7.0, num_points)
    log_w = -0.5 * z**2
    w = np.exp(log_w - logsumexp(log_w))
    return z, w


def pushforward_bins(
    generator: keras.Model, edges: np.ndarray, z: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """P_G of the cells (-inf, e_0), [e_0, e_1), ..., [e_last, inf): N(0,1) pushed through G."""
    x = generator(z[:, None].astype(np.float32), training=False).numpy()[:, 0].astype(np.float64)
    cells = np.searchsorted(edges, x, side="right")  # 0 .. len(edges)
    probs = np.bincount(cells, weights=w, minlength=len(edges) + 1)
    return probs / probs.sum()


@dataclasses.dataclass(frozen=True)
class GanRecord:
    step: int
    js: float  # JS(P_data || P_G) on the bins
    max_value: float  # 2 JS - 2 log 2: what a perfect D would score against this G
    d_value: float  # V of the current D against the current G, on the fixed eval batch


@dataclasses.dataclass
class GanResult:
    records: list[GanRecord]
    generator: keras.Model
    discriminator: keras.Model
    data_bins: np.ndarray  # P_data of the cells, as for pushforward_bins
    gen_bins: np.ndarray  # P_G of the cells after training
    edges: np.ndarray


class _GanTrainer:
    """G, D, their optimisers and the traced training loop, reused across runs.

    Tracing the loop costs seconds on a 2-core CPU, so (as for the discriminator trainer)
    one traced function per architecture serves every run: the loss variant, step counts
    and learning rates are arguments, and each run re-initialises weights, Adam state and
    the noise generator.
    """

    def __init__(self, hidden_units: tuple[int, ...], batch_size: int, d_steps: int) -> None:
        self.generator = make_mlp(1, hidden_units, 0, "generator", activation="relu")
        self.discriminator = make_discriminator(1, hidden_units, 0)
        # beta_1 = 0.5 as in DCGAN: less momentum damps the oscillation of the two-player game.
        self.d_opt = keras.optimizers.Adam(1e-3, beta_1=0.5)
        self.g_opt = keras.optimizers.Adam(1e-3, beta_1=0.5)
        self.d_opt.build(self.discriminator.trainable_variables)
        self.g_opt.build(self.generator.trainable_variables)
        self.rng = tf.random.Generator.from_seed(0)
        self.batch_size, self.d_steps = batch_size, d_steps
        i64, f32 = tf.TensorSpec([], tf.int64), tf.TensorSpec([], tf.float32)
        self.run = tf.function(
            self._run,
            input_signature=[
                tf.TensorSpec([None, 1], tf.float32),  # data pool
                i64,  # start
                i64,  # stop
                i64,  # total steps
                f32,  # D learning rate
                f32,  # G learning rate
                f32,  # learning-rate floor
                tf.TensorSpec([], tf.bool),  # non-saturating generator loss?
            ],
        )

    def data_batch(self, data_pool: tf.Tensor, n: int) -> tf.Tensor:
        size = tf.shape(data_pool, out_type=tf.int64)[0]
        return tf.gather(data_pool, self.rng.uniform([n], 0, size, tf.int64))

    def _run(self, data_pool, start, stop, total, d_rate, g_rate, floor, non_saturating):
        g, d, b = self.generator, self.discriminator, self.batch_size
        for step in tf.range(start, stop):
            # Both step sizes decay (cosine, to `floor` of their start) so that the game's
            # oscillation around the equilibrium dies down and the last JS is representative.
            decay = cosine_decay(step, total, floor)
            self.d_opt.learning_rate.assign(d_rate * decay)
            self.g_opt.learning_rate.assign(g_rate * decay)
            for _ in range(self.d_steps):  # ascend V in D (the inner max)
                fake = g(self.rng.normal([b, 1]), training=True)
                with tf.GradientTape() as tape:
                    loss = -value_from_logits(
                        d(self.data_batch(data_pool, b), training=True), d(fake, training=True)
                    )
                grads = tape.gradient(loss, d.trainable_variables)
                self.d_opt.apply(grads, d.trainable_variables)
            with tf.GradientTape() as tape:  # descend in G (the outer min)
                logits = d(g(self.rng.normal([b, 1]), training=True))
                loss = tf.cond(
                    non_saturating,
                    lambda logits=logits: generator_loss(logits, "non_saturating"),
                    lambda logits=logits: generator_loss(logits, "minimax"),
                )
            grads = tape.gradient(loss, g.trainable_variables)
            self.g_opt.apply(grads, g.trainable_variables)

    def reset(self, generator: keras.Model, discriminator: keras.Model, seed: int) -> None:
        self.generator.set_weights(generator.get_weights())
        self.discriminator.set_weights(discriminator.get_weights())
        for variable in self.d_opt.variables + self.g_opt.variables:
            variable.assign(tf.zeros_like(variable))
        self.rng.reset_from_seed(seed)


_TRAINERS: dict[tuple, _GanTrainer] = {}


def train_gan(
    target: GaussianMixture,
    config: GanConfig,
    seed: int,
    progress: Callable[[str], None] | None = None,
    progress_interval: float = 10.0,
) -> GanResult:
    """Trains G and D on ``target`` (a known 1-D P_data); records JS every ``eval_every`` steps.

    Returns new models (not shared with later runs), the JS records and the final bins.
    """
    if target.dim != 1:
        raise ValueError("the GAN demonstration is 1-D: pass a 1-D target")
    edges = config.edges
    data_bins = target.bin_probabilities(edges)
    z_eval, w_eval = z_grid(config.z_points)

    generator = make_mlp(1, config.hidden_units, seed + 100, "generator", activation="relu")
    discriminator = make_discriminator(1, config.hidden_units, seed + 200)
    key = (tuple(config.hidden_units), config.batch_size, config.d_steps)
    if key not in _TRAINERS:
        _TRAINERS[key] = _GanTrainer(*key)
    trainer = _TRAINERS[key]
    trainer.reset(generator, discriminator, seed)
    data_pool = tf.constant(target.sample(200_000, np.random.default_rng(seed)).astype(np.float32))
    # Evaluation has its own stream, spawned from the seed, and draws one batch for all
    # records: how often one evaluates must not change what training sees.
    eval_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    eval_data = target.sample(EVAL_SAMPLES, eval_rng).astype(np.float32)
    eval_z = eval_rng.standard_normal((EVAL_SAMPLES, 1)).astype(np.float32)
    arguments = (
        tf.constant(config.steps, tf.int64),
        tf.constant(config.d_learning_rate, tf.float32),
        tf.constant(config.g_learning_rate, tf.float32),
        tf.constant(config.lr_floor, tf.float32),
        tf.constant(config.loss == "non_saturating"),
    )

    def record(step: int) -> GanRecord:
        bins = pushforward_bins(trainer.generator, edges, z_eval, w_eval)
        js = measures.js_divergence(data_bins, bins)
        value = value_from_logits(
            trainer.discriminator(eval_data), trainer.discriminator(trainer.generator(eval_z))
        )
        return GanRecord(step, js, od.max_value_from_js(js), float(value))

    records = [record(0)]
    started = last_report = time.monotonic()
    step = 0
    while step < config.steps:
        stop = min(step + config.eval_every, config.steps)
        trainer.run(data_pool, tf.constant(step, tf.int64), tf.constant(stop, tf.int64), *arguments)
        step = stop
        records.append(record(step))
        now = time.monotonic()
        if progress is not None and (
            now - last_report >= progress_interval or step == config.steps
        ):
            last_report = now
            eta = (now - started) / step * (config.steps - step)
            progress(
                f"GAN ({config.loss}) step {step}/{config.steps}, JS {records[-1].js:.4f} nats, "
                f"ETA {eta:.0f} s"
            )
    generator.set_weights(trainer.generator.get_weights())
    discriminator.set_weights(trainer.discriminator.get_weights())
    gen_bins = pushforward_bins(generator, edges, z_eval, w_eval)
    return GanResult(records, generator, discriminator, data_bins, gen_bins, edges)


def generator_samples(generator: keras.Model, n: int, seed: int) -> np.ndarray:
    """``n`` samples G(z), z ~ N(0, 1), as an (n, 1) float64 array."""
    validation.check_positive_int(n, "n")
    z = np.random.default_rng(seed).standard_normal((n, 1)).astype(np.float32)
    return generator(z, training=False).numpy().astype(np.float64)


def bin_densities(bins: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Per-unit-length density of the interior bins (for plotting)."""
    return bins[1:-1] / np.diff(edges)
