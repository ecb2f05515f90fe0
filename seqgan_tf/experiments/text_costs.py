"""A text run's projected wall time, from unit costs measured at the COCO captions' shapes.

The costs (:data:`COCO_UNIT_SECONDS`) are the medians of ``python -m
bench.seqgan_text_speed --repeats=3 --tokens=nltk --seed=88`` on the reference 2-core CPU
(AMD EPYC, TensorFlow 2.21, commit 886f6b3), at COCO's shapes (vocabulary 4,661 ids,
sequences of 38 tokens, 10,000 training captions; the default model sizes). The CPU was
shared with other jobs then (load average 11 to 15 on 2 cores), so they are wall times
under that load, about twice the CPU times the bench also reports: a projection for this
machine as it is shared, not a speed claim. A corpus of another size is projected by
scaling the per-sequence units linearly in its number of training sequences; its
vocabulary and length are taken to be COCO's (the output layer and the rollout's length
dominate), so for another corpus the figure is a rough guide only.
"""

from __future__ import annotations

import dataclasses

from seqgan_tf.metrics.texygen import NUM_SAMPLES
from seqgan_tf.schedule import TEXT_PRESETS, Schedule, evaluations, preset_schedule

COCO_TRAIN_SEQUENCES = 10_000
COCO_UNIT_SECONDS = {
    "mle_epoch": 9.27,  # 156 batches of 64
    "dis_epoch": 69.6,  # 9,984 real + 9,984 generated sequences
    "reward": 38.7,  # one reward matrix: 16 rollouts x 37 prefixes of a batch of 64
    "sample_9984": 4.92,
    "nll_test": 11.3,  # the 10,000 test captions
    "bleu_1000": 0.70,  # BLEU-2..5 of 1,000 samples vs 10,000 references, self-BLEU-2..5
    # The first calls' extra time (tracing and XLA compilation) of the MLE epoch, the
    # discriminator epoch and the reward: paid once per process.
    "compile": (108.7 - 9.27) + (84.7 - 69.6) + (307.6 - 38.7),
}


def projected_text_seconds(schedule: Schedule, train_sequences: int = COCO_TRAIN_SEQUENCES) -> dict:
    """{phase: seconds} of a text run with ``schedule`` (its ``eval_samples`` and
    ``dis_samples`` as the run will use them) and ``train_sequences``, and "total"."""
    cost = COCO_UNIT_SECONDS
    scale = train_sequences / COCO_TRAIN_SEQUENCES
    evaluation = (
        cost["sample_9984"] * schedule.eval_samples / NUM_SAMPLES
        + cost["bleu_1000"] * schedule.eval_samples / 1000  # linear: a lower bound
        + cost["nll_test"] * scale
    )
    discriminator_round = cost["sample_9984"] * schedule.dis_samples / NUM_SAMPLES + (
        schedule.dis_epochs_per_round
        * cost["dis_epoch"]
        * (train_sequences + schedule.dis_samples)
        / (2 * NUM_SAMPLES)
    )

    mle_evaluations = evaluations(schedule.mle_epochs, schedule.mle_eval_every)
    iterations = schedule.adversarial_iterations
    seconds = {
        "compile": cost["compile"],
        "corpus": evaluation + cost["bleu_1000"] * schedule.eval_samples / 1000,
        "mle": schedule.mle_epochs * cost["mle_epoch"] * scale + mle_evaluations * evaluation,
        "dis_pretrain": schedule.dis_pretrain_rounds * discriminator_round,
        "adversarial": iterations
        * (
            schedule.generator_steps_per_iteration * cost["reward"]
            + schedule.dis_rounds_per_iteration * discriminator_round
        )
        + evaluations(iterations, schedule.adversarial_eval_every) * evaluation,
        # Three sets of 9,984: the fast protocol about 5 evaluations' BLEU each, the full
        # one (all the test file, self-BLEU over all 9,984) about 10, linear in the samples.
        "texygen": 2 * cost["sample_9984"] + 3 * cost["bleu_1000"] * (5 + NUM_SAMPLES / 1000),
    }
    seconds["total"] = sum(seconds.values())
    return seconds


def projection_text(preset: str, schedule: Schedule, train_sequences: int) -> str:
    """What a text run announces: its projected wall time and, unless it runs one, the
    text presets'."""
    seconds = projected_text_seconds(schedule, train_sequences)["total"]
    lines = [
        "Projected wall time on the shared 2-core CPU, from units measured at the COCO "
        f"captions' shapes (seqgan_tf/experiments/text_costs.py): {duration(seconds)}."
    ]
    if preset not in TEXT_PRESETS:
        shorter = ", ".join(
            f"--preset={name} ({duration(projected_text_seconds(_text_preset(name))['total'])})"
            for name in TEXT_PRESETS
        )
        lines.append(f"Text presets: {shorter}.")
    return "\n".join(lines)


def _text_preset(name: str) -> Schedule:
    """A text preset's schedule as a run on COCO uses it (negatives: the training size)."""
    return dataclasses.replace(preset_schedule(name), dis_samples=9984)


def duration(seconds: float) -> str:
    if seconds < 60:
        return "under 1 min"
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"
