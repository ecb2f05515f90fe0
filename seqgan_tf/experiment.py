"""The synthetic-data (oracle) experiment of SeqGAN, resumable at every unit of work.

The schedule is the original's (``sequence_gan.py``): oracle samples; MLE epochs with
NLL_oracle every few epochs; discriminator pre-training rounds; adversarial iterations
of {one policy-gradient step; NLL_oracle; rollout update; discriminator rounds}.

The run is a list of *units* (the oracle samples, one MLE epoch, one discriminator
round, the generator part of an adversarial iteration, one discriminator round of an
iteration). After each unit the models, their optimisers, the random generator and the
dropout seed are checkpointed, and ``state.json`` (written atomically after the
checkpoint) records the next unit and the byte length of every log. A run killed at any
moment restarts from the last ``state.json``: logs are cut back to the recorded length
and the interrupted unit is done again, so no line is lost or written twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import signal
import time
from collections.abc import Callable

import numpy as np
import tensorflow as tf
from absl import logging

from seqgan_tf import results as results_lib
from seqgan_tf.config import ModelConfig
from seqgan_tf.discriminator import Discriminator
from seqgan_tf.generator import Generator
from seqgan_tf.oracle import Oracle, load_params, save_params
from seqgan_tf.rollout import Rollout
from seqgan_tf.schedule import BaselineSchedule, Schedule, preset_overrides
from seqgan_tf.token_files import read_token_file, write_token_file

PUBLISHED_ORACLE_SHA256 = "5ac794a695dd6e0eb2bb689f3dfda55e4e0053e8c0399e6242630a95f1e60e8a"
EXPERIMENT_LOG = "experiment-log.txt"
METRICS = "metrics.jsonl"
LOGS = (EXPERIMENT_LOG, METRICS)
# Fault injection for the resume tests: SIGKILL this process right after unit N's work
# and log lines, before its checkpoint (the worst moment to die).
KILL_AFTER_UNIT_ENV = "SEQGAN_KILL_AFTER_UNIT"


@dataclasses.dataclass(frozen=True)
class Unit:
    """One resumable piece of the schedule."""

    phase: str  # "oracle_samples", "mle", "dis_pretrain", "adversarial" or "rescore"
    step: int = 0  # epoch, round or iteration
    part: int = 0  # adversarial: 0 = generator step, k >= 1 = k-th discriminator round


def schedule_units(schedule: Schedule) -> list[Unit]:
    units = [Unit("oracle_samples")]
    units += [Unit("mle", epoch) for epoch in range(schedule.mle_epochs)]
    units += [Unit("dis_pretrain", r) for r in range(schedule.dis_pretrain_rounds)]
    for iteration in range(schedule.adversarial_iterations):
        units += [
            Unit("adversarial", iteration, part)
            for part in range(1 + schedule.dis_rounds_per_iteration)
        ]
    if schedule.rescore_samples:
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
            "config": _jsonable(dataclasses.asdict(self.config)),
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
    return {"kind": "published" if digest == PUBLISHED_ORACLE_SHA256 else "file", "sha256": digest}


class WorkdirMismatchError(ValueError):
    """The workdir holds a different experiment."""


class InterruptedRun(Exception):
    """Raised by ``interrupt_after_unit``: a kill simulated inside the process (tests)."""


class OracleExperiment:
    """Runs (or resumes) one oracle experiment in ``workdir``."""

    def __init__(
        self,
        workdir: str,
        spec: ExperimentSpec,
        progress_interval: float = 10.0,
        strategy: tf.distribute.Strategy | None = None,
        print_fn: Callable[[str], None] = print,
        interrupt_after_unit: int | None = None,
    ) -> None:
        self.workdir = workdir
        self.spec = spec
        self.config = spec.config
        self.schedule = spec.schedule
        self.progress_interval = progress_interval
        self.print_fn = print_fn
        self.interrupt_after_unit = interrupt_after_unit
        self.units = self._make_units()
        strategy = strategy or tf.distribute.get_strategy()
        with strategy.scope():
            # Built first: a bad parameter file stops the run before the workdir is touched.
            self.oracle = (
                Oracle.from_file(spec.oracle_params, self.config)
                if spec.oracle_params
                else Oracle.from_seed(spec.seed, self.config)
            )
        os.makedirs(workdir, exist_ok=True)
        self._check_workdir()
        with strategy.scope():
            self.generator = Generator(self.config, seed=spec.seed)
            self.discriminator = Discriminator(self.config, seed=spec.seed + 1)
            self.rollout = Rollout(self.generator, self.config.rollout_update_rate)
            self.rng = tf.random.Generator.from_seed(spec.seed)
            self._build_more_models()
        self.checkpoint = tf.train.Checkpoint(**self._checkpoint_objects())
        self.summary_writer = tf.summary.create_file_writer(os.path.join(workdir, "tensorboard"))
        self.real: np.ndarray | None = None

    # ------------------------------------------------------------------ hooks
    def _make_units(self) -> list[Unit]:
        return schedule_units(self.schedule)

    def _build_more_models(self) -> None:
        """Models beside SeqGAN's (built under the strategy's scope)."""

    def _checkpoint_objects(self) -> dict:
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

    def _table(self, results: dict) -> str:
        return results_lib.results_table(results)

    # ------------------------------------------------------------------ workdir
    def path(self, *parts: str) -> str:
        return os.path.join(self.workdir, *parts)

    def _check_workdir(self) -> None:
        identity = self.spec.identity()
        path = self.path("experiment.json")
        if os.path.exists(path):
            with open(path) as f:
                stored = json.load(f)
            differences = _differences(_with_later_fields(stored), identity)
            if differences:
                raise WorkdirMismatchError(
                    f"--workdir={self.workdir} holds another experiment ("
                    + "; ".join(differences)
                    + "). Use a new --workdir, or the same flags to resume."
                )
        else:
            if any(os.path.exists(self.path(name)) for name in ("state.json", *LOGS)):
                raise WorkdirMismatchError(
                    f"--workdir={self.workdir} holds files of an unknown run "
                    "(no experiment.json); use an empty or new --workdir"
                )
            _write_json_atomic(path, identity)

    def _load_state(self) -> dict:
        path = self.path("state.json")
        if not os.path.exists(path):
            return {
                "next_unit": 0,
                "checkpoint": None,
                "log_bytes": {name: 0 for name in LOGS},
                "wall_seconds": 0.0,
                "values": {},
            }
        with open(path) as f:
            return json.load(f)

    def _restore(self, state: dict) -> None:
        if state["checkpoint"]:
            self.checkpoint.read(self.path(state["checkpoint"])).assert_consumed()
        for name in LOGS:
            log_path = self.path(name)
            size = state["log_bytes"][name]
            if os.path.exists(log_path) and os.path.getsize(log_path) > size:
                # Lines written after the last checkpoint belong to the unit about to be
                # redone: drop them so that it writes them once.
                with open(log_path, "r+b") as f:
                    f.truncate(size)
        if state["next_unit"] > 0:
            self.real = read_token_file(
                self.path("real_data.txt"), self.config.vocab_size, self.config.sequence_length
            )

    def _save(self, state: dict, next_unit: int) -> None:
        name = f"ckpt-{next_unit}"
        self.checkpoint.write(self.path("checkpoints", name))
        previous = state["checkpoint"]
        state["next_unit"] = next_unit
        state["checkpoint"] = os.path.join("checkpoints", name)
        state["log_bytes"] = {
            log: os.path.getsize(self.path(log)) if os.path.exists(self.path(log)) else 0
            for log in LOGS
        }
        _write_json_atomic(self.path("state.json"), state)
        if previous and previous != state["checkpoint"]:
            _remove_checkpoint(self.path(previous))

    # ------------------------------------------------------------------ logs
    def _log_line(self, text: str) -> None:
        with open(self.path(EXPERIMENT_LOG), "a") as f:
            f.write(text)

    def _metrics_row(self, row: dict) -> None:
        with open(self.path(METRICS), "a") as f:
            f.write(json.dumps(row) + "\n")

    def _scalars(self, step: int, **values: float | None) -> None:
        with self.summary_writer.as_default(step=step):
            for name, value in values.items():
                if value is not None:
                    tf.summary.scalar(name, value)
        self.summary_writer.flush()

    # ------------------------------------------------------------------ pieces
    def _generate(self, count: int) -> np.ndarray:
        return self.generator.generate_many(count, self.rng)

    def _nll_oracle(self, generator: Generator | None = None) -> tuple[float, np.ndarray]:
        """NLL_oracle of ``num_samples`` fresh samples of ``generator`` (default SeqGAN's)."""
        return self.oracle.nll_of_samples(
            generator or self.generator, self.schedule.num_samples, self.rng
        )

    def _mle_batches(self) -> tf.Tensor:
        batch = self.config.batch_size
        num_batches = len(self.real) // batch
        if num_batches == 0:
            raise ValueError(f"the training data holds fewer than {batch} sequences")
        data = self.real[: num_batches * batch]
        return tf.constant(data.reshape(num_batches, batch, self.config.sequence_length))

    def _dis_round(self, shuffle_seed: int) -> float:
        generated = self._generate(self.schedule.num_samples)
        return self.discriminator.train_round(
            self.real, generated, self.schedule.dis_epochs_per_round, shuffle_seed
        )

    # ------------------------------------------------------------------ units
    def _run_unit(self, unit: Unit, values: dict) -> dict:
        """Does one unit; returns its metrics row."""
        row = {"phase": unit.phase, "step": unit.step, "part": unit.part, "nll_oracle": None}
        if unit.phase == "oracle_samples":
            self._make_real_data()
            values["random_nll"], samples = self._nll_oracle()
            write_token_file(self.path("samples", "random.txt"), samples)
            row["nll_oracle"] = values["random_nll"]
            row["real_data_nll_oracle"] = values["real_data_nll"] = self.oracle.nll(self.real)
        elif unit.phase == "mle":
            if unit.step == 0:
                self._log_line("pre-training...\n")
            row["mle_loss"] = float(self.generator.pretrain_epoch(self._mle_batches()))
            last = unit.step == self.schedule.mle_epochs - 1
            if unit.step % self.schedule.mle_eval_every == 0 or last:
                nll, samples = self._nll_oracle()
                row["nll_oracle"] = values["mle_nll"] = nll
                if unit.step % self.schedule.mle_eval_every == 0:
                    self._log_line(f"epoch:\t{unit.step}\tnll:\t{nll:g}\n")
                else:
                    # The original logs only epochs divisible by 5; the final MLE model is
                    # measured too (metrics only) so that the table compares like with like.
                    row["phase"] = "mle_final"
                if last:
                    write_token_file(self.path("samples", "mle_final.txt"), samples)
                    save_params(self.path("mle_generator.pkl"), self.generator.export_params())
        elif unit.phase == "dis_pretrain":
            row["dis_loss"] = self._dis_round(self._shuffle_seed(unit))
        elif unit.phase == "rescore":
            row["rescored"] = values["rescored"] = self._rescore()
        elif unit.part == 0:
            row.update(self._adversarial_generator_part(unit, values))
        else:
            row["dis_loss"] = self._dis_round(self._shuffle_seed(unit))
        return row

    def _make_real_data(self) -> None:
        path = self.path("real_data.txt")
        if self.spec.real_data:
            self.real = read_token_file(
                self.spec.real_data, self.config.vocab_size, self.config.sequence_length
            )
        else:
            self.real = self.oracle.generate_many(self.schedule.num_samples, self.rng)
        write_token_file(path, self.real)

    def _adversarial_generator_part(self, unit: Unit, values: dict) -> dict:
        schedule, config = self.schedule, self.config
        if unit.step == 0:
            self._log_line("adversarial training...\n")
            # The original builds its rollout network here, from the pre-trained generator.
            self.rollout.copy_params_from(self.generator)
        row: dict = {}
        rewards = None
        for _ in range(schedule.generator_steps_per_iteration):
            samples = self.generator.generate(
                config.batch_size, self.rng.make_seeds(config.sequence_length)
            )
            rewards = self.rollout.get_reward(
                samples,
                config.rollout_num,
                self.discriminator,
                self.rng.make_seeds(config.sequence_length),
            )
            row["adversarial_loss"] = float(self.generator.adversarial_step(samples, rewards))
        if rewards is not None:
            row["mean_reward"] = float(tf.reduce_mean(rewards))
        last = unit.step == schedule.adversarial_iterations - 1
        if unit.step % schedule.adversarial_eval_every == 0 or last:
            nll, samples = self._nll_oracle()
            row["nll_oracle"] = nll
            self._log_line(f"epoch:\t{unit.step}\tnll:\t{nll:g}\n")
            values["seqgan_nll_final"] = nll
            values["seqgan_iteration_final"] = unit.step
            if values.get("seqgan_nll_best") is None or nll < values["seqgan_nll_best"]:
                values["seqgan_nll_best"] = nll
                values["seqgan_iteration_best"] = unit.step
                write_token_file(self.path("samples", "seqgan_best.txt"), samples)
                save_params(self.path("best_generator.pkl"), self.generator.export_params())
            if last:
                write_token_file(self.path("samples", "seqgan_final.txt"), samples)
        self.rollout.update_params(self.generator)
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

    def _shuffle_seed(self, unit: Unit) -> int:
        """A seed fixed by the unit (not by Python's per-process string hashing)."""
        key = f"{self.spec.seed}/{unit.phase}/{unit.step}/{unit.part}".encode()
        return int.from_bytes(hashlib.sha256(key).digest()[:4], "little")

    # ------------------------------------------------------------------ run
    def run(self) -> dict:
        state = self._load_state()
        self._restore(state)
        values = state["values"]
        total = len(self.units)
        if state["next_unit"] > 0:
            logging.info(
                "resuming %s at unit %d of %d (%s)",
                self.workdir,
                state["next_unit"],
                total,
                self.units[state["next_unit"]] if state["next_unit"] < total else "done",
            )
        progress = _Progress(self.units, self.progress_interval)
        kill_after = os.environ.get(KILL_AFTER_UNIT_ENV)
        for index in range(state["next_unit"], total):
            unit = self.units[index]
            started = time.time()
            row = self._run_unit(unit, values)
            state["wall_seconds"] += time.time() - started
            row["wall_seconds"] = round(state["wall_seconds"], 3)
            self._metrics_row(row)
            self._scalars(
                index,
                nll_oracle=row["nll_oracle"],
                mle_loss=row.get("mle_loss"),
                dis_loss=row.get("dis_loss"),
                adversarial_loss=row.get("adversarial_loss"),
                mean_reward=row.get("mean_reward"),
            )
            if kill_after is not None and int(kill_after) == index:
                os.kill(os.getpid(), signal.SIGKILL)
            if self.interrupt_after_unit == index:
                raise InterruptedRun(f"interrupted after unit {index} ({unit})")
            self._save(state, index + 1)
            progress.update(index, row.get("nll_oracle"), time.time() - started)
        results = self._results(values, state["wall_seconds"])
        _write_json_atomic(self.path("results.json"), results)
        table = self._table(results)
        with open(self.path("results.md"), "w") as f:
            f.write(table)
        self.print_fn(table)
        return results

    def _results(self, values: dict, wall_seconds: float) -> dict:
        oracle = oracle_identity(self.spec.oracle_params)
        return {
            "oracle": "published" if oracle["kind"] == "published" else oracle["kind"],
            "oracle_sha256": oracle["sha256"],
            "preset": self.spec.preset,
            "overrides": _jsonable(
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
            "seqgan_iteration_best": values.get("seqgan_iteration_best"),
            "rescore_samples": self.schedule.rescore_samples,
            "rescored": values.get("rescored"),
            "wall_seconds": round(wall_seconds, 1),
            "schedule": dataclasses.asdict(self.schedule),
        }


class _Progress:
    """Prints phase, position, ETAs of the phase and of the run, and the latest NLL_oracle.

    ETAs add the mean time measured in this process for each kind of remaining unit (an
    MLE epoch, a discriminator round, an adversarial iteration's generator part ...), so
    they do not swing as units of different cost alternate; units of a kind not yet seen
    make the run's ETA a lower bound ("> ...").
    """

    def __init__(self, units: list[Unit], interval: float) -> None:
        self.units = units
        self.interval = interval
        self.last_print = 0.0
        self.latest_nll: float | None = None
        self.seconds: dict[tuple[str, bool], list[float]] = {}

    @staticmethod
    def _kind(unit: Unit) -> tuple[str, bool]:
        return unit.phase, unit.part > 0

    def _eta(self, remaining: list[Unit]) -> tuple[float, bool]:
        total, complete = 0.0, True
        for unit in remaining:
            times = self.seconds.get(self._kind(unit))
            if times:
                total += sum(times) / len(times)
            else:
                complete = False
        return total, complete

    def update(self, index: int, nll: float | None, seconds: float) -> None:
        unit = self.units[index]
        self.seconds.setdefault(self._kind(unit), []).append(seconds)
        if nll is not None:
            self.latest_nll = nll
        now = time.time()
        remaining = self.units[index + 1 :]
        in_phase = [u for u in remaining if u.phase == unit.phase]
        if now - self.last_print < self.interval and in_phase and nll is None:
            return
        self.last_print = now
        phase_eta, _ = self._eta(in_phase)
        run_eta, complete = self._eta(remaining)
        steps = 1 + max(u.step for u in self.units if u.phase == unit.phase)
        position = {
            "oracle_samples": "samples drawn",
            "mle": f"epoch {unit.step + 1}/{steps}",
            "scheduled_sampling": f"epoch {unit.step + 1}/{steps}",
            "dis_pretrain": f"round {unit.step + 1}/{steps}",
            "rescore": "final generators scored afresh",
        }.get(unit.phase, f"iteration {unit.step + 1}/{steps}")
        logging.info(
            "[%s] %s | %d%% of the units | phase ETA %s | run ETA %s%s | NLL_oracle %s",
            unit.phase,
            position,
            int(100 * (index + 1) / len(self.units)),
            _format_seconds(phase_eta),
            "" if complete else "> ",
            _format_seconds(run_eta),
            "n/a" if self.latest_nll is None else f"{self.latest_nll:.4f}",
        )


def _format_seconds(seconds: float) -> str:
    seconds = int(max(0.0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return list(value)
    return value


def _with_later_fields(stored: dict) -> dict:
    """A workdir written before a field existed ran with that field's default."""
    filled = dict(stored)
    for key, cls in (
        ("config", ModelConfig),
        ("schedule", Schedule),
        ("baselines", BaselineSchedule),
    ):
        if isinstance(stored.get(key), dict):
            filled[key] = {**_jsonable(dataclasses.asdict(cls())), **stored[key]}
    return filled


def _differences(stored: dict, current: dict, prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(stored) | set(current)):
        a, b = stored.get(key), current.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b and not (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b)):
            out.append(f"{prefix}{key} is {a!r} there, {b!r} here")
    return out


def _write_json_atomic(path: str, value: dict) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _remove_checkpoint(prefix: str) -> None:
    directory, base = os.path.split(prefix)
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        if name.startswith(base + ".") or name == base:
            os.remove(os.path.join(directory, name))
