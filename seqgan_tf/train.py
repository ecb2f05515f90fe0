"""SeqGAN's training: the paper's Algorithm 1 as plain functions over the models.

    Pre-train G_theta by MLE on the training data S          (pretrain_generator_epoch)
    Generate negative samples with G_theta; pre-train D_phi   (train_discriminator_round)
    repeat
        for g-steps:
            generate a sequence batch Y_1:T ~ G_theta;
            compute rewards Q(a = y_t; s = Y_1:t-1) by Monte-Carlo
            rollout with G_beta, scored by D_phi;
            update theta by policy gradient                 (adversarial_step)
        beta <- r beta + (1 - r) theta                       (Rollout.update_params)
        for d-steps:
            generate negatives with G_theta, mix with S,
            train D_phi for k epochs                         (train_discriminator_round)
    until SeqGAN converges

The experiment (``seqgan_tf/experiments/oracle.py``) strings them together in the original's
order, one resumable unit at a time, and measures NLL_oracle (:func:`evaluate`) on the
original's schedule.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle
from seqgan_tf.models.rollout import Rollout


def mle_batches(data: np.ndarray, batch_size: int) -> tf.Tensor:
    """The training data as whole batches [num_batches, B, T], in file order (the
    original's data loader neither shuffles nor keeps a partial batch)."""
    num_batches = len(data) // batch_size
    if num_batches == 0:
        raise ValueError(f"the training data holds fewer than {batch_size} sequences")
    return tf.constant(data[: num_batches * batch_size].reshape(num_batches, batch_size, -1))


def pretrain_generator_epoch(generator: Generator, batches: tf.Tensor) -> float:
    """One MLE epoch (teacher forcing, Adam, global-norm clip); returns the mean loss."""
    return float(generator.pretrain_epoch(batches))


def train_discriminator_round(
    discriminator: Discriminator,
    generator: Generator,
    real: np.ndarray,
    num_samples: int,
    epochs: int,
    rng: tf.random.Generator,
    shuffle_seed: int,
) -> float:
    """One round: ``num_samples`` fresh negatives from G, mixed with the real data,
    shuffled once, ``epochs`` epochs; returns the mean loss."""
    generated = generator.generate_many(num_samples, rng)
    return discriminator.train_round(real, generated, epochs, shuffle_seed)


def adversarial_step(
    generator: Generator,
    rollout: Rollout,
    discriminator: Discriminator,
    rollout_num: int,
    rng: tf.random.Generator,
) -> tuple[float, float]:
    """One policy-gradient step on a fresh batch; returns (loss, mean reward)."""
    length = generator.sequence_length
    samples = generator.generate(generator.config.batch_size, rng.make_seeds(length))
    rewards = rollout.get_reward(samples, rollout_num, discriminator, rng.make_seeds(length))
    loss = float(generator.adversarial_step(samples, rewards))
    return loss, float(tf.reduce_mean(rewards))


def evaluate(
    oracle: Oracle, generator: Generator, num_samples: int, rng: tf.random.Generator
) -> tuple[float, np.ndarray]:
    """NLL_oracle of ``num_samples`` fresh samples of ``generator``, and the samples."""
    return oracle.nll_of_samples(generator, num_samples, rng)
