"""What every training mode does before its first unit: the strategy checked (the
SeqGAN loops run on one device), and the run announced: its mode, preset and plan in one
sentence, then its projected wall time from its cost model
(:mod:`seqgan_tf.training.projection` for the oracle experiments,
:mod:`seqgan_tf.experiments.text_costs`, :mod:`seqgan_tf.experiments.music_presets`)."""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from flags import make_strategy
from seqgan_tf.schedule import BaselineSchedule, Schedule


def single_device_strategy(strategy_name: str) -> tf.distribute.Strategy:
    """The strategy ``--strategy`` names; an error when it has more than one replica."""
    strategy = make_strategy(strategy_name)
    if strategy.num_replicas_in_sync > 1:
        raise ValueError(
            f"--strategy={strategy_name} gives {strategy.num_replicas_in_sync} replicas; the "
            "SeqGAN loops run on one device (the models have 0.3M and 7M parameters), use "
            "--strategy=one_device or default"
        )
    return strategy


def announce(
    mode: str, preset: str, plan: str, projection: str, print_fn: Callable[[str], None] = print
) -> None:
    """Prints ``--mode=MODE, preset PRESET: PLAN`` and then ``projection``."""
    print_fn(f"--mode={mode}, preset {preset}: {plan}")
    print_fn(projection)


def plan_text(
    schedule: Schedule, baselines: BaselineSchedule | None = None, rescored: bool = True
) -> str:
    """What a schedule does, in one sentence (``rescored``: with the rescoring of the
    reported generators, or with ``baselines`` of every method's, when the schedule has it)."""
    parts = []
    if baselines is not None:
        parts.append(
            f"MLE baseline {baselines.mle_baseline_epochs} epochs (SeqGAN branches after "
            f"{schedule.mle_epochs}, PG-BLEU after {baselines.pg_bleu_mle_epochs}), scheduled "
            f"sampling {baselines.ss_epochs} epochs, PG-BLEU {baselines.pg_bleu_iterations} "
            "iterations"
        )
    else:
        parts.append(f"{schedule.mle_epochs} MLE epochs")
    parts.append(
        f"{_count(schedule.dis_pretrain_rounds, 'discriminator pre-training round')} of "
        f"{_count(schedule.dis_epochs_per_round, 'epoch')}"
    )
    parts.append(
        f"{_count(schedule.adversarial_iterations, 'adversarial iteration')} of "
        f"{_count(schedule.generator_steps_per_iteration, 'generator step')} and "
        f"{_count(schedule.dis_rounds_per_iteration, 'discriminator round')}"
    )
    if rescored and schedule.rescore_samples:
        scored = (
            "the reported generators"
            if baselines is None
            else "each method's final and best generators (Random's untrained one)"
        )
        parts.append(f"{scored} rescored on {schedule.rescore_samples:,} samples")
    return "; ".join(parts) + "."


def _count(number: int, noun: str) -> str:
    """``1 epoch``, ``3 epochs``."""
    return f"{number} {noun}" + ("" if number == 1 else "s")
