"""The synthetic-data (oracle) experiment of SeqGAN: Algorithm 1 on an oracle's samples.

``--mode=oracle`` calls :func:`oracle_experiment`; :meth:`OracleExperiment.train` draws
the training data from the oracle, runs :func:`seqgan_tf.train.seqgan`, and (not in the
original) scores the reported generators again on fresh samples. Its hooks measure
NLL_oracle on the original's schedule, write the original's log lines, and keep the
final and best generators and their samples.
:class:`seqgan_tf.training.runner.ResumableRunner` checkpoints after each unit, so a killed
run resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from collections.abc import Callable

import numpy as np
import tensorflow as tf
from absl import logging

from seqgan_tf import train
from seqgan_tf.config import ModelConfig
from seqgan_tf.data.published import ORACLE_PARAMS
from seqgan_tf.data.token_files import read_token_file, write_token_file
from seqgan_tf.experiments.launch import announce, plan_text, single_device_strategy
from seqgan_tf.experiments.seqgan_task import (
    AdversarialTraining,
    jsonable,
    record_evaluation,
)
from seqgan_tf.models.generator import Generator
from seqgan_tf.models.oracle import Oracle, load_params, save_params
from seqgan_tf.reporting import results as results_lib
from seqgan_tf.schedule import BaselineSchedule, Schedule, preset_overrides
from seqgan_tf.training import projection
from seqgan_tf.training.runner import Run, Unit, WorkdirMismatchError

__all__ = [
    "AdversarialTraining",
    "ExperimentSpec",
    "OracleExperiment",
    "Unit",
    "WorkdirMismatchError",
    "jsonable",
    "oracle_experiment",
    "record_evaluation",
    "schedule_units",
    "start_oracle_run",
]


def oracle_experiment(
    workdir: str,
    config: ModelConfig,
    schedule: Schedule,
    preset: str,
    oracle_params: str | None,
    real_data: str | None,
    seed: int,
    strategy_name: str = "default",
    progress_interval: float = 10.0,
) -> dict:
    """Runs or resumes the oracle experiment (``--mode=oracle``) in ``workdir``; returns
    results.json's content."""
    spec = ExperimentSpec(config, schedule, seed, preset, oracle_params, real_data)
    strategy = start_oracle_run("oracle", spec, strategy_name)
    logging.info("oracle experiment in %s: preset %s, %s", workdir, preset, schedule)
    return OracleExperiment(workdir, spec, progress_interval, strategy).run()


def start_oracle_run(mode: str, spec: ExperimentSpec, strategy_name: str) -> tf.distribute.Strategy:
    """What ``--mode=oracle`` and ``--mode=table1`` do before their first unit: the
    strategy checked, a random oracle warned of, the run announced; returns the strategy."""
    strategy = single_device_strategy(strategy_name)
    if spec.oracle_params is None:
        logging.warning(
            "--random_oracle: a random N(0,1) oracle from --seed=%d; its NLL_oracle values "
            "are NOT comparable with the paper's",
            spec.seed,
        )
    tf.get_logger().setLevel("WARNING")  # checkpoint writes log at INFO on every save
    plan = plan_text(spec.schedule, spec.baselines)
    projected = projection.projection_text(spec.preset, spec.schedule, spec.baselines)
    announce(mode, spec.preset, plan, projected)
    return strategy


def schedule_units(schedule: Schedule, rescore: bool = True) -> list[Unit]:
    """The oracle experiment's plan: the data, Algorithm 1's units, and (``rescore`` and
    ``rescore_samples``) the rescoring."""
    units = [Unit("oracle_samples"), *train.seqgan_units(schedule)]
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


