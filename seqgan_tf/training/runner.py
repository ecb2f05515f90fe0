"""A resumable run: a training loop whose units of work are checkpointed one by one.

Knows nothing of SeqGAN. A :class:`Task` supplies its plan (the list of units), the
objects to checkpoint, and ``train(run)``: the training loop, written as plain loops over
:meth:`Run.steps` (or :meth:`Run.unit`, :meth:`Run.parts`), which yield only the units not
yet done and, after each body, log its metrics row and checkpoint::

    for epoch in run.steps("mle", epochs):
        run.record(loss=train_one_epoch())

:class:`ResumableRunner` owns the workdir: its identity (``experiment.json``: a workdir
holds one experiment), the checkpoints (``tf.train.CheckpointManager``), ``state.json``
(written atomically after the checkpoint: the next unit, the checkpoint, the byte length
of every log, and the processes that did the units), the logs (``metrics.jsonl``, one row
a unit, and the task's own text log), TensorBoard scalars, and progress lines with ETAs
(:mod:`seqgan_tf.training.progress`).

A run killed at any moment restarts from the last ``state.json``: logs are cut back to
the recorded length and the interrupted unit is done again, so no line is lost or
written twice. Nothing marks the workdir as an experiment's until its first unit is done:
``experiment.json`` is written with the first checkpoint, so a run that fails before then
(bad input, a crash) leaves a workdir that any command accepts.

The module runs past 300 lines because the runner and the :class:`Run` a loop sees share
one state (the plan, ``state.json``, the logs, the checkpoint) and read best together.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from typing import Protocol

import tensorflow as tf
from absl import logging as absl_logging

from fileio.atomic import write_atomically
from seqgan_tf.training.environment import describe_environment
from seqgan_tf.training.metrics_log import METRICS, last_logged
from seqgan_tf.training.progress import Progress
from seqgan_tf.training.units import Unit

__all__ = ["ResumableRunner", "Run", "Task", "Unit", "WorkdirMismatchError"]

# Kept while the next is written, so that state.json always names one that exists.
CHECKPOINTS_KEPT = 2
IDENTITY = "experiment.json"
RUN_LOG = "run.log"


class Task(Protocol):
    """What a run does; the runner calls these and does everything else."""

    units: list[Unit]  # the plan: every unit ``train`` visits, in order
    text_log: str  # the task's own log file in the workdir, resumed like metrics.jsonl
    progress_metric: tuple[str, str]  # (metrics-row key, label) shown in progress lines
    row_defaults: dict  # keys every metrics row starts with (e.g. {"nll": None})

    def position(self, unit: Unit, steps: int) -> str:
        """Where ``unit`` stands in its phase of ``steps`` steps, e.g. "epoch 3/20"."""

    def checkpoint_objects(self) -> dict:
        """Trackables saved after every unit (models, optimisers, random streams)."""

    def expected_seconds(self, unit: Unit) -> float | None:
        """The unit's projected cost, if the task knows one (None otherwise): ETAs use it
        for kinds of unit not yet run, scaled by measured over projected time so far."""

    def train(self, run: Run) -> None:
        """The training loop: visits ``units`` in order through ``run``."""

    def results(self, values: dict, wall_seconds: float) -> dict:
        """The finished run's results (written to results.json)."""

    def table(self, results: dict) -> str:
        """The results as Markdown (written to results.md and printed)."""


class WorkdirMismatchError(ValueError):
    """The workdir holds a different experiment."""


