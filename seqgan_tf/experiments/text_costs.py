"""A text run's projected wall time, from unit costs measured at a corpus's shapes.

Two cost tables, each the medians of one run of ``python -m bench.seqgan_text_speed
--repeats=3 --seed=88`` on the reference 2-core CPU (AMD EPYC, TensorFlow 2.21) with the
default model sizes, while the CPU was shared with other jobs: wall times under that load,
longer than the CPU times the bench also reports. They project for this machine as it is
shared, not speed claims.

* :data:`COCO`, at the COCO captions' shapes (``--tokens=nltk``: vocabulary 4,661 ids,
  sequences of 38 tokens, 10,000 training and 10,000 test captions; commit 886f6b3), at a
  load average of 11 to 15: wall times about twice the CPU times.
* :data:`QUATRAINS`, at the five-character quatrains' (``--tokens=char
  --data=quatrains_5char.txt``, split by the seed as ``--mode=text`` splits it: vocabulary
  5,960 ids, sequences of 21, 15,061 training and 1,673 test poems; commit 7faebf8's
  code), beside two idle-class training runs and, from its first unit on, another bench
  and a scoring run (load average 2.2 before, 6.4 after): wall times 1.1 to 1.5 times the
  CPU times (the discriminator epoch's 1.5); its report: docs/runs/bench-text-quatrains/.

A run is projected from the table measured at the sequence length nearest its own (the
rollout's prefixes and every per-token unit scale with it). Within a table, the
per-sequence units scale linearly in the run's training sequences, the test NLL in its
test sequences; the vocabulary and length are taken to be the table's, so for a corpus
far from both the figure is a rough guide only.
"""

from __future__ import annotations

import dataclasses

from seqgan_tf.metrics.texygen import NUM_SAMPLES
from seqgan_tf.schedule import TEXT_PRESETS, Schedule, evaluations, preset_schedule

BATCH = 64  # the bench's batch size and the default model's

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
# The same units at the quatrains' shapes (the module docstring says how and when).
QUATRAIN_UNIT_SECONDS = {
    "mle_epoch": 5.643,
    "dis_epoch": 53.176,
    "reward": 12.233,  # 16 rollouts x 20 prefixes
    "sample_9984": 3.082,
    "nll_test": 3.934,  # the 1,673 test poems
    "bleu_1000": 0.739,  # against the 1,673 test poems
    "compile": (22.375 - 5.643) + (68.478 - 53.176) + (60.520 - 12.233),
}


@dataclasses.dataclass(frozen=True)
class CostTable:
    """Unit seconds (``seconds``, keyed as :data:`COCO_UNIT_SECONDS`) measured at one
    corpus's shapes, and those shapes."""

    corpus: str  # whose shapes, as the announcement names them
    sequence_length: int
    train_sequences: int
    test_sequences: int
    seconds: dict[str, float]


COCO = CostTable("the COCO captions'", 38, COCO_TRAIN_SEQUENCES, 10_000, COCO_UNIT_SECONDS)
QUATRAINS = CostTable("the quatrains'", 21, 15_061, 1_673, QUATRAIN_UNIT_SECONDS)
# The corpus each text preset was made for: the one it is projected on in a list of presets.
PRESET_TABLES = {"coco": COCO, "texygen": COCO, "poems": QUATRAINS}


def cost_table(sequence_length: int) -> CostTable:
    """The table measured at the sequence length nearest ``sequence_length`` (COCO's on a
    tie)."""
    return min((COCO, QUATRAINS), key=lambda table: abs(table.sequence_length - sequence_length))


