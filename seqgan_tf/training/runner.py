"""A resumable run: a list of units of work, checkpointed after each one.

Knows nothing of SeqGAN. A :class:`Task` supplies the units, the objects to checkpoint and
what each unit does; :class:`ResumableRunner` owns the workdir: its identity
(``experiment.json``: a workdir holds one experiment), the checkpoints
(``tf.train.CheckpointManager``), ``state.json`` (written atomically after the checkpoint:
the next unit, the checkpoint, the byte length of every log, and the processes that did
the units), the logs (``metrics.jsonl``, one row a unit, and the task's own text log),
TensorBoard scalars, and progress lines with ETAs.

A run killed at any moment restarts from the last ``state.json``: logs are cut back to
the recorded length and the interrupted unit is done again, so no line is lost or
written twice.

A run resumed on another machine, or with other library versions, continues the same
computation but need not round floats as the first process did. So each process records
the unit it started at, its machine, library versions and code commit in ``state.json``,
and the results list them (``processes``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import subprocess
import time
from collections.abc import Callable
from typing import Protocol

import keras
import numpy as np
import tensorflow as tf
from absl import logging

METRICS = "metrics.jsonl"
# Kept while the next is written, so that state.json always names one that exists.
CHECKPOINTS_KEPT = 2


@dataclasses.dataclass(frozen=True)
class Unit:
    """One resumable piece of a run."""

    phase: str
    step: int = 0  # epoch, round or iteration
    part: int = 0  # a piece of a step, e.g. one discriminator round of an iteration


class Task(Protocol):
    """What a run does; the runner calls these and does everything else."""

    units: list[Unit]
    text_log: str  # the task's own log file in the workdir, resumed like metrics.jsonl
    progress_metric: tuple[str, str]  # (metrics-row key, label) shown in progress lines

    def position(self, unit: Unit, steps: int) -> str:
        """Where ``unit`` stands in its phase of ``steps`` steps, e.g. "epoch 3/20"."""

    def checkpoint_objects(self) -> dict:
        """Trackables saved after every unit (models, optimisers, random streams)."""

    def expected_seconds(self, unit: Unit) -> float | None:
        """The unit's projected cost, if the task knows one (None otherwise): ETAs use it
        for kinds of unit not yet run, scaled by measured over projected time so far."""

    def on_resume(self, values: dict) -> None:
        """Reloads what the checkpoint does not hold, before the next unit."""

    def run_unit(self, unit: Unit, values: dict) -> dict:
        """Does one unit; returns its metrics row. ``values`` persist across units and
        restarts (JSON), for the results."""

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
        self.progress_interval = progress_interval
        self.print_fn = print_fn
        self.after_unit = after_unit
        os.makedirs(workdir, exist_ok=True)
        self._check_identity(identity, upgrade_identity)

    def path(self, *parts: str) -> str:
        return os.path.join(self.workdir, *parts)

    def _check_identity(self, identity: dict, upgrade: Callable[[dict], dict]) -> None:
        path = self.path("experiment.json")
        if os.path.exists(path):
            with open(path) as f:
                differences = _differences(upgrade(json.load(f)), identity)
            if differences:
                raise WorkdirMismatchError(
                    f"--workdir={self.workdir} holds another experiment ("
                    + "; ".join(differences)
                    + "). Use a new --workdir, or the same flags to resume."
                )
        elif any(os.path.exists(self.path(n)) for n in ("state.json", METRICS)):
            raise WorkdirMismatchError(
                f"--workdir={self.workdir} holds files of an unknown run "
                "(no experiment.json); use an empty or new --workdir"
            )
        else:
            write_json_atomic(path, identity)

    def run(self, task: Task) -> dict:
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
        units, values = task.units, state["values"]
        state.setdefault("processes", [])  # absent from runs begun before it existed
        if state["next_unit"] < len(units):
            this_process = {"from_unit": state["next_unit"], **describe_environment()}
            logging.info("environment: %s", json.dumps(this_process))
            # Saved with the first unit this process completes: one that dies before
            # that contributed nothing to the run.
            state["processes"].append(this_process)
        if state["next_unit"] > 0:
            task.on_resume(values)
            logging.info(
                "resuming %s at unit %d of %d (%s)",
                self.workdir,
                state["next_unit"],
                len(units),
                units[state["next_unit"]] if state["next_unit"] < len(units) else "done",
            )
        writer = tf.summary.create_file_writer(self.path("tensorboard"))
        progress = Progress(
            units,
            self.progress_interval,
            task.position,
            task.progress_metric,
            task.expected_seconds,
            latest=last_logged(self.path(METRICS), task.progress_metric[0]),
        )
        for index in range(state["next_unit"], len(units)):
            started = time.time()
            row = task.run_unit(units[index], values)
            computed = time.time()
            state["wall_seconds"] += computed - started
            row["wall_seconds"] = round(state["wall_seconds"], 3)
            with open(self.path(METRICS), "a") as f:
                f.write(json.dumps(row) + "\n")
            with writer.as_default(step=index):
                for name, value in row.items():
                    if isinstance(value, int | float) and name not in ("step", "part"):
                        tf.summary.scalar(name, value)
            writer.flush()
            if self.after_unit is not None:
                self.after_unit(index, units[index])
            path = manager.save(checkpoint_number=index + 1)
            # The unit's logs and checkpoint are part of its cost: a row's wall_seconds
            # counts up to the end of its unit's work, the run's total counts everything.
            state["wall_seconds"] += time.time() - computed
            state["next_unit"] = index + 1
            state["checkpoint"] = os.path.relpath(path, self.workdir)
            state["log_bytes"] = {
                log: os.path.getsize(self.path(log)) if os.path.exists(self.path(log)) else 0
                for log in logs
            }
            write_json_atomic(self.path("state.json"), state)
            progress.update(index, row, time.time() - started)
        results = task.results(values, state["wall_seconds"])
        results["processes"] = state["processes"]
        write_json_atomic(self.path("results.json"), results)
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


def describe_environment() -> dict:
    """What can change a run's float rounding: machine, library versions, code commit."""
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": platform.node(),
        "cpu": _cpu_model(),
        "cpu_vector_extensions": _cpu_vector_extensions(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "commit": _source_commit(),
    }


