"""The oracle experiment's schedule, and the named presets.

``original`` is the authors' current published code (sequence_gan.py); ``paper`` is
the paper-era code (240 MLE epochs, 800 adversarial iterations, NLL_oracle after every
iteration with the best value kept, generator Adam at 1e-3); ``quick`` is a short run
for a 2-core CPU that still shows the adversarial phase improving on MLE; ``cpu`` is the
shortest schedule found that comes near the paper's SeqGAN NLL_oracle there.

The module runs past 300 lines because every oracle and text preset is written out whole
here, beside the dataclasses it fills and their checks: a preset is read as one block.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable


def _check_minimums(values, ones) -> None:
    """Every numeric field of the dataclass ``values`` is >= 0, or >= 1 where
    ``ones(name)``; errors name the flag."""
    for field in dataclasses.fields(values):
        value = getattr(values, field.name)
        if isinstance(value, str):
            continue
        minimum = 1 if ones(field.name) else 0
        if value < minimum:
            raise ValueError(f"--{field.name} must be at least {minimum}, got {value}")


# Schedule's sample counts, which were one field, num_samples, before they were split.
SAMPLE_COUNTS = ("train_samples", "eval_samples", "dis_samples")


@dataclasses.dataclass(frozen=True)
class Schedule:
    """How long each phase runs and how often NLL_oracle is measured."""

    # The original's generated_num = 10000 in whole batches of 64 (156 x 64), for each of
    # its three uses, which are three settings here.
    train_samples: int = 9984
    eval_samples: int = 9984
    dis_samples: int = 9984
    mle_epochs: int = 120
    mle_eval_every: int = 5
    dis_pretrain_rounds: int = 50
    dis_epochs_per_round: int = 3
    adversarial_iterations: int = 200  # TOTAL_BATCH; the paper-era code ran 800
    adversarial_eval_every: int = 5
    generator_steps_per_iteration: int = 1
    dis_rounds_per_iteration: int = 5
    # Not in the original, which logs the 9,984-sample evaluations only: the paper averages
    # over 100,000 samples, and a best evaluation chosen on the samples it is reported from
    # is optimistic (the winner's curse), so the reported generators are scored afresh.
    rescore_samples: int = dataclasses.field(default=100_000, metadata={"original": False})

    def __post_init__(self) -> None:
        _check_minimums(
            self,
            ones=lambda name: (
                name.endswith("_every")
                or name in (*SAMPLE_COUNTS, "dis_epochs_per_round", "generator_steps_per_iteration")
            ),
        )


SCHEDULE_HELP = {
    "train_samples": "Sequences the oracle samples as the training data (--mode=oracle, "
    "table1, smoke)",
    "eval_samples": "Sequences the generator samples for each NLL_oracle evaluation "
    "(--mode=text: sentences for BLEU and self-BLEU, default 1000)",
    "dis_samples": "Negatives the generator samples for each discriminator round (--mode=text: "
    "default the training split's size in whole batches)",
    "mle_epochs": "Generator MLE pre-training epochs",
    "mle_eval_every": "Measure NLL_oracle after MLE epochs e with e % this == 0",
    "dis_pretrain_rounds": "Discriminator pre-training rounds (fresh samples each round)",
    "dis_epochs_per_round": "Discriminator epochs per round",
    "adversarial_iterations": "Adversarial iterations (TOTAL_BATCH)",
    "adversarial_eval_every": "Measure NLL_oracle at iterations i with i % this == 0 and the last",
    "generator_steps_per_iteration": "Policy-gradient steps per adversarial iteration",
    "dis_rounds_per_iteration": "Discriminator rounds per adversarial iteration",
    "rescore_samples": "--mode=oracle: at the end, score the final MLE, final SeqGAN and "
    "best SeqGAN generators on this many fresh samples, with the standard error (0: skip); "
    "--mode=table1: the untrained generator and each trained method's final and best",
}

MODEL_HELP = {
    "vocab_size": "Vocabulary size",
    "sequence_length": "Sequence length",
    "start_token": "Start token id",
    "batch_size": "Batch size of every network",
    "gen_emb_dim": "Generator/oracle embedding size",
    "gen_hidden_dim": "Generator/oracle LSTM size",
    "gen_init_stddev": "Std of the generator's N(0, s) initialisation",
    "oracle_init_stddev": "Std of a random oracle's N(0, s) parameters",
    "gen_learning_rate": "Generator Adam learning rate (paper-era code: 1e-3)",
    "gen_grad_clip": "Generator gradient clipping (global norm)",
    "adam_epsilon": "Adam epsilon (TF1's default)",
    "dis_emb_dim": "Discriminator embedding size",
    "dis_filter_sizes": "Discriminator window sizes",
    "dis_num_filters": "Discriminator filters per window size",
    "dis_dropout_keep_prob": "Discriminator dropout keep probability while training",
    "dis_l2_reg_lambda": "L2 weight on the discriminator's output layer",
    "dis_learning_rate": "Discriminator Adam learning rate",
    "dis_highway_gate_bias": "Bias added inside the highway transform gate",
    "dis_highway_bias": "Whether the highway layer has biases (the paper-era code's had none)",
    "dis_shuffle": "per_round: shuffle a discriminator round's data once (the original); "
    "per_epoch: reshuffle every epoch (the paper-era code)",
    "rollout_num": "Monte-Carlo rollouts per prefix",
    "rollout_update_rate": "Rollout network's delayed-update rate r (0 = what the original "
    "code actually did: roll out with the current generator)",
    "kernels": "fast: the speed kernels of seqgan_tf/models/kernels/fast.py (softmax shift "
    "from a bound, hand-written output-layer and LSTM gradients, im2col convolutions, TF1's "
    "fused Adam); reference: the same operations as plain TensorFlow with autodiff and Keras' "
    "Adam. Both share the sampler, the XLA-compiled sampling, MLE and scoring loops and the "
    "rollout's blocks; same results to float32 round-off; fast uses about 1.25x less CPU "
    "time on the original schedule (docs/PERFORMANCE.md)",
}

# What each preset is, in a line (--help adds its projected time on the reference CPU).
PRESET_SUMMARIES = {
    "quick": "every phase shortened (20 MLE epochs, 4 discriminator rounds, 15 adversarial "
    "iterations of one 1-epoch discriminator round): shows the adversarial phase at work, not "
    "the paper's numbers",
    "cpu": "MLE to convergence (120 epochs), 30 discriminator rounds of 1 epoch, 51 adversarial "
    "iterations of one 1-epoch discriminator round, rollout r = 0: the nearest to the paper's "
    "SeqGAN found within about an hour on a 2-core CPU",
    "original": "the authors' published schedule: 120 MLE epochs, 50 discriminator rounds of 3 "
    "epochs, 200 adversarial iterations of five 3-epoch discriminator rounds",
    "paper": "the paper-era scripts: 240 MLE epochs, 800 adversarial iterations, NLL_oracle "
    "after every iteration, generator learning rate 1e-3, rollout r = 0 as they ran it",
}

PRESETS: dict[str, dict] = {
    "original": {},
    "paper": {
        "mle_epochs": 240,
        "adversarial_iterations": 800,
        "adversarial_eval_every": 1,
        "gen_learning_rate": 1e-3,
        "dis_highway_bias": False,
        "dis_shuffle": "per_epoch",
        # MLE_SeqGAN/rollout.py read the live generator through tf.identity: no lag
        # (docs/FIDELITY.md, "Table 1 as the paper ran it").
        "rollout_update_rate": 0.0,
    },
    # Minutes on a 2-core CPU (docs/RESULTS.md): every phase shortened, and one
    # single-epoch discriminator round per iteration instead of five of three epochs
    # (the discriminator's epochs are the original schedule's dominant cost).
    "quick": {
        "mle_epochs": 20,
        "mle_eval_every": 5,
        "dis_pretrain_rounds": 4,
        "dis_epochs_per_round": 1,
        "adversarial_iterations": 15,
        "adversarial_eval_every": 5,
        "dis_rounds_per_iteration": 1,
    },
    # The preset search of docs/RESULTS.md (#13): MLE to convergence as in `original`;
    # a discriminator trained one epoch per iteration and a rollout network that
    # re-reads the generator (r = 0, what the original code actually did) descended
    # fastest of the schedules tried. It stops at iteration 50, where that run's curve
    # flattened (chosen on seed 88; the other seeds are in docs/RESULTS.md).
    "cpu": {
        "dis_pretrain_rounds": 30,
        "dis_epochs_per_round": 1,
        "adversarial_iterations": 51,
        "dis_rounds_per_iteration": 1,
        "rollout_update_rate": 0.0,
    },
    # --mode=text on the COCO captions (seqgan_tf/experiments/text_costs.py projects it
    # to about an hour on the shared 2-core CPU): Texygen's tokens; words seen once in the
    # training file become the unknown id, so that its probability is trained (a third of
    # the test captions hold a word the training file lacks); one single-epoch
    # discriminator round per iteration, as in `quick` (a round is the dominant cost).
    "coco": {
        "tokens": "nltk",
        "min_count": 2,
        "eval_samples": 1000,
        "mle_epochs": 40,
        "mle_eval_every": 5,
        "dis_pretrain_rounds": 8,
        "dis_epochs_per_round": 1,
        "adversarial_iterations": 16,
        "adversarial_eval_every": 5,
        "dis_rounds_per_iteration": 1,
    },
    # Texygen's own SeqGAN schedule and sizes on COCO (models/seqgan/Seqgan.py,
    # train_real, and __init__): 80 MLE epochs evaluated every 5, 80 discriminator
    # pre-training rounds, 100 adversarial epochs of 1 generator step (16 rollouts, rate
    # 0.8) and 15 discriminator rounds, embedding and LSTM 32, windows 2 and 3 with 100
    # and 200 filters, L2 0.2. One departure: a Texygen round trains on 3 batches of its
    # fresh negatives and the real data, a round here on 1 whole epoch of them.
    "texygen": {
        "tokens": "nltk",
        "eval_samples": 1000,
        "mle_epochs": 80,
        "mle_eval_every": 5,
        "dis_pretrain_rounds": 80,
        "dis_epochs_per_round": 1,
        "adversarial_iterations": 100,
        "adversarial_eval_every": 5,
        "generator_steps_per_iteration": 1,
        "dis_rounds_per_iteration": 15,
        "gen_emb_dim": 32,
        "gen_hidden_dim": 32,
        "dis_emb_dim": 32,
        "dis_filter_sizes": (2, 3),
        "dis_num_filters": (100, 200),
        "dis_l2_reg_lambda": 0.2,
        "rollout_num": 16,
        "rollout_update_rate": 0.8,
    },
    # --mode=text on the five-character quatrains (issue #40; text_costs.py projects it to
    # about 73 minutes on the shared 2-core CPU): each character a token, so a poem is 20
    # tokens and the end. The quick run (docs/history/RESULTS-2026-12-06.md) had its lowest
    # test NLL at MLE epoch 5 of the epochs it evaluated (0, 5, 10, 15, 19), rising after it
    # at the original's learning rate 0.01 while BLEU-2 gained little after epoch 10: 10 MLE
    # epochs, each evaluated (one evaluation costs about half an epoch) so that the curve
    # shows where the minimum lies. The time goes to the adversarial phase instead: 8
    # pre-training rounds as in `coco`, then 35 iterations of one generator step and one
    # single-epoch discriminator round (as in `quick`: a round over the 15,061 poems and as
    # many negatives is most of an iteration), evaluated every 5 on 1,000 poems as the
    # quick run was. Models, rollout (16, r = 0.8) and min_count 1 as the quick run, whose
    # numbers these are compared with (123 of the 33,460 test characters are unknown).
    "poems": {
        "tokens": "char",
        "eval_samples": 1000,
        "mle_epochs": 10,
        "mle_eval_every": 1,
        "dis_pretrain_rounds": 8,
        "dis_epochs_per_round": 1,
        "adversarial_iterations": 35,
        "adversarial_eval_every": 5,
        "dis_rounds_per_iteration": 1,
    },
}
# The presets of --mode=text (they set corpus settings too).
TEXT_PRESETS = ("coco", "texygen", "poems")


@dataclasses.dataclass(frozen=True)
class BaselineSchedule:
    """The paper-era baselines of Table 1 (``--mode=table1``), beside SeqGAN's Schedule.

    The MLE baseline's epochs are one trajectory that SeqGAN (at ``Schedule.mle_epochs``)
    and PG-BLEU (at ``pg_bleu_mle_epochs``) branch from, so it must be at least as long
    as either pre-training.
    """

    mle_baseline_epochs: int = 350
    ss_epochs: int = 300
    ss_initial_true_prob: float = 1.0
    ss_true_prob_decay: float = 0.002
    pg_bleu_mle_epochs: int = 200
    pg_bleu_iterations: int = 800
    pg_bleu_rollout_num: int = 1
    bleu_max_n: int = 3
    # How the paper-era scripts actually ran (docs/FIDELITY.md, "Table 1 as the paper ran
    # it"); the defaults are what the methods are described as doing.
    ss_coin: str = "per_token"  # "once_per_graph": one draw decides every token
    pg_bleu_reference_fraction: float = 1.0  # the paper-era script kept ~40% of the data
    pg_bleu_rollout_update_rate: float = 0.8  # its rollout re-read the generator: r = 0

    def __post_init__(self) -> None:
        _check_minimums(self, ones=lambda name: name in ("pg_bleu_rollout_num", "bleu_max_n"))
        if not 0.0 <= self.ss_initial_true_prob <= 1.0:
            raise ValueError(
                f"--ss_initial_true_prob must lie in [0, 1], got {self.ss_initial_true_prob}"
            )
        if self.ss_coin not in ("per_token", "once_per_graph"):
            raise ValueError(f"--ss_coin={self.ss_coin!r}: expected per_token or once_per_graph")
        for name in ("pg_bleu_reference_fraction", "pg_bleu_rollout_update_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"--{name} must lie in [0, 1], got {getattr(self, name)}")
        if self.pg_bleu_mle_epochs > self.mle_baseline_epochs:
            raise ValueError(
                f"--pg_bleu_mle_epochs={self.pg_bleu_mle_epochs} exceeds "
                f"--mle_baseline_epochs={self.mle_baseline_epochs}: PG-BLEU branches from "
                "the MLE baseline's run"
            )

    def true_input_prob(self, epoch: int) -> float:
        """Scheduled sampling's probability of feeding the true previous token in
        ``epoch`` (0-based): the initial value falling linearly, floored at 0."""
        return max(0.0, self.ss_initial_true_prob - self.ss_true_prob_decay * epoch)

    def feed_prob(self, epoch: int, seed: int) -> float:
        """The probability each token's coin is given: :meth:`true_input_prob`, or with
        ``ss_coin="once_per_graph"`` 1 or 0, as the paper-era script's one coin fell.

        That script compared ``tf.constant(random.random())`` with the rate inside its
        while-loop body, which TF1 traces once: one number u, Python's first draw after
        ``random.seed(seed)``, decided every token of every epoch (true tokens while
        u < rate).
        """
        rate = self.true_input_prob(epoch)
        if self.ss_coin == "per_token":
            return rate
        return 1.0 if graph_coin(seed) < rate else 0.0


BASELINE_HELP = {
    "mle_baseline_epochs": "--mode=table1: epochs of the MLE baseline (paper-era code: 350)",
    "ss_epochs": "--mode=table1: scheduled-sampling epochs",
    "ss_initial_true_prob": "--mode=table1: scheduled sampling's probability of feeding the "
    "true previous token in the first epoch",
    "ss_true_prob_decay": "--mode=table1: how much that probability falls each epoch",
    "pg_bleu_mle_epochs": "--mode=table1: MLE epochs before PG-BLEU's policy gradient",
    "pg_bleu_iterations": "--mode=table1: PG-BLEU policy-gradient iterations",
    "pg_bleu_rollout_num": "--mode=table1: rollouts per prefix for PG-BLEU's reward",
    "bleu_max_n": "--mode=table1: BLEU's largest n-gram (equal weights 1/n)",
    "ss_coin": "--mode=table1: per_token (one coin per token, as scheduled sampling is "
    "described) or once_per_graph (one draw for the whole run, as the paper-era script did)",
    "pg_bleu_reference_fraction": "--mode=table1: share of the training sequences PG-BLEU "
    "uses as references, each kept by a seeded coin (paper-era script: 0.4)",
    "pg_bleu_rollout_update_rate": "--mode=table1: PG-BLEU's rollout update rate r "
    "(paper-era script: 0, the rollout re-read the generator)",
}

BASELINE_PRESETS: dict[str, dict] = {
    "original": {},
    "paper": {
        "ss_coin": "once_per_graph",
        "pg_bleu_reference_fraction": 0.4,
        "pg_bleu_rollout_update_rate": 0.0,
    },
    # With the quick preset's 20 MLE epochs and 15 SeqGAN iterations: the same shortening
    # for the baselines. Scheduled sampling's probability falls 0.6 over its run as in the
    # paper-era schedule (1.0 -> 0.4 over 300 epochs), i.e. 0.02 an epoch over 30.
    "quick": {
        "mle_baseline_epochs": 30,
        "ss_epochs": 30,
        "ss_true_prob_decay": 0.02,
        "pg_bleu_mle_epochs": 20,
        "pg_bleu_iterations": 15,
    },
    "cpu": {},  # the paper-era baselines; only SeqGAN's schedule is shortened
}


def graph_coin(seed: int) -> float:
    """Python's first ``random.random()`` after ``random.seed(seed)`` (0.3975 for 88)."""
    return random.Random(seed).random()


