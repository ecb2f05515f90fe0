"""What a schedule costs before it runs: its units counted, times the measured unit times.

``bench.seqgan_speed`` measures the units on a machine and prints the projection of each
preset; an oracle experiment prints its own schedule's projection from
:data:`REFERENCE_COSTS` (that bench on the 2-core CPU of ``docs/PERFORMANCE.md``) before
its first unit (:func:`projection_text`), and from then on its progress lines give the
ETA measured in the run itself; a kind of unit not yet run counts at its projected cost
scaled by how the units run so far compare with theirs (:func:`unit_seconds`).
"""

from __future__ import annotations

import dataclasses

from seqgan_tf.schedule import BaselineSchedule, Schedule, evaluations, preset_schedule

BENCH_SAMPLES = 9_984  # bench.seqgan_speed times its units on this many sequences


@dataclasses.dataclass(frozen=True)
class UnitCosts:
    """Seconds of each unit of ``bench.seqgan_speed`` (its JSON keys)."""

    mle_epoch_s: float  # 156 batches of 64
    nll_eval_s: float  # sample 9,984 from the generator and score them with the oracle
    dis_epoch_s: float  # 9,984 real + 9,984 generated, batches of 64
    sample_9984_s: float  # the generator's samples for one discriminator round
    gen_step_s: float  # one policy-gradient step: sample 64, rewards by rollout, update

    @classmethod
    def from_bench(cls, report: dict) -> UnitCosts:
        """From ``bench.seqgan_speed --units=mle,nll,dis,adversarial``'s report."""
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in report]
        if missing:
            raise ValueError(
                f"the bench report lacks {', '.join(missing)}: run bench.seqgan_speed with "
                "--units=mle,nll,dis,adversarial"
            )
        return cls(**{f.name: float(report[f.name]) for f in dataclasses.fields(cls)})


# bench.seqgan_speed --repeats=3 --units=mle,nll,dis,reward,adversarial on the 2-core CPU
# of docs/PERFORMANCE.md (run J there), the figures it projects from.
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
        "rescore": reported * costs.nll_eval_s * schedule.rescore_samples / BENCH_SAMPLES,
    }
    phases["total"] = sum(phases.values())
    return phases


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


def projection_text(
    preset: str, schedule: Schedule, baselines: BaselineSchedule | None = None
) -> str:
    """What an oracle run (``--mode=oracle``, ``table1``, ``smoke``) announces: its
    projected wall time on the reference CPU and, for the long presets, the shorter ones'."""
    reference = "on the reference 2-core CPU (docs/PERFORMANCE.md) at the default model sizes"
    if baselines is not None:
        seqgan_part = dataclasses.replace(schedule, mle_epochs=baselines.mle_baseline_epochs)
        lines = [
            f"Projected wall time {reference}: more than {_duration(seqgan_part)} (SeqGAN and "
            "the MLE baseline; scheduled sampling and PG-BLEU have no projection)."
        ]
    else:
        lines = [f"Projected wall time {reference}: {_duration(schedule)}."]
    if preset in ("original", "paper"):
        shorter = ", ".join(
            f"--preset={name} ({_duration(preset_schedule(name))})" for name in ("quick", "cpu")
        )
        lines.append(f"Shorter presets: {shorter}.")
    return "\n".join(lines)


def _duration(schedule: Schedule) -> str:
    seconds = projected_seconds(schedule, REFERENCE_COSTS)["total"]
    if seconds < 60:
        return "under 1 min"
    return f"{seconds / 3600:.2f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def describe(schedule: Schedule, costs: UnitCosts) -> str:
    """One line: the total and the share of each phase."""
    phases = projected_seconds(schedule, costs)
    total = phases.pop("total")
    parts = ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in phases.items())
    return f"{total / 3600:.2f} h ({parts})"
