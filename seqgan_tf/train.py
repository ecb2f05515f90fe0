"""SeqGAN's training: Algorithm 1 of the paper, as the loop :func:`seqgan` runs it.

    Pre-train G_theta using MLE on the training data S
    Generate negative samples using G_theta for training D_phi; pre-train D_phi
    repeat
        for g-steps do
            generate a sequence Y_1:T ~ G_theta
            compute Q(a = y_t; s = Y_1:t-1) by Monte-Carlo rollout with G_beta, scored by D_phi
            update generator parameters theta via policy gradient
        end for
        beta <- r beta + (1 - r) theta
        for d-steps do
            use G_theta to generate negatives, combine with S; train D_phi for k epochs
        end for
    until SeqGAN converges

:func:`seqgan` is that loop in the original's order (``sequence_gan.py``); the adversarial
part is :func:`adversarial_training`, which takes the reward as a function so that the
paper's PG-BLEU baseline (BLEU through the rollout instead of D) is the same trainer.

Each ``run.steps`` / ``run.unit`` / ``run.parts`` is a checkpointed unit of a resumable
run (:class:`seqgan_tf.training.runner.Run`): a resumed run skips the units already done.
What an experiment measures and keeps (NLL_oracle or BLEU, the best and final generators,
sample files) are its :class:`Hooks`, called when :func:`evaluated` says a step is
evaluated.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Protocol

import numpy as np
import tensorflow as tf

from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.rollout import Rollout
from seqgan_tf.schedule import Schedule, evaluated
from seqgan_tf.training.runner import Run, Unit

# reward(samples [B, T], seeds [2, T]) -> rewards [B, T] of each token given its prefix
Reward = Callable[[tf.Tensor, tf.Tensor], tf.Tensor]


@dataclasses.dataclass
class Models:
    """G_theta, D_phi, the rollout network G_beta, and the run's random stream."""

    generator: Generator
    discriminator: Discriminator
    rollout: Rollout
    rng: tf.random.Generator
    seed: int  # fixes each discriminator round's shuffle (:func:`unit_seed`)


class Hooks(Protocol):
    """What an experiment does around the loop's training (periodic actions)."""

    def phase_started(self, run: Run, phase: str) -> None:
        """Inside a phase's first unit (e.g. the original's "pre-training..." log line)."""

    def evaluate_step(self, run: Run, phase: str, step: int) -> None:
        """After a step :func:`evaluated` selects: measure, log, keep final and best."""


def seqgan(run: Run, models: Models, data: np.ndarray, schedule: Schedule, hooks: Hooks) -> None:
    """Algorithm 1 on the training data ``data`` [N, T]."""
    generator, discriminator, rollout = models.generator, models.discriminator, models.rollout

    # Pre-train G_theta using MLE on S.
    batches = mle_batches(data, generator.config.batch_size)
    for epoch in run.steps("mle", schedule.mle_epochs):
        if epoch == 0:
            hooks.phase_started(run, "mle")
        run.record(mle_loss=float(generator.pretrain_epoch(batches)))
        if evaluated(epoch, schedule.mle_eval_every, schedule.mle_epochs):
            hooks.evaluate_step(run, "mle", epoch)

    # Generate negatives using G_theta; pre-train D_phi on them and S.
    def discriminator_round() -> float:
        return train_discriminator_round(
            discriminator,
            generator,
            data,
            schedule.dis_samples,
            schedule.dis_epochs_per_round,
            models.rng,
            unit_seed(models.seed, run.current),
        )

    for _ in run.steps("dis_pretrain", schedule.dis_pretrain_rounds):
        run.record(dis_loss=discriminator_round())

    # repeat: g-steps with D's reward through the rollout, beta's update, d-steps.
    def reward(samples: tf.Tensor, seeds: tf.Tensor) -> tf.Tensor:
        return rollout.get_reward(samples, generator.config.rollout_num, discriminator, seeds)

    adversarial_training(
        run,
        "adversarial",
        models,
        reward,
        iterations=schedule.adversarial_iterations,
        generator_steps=schedule.generator_steps_per_iteration,
        eval_every=schedule.adversarial_eval_every,
        hooks=hooks,
        discriminator_rounds=schedule.dis_rounds_per_iteration,
        discriminator_round=discriminator_round,
    )


def adversarial_training(
    run: Run,
    phase: str,
    models: Models,
    reward: Reward,
    iterations: int,
    generator_steps: int,
    eval_every: int,
    hooks: Hooks,
    discriminator_rounds: int = 0,
    discriminator_round: Callable[[], float] | None = None,
) -> None:
    """The "repeat" of Algorithm 1: each iteration one unit of ``generator_steps``
    policy-gradient steps rewarded by ``reward`` and the rollout's update, then
    ``discriminator_rounds`` units of one discriminator round each."""
    generator, rollout = models.generator, models.rollout
    for iteration in range(iterations):
        for _ in run.unit(phase, iteration):
            if iteration == 0:
                hooks.phase_started(run, phase)
                # The original builds its rollout network here, from the pre-trained G.
                rollout.copy_params_from(generator)
            for _ in range(generator_steps):
                run.record(**policy_gradient_step(generator, reward, models.rng))
            if evaluated(iteration, eval_every, iterations):
                hooks.evaluate_step(run, phase, iteration)
            rollout.update_params(generator)  # beta <- r beta + (1 - r) theta
        for _ in run.parts(phase, iteration, discriminator_rounds):
            run.record(dis_loss=discriminator_round())


def seqgan_units(schedule: Schedule) -> list[Unit]:
    """The units :func:`seqgan` visits, in order: the runner's plan of the loop above."""
    units = [Unit("mle", epoch) for epoch in range(schedule.mle_epochs)]
    units += [Unit("dis_pretrain", r) for r in range(schedule.dis_pretrain_rounds)]
    return units + adversarial_units(
        "adversarial", schedule.adversarial_iterations, schedule.dis_rounds_per_iteration
    )


def adversarial_units(phase: str, iterations: int, discriminator_rounds: int) -> list[Unit]:
    """The units :func:`adversarial_training` visits: part 0 is G's, k >= 1 D's k-th round."""
    return [
        Unit(phase, i, part) for i in range(iterations) for part in range(1 + discriminator_rounds)
    ]


def policy_gradient_step(generator: Generator, reward: Reward, rng: tf.random.Generator) -> dict:
    """One policy-gradient update of ``generator`` on a fresh batch scored by ``reward``;
    returns the loss (before the update) and the mean reward."""
    length = generator.sequence_length
    samples = generator.generate(generator.config.batch_size, rng.make_seeds(length))
    rewards = reward(samples, rng.make_seeds(length))
    loss = generator.adversarial_step(samples, rewards)
    return {"adversarial_loss": float(loss), "mean_reward": float(tf.reduce_mean(rewards))}


def mle_batches(data: np.ndarray, batch_size: int) -> tf.Tensor:
    """The training data as whole batches [num_batches, B, T], in file order (the
    original's data loader neither shuffles nor keeps a partial batch)."""
    num_batches = len(data) // batch_size
    if num_batches == 0:
        raise ValueError(f"the training data holds fewer than {batch_size} sequences")
    return tf.constant(data[: num_batches * batch_size].reshape(num_batches, batch_size, -1))


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


def unit_seed(seed: int, unit: Unit) -> int:
    """A seed fixed by the run's seed and the unit (not by Python's string hashing)."""
    key = f"{seed}/{unit.phase}/{unit.step}/{unit.part}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "little")
