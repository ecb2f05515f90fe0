"""A tiny oracle experiment (seconds, not hours) shared by the experiment tests."""

from __future__ import annotations

from seqgan_tf.config import ModelConfig
from seqgan_tf.experiments.oracle import ExperimentSpec
from seqgan_tf.schedule import Schedule

TINY_CONFIG = ModelConfig(
    vocab_size=30,
    sequence_length=6,
    gen_emb_dim=4,
    gen_hidden_dim=5,
    dis_emb_dim=5,
    dis_filter_sizes=(1, 2, 3),
    dis_num_filters=(3, 4, 5),
    batch_size=8,
    rollout_num=2,
)
TINY_SCHEDULE = Schedule(
    train_samples=32,
    eval_samples=32,
    dis_samples=32,
    mle_epochs=4,
    mle_eval_every=2,
    dis_pretrain_rounds=2,
    dis_epochs_per_round=1,
    adversarial_iterations=3,
    adversarial_eval_every=2,
    dis_rounds_per_iteration=1,
    rescore_samples=256,
)
# The tiny oracle experiment of the experiment and resume tests (the flags below).
TINY_SPEC = ExperimentSpec(TINY_CONFIG, TINY_SCHEDULE, seed=5, preset="original")
# The tiny model's flags apart from its shapes (a text or music corpus sets those), and the
# tiny schedule's flags apart from its sample counts: every driver test's sizes.
TINY_MODEL_FLAGS = [
    "--gen_emb_dim=4",
    "--gen_hidden_dim=5",
    "--dis_emb_dim=5",
    "--dis_filter_sizes=1,2,3",
    "--dis_num_filters=3,4,5",
    "--batch_size=8",
    "--rollout_num=2",
]
TINY_SCHEDULE_FLAGS = [
    "--mle_epochs=4",
    "--mle_eval_every=2",
    "--dis_pretrain_rounds=2",
    "--dis_epochs_per_round=1",
    "--adversarial_iterations=3",
    "--adversarial_eval_every=2",
    "--dis_rounds_per_iteration=1",
]
TINY_FLAGS = [
    "--random_oracle",
    "--vocab_size=30",
    "--sequence_length=6",
    *TINY_MODEL_FLAGS,
    "--train_samples=32",
    "--eval_samples=32",
    "--dis_samples=32",
    *TINY_SCHEDULE_FLAGS,
    "--rescore_samples=256",
    "--seed=5",
    "--progress_interval=0",
]


class Interrupted(Exception):
    """A kill simulated inside the process."""


def interrupt_after(unit_index: int):
    """An ``after_unit`` hook that raises :class:`Interrupted` after unit ``unit_index``,
    before its checkpoint (the worst moment to die)."""

    def after_unit(index, unit):
        if index == unit_index:
            raise Interrupted(f"after unit {index} ({unit})")

    return after_unit