class ResumableRunner:
    """Runs a :class:`Task` in ``workdir``, resuming where a previous process stopped.

    Args:
      identity: what must match for the workdir to be resumed (JSON).
      upgrade_identity: maps a stored identity to today's format (e.g. adds fields
        that did not exist when it was written, at the value those runs used).
      print_fn: where results and progress lines go (standard output by default).
      after_unit: called with (index, unit) after a unit's work and log lines and
        before its checkpoint, the worst moment to die: tests interrupt runs here.
    """

    def __init__(
        self,
        workdir: str,
        identity: dict,
        upgrade_identity: Callable[[dict], dict] = lambda stored: stored,
        progress_interval: float = 10.0,
        print_fn: Callable[[str], None] = print,
        after_unit: Callable[[int, Unit], None] | None = None,
    ) -> None:
        self.workdir = workdir
        self.identity = identity
        self.progress_interval = progress_interval
        self.print_fn = print_fn
        self.after_unit = after_unit
        self._check_identity(upgrade_identity)  # reads only: nothing is written yet

    def path(self, *parts: str) -> str:
        return os.path.join(self.workdir, *parts)

    def _check_identity(self, upgrade: Callable[[dict], dict]) -> None:
        path = self.path(IDENTITY)
        if os.path.exists(path):
            with open(path) as f:
                differences = _differences(upgrade(json.load(f)), self.identity)
            if differences:
                raise WorkdirMismatchError(
                    f"--workdir={self.workdir} holds another experiment ("
                    + "; ".join(differences)
                    + "). Use a new --workdir, or the same flags to resume."
                )
        elif os.path.exists(self.path("state.json")):
            raise WorkdirMismatchError(
                f"--workdir={self.workdir} holds files of an unknown run "
                f"(no {IDENTITY}); use an empty or new --workdir"
            )

    def run(self, task: Task) -> dict:
        os.makedirs(self.workdir, exist_ok=True)
        logs = (task.text_log, METRICS)
        checkpoint = tf.train.Checkpoint(**task.checkpoint_objects())
        manager = tf.train.CheckpointManager(
            checkpoint, self.path("checkpoints"), CHECKPOINTS_KEPT, checkpoint_name="ckpt"
        )
        state = self._load_state(logs)
        if state["checkpoint"]:
            _restore(checkpoint, self.path(state["checkpoint"]))
        for name in logs:
            # Lines written after the last checkpoint belong to the unit about to be
            # redone: drop them so that it writes them once.
            if os.path.exists(self.path(name)) and os.path.getsize(self.path(name)) > (
                size := state["log_bytes"].get(name, 0)
            ):
                with open(self.path(name), "r+b") as f:
                    f.truncate(size)
        units = task.units
        state.setdefault("processes", [])  # absent from runs begun before it existed
        if state["next_unit"] < len(units):
            this_process = {"from_unit": state["next_unit"], **describe_environment()}
            absl_logging.info("environment: %s", json.dumps(this_process))
            # Saved with the first unit this process completes: one that dies before
            # that contributed nothing to the run.
            state["processes"].append(this_process)
        if state["next_unit"] > 0:
            absl_logging.info(
                "resuming %s at unit %d of %d (%s)",
                self.workdir,
                state["next_unit"],
                len(units),
                units[state["next_unit"]] if state["next_unit"] < len(units) else "done",
            )
        progress_log = _progress_log(self.path(RUN_LOG))

        def emit(line: str) -> None:
            self.print_fn(line)
            progress_log.info(line)

        progress = Progress(
            units,
            self.progress_interval,
            task.position,
            task.progress_metric,
            task.expected_seconds,
            latest=last_logged(self.workdir, task.progress_metric[0]),
            emit=emit,
        )

        def save(index: int) -> None:
            """Checkpoints after unit ``index``; the caller writes ``state``."""
            if not os.path.exists(self.path(IDENTITY)):
                write_atomically(self.path(IDENTITY), json.dumps(self.identity, indent=2))
            path = manager.save(checkpoint_number=index + 1)
            state["next_unit"] = index + 1
            state["checkpoint"] = os.path.relpath(path, self.workdir)
            state["log_bytes"] = {
                log: os.path.getsize(self.path(log)) if os.path.exists(self.path(log)) else 0
                for log in logs
            }

        run = Run(self, units, state, task.row_defaults, save, progress)
        task.train(run)
        if run.visited != len(units):
            raise RuntimeError(f"the loop visited {run.visited} of the plan's {len(units)} units")
        results = task.results(state["values"], state["wall_seconds"])
        results["processes"] = state["processes"]
        write_atomically(self.path("results.json"), json.dumps(results, indent=2))
        table = task.table(results)
        with open(self.path("results.md"), "w") as f:
            f.write(table)
        self.print_fn(table)
        return results

    def _load_state(self, logs: tuple[str, ...]) -> dict:
        path = self.path("state.json")
        if not os.path.exists(path):
            return {
                "next_unit": 0,
                "checkpoint": None,
                "log_bytes": {name: 0 for name in logs},
                "wall_seconds": 0.0,
                "values": {},
                "processes": [],
            }
        with open(path) as f:
            return json.load(f)


