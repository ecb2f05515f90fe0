"""The music experiment's presets (``--mode=music --preset=...``) and what they cost.

``original`` is the oracle experiment's schedule (the authors' code) on the tunes; ``quick``
and ``hour`` are shortened for the 2-core CPU of docs/PERFORMANCE.md: their units project
to about 8 and 55 minutes there (:data:`REFERENCE_COSTS`; a machine shared with other jobs
takes proportionally longer). Every music preset scores 1,000 samples
per evaluation (as the text experiment): BLEU-4 against the ~4,400 training windows is the
evaluation's cost, and 1,000 samples put its standard error well below the differences
between the rows.

The projection multiplies a schedule's units by :data:`REFERENCE_COSTS`, measured by
``python -m bench.seqgan_music_speed`` at the Nottingham shapes, scaled by the training
windows and samples a run has. Flags given on the command line win over a preset.
"""

from __future__ import annotations

import dataclasses

from seqgan_tf.schedule import Schedule, apply_preset, evaluations, preset_overrides

MUSIC_EVAL_SAMPLES = 1000
MUSIC_PRESETS: dict[str, dict] = {
    "original": {"eval_samples": MUSIC_EVAL_SAMPLES},
    # MLE near convergence on the tunes, a short discriminator pre-training, and enough
    # adversarial iterations (one single-epoch discriminator round each) to see them move
    # the metrics: the discriminator's epochs and the rollouts are the dominant costs.
    "quick": {
        "eval_samples": MUSIC_EVAL_SAMPLES,
        "mle_epochs": 40,
        "mle_eval_every": 10,
        "dis_pretrain_rounds": 5,
        "dis_epochs_per_round": 1,
        "adversarial_iterations": 20,
        "adversarial_eval_every": 5,
        "dis_rounds_per_iteration": 1,
    },
    "hour": {
        "eval_samples": MUSIC_EVAL_SAMPLES,
        "mle_epochs": 80,
        "mle_eval_every": 10,
        "dis_pretrain_rounds": 10,
        "dis_epochs_per_round": 1,
        "adversarial_iterations": 160,
        "adversarial_eval_every": 10,
        "dis_rounds_per_iteration": 1,
    },
}


@dataclasses.dataclass(frozen=True)
class MusicUnitCosts:
    """Seconds of each unit of ``bench.seqgan_music_speed`` (its JSON keys) at its shapes."""

    mle_epoch_s: float  # one epoch over ``train_windows``
    dis_epoch_s: float  # ``train_windows`` real + as many generated
    sample_negatives_s: float  # ``train_windows`` generated
    gen_step_s: float  # one policy-gradient step (64 samples, 16 rollouts of 32 steps)
    evaluation_s: float  # ``eval_samples`` generated, BLEU-4 vs test and train, MSE
    train_windows: int
    eval_samples: int


# python -m bench.seqgan_music_speed --repeats=2 at commit 90a5d89 on the 2-core AMD EPYC of
# docs/PERFORMANCE.md while about 15 other processes shared it (load average 11-16): the
# units' process CPU seconds (medians), not their wall seconds, which measured the load
# (2-8 times more). CPU seconds stand in for an unloaded machine's wall seconds: scaled from
# the oracle units of seqgan_tf/training/projection.py (measured unloaded) to these shapes,
# the discriminator epoch and the policy-gradient step would take 13 s and 10 s. The first
# call of each kind (tracing, XLA compilation) is not counted: under that load it took
# 4-12 minutes of wall time for the MLE epoch, discriminator and rollout each.
# Report: docs/runs/music-quick-seed88/bench_music_speed.json.
REFERENCE_COSTS = MusicUnitCosts(
    mle_epoch_s=0.352,
    dis_epoch_s=11.405,
    sample_negatives_s=0.063,
    gen_step_s=8.297,
    evaluation_s=0.094,
    train_windows=4421,
    eval_samples=1000,
)


def apply_music_preset(cls: type, preset: str, values: dict, given: set[str]):
    """``cls(**values)`` with the music ``preset``'s setting for each field not in ``given``."""
    if preset not in MUSIC_PRESETS:
        raise ValueError(
            f"--preset={preset}: --mode=music has the presets {', '.join(MUSIC_PRESETS)}"
        )
    return apply_preset(cls, preset, values, given, table=MUSIC_PRESETS)


def music_preset_schedule(preset: str) -> Schedule:
    return apply_music_preset(Schedule, preset, dataclasses.asdict(Schedule()), set())


def music_preset_overrides(preset: str, *values) -> dict:
    """{field: value} of the dataclasses ``values`` that differ from what ``preset`` sets."""
    return preset_overrides(preset, *values, table=MUSIC_PRESETS)