class OracleExperiment(AdversarialTraining):
    """Runs (or resumes) one oracle experiment in ``workdir``."""

    progress_metric = ("nll_oracle", "NLL_oracle")
    row_defaults = {"nll_oracle": None}
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
        self.units = self.plan(spec)
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
        self.real: np.ndarray | None = None

    @staticmethod
    def plan(spec: ExperimentSpec) -> list[Unit]:
        return schedule_units(spec.schedule)

    # ------------------------------------------------------------------ the loop
    def train(self, run: Run) -> None:
        """The oracle's samples, Algorithm 1 on them, the reported generators rescored."""
        self.training_data(run)
        train.seqgan(run, self.models, self.real, self.schedule, hooks=self)
        if self.schedule.rescore_samples:
            for _ in run.unit("rescore"):
                run.record(rescored=self.rescore(run))

    def training_data(self, run: Run) -> None:
        """S: drawn from the oracle (or read from ``real_data``) and written to the workdir
        in the first unit, with the untrained generator's NLL_oracle; read back on resume."""
        for _ in run.unit("oracle_samples"):
            if self.spec.real_data:
                self.real = read_token_file(
                    self.spec.real_data, self.config.vocab_size, self.config.sequence_length
                )
            else:
                self.real = self.oracle.generate_many(self.schedule.train_samples, self.rng)
            write_token_file(self.path("real_data.txt"), self.real)
            run.values["random_nll"], samples = self.evaluate(self.generator)
            write_token_file(self.path("samples", "random.txt"), samples)
            run.record(nll_oracle=run.values["random_nll"])
            run.record(real_data_nll_oracle=self.oracle.nll(self.real))
            run.values["real_data_nll"] = run.row["real_data_nll_oracle"]
        if self.real is None:  # resumed after the first unit
            self.real = read_token_file(
                self.path("real_data.txt"), self.config.vocab_size, self.config.sequence_length
            )

    # ------------------------------------------------------------------ hooks
    def evaluate(self, generator: Generator) -> tuple[float, np.ndarray]:
        """NLL_oracle of ``eval_samples`` fresh samples of ``generator``, and the samples."""
        return self.oracle.nll_of_samples(generator, self.schedule.eval_samples, self.rng)

    def evaluate_step(self, run: Run, phase: str, step: int) -> None:
        """The hook of :func:`seqgan_tf.train.seqgan`: NLL_oracle, the original's log line,
        the final and best generators kept."""
        nll, samples = self.evaluate(self.generator)
        run.record(nll_oracle=nll)
        if phase == "mle":
            run.values["mle_nll"] = nll
            if step % self.schedule.mle_eval_every == 0:
                self.log_line(f"epoch:\t{step}\tnll:\t{nll:g}\n")
            else:
                # The original logs only epochs divisible by 5; the final MLE model is
                # measured too (metrics only) so that the table compares like with like.
                run.record(phase="mle_final")
            if step == self.schedule.mle_epochs - 1:
                write_token_file(self.path("samples", "mle_final.txt"), samples)
                save_params(self.path("mle_generator.pkl"), self.generator.export_params())
            return
        self.log_line(f"epoch:\t{step}\tnll:\t{nll:g}\n")
        if record_evaluation(run.values, "seqgan", step, nll):
            write_token_file(self.path("samples", "seqgan_best.txt"), samples)
            save_params(self.path("best_generator.pkl"), self.generator.export_params())
        if step == self.schedule.adversarial_iterations - 1:
            write_token_file(self.path("samples", "seqgan_final.txt"), samples)

    def rescore(self, run: Run) -> dict:
        """NLL_oracle and its standard error on ``rescore_samples`` fresh samples of each
        reported generator (the evaluations use ``eval_samples``, 9,984 in the original)."""
        reported: dict[str, Generator | str] = {"mle_final": self.path("mle_generator.pkl")}
        if self.schedule.adversarial_iterations:
            reported["seqgan_final"] = self.generator  # the generator as it stands
            reported["seqgan_best"] = self.path("best_generator.pkl")
        rescored = self.score_afresh(reported)
        run.values["rescored"] = rescored
        return rescored

    def score_afresh(self, reported: dict[str, Generator | str]) -> dict[str, dict]:
        """{name: {"nll", "standard_error"}} of each generator of ``reported`` (a model, or
        the path of its saved parameters; a path that does not exist is left out) on
        ``rescore_samples`` fresh samples, in order, from the run's stream."""
        scratch = Generator(self.config)
        rescored = {}
        for name, model in reported.items():
            if isinstance(model, str):
                if not os.path.exists(model):
                    continue
                scratch.import_params(load_params(model, self.config), source=model)
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


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