def _cpuinfo_field(name: str) -> str | None:
    """The first value of a /proc/cpuinfo field; None where there is no such file or field."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def _cpu_model() -> str:
    return _cpuinfo_field("model name") or platform.processor() or platform.machine()


def _cpu_vector_extensions() -> list[str] | None:
    """The SIMD extensions the CPU lists (AVX, AVX2, FMA, AVX-512, AMX): they choose oneDNN's
    kernels, hence a run's speed and float rounding, and tell apart machines whose model
    name is only "AMD EPYC"."""
    flags = _cpuinfo_field("flags")
    if flags is None:
        return None
    return sorted(flag for flag in flags.split() if flag.startswith(("avx", "amx", "fma")))


def _source_commit() -> str | None:
    """HEAD of the checkout this package runs from, "+changes" if tracked files differ
    from it; None when it is not a git checkout (an installed wheel)."""
    source = os.path.dirname(os.path.abspath(__file__))

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-C", source, *args], capture_output=True, text=True, timeout=30
        )

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return None
        changed = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return head.stdout.strip() + ("+changes" if changed else "")


class Progress:
    """Prints phase, position, ETAs of the phase and of the run, and the latest metric.

    ETAs add the mean time measured in this process for each kind of remaining unit (an
    MLE epoch, a discriminator round, an adversarial iteration's generator part ...), so
    they do not swing as units of different cost alternate. The first unit of each kind
    in a process also traces its ``tf.function``s (the reward's XLA compile alone takes
    tens of seconds): it is left out of a kind's mean and of the speed ratio below, and
    counts only for a kind with no projection until a later unit of it is measured.

    A kind with no unit measured after its first counts at:
    - the measured mean of a kind with the same projected cost (the same work, e.g. a
      discriminator round in pre-training and in an adversarial iteration);
    - else ``expected(unit)``, the task's projection, times the speed ratio (measured over
      projected seconds of the non-first units run so far; 1 until there are any), and
      the ETA is marked "~";
    - else nothing, and the ETA is a lower bound, "> ".
    """

    def __init__(
        self,
        units: list[Unit],
        interval: float,
        position: Callable[[Unit, int], str],
        metric: tuple[str, str],
        expected: Callable[[Unit], float | None] = lambda unit: None,
        latest: float | None = None,
    ) -> None:
        self.units = units
        self.interval = interval
        self.position = position
        self.metric_key, self.metric_label = metric
        self.expected = expected
        self.last_print = 0.0
        self.latest = latest  # the metric's last value, before a resume too
        self.seconds: dict[tuple[str, bool], list[float]] = {}
        self.projected_kinds: dict[float, tuple[str, bool]] = {}  # projection -> a kind run
        # Measured and projected seconds of the units run after the first of their kind.
        self.measured_seconds = 0.0
        self.projected_seconds = 0.0

    @staticmethod
    def _kind(unit: Unit) -> tuple[str, bool]:
        return unit.phase, unit.part > 0

    def _eta(self, remaining: list[Unit]) -> tuple[float, str]:
        """Seconds, and "" (all measured), "~ " (some projected) or "> " (some unknown)."""
        speed = self.measured_seconds / self.projected_seconds if self.projected_seconds else 1.0
        total, projected, unknown = 0.0, False, False
        for unit in remaining:
            times = self.seconds.get(self._kind(unit), [])
            expected = self.expected(unit)
            if len(times) < 2 and expected in self.projected_kinds:
                times = self.seconds[self.projected_kinds[expected]]
            if len(times) > 1 or (times and expected is None):
                steady = times[1:] or times
                total += sum(steady) / len(steady)
            elif expected is not None:
                total += expected * speed
                projected = True
            else:
                unknown = True
        return total, "> " if unknown else "~ " if projected else ""

    def update(self, index: int, row: dict, seconds: float) -> None:
        unit = self.units[index]
        times = self.seconds.setdefault(self._kind(unit), [])
        times.append(seconds)
        expected = self.expected(unit)
        if expected is not None and expected > 0:
            self.projected_kinds.setdefault(expected, self._kind(unit))
            if len(times) > 1:
                self.measured_seconds += seconds
                self.projected_seconds += expected
        value = row.get(self.metric_key)
        if value is not None:
            self.latest = value
        now = time.time()
        remaining = self.units[index + 1 :]
        in_phase = [u for u in remaining if u.phase == unit.phase]
        if now - self.last_print < self.interval and in_phase and value is None:
            return
        self.last_print = now
        phase_eta, phase_mark = self._eta(in_phase)
        run_eta, run_mark = self._eta(remaining)
        steps = 1 + max(u.step for u in self.units if u.phase == unit.phase)
        logging.info(
            "[%s] %s | %d%% of the units | phase ETA %s%s | run ETA %s%s | %s %s",
            unit.phase,
            self.position(unit, steps),
            int(100 * (index + 1) / len(self.units)),
            phase_mark,
            format_seconds(phase_eta),
            run_mark,
            format_seconds(run_eta),
            self.metric_label,
            "n/a" if self.latest is None else f"{self.latest:.4f}",
        )


def last_logged(path: str, key: str) -> float | None:
    """The last value of ``key`` in the metrics log ``path`` (None if it has none): a
    resumed run's progress lines show it until the next evaluation."""
    if not os.path.exists(path):
        return None
    value = None
    with open(path) as f:
        for line in f:
            logged = json.loads(line).get(key)
            if logged is not None:
                value = logged
    return value


def _restore(checkpoint: tf.train.Checkpoint, path: str) -> None:
    """Restores every object, or fails: a checkpoint that does not fit is an error."""
    saved = {name for name, _ in tf.train.list_variables(path)}
    if "save_counter/.ATTRIBUTES/VARIABLE_VALUE" in saved:
        checkpoint.restore(path).assert_consumed()
    else:  # written by Checkpoint.write, before CheckpointManager kept the checkpoints
        checkpoint.read(path).assert_consumed()


def format_seconds(seconds: float) -> str:
    seconds = int(max(0.0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _differences(stored: dict, current: dict, prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(stored) | set(current)):
        a, b = stored.get(key), current.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b and not (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b)):
            out.append(f"{prefix}{key} is {a!r} there, {b!r} here")
    return out


def write_json_atomic(path: str, value: dict) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