def check_table1_schedules(schedule: Schedule, baselines: BaselineSchedule) -> None:
    """SeqGAN branches from the MLE baseline's run: its pre-training cannot be longer."""
    if schedule.mle_epochs > baselines.mle_baseline_epochs:
        raise ValueError(
            f"--mle_epochs={schedule.mle_epochs} exceeds --mle_baseline_epochs="
            f"{baselines.mle_baseline_epochs}: SeqGAN's pre-training is the first part of "
            "the MLE baseline's run"
        )


def apply_preset(cls: type, preset: str, values: dict, given: set[str], table: dict | None = None):
    """``cls(**values)`` with ``preset``'s setting for each field not in ``given`` (the
    flags given on the command line win over the preset). ``table``: the presets to read
    (default: the oracle experiment's, or Table 1's for ``BaselineSchedule``)."""
    if table is None:
        table = BASELINE_PRESETS if cls is BaselineSchedule else PRESETS
    values = dict(values)
    for name, value in table[preset].items():
        if name in values and name not in given:
            values[name] = value
    return cls(**values)


def preset_schedule(preset: str) -> Schedule:
    """The Schedule a preset sets (its model settings aside)."""
    names = {field.name for field in dataclasses.fields(Schedule)}
    return Schedule(**{k: v for k, v in PRESETS[preset].items() if k in names})


