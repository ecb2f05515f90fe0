"""Maximum likelihood is minimum KL: fit a 1-D Gaussian mixture P_G(x; theta) by gradient descent.

The seed's step from likelihood to divergence:

    argmax_theta prod_i P_G(x_i; theta)
      = argmax_theta (1/m) sum_i log P_G(x_i; theta)               (log is monotone)
      ~ argmax_theta E_{x~P_data}[log P_G(x; theta)]                 (law of large numbers)
      = argmin_theta  E_{x~P_data}[-log P_G(x; theta)] - H(P_data)  (H does not depend on theta)
      = argmin_theta  KL(P_data || P_G(.; theta)).

So at every step of training the mean negative log-likelihood (what the optimiser sees) and
KL(P_data || P_G) (what we care about) differ by a constant: the entropy H(P_data). The
population version (cross-entropy on a grid) differs from KL by *exactly* H; the sample mean
differs by H plus a Monte-Carlo error that does not depend on the step much. ``fit`` records
all of them so the report can show the gap staying put while both fall.
"""

from __future__ import annotations

import dataclasses
import math

import keras
import numpy as np
import tensorflow as tf

from divergence import measures, validation
from divergence.densities import GaussianMixture
from divergence.grids import Grid

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


@dataclasses.dataclass(frozen=True)
class MleConfig:
    num_components: int = 2
    steps: int = 400
    learning_rate: float = 0.02
    record_every: int = 10

    def __post_init__(self) -> None:
        validation.check_positive_int(self.num_components, "num_components")
        validation.check_positive_int(self.steps, "steps")
        validation.check_positive(self.learning_rate, "learning_rate")
        validation.check_positive_int(self.record_every, "record_every")


@dataclasses.dataclass(frozen=True)
class MleRecord:
    """One row of the likelihood-vs-divergence comparison."""

    step: int
    mean_nll: float  # -(1/m) sum_i log P_G(x_i): the training objective, on the samples
    cross_entropy: float  # E_{P_data}[-log P_G], on the grid (population NLL)
    kl: float  # KL(P_data || P_G), on the grid
    entropy: float  # H(P_data), on the grid (the same at every step)


@dataclasses.dataclass
class MleResult:
    model: GaussianMixture
    records: list[MleRecord]


class GaussianMixtureModel(tf.Module):
    """A 1-D Gaussian mixture with unconstrained parameters (logits, means, log-stds)."""

    def __init__(self, means: np.ndarray, std: float) -> None:
        super().__init__(name="gaussian_mixture")
        k = len(means)
        self.logits = tf.Variable(tf.zeros([k], tf.float64), name="logits")
        self.means = tf.Variable(tf.constant(means, tf.float64), name="means")
        self.log_stds = tf.Variable(tf.fill([k], tf.constant(math.log(std), tf.float64)))

    def log_prob(self, x: tf.Tensor) -> tf.Tensor:
        """log P_G(x) for a (n,) float64 tensor, by log-sum-exp over the components."""
        z = (x[:, None] - self.means[None, :]) * tf.exp(-self.log_stds)[None, :]
        log_components = -0.5 * tf.square(z) - self.log_stds[None, :] - _HALF_LOG_2PI
        return tf.reduce_logsumexp(tf.nn.log_softmax(self.logits)[None, :] + log_components, axis=1)

    def to_numpy(self) -> GaussianMixture:
        return GaussianMixture.one_d(
            tf.nn.softmax(self.logits).numpy(), self.means.numpy(), np.exp(self.log_stds.numpy())
        )


def fit(samples: np.ndarray, target: GaussianMixture, grid: Grid, config: MleConfig) -> MleResult:
    """Maximum-likelihood fit of a ``config.num_components`` mixture to 1-D ``samples``.

    Full-batch Adam on the mean negative log-likelihood. ``target`` (the known P_data) and the
    1-D ``grid`` are used only to measure KL, cross-entropy and entropy along the way.
    Components start at the sample quantiles (k + 1/2) / K with the sample's spread, which
    is deterministic and puts one component into each region of mass.
    """
    samples = np.asarray(samples, dtype=np.float64).reshape(-1)
    if samples.size < 2 or not np.all(np.isfinite(samples)):
        raise ValueError("samples must be at least 2 finite numbers")
    if grid.ndim != 1 or target.dim != 1:
        raise ValueError("the MLE demonstration is 1-D: pass a 1-D target and a 1-D grid")
    k = config.num_components
    model = GaussianMixtureModel(
        np.quantile(samples, (np.arange(k) + 0.5) / k), float(np.std(samples)) / math.sqrt(k)
    )
    optimizer = keras.optimizers.Adam(config.learning_rate)
    optimizer.build(model.trainable_variables)
    x = tf.constant(samples)

    @tf.function
    def mean_nll() -> tf.Tensor:
        return -tf.reduce_mean(model.log_prob(x))

    @tf.function
    def run(num_steps: tf.Tensor) -> None:
        for _ in tf.range(num_steps):
            with tf.GradientTape() as tape:
                loss = mean_nll()
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply(grads, model.trainable_variables)

    log_p_data = target.log_prob_on(grid)
    entropy = measures.entropy_grid(log_p_data, grid, log_inputs=True)
    x_grid = tf.constant(grid.axes[0])
    records = []
    step = 0
    while True:
        log_p_g = model.log_prob(x_grid).numpy()
        records.append(
            MleRecord(
                step=step,
                mean_nll=float(mean_nll()),
                cross_entropy=measures.cross_entropy_grid(
                    log_p_data, log_p_g, grid, log_inputs=True
                ),
                kl=measures.kl_divergence_grid(log_p_data, log_p_g, grid, log_inputs=True),
                entropy=entropy,
            )
        )
        if step >= config.steps:
            break
        chunk = min(config.record_every, config.steps - step)
        run(tf.constant(chunk, tf.int64))
        step += chunk
    return MleResult(model.to_numpy(), records)
