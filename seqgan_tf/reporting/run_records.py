"""Committed oracle-experiment runs as records: what ran, where, on which code, and its scores.

A run is a folder of ``docs/runs/`` holding a workdir's logs (``metrics.jsonl``, and
``results.json`` once it finished). ``index.ini`` beside them adds what those files do not
record: the generator code the run used and, for runs older than the ``processes`` record,
the machine and commit. Runs group into experiments by preset, flags and code; seeds are
aggregated only within one experiment and one machine kind, since the same seed on two
machines rounds floats differently and lands elsewhere.
"""

from __future__ import annotations

import configparser
import dataclasses
import json
import pathlib
import re
import statistics

from seqgan_tf.reporting.curves import adversarial_curve, metrics_rows

# index.ini's code names: (short label, what the code did).
CODE_LABELS = {
    "old-init": ("old initialisation", "each gate's U = W and b = W[0], before commit 3248052"),
    "current": ("current code", "independent initial weights, commit 3248052 on"),
}


@dataclasses.dataclass(frozen=True)
class Score:
    """NLL_oracle of one generator on fresh samples, with its standard error."""

    nll: float
    standard_error: float


@dataclasses.dataclass(frozen=True)
class Run:
    """One committed run: its settings, machine, code and (when it finished) its scores."""

    name: str
    preset: str
    overrides: dict
    seed: int
    code: str
    machine: str
    commit: str
    wall_minutes: float
    note: str
    curve: tuple[tuple[int, float], ...]  # (adversarial iteration, logged NLL_oracle)
    results: dict | None = None  # results.json; None for a run that never finished
    stopped: str = ""

    @property
    def finished(self) -> bool:
        return self.results is not None

    def fresh(self, key: str) -> Score:
        """``key`` (mle_final, seqgan_final, seqgan_best) scored on fresh samples."""
        entry = self.results["rescored"][key]
        return Score(entry["nll"], entry["standard_error"])

    @property
    def mle(self) -> Score:
        return self.fresh("mle_final")

    @property
    def final(self) -> Score:
        return self.fresh("seqgan_final")

    @property
    def best(self) -> Score:
        return self.fresh("seqgan_best")

    @property
    def gain(self) -> float:
        """SeqGAN's final generator minus the MLE generator, on fresh samples."""
        return self.final.nll - self.mle.nll

    @property
    def logged_best_gain(self) -> float:
        """SeqGAN's best logged evaluation minus MLE's last: the run's own results.md
        figure, optimistic since the best is chosen on the samples it is scored on."""
        return self.results["seqgan_nll_best"] - self.results["mle_nll"]

    @property
    def last_logged(self) -> tuple[int, float]:
        """(iteration, NLL_oracle) of the last adversarial evaluation logged."""
        return self.curve[-1]

    @property
    def flags(self) -> str:
        """The command-line flags of the run beyond ``--mode=oracle --workdir``."""
        flags = [f"--preset={self.preset}"]
        overrides = sorted(self.overrides.items())
        flags += [f"--{name}={_flag_value(value)}" for name, value in overrides]
        return " ".join(flags)

    @property
    def experiment(self) -> tuple[str, str]:
        """What the run is: its flags and code (the seed and machine aside)."""
        return self.flags, self.code


def _flag_value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class RecordedProcesses:
    """The seed, machine and commits a ``results.json`` records (its ``processes``): what
    every committed run's table row shows. A mixin for dataclasses with a ``results``."""

    results: dict

    @property
    def seed(self) -> int:
        return self.results["seed"]

    @property
    def machine(self) -> str:
        return machine_kind(self.results["processes"])

    @property
    def commit(self) -> str:
        return commits_of(self.results["processes"])


def machine_kind(processes: list[dict]) -> str:
    """One label for the machines that ran a run's units, or the labels of each joined by
    " then " when the run moved between kinds. Vector extensions tell apart machines that
    report the same model name (docs/PERFORMANCE.md)."""
    kinds = []
    for process in processes:
        name = " ".join(re.sub(r"\((R|TM)\)|\b(Processor|CPU)\b", " ", process["cpu"]).split())
        extensions = set(process.get("cpu_vector_extensions", ()))
        widest = "AVX-512" if "avx512f" in extensions else "AVX2" if "avx2" in extensions else ""
        kind = f"{name}, {process['cpu_count']} cores" + (f", {widest}" if widest else "")
        if kind not in kinds:
            kinds.append(kind)
    return " then ".join(kinds)


def commits_of(processes: list[dict]) -> str:
    """The short commits that ran a run's units, in order, each once."""
    commits = []
    for process in processes:
        if process["commit"][:7] not in commits:
            commits.append(process["commit"][:7])
    return ", ".join(commits)


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _overrides(text: str) -> dict:
    """``name=value, name=value`` of index.ini as results.json's ``overrides``."""
    pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
    return {name.strip(): _number(value.strip()) for name, value in pairs}


