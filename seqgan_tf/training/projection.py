"""What a schedule costs before it runs: its units counted, times the measured unit times.

``bench.seqgan_speed`` measures the units on a machine and prints the projection of each
preset; an oracle experiment prints its own schedule's projection from
:data:`REFERENCE_COSTS` (that bench on the 2-core CPU of ``docs/PERFORMANCE.md``) before
its first unit (:func:`projection_text`), and from then on its progress lines give the
ETA measured in the run itself; a kind of unit not yet run counts at its projected cost
scaled by how the units run so far compare with theirs (:func:`unit_seconds`).
``--mode=table1`` is projected whole, its baselines beside SeqGAN (:func:`table1_seconds`,
:func:`table1_unit_seconds`). Both count the rescoring at one evaluation's cost per
``eval_samples`` scaled to ``rescore_samples``, for each generator scored afresh.

Not counted: what a unit does around the work the bench times (its batches, the metrics row,
the checkpoint), first calls (tracing, XLA), another process's share of the cores, and
Table 1's comparison at the end (NLL_test and the t-tests: a dozen scorings of
``eval_samples`` sequences, seconds). A projection is a lower bound.
"""

from __future__ import annotations

import dataclasses

from seqgan_tf.schedule import (
    BASELINE_PRESETS,
    BaselineSchedule,
    Schedule,
    evaluations,
    preset_schedule,
)

BENCH_SAMPLES = 9_984  # bench.seqgan_speed times its units on this many sequences

# The baselines' units against the units they resemble: wall medians of ONE run of
# bench.seqgan_speed --repeats=3 --units=mle,adversarial,ss,pg_bleu (2026-12-07, on this
# code, the published oracle and data) on the 2-core "AMD EPYC" with AVX2 and FMA of
# docs/PERFORMANCE.md, niced beside two idle-class runs (the same run's CPU-time ratios:
# 2.19 and 0.032). Run J, the reference figures below, ran on another machine: seconds of
# two machines are not mixed, so the reference costs of these units are these ratios
# times run J's. The run's report and log: docs/runs/bench-table1-units/ (run 3).
SS_EPOCH_PER_MLE_EPOCH = 2.486
PG_BLEU_STEP_PER_GEN_STEP = 0.0438


@dataclasses.dataclass(frozen=True)
class UnitCosts:
    """Seconds of each unit of ``bench.seqgan_speed`` (its JSON keys)."""

    mle_epoch_s: float  # 156 batches of 64
    nll_eval_s: float  # sample 9,984 from the generator and score them with the oracle
    dis_epoch_s: float  # 9,984 real + 9,984 generated, batches of 64
    sample_9984_s: float  # the generator's samples for one discriminator round
    gen_step_s: float  # one policy-gradient step: sample 64, rewards by rollout, update
    # The baselines' units (--mode=table1). Left out (a bench run without them, an older
    # report, bench.seqgan_floor's floors), they are these figures' own MLE epoch and
    # generator step times the ratios above, so that one machine's figures stay together.
    ss_epoch_s: float | None = None  # one scheduled-sampling epoch, 156 batches of 64
    # one PG-BLEU iteration's generator part: sample 64, BLEU rewards of one rollout per
    # prefix against 9,984 references, update, the rollout's update (other
    # --pg_bleu_rollout_num values count at this cost too)
    pg_bleu_step_s: float | None = None

    def __post_init__(self) -> None:
        if self.ss_epoch_s is None:
            object.__setattr__(self, "ss_epoch_s", self.mle_epoch_s * SS_EPOCH_PER_MLE_EPOCH)
        if self.pg_bleu_step_s is None:
            object.__setattr__(self, "pg_bleu_step_s", self.gen_step_s * PG_BLEU_STEP_PER_GEN_STEP)

    @classmethod
    def from_bench(cls, report: dict) -> UnitCosts:
        """From ``bench.seqgan_speed --units=mle,nll,dis,adversarial[,ss,pg_bleu]``'s
        report (without ``ss`` and ``pg_bleu``, as described above)."""
        fields = dataclasses.fields(cls)
        required = [f.name for f in fields if f.default is dataclasses.MISSING]
        missing = [name for name in required if name not in report]
        if missing:
            raise ValueError(
                f"the bench report lacks {', '.join(missing)}: run bench.seqgan_speed with "
                "--units=mle,nll,dis,adversarial"
            )
        return cls(**{f.name: float(report[f.name]) for f in fields if f.name in report})


