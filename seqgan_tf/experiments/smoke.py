"""``--mode=smoke``: the oracle experiment (:mod:`seqgan_tf.experiments.oracle`) at a tiny
schedule, with the model flags as given: every phase of Algorithm 1 runs once (two MLE
epochs with NLL_oracle, a discriminator pre-training round, one adversarial iteration with
its rollout rewards and discriminator round) on ten batches of data, through the same
loop, runner, logs and results as a full run. It checks that the models fit together in
a minute or two; the paper's schedule is ``--mode=oracle``.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from seqgan_tf.config import ModelConfig
from seqgan_tf.experiments.launch import announce, plan_text
from seqgan_tf.experiments.oracle import ExperimentSpec, OracleExperiment
from seqgan_tf.schedule import Schedule
from seqgan_tf.training import projection

SMOKE_BATCHES = 10  # of training data, of each evaluation's samples and of negatives


def smoke_schedule(config: ModelConfig) -> Schedule:
    """Every phase once, on ``SMOKE_BATCHES`` batches of ``config.batch_size``."""
    return Schedule(
        train_samples=SMOKE_BATCHES * config.batch_size,
        eval_samples=SMOKE_BATCHES * config.batch_size,
        dis_samples=SMOKE_BATCHES * config.batch_size,
        mle_epochs=2,
        mle_eval_every=1,
        dis_pretrain_rounds=1,
        dis_epochs_per_round=1,
        adversarial_iterations=1,
        adversarial_eval_every=1,
        generator_steps_per_iteration=1,
        dis_rounds_per_iteration=1,
        rescore_samples=0,
    )


def run_smoke(
    workdir: str,
    config: ModelConfig,
    oracle_params: str | None,
    real_data: str | None,
    seed: int = 88,
    progress_interval: float = 0.0,
    print_fn: Callable[[str], None] = print,
) -> dict:
    """Runs (or resumes) the smoke configuration (``--mode=smoke``) in ``workdir``; returns
    its results."""
    schedule = smoke_schedule(config)
    tf.get_logger().setLevel("WARNING")  # checkpoint writes log at INFO on every save
    announce(
        "smoke",
        "smoke",
        plan_text(schedule),
        projection.projection_text("smoke", schedule),
        print_fn,
    )
    spec = ExperimentSpec(config, schedule, seed, "smoke", oracle_params, real_data)
    return OracleExperiment(
        workdir, spec, progress_interval=progress_interval, print_fn=print_fn
    ).run()