def read_index(path: pathlib.Path) -> dict[str, dict[str, str]]:
    """{run folder: {key: value}} of index.ini."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(path.read_text(), source=str(path))
    return {name: dict(parser[name]) for name in parser.sections()}


def load_run(folder: pathlib.Path, index: dict) -> Run:
    """The run in ``folder``, described by its entry of ``index.ini``."""
    if folder.name not in index:
        raise ValueError(f"{folder}: no [{folder.name}] section in index.ini")
    entry = index[folder.name]
    if entry.get("code") not in CODE_LABELS:
        raise ValueError(f"index.ini [{folder.name}]: code must be one of {sorted(CODE_LABELS)}")
    results_path, state_path = folder / "results.json", folder / "state.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else None
    if results is not None:
        results["schedule"] = current_schedule(results["schedule"])
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    record = results or {}
    processes = record.get("processes") or state.get("processes") or []
    machine = entry.get("machine") or machine_kind(processes)
    commit = entry.get("commit") or commits_of(processes)
    if not machine or not commit:
        raise ValueError(f"index.ini [{folder.name}]: the run records no machine or commit")
    curve = tuple((step, nll) for step, nll, _ in adversarial_curve(str(folder)))
    # Finished runs count their own wall time; a lost run's last metrics row is all there is.
    wall = record["wall_seconds"] if results else metrics_rows(str(folder))[-1]["wall_seconds"]
    return Run(
        name=folder.name,
        preset=record.get("preset", entry.get("preset", "")),
        overrides=record.get("overrides", _overrides(entry.get("overrides", ""))),
        seed=record.get("seed", int(entry.get("seed", 0))),
        code=entry["code"],
        machine=machine,
        commit=commit,
        wall_minutes=wall / 60.0,
        note=entry.get("note", ""),
        curve=curve,
        results=results,
        stopped=entry.get("stopped", ""),
    )


def current_schedule(schedule: dict) -> dict:
    """A stored schedule in today's fields: runs from before the split of ``num_samples``
    (one count for the training data, each evaluation and each discriminator round) used
    it for all three."""
    if "num_samples" not in schedule:
        return schedule
    count = schedule["num_samples"]
    renamed = {}
    for key, value in schedule.items():
        if key == "num_samples":
            renamed.update(train_samples=count, eval_samples=count, dis_samples=count)
        else:
            renamed[key] = value
    return renamed


def load_runs(runs_dir: str | pathlib.Path) -> list[Run]:
    """Every run folder of ``runs_dir`` (those holding a ``metrics.jsonl``) but a finished
    ``--mode=table1`` run's, by name."""
    runs_dir = pathlib.Path(runs_dir)
    index_path = runs_dir / "index.ini"
    if not index_path.exists():
        raise ValueError(f"{runs_dir}: no index.ini")
    index = read_index(index_path)
    folders = sorted(p.parent for p in runs_dir.glob("*/metrics.jsonl") if not _is_table1(p.parent))
    unknown = set(index) - {folder.name for folder in folders}
    if unknown:
        raise ValueError(f"index.ini names runs with no folder: {', '.join(sorted(unknown))}")
    return [load_run(folder, index) for folder in folders]


def _is_table1(folder: pathlib.Path) -> bool:
    """A finished ``--mode=table1`` run: Table 1's own tables report it (table1_runs.py)."""
    path = folder / "results.json"
    return path.exists() and json.loads(path.read_text()).get("mode") == "table1"


@dataclasses.dataclass(frozen=True)
class Aggregate:
    """Mean and sample standard deviation of fresh scores over the seeds of one experiment
    on one machine kind."""

    runs: tuple[Run, ...]

    def _values(self, key: str) -> list[float]:
        return [run.fresh(key).nll for run in self.runs]

    def mean(self, key: str) -> float:
        return statistics.mean(self._values(key))

    def sd(self, key: str) -> float:
        return statistics.stdev(self._values(key))

    @property
    def gain(self) -> float:
        return statistics.mean(run.gain for run in self.runs)


def seed_groups(runs: list[Run]) -> list[Aggregate]:
    """The finished runs of one experiment split by machine kind, each kind with two or more
    runs of distinct seeds as an Aggregate (in the order the runs come)."""
    by_machine: dict[str, list[Run]] = {}
    for run in runs:
        if run.finished:
            by_machine.setdefault(run.machine, []).append(run)
    return [
        Aggregate(tuple(group))
        for group in by_machine.values()
        if len(group) >= 2 and len({run.seed for run in group}) == len(group)
    ]