# bench.seqgan_speed --repeats=3 --units=mle,nll,dis,reward,adversarial on the 2-core CPU
# of docs/PERFORMANCE.md (run J there), the figures it projects from; the baselines' units
# from the ratios above.
REFERENCE_COSTS = UnitCosts(
    mle_epoch_s=1.852,
    nll_eval_s=1.928,
    dis_epoch_s=18.482,
    sample_9984_s=1.455,
    gen_step_s=3.887,
)


def _dis_round_seconds(schedule: Schedule, costs: UnitCosts) -> float:
    # Negatives drawn, then epochs over as many real sequences as negatives (the bench's).
    scale = schedule.dis_samples / BENCH_SAMPLES
    return (costs.sample_9984_s + schedule.dis_epochs_per_round * costs.dis_epoch_s) * scale


def projected_seconds(schedule: Schedule, costs: UnitCosts) -> dict[str, float]:
    """Projected seconds of each phase of ``schedule``, and ``total``."""
    evaluation = costs.nll_eval_s * schedule.eval_samples / BENCH_SAMPLES
    data = costs.nll_eval_s * schedule.train_samples / BENCH_SAMPLES
    dis_round = _dis_round_seconds(schedule, costs)
    reported = 1 + 2 * (schedule.adversarial_iterations > 0)
    phases = {
        # the oracle's samples cost about one evaluation; the untrained generator's is another
        "oracle_samples": data + evaluation,
        "mle": schedule.mle_epochs * costs.mle_epoch_s * schedule.train_samples / BENCH_SAMPLES
        + evaluations(schedule.mle_epochs, schedule.mle_eval_every) * evaluation,
        "dis_pretrain": schedule.dis_pretrain_rounds * dis_round,
        "adversarial": schedule.adversarial_iterations
        * (
            schedule.generator_steps_per_iteration * costs.gen_step_s
            + schedule.dis_rounds_per_iteration * dis_round
        )
        + evaluations(schedule.adversarial_iterations, schedule.adversarial_eval_every)
        * evaluation,
        "rescore": _rescore_seconds(schedule, reported, costs),
    }
    phases["total"] = sum(phases.values())
    return phases


def _rescore_seconds(schedule: Schedule, generators: int, costs: UnitCosts) -> float:
    """``generators`` scored on ``rescore_samples`` fresh samples each, at an evaluation's
    cost per sample."""
    return generators * costs.nll_eval_s * schedule.rescore_samples / BENCH_SAMPLES


def unit_seconds(schedule: Schedule, costs: UnitCosts) -> dict[tuple[str, bool], float]:
    """Projected mean seconds of each kind of unit of ``experiment.schedule_units``, keyed
    by (phase, part > 0): an adversarial iteration's generator part and its discriminator
    rounds are different kinds. Progress lines use them for kinds not yet run."""
    phases = projected_seconds(schedule, costs)
    dis_round = _dis_round_seconds(schedule, costs)
    iterations = schedule.adversarial_iterations
    generator_parts = (
        phases["adversarial"] - iterations * schedule.dis_rounds_per_iteration * dis_round
    )
    return {
        ("oracle_samples", False): phases["oracle_samples"],
        ("mle", False): phases["mle"] / max(1, schedule.mle_epochs),
        ("dis_pretrain", False): dis_round,
        ("adversarial", False): generator_parts / max(1, iterations),
        ("adversarial", True): dis_round,
        ("rescore", False): phases["rescore"],
    }


def table1_seconds(
    schedule: Schedule, baselines: BaselineSchedule, costs: UnitCosts
) -> dict[str, float]:
    """Projected seconds of each phase of ``--mode=table1`` (the phases of its units, in
    order), and ``total``."""
    # SeqGAN's pre-training is the MLE baseline's run; the rescoring is Table 1's own.
    seqgan = projected_seconds(
        dataclasses.replace(schedule, mle_epochs=0, rescore_samples=0), costs
    )
    evaluation = costs.nll_eval_s * schedule.eval_samples / BENCH_SAMPLES
    epoch_scale = schedule.train_samples / BENCH_SAMPLES
    # The MLE run is also evaluated at the epochs SeqGAN and PG-BLEU branch after.
    branches = (schedule.mle_epochs - 1, baselines.pg_bleu_mle_epochs - 1)
    mle_epochs, ss_epochs = baselines.mle_baseline_epochs, baselines.ss_epochs
    iterations = baselines.pg_bleu_iterations
    phases = {
        "oracle_samples": seqgan["oracle_samples"],
        "mle": mle_epochs * costs.mle_epoch_s * epoch_scale
        + evaluations(mle_epochs, schedule.mle_eval_every, also=branches) * evaluation,
        "scheduled_sampling": ss_epochs * costs.ss_epoch_s * epoch_scale
        + evaluations(ss_epochs, schedule.mle_eval_every) * evaluation,
        "pg_bleu": iterations * costs.pg_bleu_step_s
        + evaluations(iterations, schedule.adversarial_eval_every) * evaluation,
        "dis_pretrain": seqgan["dis_pretrain"],
        "adversarial": seqgan["adversarial"],
        "rescore": _rescore_seconds(schedule, table1_rescored(schedule, baselines), costs),
    }
    phases["total"] = sum(phases.values())
    return phases


