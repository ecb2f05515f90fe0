"""The synthetic-data (oracle) experiment of SeqGAN, one resumable unit at a time.

The schedule is the original's (``sequence_gan.py``): oracle samples; MLE epochs with
NLL_oracle every few epochs; discriminator pre-training rounds; adversarial iterations
of {one policy-gradient step; NLL_oracle; rollout update; discriminator rounds}; then
(not in the original) the reported generators scored again on fresh samples. Each unit
calls the functions of :mod:`seqgan_tf.train`; :class:`seqgan_tf.training.runner.ResumableRunner`
checkpoints after each one, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from collections.abc import Callable

import numpy as np
import tensorflow as tf

from seqgan_tf import train
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.published import ORACLE_PARAMS
from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.models.discriminator import Discriminator
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle, load_params, save_params
from seqgan_tf.models.rollout import Rollout
from seqgan_tf.reporting import results as results_lib
from seqgan_tf.schedule import BaselineSchedule, Schedule, preset_overrides
from seqgan_tf.training import projection
from seqgan_tf.training.runner import ResumableRunner, Unit, WorkdirMismatchError

__all__ = [
    "AdversarialTraining",
    "ExperimentSpec",
    "OracleExperiment",
    "Unit",
    "WorkdirMismatchError",
    "schedule_units",
]

EXPERIMENT_LOG = "experiment-log.txt"


def schedule_units(
    schedule: Schedule, data_unit: str = "oracle_samples", rescore: bool = True
) -> list[Unit]:
    """Algorithm 1's units: the data, MLE epochs, discriminator pre-training rounds, the
    adversarial iterations' parts, and (``rescore`` and ``rescore_samples``) the rescoring."""
    units = [Unit(data_unit)]
    units += [Unit("mle", epoch) for epoch in range(schedule.mle_epochs)]
    units += [Unit("dis_pretrain", r) for r in range(schedule.dis_pretrain_rounds)]
    for iteration in range(schedule.adversarial_iterations):
        units += [
            Unit("adversarial", iteration, part)  # part 0: G's step; k >= 1: D's k-th round
            for part in range(1 + schedule.dis_rounds_per_iteration)
        ]
    if rescore and schedule.rescore_samples:
        units.append(Unit("rescore"))
    return units


@dataclasses.dataclass(frozen=True)
class ExperimentSpec:
    """Everything that defines an experiment; a workdir holds exactly one."""

    config: ModelConfig
    schedule: Schedule
    seed: int = 88
    preset: str = "original"
    oracle_params: str | None = None  # None: a random N(0, 1) oracle from the seed
    real_data: str | None = None  # None: sample the training data from the oracle
    baselines: BaselineSchedule | None = None  # set: Table 1's baselines run too

    def identity(self) -> dict:
        """What must match for a workdir to be resumed (files by content, not path)."""
        identity = {
            "config": jsonable(dataclasses.asdict(self.config)),
            "schedule": dataclasses.asdict(self.schedule),
            "seed": self.seed,
            "preset": self.preset,
            "oracle": oracle_identity(self.oracle_params),
            "real_data_sha256": _sha256(self.real_data) if self.real_data else None,
        }
        if self.baselines is not None:
            identity["mode"] = "table1"
            identity["baselines"] = dataclasses.asdict(self.baselines)
        return identity


def oracle_identity(path: str | None) -> dict:
    if path is None:
        return {"kind": "random", "sha256": None}
    digest = _sha256(path)
    return {"kind": "published" if digest == ORACLE_PARAMS.sha256 else "file", "sha256": digest}


def record_evaluation(values: dict, method: str, step: int, nll: float) -> bool:
    """Keeps ``method``'s final and best NLL_oracle with their steps; True if best."""
    values[f"{method}_nll_final"], values[f"{method}_step_final"] = nll, step
    best = values.get(f"{method}_nll_best")
    if best is None or nll < best:
        values[f"{method}_nll_best"], values[f"{method}_step_best"] = nll, step
        return True
    return False


