"""A few minutes' run of every SeqGAN model on the oracle: one step of each kind.

MLE steps, NLL_oracle before and after, discriminator steps, one reward matrix from
16 rollouts, one policy-gradient step and one rollout update. It checks that the
models fit together and prints what each step measured; the full schedule of the
paper is the oracle experiment.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import tensorflow as tf
from absl import logging

from seqgan_tf.config import ModelConfig
from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle
from seqgan_tf.models.rollout import Rollout


def load_oracle(params_path: str | None, seed: int, config: ModelConfig) -> Oracle:
    """The published oracle from ``params_path``, else a seeded N(0, 1) one (said loudly)."""
    if params_path:
        oracle = Oracle.from_file(params_path, config)
        logging.info("oracle: published parameters from %s", params_path)
    else:
        oracle = Oracle.from_seed(seed, config)
        logging.warning(
            "oracle: no parameter file given or found; using a random N(0,1) oracle (seed %d). "
            "NLL_oracle values are NOT comparable with the paper's.",
            seed,
        )
    return oracle


def run_smoke(
    workdir: str,
    oracle_params: str | None,
    real_data: str | None,
    seed: int = 88,
    mle_steps: int = 30,
    dis_steps: int = 10,
    num_samples: int = 640,
) -> dict:
    """Runs the smoke test; writes ``workdir/smoke.json`` and ``workdir/samples.txt``."""
    config = ModelConfig()
    os.makedirs(workdir, exist_ok=True)
    rng = tf.random.Generator.from_seed(seed)
    started = time.time()
    oracle = load_oracle(oracle_params, seed, config)
    if real_data:
        real = read_token_file(real_data, config.vocab_size, config.sequence_length)
        real = real[:num_samples]
    else:
        real = oracle.generate(num_samples, rng.make_seeds(config.sequence_length)).numpy()
    batches = [real[i : i + config.batch_size] for i in range(0, len(real), config.batch_size)]

    generator = Generator(config, seed=seed)
    discriminator = Discriminator(config, seed=seed + 1)

    def generated(n: int) -> np.ndarray:
        return generator.generate(n, rng.make_seeds(config.sequence_length)).numpy()

    report: dict = {"oracle": oracle.source}
    report["nll_oracle_before_mle"] = oracle.nll(generated(num_samples))
    losses = [
        float(generator.pretrain_step(tf.constant(batches[step % len(batches)])))
        for step in range(mle_steps)
    ]
    report["mle_loss_first_last"] = [losses[0], losses[-1]]
    report["nll_oracle_after_mle"] = oracle.nll(generated(num_samples))
    logging.info(
        "MLE: %d steps, loss %.3f -> %.3f; NLL_oracle %.3f -> %.3f",
        mle_steps,
        losses[0],
        losses[-1],
        report["nll_oracle_before_mle"],
        report["nll_oracle_after_mle"],
    )

    dis_losses = []
    for step in range(dis_steps):
        real_batch = batches[step % len(batches)]
        fake_batch = generated(len(real_batch))
        tokens = np.concatenate([real_batch, fake_batch])
        labels = np.r_[np.ones(len(real_batch), int), np.zeros(len(fake_batch), int)]
        order = np.random.default_rng(seed + step).permutation(len(tokens))
        dis_losses.append(
            float(
                discriminator.train_step_on_batch(
                    tf.constant(tokens[order]), tf.one_hot(labels[order], 2)
                )
            )
        )
    report["dis_loss_first_last"] = [dis_losses[0], dis_losses[-1]]
    logging.info(
        "discriminator: %d steps, loss %.3f -> %.3f", dis_steps, *report["dis_loss_first_last"]
    )

    rollout = Rollout(generator, config.rollout_update_rate)
    samples = generator.generate(config.batch_size, rng.make_seeds(config.sequence_length))
    reward_started = time.time()
    rewards = rollout.get_reward(
        samples, config.rollout_num, discriminator, rng.make_seeds(config.sequence_length)
    ).numpy()
    report["reward_seconds_first_call"] = time.time() - reward_started
    report["reward_shape"] = list(rewards.shape)
    report["reward_mean_by_position"] = [float(v) for v in rewards.mean(axis=0)]
    report["adversarial_loss"] = float(generator.adversarial_step(samples, rewards))
    rollout.update_params(generator)
    logging.info(
        "adversarial step: rewards %s in [%.3f, %.3f], loss %.3f",
        rewards.shape,
        rewards.min(),
        rewards.max(),
        report["adversarial_loss"],
    )
    report["nll_oracle_after_adversarial_step"] = oracle.nll(generated(num_samples))
    write_token_file(os.path.join(workdir, "samples.txt"), generated(config.batch_size))
    report["wall_seconds"] = time.time() - started
    with open(os.path.join(workdir, "smoke.json"), "w") as f:
        json.dump(report, f, indent=2)
    return report