def table1_rescored(schedule: Schedule, baselines: BaselineSchedule) -> int:
    """How many generators ``--mode=table1``'s rescoring scores: Random's, and the final
    and best of each method given any training."""
    trained = (
        baselines.mle_baseline_epochs,
        baselines.ss_epochs,
        baselines.pg_bleu_iterations,
        schedule.adversarial_iterations,
    )
    return 1 + 2 * sum(steps > 0 for steps in trained)


def table1_unit_seconds(
    schedule: Schedule, baselines: BaselineSchedule, costs: UnitCosts
) -> dict[tuple[str, bool], float]:
    """:func:`unit_seconds` for the units of ``--mode=table1``."""
    phases = table1_seconds(schedule, baselines, costs)
    units = unit_seconds(dataclasses.replace(schedule, mle_epochs=0, rescore_samples=0), costs)
    units[("rescore", False)] = phases["rescore"]
    units[("mle", False)] = phases["mle"] / max(1, baselines.mle_baseline_epochs)
    units[("scheduled_sampling", False)] = phases["scheduled_sampling"] / max(
        1, baselines.ss_epochs
    )
    units[("pg_bleu", False)] = phases["pg_bleu"] / max(1, baselines.pg_bleu_iterations)
    return units


# The methods' names in describe_table1, by phase.
TABLE1_SHARES = {
    "oracle_samples": "data and Random",
    "mle": "MLE",
    "scheduled_sampling": "scheduled sampling",
    "pg_bleu": "PG-BLEU",
    "dis_pretrain": "SeqGAN's discriminator pre-training",
    "adversarial": "SeqGAN's adversarial iterations",
    "rescore": "fresh scores",
}


def describe_table1(schedule: Schedule, baselines: BaselineSchedule, costs: UnitCosts) -> str:
    """One line: the total of ``--mode=table1`` and each method's share (the fresh scores'
    when the schedule has them)."""
    phases = table1_seconds(schedule, baselines, costs)
    total = phases.pop("total")
    if not schedule.rescore_samples:
        del phases["rescore"]
    parts = ", ".join(f"{TABLE1_SHARES[name]} {_span(s)}" for name, s in phases.items())
    return f"{_span(total)} ({parts})"


def projection_text(
    preset: str, schedule: Schedule, baselines: BaselineSchedule | None = None
) -> str:
    """What an oracle run (``--mode=oracle``, ``table1``, ``smoke``) announces: its
    projected wall time on the reference CPU and, for the long presets, the shorter ones'
    (with ``baselines``, as Table 1 runs them)."""
    reference = "on the reference 2-core CPU (docs/PERFORMANCE.md) at the default model sizes"
    if baselines is not None:
        projected = describe_table1(schedule, baselines, REFERENCE_COSTS)
    else:
        projected = _span(projected_seconds(schedule, REFERENCE_COSTS)["total"])
    lines = [f"Projected wall time {reference}: {projected}."]
    if preset in ("original", "paper"):
        shorter = ", ".join(
            f"--preset={name} ({_span(_preset_seconds(name, table1=baselines is not None))})"
            for name in ("quick", "cpu")
        )
        lines.append(f"Shorter presets: {shorter}.")
    return "\n".join(lines)


def _preset_seconds(preset: str, table1: bool) -> float:
    schedule = preset_schedule(preset)
    if not table1:
        return projected_seconds(schedule, REFERENCE_COSTS)["total"]
    baselines = BaselineSchedule(**BASELINE_PRESETS[preset])
    return table1_seconds(schedule, baselines, REFERENCE_COSTS)["total"]


def _span(seconds: float) -> str:
    if seconds == 0:
        return "0 min"
    if seconds < 60:
        return "under 1 min"
    return f"{seconds / 3600:.2f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def describe(schedule: Schedule, costs: UnitCosts) -> str:
    """One line: the total and the share of each phase."""
    phases = projected_seconds(schedule, costs)
    total = phases.pop("total")
    parts = ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in phases.items())
    return f"{total / 3600:.2f} h ({parts})"