class AdversarialTraining:
    """Algorithm 1's models and training units in a resumable workdir, shared by the oracle
    and the text experiments (:mod:`seqgan_tf.experiments.text`).

    A subclass sets ``self.real`` (the training data [N, T]) in its first unit and on
    resume, does the evaluations, and supplies the rest of the runner's Task. ``after_unit``
    is called after each unit's work and log lines, before its checkpoint (tests interrupt
    runs there).
    """

    text_log = EXPERIMENT_LOG
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
    ) -> None:
        self.workdir, self.config, self.schedule, self.seed = workdir, config, schedule, seed
        self.strategy = strategy
        self.runner = ResumableRunner(
            workdir, identity, _with_later_fields, progress_interval, print_fn, after_unit
        )
        with self.strategy.scope():
            self.generator = Generator(config, seed=seed)
            self.discriminator = Discriminator(config, seed=seed + 1)
            self.rollout = Rollout(self.generator, config.rollout_update_rate)
            self.rng = tf.random.Generator.from_seed(seed)
        self.real: np.ndarray | None = None

    def run(self) -> dict:
        return self.runner.run(self)

    def path(self, *parts: str) -> str:
        return os.path.join(self.workdir, *parts)

    def log_line(self, text: str) -> None:
        with open(self.path(self.text_log), "a") as f:
            f.write(text)

    def checkpoint_objects(self) -> dict:
        return {
            "generator": self.generator,
            "generator_pretrain_optimizer": self.generator.pretrain_optimizer,
            "generator_adversarial_optimizer": self.generator.adversarial_optimizer,
            "discriminator": self.discriminator,
            "discriminator_optimizer": self.discriminator.train_optimizer,
            "discriminator_dropout_seed": self.discriminator.dropout.seed_generator.state,
            "rollout": self.rollout,
            "rng": self.rng,
        }

    def position(self, unit: Unit, steps: int) -> str:
        return {
            "mle": f"epoch {unit.step + 1}/{steps}",
            "dis_pretrain": f"round {unit.step + 1}/{steps}",
            "adversarial": f"iteration {unit.step + 1}/{steps}",
            **self.other_positions,
        }.get(unit.phase, f"step {unit.step + 1}/{steps}")

    def expected_seconds(self, unit: Unit) -> float | None:
        """No projection by default (a text corpus's sizes are not the bench's)."""
        return None

    def mle_batches(self) -> tf.Tensor:
        return train.mle_batches(self.real, self.config.batch_size)

    def mle_epoch(self) -> float:
        """One MLE epoch over the training data; its mean loss."""
        return train.pretrain_generator_epoch(self.generator, self.mle_batches())

    def discriminator_round(self, unit: Unit) -> float:
        return train.train_discriminator_round(
            self.discriminator,
            self.generator,
            self.real,
            self.schedule.num_samples,
            self.schedule.dis_epochs_per_round,
            self.rng,
            self._shuffle_seed(unit),
        )

    def generator_steps(self, iteration: int) -> dict:
        """An adversarial iteration's policy-gradient steps, then the rollout's update."""
        if iteration == 0:
            # The original builds its rollout network here, from the pre-trained generator.
            self.rollout.copy_params_from(self.generator)
        row: dict = {}
        for _ in range(self.schedule.generator_steps_per_iteration):
            row["adversarial_loss"], row["mean_reward"] = train.adversarial_step(
                self.generator, self.rollout, self.discriminator, self.config.rollout_num, self.rng
            )
        # The original updates the rollout after the iteration's evaluation, which neither
        # reads the rollout nor changes the generator: the same numbers.
        self.rollout.update_params(self.generator)
        return row

    def evaluated(self, phase: str, step: int) -> bool:
        """Whether the schedule evaluates after ``step`` of ``phase`` (mle, adversarial)."""
        if phase == "mle":
            every, steps = self.schedule.mle_eval_every, self.schedule.mle_epochs
        else:
            every = self.schedule.adversarial_eval_every
            steps = self.schedule.adversarial_iterations
        return step % every == 0 or step == steps - 1

    def _shuffle_seed(self, unit: Unit) -> int:
        """A seed fixed by the unit (not by Python's per-process string hashing)."""
        key = f"{self.seed}/{unit.phase}/{unit.step}/{unit.part}".encode()
        return int.from_bytes(hashlib.sha256(key).digest()[:4], "little")