def projected_seconds(
    schedule: Schedule, train_windows: int, costs: MusicUnitCosts = REFERENCE_COSTS
) -> dict[str, float]:
    """Projected seconds of each phase of a music run of ``schedule`` on ``train_windows``
    training windows (``schedule.dis_samples`` negatives a round), and ``total``."""
    data_scale = train_windows / costs.train_windows
    evaluation = costs.evaluation_s * schedule.eval_samples / costs.eval_samples
    dis_round = _dis_round_seconds(schedule, train_windows, costs)
    mle_evals = evaluations(schedule.mle_epochs, schedule.mle_eval_every)
    adversarial_evals = evaluations(
        schedule.adversarial_iterations, schedule.adversarial_eval_every
    )
    phases = {
        # the untrained generator's evaluation and the real-data rows (about two more)
        "corpus": 3 * evaluation,
        "mle": schedule.mle_epochs * costs.mle_epoch_s * data_scale + mle_evals * evaluation,
        "dis_pretrain": schedule.dis_pretrain_rounds * dis_round,
        "adversarial": schedule.adversarial_iterations
        * (
            schedule.generator_steps_per_iteration * costs.gen_step_s
            + schedule.dis_rounds_per_iteration * dis_round
        )
        + adversarial_evals * evaluation,
    }
    phases["total"] = sum(phases.values())
    return phases


def unit_seconds(schedule: Schedule, train_windows: int) -> dict[tuple[str, bool], float]:
    """Projected mean seconds of each kind of unit, keyed by (phase, part > 0) as progress
    lines ask for them (an adversarial iteration's discriminator rounds are parts 1..)."""
    phases = projected_seconds(schedule, train_windows)
    dis_round = phases["dis_pretrain"] / max(1, schedule.dis_pretrain_rounds)
    if not schedule.dis_pretrain_rounds:
        dis_round = _dis_round_seconds(schedule, train_windows)
    rounds = schedule.adversarial_iterations * schedule.dis_rounds_per_iteration
    return {
        ("corpus", False): phases["corpus"],
        ("mle", False): phases["mle"] / max(1, schedule.mle_epochs),
        ("dis_pretrain", False): dis_round,
        ("adversarial", False): (phases["adversarial"] - rounds * dis_round)
        / max(1, schedule.adversarial_iterations),
        ("adversarial", True): dis_round,
    }


def projection_text(preset: str, schedule: Schedule, train_windows: int) -> str:
    """One line: ``schedule``'s projected wall time and the other presets' (each with the
    same negatives per round)."""

    def projected(schedule: Schedule) -> str:
        return minutes(projected_seconds(schedule, train_windows)["total"])

    others = ", ".join(
        f"--preset={name} "
        + projected(
            dataclasses.replace(music_preset_schedule(name), dis_samples=schedule.dis_samples)
        )
        for name in MUSIC_PRESETS
        if name != preset
    )
    return (
        f"Projected wall time: {projected(schedule)} on the 2-core CPU of docs/PERFORMANCE.md "
        "with nothing else running, first calls (tracing) aside; longer when other jobs "
        "share it (bench.seqgan_music_speed's units, seqgan_tf/experiments/music_presets.py). "
        f"Other presets: {others}."
    )


def _dis_round_seconds(
    schedule: Schedule, train_windows: int, costs: MusicUnitCosts = REFERENCE_COSTS
) -> float:
    """Negatives drawn, then epochs over them and the training windows."""
    negatives = schedule.dis_samples / costs.train_windows
    epoch = (train_windows + schedule.dis_samples) / (2 * costs.train_windows)
    return negatives * costs.sample_negatives_s + schedule.dis_epochs_per_round * epoch * (
        costs.dis_epoch_s
    )


def music_presets_help() -> str:
    """--preset's help for --mode=music: each preset and its projection at the Nottingham
    melodies' size."""
    windows = REFERENCE_COSTS.train_windows
    negatives = windows // 64 * 64  # the default: the windows in whole batches
    projected = {
        name: minutes(
            projected_seconds(
                dataclasses.replace(music_preset_schedule(name), dis_samples=negatives), windows
            )["total"]
        )
        for name in MUSIC_PRESETS
    }
    return (
        "--mode=music's presets (seqgan_tf/experiments/music_presets.py), projected on the "
        "Nottingham melodies: "
        + ", ".join(f"{name} ({cost})" for name, cost in projected.items())
        + "; original is the schedule above with 1,000 samples an evaluation."
    )


def minutes(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min"
