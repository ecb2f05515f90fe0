"""Algorithm 1's models in a resumable workdir: what the oracle, Table 1, text and music
experiments share as the runner's Task (:class:`AdversarialTraining`), the bookkeeping
of their evaluations, and what the runs on a data set (text, music) set up alike."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import tensorflow as tf

from seqgan_tf import train
from seqgan_tf.config import ModelConfig
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.rollout import Rollout
from seqgan_tf.schedule import SAMPLE_COUNTS, BaselineSchedule, Schedule
from seqgan_tf.training.runner import ResumableRunner, Run, Unit

EXPERIMENT_LOG = "experiment-log.txt"


def record_evaluation(values: dict, method: str, step: int, nll: float) -> bool:
    """Keeps ``method``'s final and best NLL_oracle with their steps; True if best."""
    values[f"{method}_nll_final"], values[f"{method}_step_final"] = nll, step
    best = values.get(f"{method}_nll_best")
    if best is None or nll < best:
        values[f"{method}_nll_best"], values[f"{method}_step_best"] = nll, step
        return True
    return False


def evaluation_label(method: str, step: int) -> str:
    """The name of an evaluation's samples: ``random``, ``mle_epoch_0003``,
    ``seqgan_iteration_0012`` (numbered from 1, as progress lines and the results tables
    number them)."""
    if method == "random":
        return "random"
    if method == "mle":
        return f"mle_epoch_{step + 1:04d}"
    return f"seqgan_iteration_{step + 1:04d}"


def negatives_per_round(num_negatives: int | None, train_size: int, batch_size: int) -> int:
    """``num_negatives``; by default the training split's size in whole batches (the
    original draws as many negatives as it has positives)."""
    if num_negatives is None:
        return train_size // batch_size * batch_size
    return num_negatives


def data_run_identity(
    mode: str, config: ModelConfig, schedule: Schedule, seed: int, preset: str, **data
) -> dict:
    """What must match for the workdir of a run on a data set (``--mode=text``, ``music``)
    to be resumed: the mode, the run's settings and ``data`` (its hash and settings)."""
    return {
        "mode": mode,
        "config": jsonable(dataclasses.asdict(config)),
        "schedule": dataclasses.asdict(schedule),
        "seed": seed,
        "preset": preset,
        **data,
    }


class AdversarialTraining:
    """Algorithm 1's models in a resumable workdir, shared by the oracle and the text
    experiments (:mod:`seqgan_tf.experiments.text`): the runner's Task but for the plan
    (``units``), the loop (``train``), the hooks and the results, which a subclass gives.
    ``after_unit`` is called after each unit's work and log lines, before its checkpoint
    (tests interrupt runs there). ``end_token`` is the generator's (None: fixed-length
    sequences, the oracle's; see :mod:`seqgan_tf.models.generator`).
    """

    text_log = EXPERIMENT_LOG
    row_defaults: dict = {}
    # How progress lines name a subclass's units outside Algorithm 1's.
    other_positions: dict[str, str] = {}

    def __init__(
        self,
        workdir: str,
        config: ModelConfig,
        schedule: Schedule,
        seed: int,
        identity: dict,
        strategy: tf.distribute.Strategy,
        progress_interval: float = 10.0,
        print_fn: Callable[[str], None] = print,
        after_unit: Callable[[int, Unit], None] | None = None,
        end_token: int | None = None,
    ) -> None:
        self.workdir, self.config, self.schedule, self.seed = workdir, config, schedule, seed
        self.strategy = strategy
        self.runner = ResumableRunner(
            workdir, identity, _with_later_fields, progress_interval, print_fn, after_unit
        )
        with self.strategy.scope():
            generator = Generator(config, seed=seed, end_token=end_token)
            self.models = train.Models(
                generator=generator,
                discriminator=Discriminator(config, seed=seed + 1),
                rollout=Rollout(generator, config.rollout_update_rate),
                rng=tf.random.Generator.from_seed(seed),
                seed=seed,
            )
        # The models by name, for hooks and tests.
        self.generator, self.rng = generator, self.models.rng
        self.discriminator, self.rollout = self.models.discriminator, self.models.rollout

    def run(self) -> dict:
        return self.runner.run(self)

    def path(self, *parts: str) -> str:
        return os.path.join(self.workdir, *parts)

    def log_line(self, text: str) -> None:
        with open(self.path(self.text_log), "a") as f:
            f.write(text)

    def checkpoint_objects(self) -> dict:
        models = self.models
        return {
            "generator": models.generator,
            "generator_pretrain_optimizer": models.generator.pretrain_optimizer,
            "generator_adversarial_optimizer": models.generator.adversarial_optimizer,
            "discriminator": models.discriminator,
            "discriminator_optimizer": models.discriminator.train_optimizer,
            "discriminator_dropout_seed": models.discriminator.dropout.seed_generator.state,
            "rollout": models.rollout,
            "rng": models.rng,
        }

    def position(self, unit: Unit, steps: int) -> str:
        if unit.phase == "adversarial" and unit.part > 0:
            rounds = self.schedule.dis_rounds_per_iteration
            return f"iteration {unit.step + 1}/{steps}, discriminator round {unit.part}/{rounds}"
        return {
            "mle": f"epoch {unit.step + 1}/{steps}",
            "dis_pretrain": f"round {unit.step + 1}/{steps}",
            "adversarial": f"iteration {unit.step + 1}/{steps}, generator",
            **self.other_positions,
        }.get(unit.phase, f"step {unit.step + 1}/{steps}")

    def expected_seconds(self, unit: Unit) -> float | None:
        """No projection by default: each experiment projects from its own bench's units."""
        return None

    def phase_started(self, run: Run, phase: str) -> None:
        """The original's log line at the start of each phase."""
        if phase == "mle":
            self.log_line("pre-training...\n")
        elif phase == "adversarial":
            self.log_line("adversarial training...\n")


def _with_later_fields(stored: dict) -> dict:
    """A workdir written before a field existed ran with that field's default; one written
    before num_samples was split used its value for each of the three sample counts."""
    filled = dict(stored)
    schedule = stored.get("schedule")
    if isinstance(schedule, dict) and "num_samples" in schedule:
        count = schedule["num_samples"]
        filled["schedule"] = {k: v for k, v in schedule.items() if k != "num_samples"}
        filled["schedule"].update(dict.fromkeys(SAMPLE_COUNTS, count))
        stored = filled
    for key, cls in (
        ("config", ModelConfig),
        ("schedule", Schedule),
        ("baselines", BaselineSchedule),
    ):
        if isinstance(stored.get(key), dict):
            filled[key] = {**jsonable(dataclasses.asdict(cls())), **stored[key]}
    return filled


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return list(value)
    return value