class OracleExperiment(AdversarialTraining):
    """Runs (or resumes) one oracle experiment in ``workdir``."""

    progress_metric = ("nll_oracle", "NLL_oracle")
    other_positions = {
        "oracle_samples": "samples drawn",
        "rescore": "final generators scored afresh",
    }

    @functools.cached_property
    def projected_unit_seconds(self) -> dict[tuple[str, bool], float]:
        return projection.unit_seconds(self.schedule, projection.REFERENCE_COSTS)

    def expected_seconds(self, unit: Unit) -> float | None:
        """The unit's cost projected from the reference CPU's
        (``seqgan_tf.training.projection``)."""
        return self.projected_unit_seconds.get((unit.phase, unit.part > 0))

    def __init__(
        self,
        workdir: str,
        spec: ExperimentSpec,
        progress_interval: float = 10.0,
        strategy: tf.distribute.Strategy | None = None,
        print_fn: Callable[[str], None] = print,
        after_unit: Callable[[int, Unit], None] | None = None,
    ) -> None:
        self.spec = spec
        self.units = schedule_units(spec.schedule)
        strategy = strategy or tf.distribute.get_strategy()
        with strategy.scope():
            # Built first: a bad parameter file stops the run before the workdir is touched.
            self.oracle = (
                Oracle.from_file(spec.oracle_params, spec.config)
                if spec.oracle_params
                else Oracle.from_seed(spec.seed, spec.config)
            )
        super().__init__(
            workdir,
            spec.config,
            spec.schedule,
            spec.seed,
            spec.identity(),
            strategy,
            progress_interval,
            print_fn,
            after_unit,
        )

    # ------------------------------------------------------------------ the Task
    def on_resume(self, values: dict) -> None:
        self.real = read_token_file(
            self.path("real_data.txt"), self.config.vocab_size, self.config.sequence_length
        )

    def run_unit(self, unit: Unit, values: dict) -> dict:
        row = {"phase": unit.phase, "step": unit.step, "part": unit.part, "nll_oracle": None}
        if unit.phase == "oracle_samples":
            self._make_real_data()
            values["random_nll"], samples = self.evaluate(self.generator)
            write_token_file(self.path("samples", "random.txt"), samples)
            row["nll_oracle"] = values["random_nll"]
            row["real_data_nll_oracle"] = values["real_data_nll"] = self.oracle.nll(self.real)
        elif unit.phase == "mle":
            row.update(self._mle_epoch(unit.step, values))
        elif unit.phase == "dis_pretrain" or (unit.phase == "adversarial" and unit.part > 0):
            row["dis_loss"] = self.discriminator_round(unit)
        elif unit.phase == "adversarial":
            row.update(self._adversarial_generator_part(unit.step, values))
        elif unit.phase == "rescore":
            row["rescored"] = values["rescored"] = self._rescore()
        else:
            raise ValueError(f"unknown unit {unit}")
        return row

    # ------------------------------------------------------------------ pieces
    def evaluate(self, generator: Generator) -> tuple[float, np.ndarray]:
        """NLL_oracle of ``num_samples`` fresh samples of ``generator``, and the samples."""
        return train.evaluate(self.oracle, generator, self.schedule.num_samples, self.rng)

    def _make_real_data(self) -> None:
        if self.spec.real_data:
            self.real = read_token_file(
                self.spec.real_data, self.config.vocab_size, self.config.sequence_length
            )
        else:
            self.real = self.oracle.generate_many(self.schedule.num_samples, self.rng)
        write_token_file(self.path("real_data.txt"), self.real)

    def _mle_epoch(self, epoch: int, values: dict) -> dict:
        if epoch == 0:
            self.log_line("pre-training...\n")
        row = {"mle_loss": self.mle_epoch()}
        last = epoch == self.schedule.mle_epochs - 1
        if self.evaluated("mle", epoch):
            nll, samples = self.evaluate(self.generator)
            row["nll_oracle"] = values["mle_nll"] = nll
            if epoch % self.schedule.mle_eval_every == 0:
                self.log_line(f"epoch:\t{epoch}\tnll:\t{nll:g}\n")
            else:
                # The original logs only epochs divisible by 5; the final MLE model is
                # measured too (metrics only) so that the table compares like with like.
                row["phase"] = "mle_final"
            if last:
                write_token_file(self.path("samples", "mle_final.txt"), samples)
                save_params(self.path("mle_generator.pkl"), self.generator.export_params())
        return row

    def _adversarial_generator_part(self, iteration: int, values: dict) -> dict:
        if iteration == 0:
            self.log_line("adversarial training...\n")
        row = self.generator_steps(iteration)
        last = iteration == self.schedule.adversarial_iterations - 1
        if self.evaluated("adversarial", iteration):
            row["nll_oracle"], samples = self.evaluate(self.generator)
            self.log_line(f"epoch:\t{iteration}\tnll:\t{row['nll_oracle']:g}\n")
            if record_evaluation(values, "seqgan", iteration, row["nll_oracle"]):
                write_token_file(self.path("samples", "seqgan_best.txt"), samples)
                save_params(self.path("best_generator.pkl"), self.generator.export_params())
            if last:
                write_token_file(self.path("samples", "seqgan_final.txt"), samples)
        return row

    def _rescore(self) -> dict:
        """NLL_oracle and its standard error on ``rescore_samples`` fresh samples of each
        reported generator (the evaluations use ``num_samples``, 9,984 in the original)."""
        scratch = Generator(self.config)
        reported = {"mle_final": self.path("mle_generator.pkl")}
        if self.schedule.adversarial_iterations:
            reported["seqgan_final"] = None  # the generator as it stands
            reported["seqgan_best"] = self.path("best_generator.pkl")
        rescored = {}
        for name, params in reported.items():
            if params is not None and not os.path.exists(params):
                continue
            model = self.generator
            if params is not None:
                scratch.import_params(load_params(params, self.config), source=params)
                model = scratch
            nll, error = self.oracle.nll_and_standard_error(
                model, self.schedule.rescore_samples, self.rng
            )
            rescored[name] = {"nll": nll, "standard_error": error}
        return rescored

    # ------------------------------------------------------------------ results
    def results(self, values: dict, wall_seconds: float) -> dict:
        oracle = oracle_identity(self.spec.oracle_params)
        return {
            "oracle": oracle["kind"],
            "oracle_sha256": oracle["sha256"],
            "preset": self.spec.preset,
            "overrides": jsonable(
                preset_overrides(self.spec.preset, self.config, self.schedule, self.spec.baselines)
            ),
            "rollout_update_rate": self.config.rollout_update_rate,
            "rollout_num": self.config.rollout_num,
            "seed": self.spec.seed,
            "real_data": "file" if self.spec.real_data else "sampled from the oracle",
            "real_data_nll": values.get("real_data_nll"),
            "random_nll": values.get("random_nll"),
            "mle_epochs": self.schedule.mle_epochs,
            "mle_nll": values.get("mle_nll"),
            "adversarial_iterations": self.schedule.adversarial_iterations,
            "seqgan_nll_final": values.get("seqgan_nll_final"),
            "seqgan_nll_best": values.get("seqgan_nll_best"),
            "seqgan_iteration_best": values.get("seqgan_step_best"),
            "rescore_samples": self.schedule.rescore_samples,
            "rescored": values.get("rescored"),
            "wall_seconds": round(wall_seconds, 1),
            "schedule": dataclasses.asdict(self.schedule),
        }

    def table(self, results: dict) -> str:
        return results_lib.results_table(results)


def _with_later_fields(stored: dict) -> dict:
    """A workdir written before a field existed ran with that field's default."""
    filled = dict(stored)
    for key, cls in (
        ("config", ModelConfig),
        ("schedule", Schedule),
        ("baselines", BaselineSchedule),
    ):
        if isinstance(stored.get(key), dict):
            filled[key] = {**jsonable(dataclasses.asdict(cls())), **stored[key]}
    return filled


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return list(value)
    return value