def projected_text_seconds(
    schedule: Schedule,
    train_sequences: int | None = None,
    test_sequences: int | None = None,
    table: CostTable = COCO,
) -> dict:
    """{phase: seconds} of a text run with ``schedule`` (its ``eval_samples`` and
    ``dis_samples`` as the run will use them), ``train_sequences`` and ``test_sequences``
    (default: the table's corpus's), from ``table``; and "total"."""
    cost = table.seconds
    mle_epoch, evaluation, discriminator_round = _unit_costs(
        schedule, train_sequences, test_sequences, table
    )
    mle_evaluations = evaluations(schedule.mle_epochs, schedule.mle_eval_every)
    iterations = schedule.adversarial_iterations
    seconds = {
        "compile": cost["compile"],
        "corpus": evaluation + cost["bleu_1000"] * schedule.eval_samples / 1000,
        "mle": schedule.mle_epochs * mle_epoch + mle_evaluations * evaluation,
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


def unit_seconds(
    schedule: Schedule, train_sequences: int, test_sequences: int, table: CostTable
) -> dict[tuple[str, bool], float]:
    """Projected mean seconds of each kind of a text run's units, keyed by (phase,
    part > 0) as progress lines ask for them (an adversarial iteration's discriminator
    rounds are its parts 1..). The first calls' compilation is left out: progress lines
    leave each kind's first unit out of its mean."""
    phases = projected_text_seconds(schedule, train_sequences, test_sequences, table)
    _, _, discriminator_round = _unit_costs(schedule, train_sequences, test_sequences, table)
    iterations = schedule.adversarial_iterations
    rounds = iterations * schedule.dis_rounds_per_iteration
    return {
        ("corpus", False): phases["corpus"],
        ("mle", False): phases["mle"] / max(1, schedule.mle_epochs),
        ("dis_pretrain", False): discriminator_round,
        ("adversarial", False): (phases["adversarial"] - rounds * discriminator_round)
        / max(1, iterations),
        ("adversarial", True): discriminator_round,
        ("texygen", False): phases["texygen"],
    }


def _unit_costs(
    schedule: Schedule,
    train_sequences: int | None,
    test_sequences: int | None,
    table: CostTable,
) -> tuple[float, float, float]:
    """Seconds of one MLE epoch, one evaluation and one discriminator round."""
    cost = table.seconds
    if train_sequences is None:
        train_sequences = table.train_sequences
    if test_sequences is None:
        test_sequences = table.test_sequences
    # An MLE epoch runs over the training split in whole batches; the bench's over 156.
    mle_epoch = cost["mle_epoch"] * (train_sequences // BATCH * BATCH) / NUM_SAMPLES
    evaluation = (
        cost["sample_9984"] * schedule.eval_samples / NUM_SAMPLES
        + cost["bleu_1000"] * schedule.eval_samples / 1000  # linear: a lower bound
        + cost["nll_test"] * test_sequences / table.test_sequences
    )
    discriminator_round = cost["sample_9984"] * schedule.dis_samples / NUM_SAMPLES + (
        schedule.dis_epochs_per_round
        * cost["dis_epoch"]
        * (train_sequences + schedule.dis_samples)
        / (2 * NUM_SAMPLES)
    )
    return mle_epoch, evaluation, discriminator_round


def projection_text(
    preset: str,
    schedule: Schedule,
    train_sequences: int,
    test_sequences: int,
    sequence_length: int,
) -> str:
    """What a text run announces: its projected wall time, from the table nearest its
    ``sequence_length``, and, unless it runs one, the text presets' on their corpora."""
    table = cost_table(sequence_length)
    seconds = projected_text_seconds(schedule, train_sequences, test_sequences, table)["total"]
    lines = [
        f"Projected wall time on the shared 2-core CPU, from units measured at {table.corpus} "
        f"shapes (seqgan_tf/experiments/text_costs.py): {duration(seconds)}."
    ]
    if preset not in TEXT_PRESETS:
        listed = ", ".join(
            f"--preset={name} ({duration(preset_projection(name)['total'])})"
            for name in TEXT_PRESETS
        )
        lines.append(f"Text presets, each on the corpus it was made for: {listed}.")
    return "\n".join(lines)


def preset_projection(name: str) -> dict:
    """A text preset's projected seconds on the corpus it was made for
    (:data:`PRESET_TABLES`), its negatives per round the training split in whole batches
    as a run's default."""
    table = PRESET_TABLES[name]
    negatives = table.train_sequences // BATCH * BATCH
    schedule = dataclasses.replace(preset_schedule(name), dis_samples=negatives)
    return projected_text_seconds(schedule, table=table)


def duration(seconds: float) -> str:
    if seconds < 60:
        return "under 1 min"
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"