class Run:
    """What a training loop sees of the runner.

    ``steps``, ``unit`` and ``parts`` yield the units of the plan not yet done (a resumed
    run skips the finished ones); inside a unit's body, ``record`` adds to its metrics row
    (``row``), and ``values`` persist across units and restarts (JSON) for the results.
    After each body the runner logs the row, checkpoints, and prints progress.
    """

    def __init__(
        self,
        runner: ResumableRunner,
        units: list[Unit],
        state: dict,
        row_defaults: dict,
        save: Callable[[int], None],
        progress: Progress,
    ) -> None:
        self._runner, self._units, self._state = runner, units, state
        self._row_defaults, self._save, self._progress = row_defaults, save, progress
        self._writer: tf.summary.SummaryWriter | None = None
        self.visited = 0  # units of the plan the loop has reached, done or skipped
        self.values: dict = state["values"]
        self.row: dict = {}
        self.current: Unit | None = None

    def steps(self, phase: str, count: int) -> Iterator[int]:
        """Steps 0 .. count - 1 of ``phase`` (units (phase, step)) not yet done."""
        for step in range(count):
            yield from self.unit(phase, step)

    def parts(self, phase: str, step: int, count: int) -> Iterator[int]:
        """Parts 1 .. count of ``phase``'s ``step`` (part 0 being the step's own unit)."""
        for part in range(1, count + 1):
            for _ in self.unit(phase, step, part):
                yield part

    def unit(self, phase: str, step: int = 0, part: int = 0) -> Iterator[int]:
        """Yields ``step`` once if the unit (phase, step, part) is not yet done, else not."""
        unit, index = Unit(phase, step, part), self.visited
        planned = self._units[index] if index < len(self._units) else None
        if unit != planned:
            raise RuntimeError(f"the loop reached {unit} where the plan has {planned}")
        self.visited += 1
        if index < self._state["next_unit"]:
            return  # done by an earlier process
        started = time.time()
        self.current = unit
        self.row = {"phase": phase, "step": step, "part": part, **self._row_defaults}
        yield step
        self._finish(index, started)

    def record(self, **metrics) -> None:
        """Adds ``metrics`` to the current unit's row."""
        self.row.update(metrics)

    def path(self, *parts: str) -> str:
        return self._runner.path(*parts)

    def _finish(self, index: int, started: float) -> None:
        state, row = self._state, self.row
        computed = time.time()
        state["wall_seconds"] += computed - started
        row["wall_seconds"] = round(state["wall_seconds"], 3)
        with open(self.path(METRICS), "a") as f:
            f.write(json.dumps(row) + "\n")
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.path("tensorboard"))
        with self._writer.as_default(step=index):
            for name, value in row.items():
                if isinstance(value, int | float) and name not in ("step", "part"):
                    tf.summary.scalar(name, value)
        self._writer.flush()
        if self._runner.after_unit is not None:
            self._runner.after_unit(index, self._units[index])
        self._save(index)
        # The unit's logs and checkpoint are part of its cost: a row's wall_seconds
        # counts up to the end of its unit's work, the run's total counts everything.
        state["wall_seconds"] += time.time() - computed
        write_atomically(self.path("state.json"), json.dumps(state, indent=2))
        self._progress.update(index, row, time.time() - started)
        self.current, self.row = None, {}


def _progress_log(path: str) -> logging.Logger:
    """A logger that writes progress lines, time-stamped, to ``path`` only (they are
    printed plainly to standard output as well)."""
    logger = logging.getLogger("seqgan_tf.progress")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    handler = logging.FileHandler(path, delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


def _restore(checkpoint: tf.train.Checkpoint, path: str) -> None:
    """Restores every object, or fails: a checkpoint that does not fit is an error."""
    saved = {name for name, _ in tf.train.list_variables(path)}
    if "save_counter/.ATTRIBUTES/VARIABLE_VALUE" in saved:
        checkpoint.restore(path).assert_consumed()
    else:  # written by Checkpoint.write, before CheckpointManager kept the checkpoints
        checkpoint.read(path).assert_consumed()


def _differences(stored: dict, current: dict, prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(stored) | set(current)):
        a, b = stored.get(key), current.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b and not (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b)):
            out.append(f"{prefix}{key} is {a!r} there, {b!r} here")
    return out