def preset_overrides(preset: str, *values, table: dict | None = None) -> dict:
    """{field: value} of the dataclasses ``values`` (ModelConfig, Schedule,
    BaselineSchedule; None skipped) that differ from what ``preset`` sets, so that a
    results file names every departure from the preset it is titled with. ``table`` as in
    :func:`apply_preset`."""
    overrides = {}
    for value in values:
        if value is None:
            continue
        if table is not None:
            presets = table
        else:
            presets = BASELINE_PRESETS if isinstance(value, BaselineSchedule) else PRESETS
        names = {field.name for field in dataclasses.fields(value)}
        named = type(value)(**{k: v for k, v in presets.get(preset, {}).items() if k in names})
        for field in dataclasses.fields(value):
            if getattr(value, field.name) != getattr(named, field.name):
                overrides[field.name] = getattr(value, field.name)
    return overrides


def evaluated(step: int, every: int, steps: int, also: Iterable[int] = ()) -> bool:
    """The one evaluation rule of every phase: after steps divisible by ``every``, the last
    step, and the steps in ``also`` (0-based). Here, free of TensorFlow, so that the cost
    models count evaluations with the rule the loop runs."""
    return step % every == 0 or step == steps - 1 or step in also


def evaluations(steps: int, every: int, also: Iterable[int] = ()) -> int:
    """How many evaluations :func:`evaluated` makes in a phase of ``steps`` steps."""
    return sum(evaluated(step, every, steps, also) for step in range(steps))
