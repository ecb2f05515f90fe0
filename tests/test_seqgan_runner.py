"""The resumable runner with a dummy task (a counter, no SeqGAN model): it knows nothing of
SeqGAN, resumes after an interruption at every unit with the same logs, refuses another
experiment's workdir, and prints progress."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import pytest
import tensorflow as tf
from seqgan_tiny import Interrupted, interrupt_after

from seqgan_tf.training.runner import ResumableRunner, Run, Unit, WorkdirMismatchError

# Three "a" steps, then two "b" steps of a part 0 and one part each.
PLAN = [Unit("a", 0), Unit("a", 1), Unit("a", 2)] + [
    Unit("b", step, part) for step in range(2) for part in range(2)
]


class CounterTask:
    """Adds 1, 2, 3 ... to a counter, one unit at a time, drawing from a random stream."""

    units = PLAN
    text_log = "counter-log.txt"
    progress_metric = ("counter", "counter")
    row_defaults = {"counter": None}

    def __init__(self, workdir: pathlib.Path) -> None:
        self.workdir = workdir
        self.counter = tf.Variable(0.0, dtype=tf.float64)
        self.rng = tf.random.Generator.from_seed(1)

    def position(self, unit: Unit, steps: int) -> str:
        return f"step {unit.step + 1}/{steps}" + (f", part {unit.part}" if unit.part else "")

    def checkpoint_objects(self) -> dict:
        return {"counter": self.counter, "rng": self.rng}

    def expected_seconds(self, unit: Unit) -> float | None:
        return None

    def _add(self, run: Run, amount: float) -> None:
        self.counter.assign_add(amount + float(self.rng.uniform([], dtype=tf.float64)))
        run.record(counter=float(self.counter.numpy()))
        run.values["total"] = float(self.counter.numpy())
        with open(self.workdir / self.text_log, "a") as f:
            f.write(f"{run.current.phase} {run.current.step} {run.current.part}\n")

    def train(self, run: Run) -> None:
        for step in run.steps("a", 3):
            self._add(run, step + 1)
        for step in range(2):
            for _ in run.unit("b", step):
                self._add(run, 10)
            for part in run.parts("b", step, 1):
                self._add(run, 100 * part)

    def results(self, values: dict, wall_seconds: float) -> dict:
        return {"total": values["total"]}

    def table(self, results: dict) -> str:
        return f"total {results['total']}"


def _run(workdir: pathlib.Path, identity=None, after_unit=None, printed=None) -> dict:
    task = CounterTask(workdir)
    runner = ResumableRunner(
        str(workdir),
        identity or {"name": "counter"},
        progress_interval=0,
        print_fn=(printed.append if printed is not None else lambda _: None),
        after_unit=after_unit,
    )
    return runner.run(task)


def _rows(workdir: pathlib.Path) -> list[dict]:
    rows = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("wall_seconds")
    return rows


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pathlib.Path:
    workdir = tmp_path_factory.mktemp("reference")
    _run(workdir)
    return workdir


def test_the_loop_visits_the_plan_and_logs_a_row_per_unit(reference):
    rows = _rows(reference)
    assert [(r["phase"], r["step"], r["part"]) for r in rows] == [
        (u.phase, u.step, u.part) for u in PLAN
    ]
    assert (reference / "counter-log.txt").read_text().count("\n") == len(PLAN)
    assert json.loads((reference / "state.json").read_text())["next_unit"] == len(PLAN)
    assert json.loads((reference / "results.json").read_text())["total"] == rows[-1]["counter"]


@pytest.mark.parametrize("interrupted_at", range(len(PLAN)))
def test_interrupted_at_any_unit_then_resumed_gives_the_same_run(
    tmp_path, reference, interrupted_at
):
    with pytest.raises(Interrupted):
        _run(tmp_path, after_unit=interrupt_after(interrupted_at))
    # The interrupted unit's lines were written but not checkpointed: redone once.
    state = tmp_path / "state.json"
    assert (json.loads(state.read_text())["next_unit"] if state.exists() else 0) == interrupted_at
    _run(tmp_path)
    assert (tmp_path / "counter-log.txt").read_bytes() == (
        reference / "counter-log.txt"
    ).read_bytes()
    assert _rows(tmp_path) == _rows(reference)  # the random stream resumed too
    assert json.loads((tmp_path / "results.json").read_text()) == {
        **json.loads((reference / "results.json").read_text()),
        "processes": json.loads((tmp_path / "results.json").read_text())["processes"],
    }


def test_a_workdir_of_another_experiment_is_refused(tmp_path):
    _run(tmp_path, after_unit=None)
    with pytest.raises(WorkdirMismatchError, match="name is 'counter' there, 'other' here"):
        _run(tmp_path, identity={"name": "other"})


def test_a_run_that_failed_in_its_first_unit_leaves_a_workdir_any_run_accepts(tmp_path):
    with pytest.raises(Interrupted):
        _run(tmp_path, after_unit=interrupt_after(0))
    assert not (tmp_path / "experiment.json").exists()
    _run(tmp_path, identity={"name": "other"})  # the corrected command
    assert json.loads((tmp_path / "experiment.json").read_text()) == {"name": "other"}


def test_files_of_an_unknown_run_are_refused(tmp_path):
    (tmp_path / "state.json").write_text(json.dumps({"next_unit": 2}))
    with pytest.raises(WorkdirMismatchError, match="unknown run"):
        _run(tmp_path)


def test_a_loop_that_strays_from_its_plan_fails(tmp_path):
    class Stray(CounterTask):
        def train(self, run: Run) -> None:
            for step in run.steps("a", 4):  # the plan has 3
                self._add(run, step)

    runner = ResumableRunner(str(tmp_path), {}, print_fn=lambda _: None)
    with pytest.raises(RuntimeError, match=r"reached Unit\(phase='a', step=3.*plan has Unit\("):
        runner.run(Stray(tmp_path))


def test_progress_is_printed_plainly_and_logged_with_time(tmp_path):
    printed: list[str] = []
    _run(tmp_path, printed=printed)
    progress = [line for line in printed if "ETA" in line]
    assert len(progress) == len(PLAN)
    assert progress[0].startswith("[a] step 1/3 | 14% of the units | phase ETA ")
    assert progress[3].startswith("[b] step 1/2 |")
    assert progress[4].startswith("[b] step 1/2, part 1 |")
    assert "> 0m00s" not in "".join(progress)
    assert progress[-1].endswith(f"counter {_rows(tmp_path)[-1]['counter']:.4f}")
    logged = (tmp_path / "run.log").read_text().splitlines()
    assert len(logged) == len(PLAN)
    for line, shown in zip(logged, progress, strict=True):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO " + re.escape(shown), line)


def test_the_runner_imports_nothing_of_seqgan():
    code = (
        "import sys, seqgan_tf.training.runner; "
        "print([m for m in sys.modules if m.startswith('seqgan_tf') "
        "and not m.startswith('seqgan_tf.training')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['seqgan_tf']"
