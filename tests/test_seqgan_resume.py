"""Resume after a real SIGKILL in each phase of the oracle experiment.

Each killed process dies right after a unit's work and log lines, before its
checkpoint: the worst moment. The resumed runs must end with the same experiment log,
metrics and results as an uninterrupted run: no line lost or repeated, no phase redone
beyond the interrupted unit, the same random stream.
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import re
import signal
import subprocess
import sys

import pytest
from seqgan_tiny import TINY_FLAGS, Interrupted, interrupt_after

REPO = pathlib.Path(__file__).resolve().parents[1]
# Units of the tiny schedule: 0 oracle samples; 1-4 MLE epochs; 5-6 discriminator
# pre-training; 7.. adversarial (generator part, discriminator round) x 3.
KILL_CHAIN = {
    "oracle_samples": 0,
    "mle": 2,
    "dis_pretrain": 5,
    "adversarial_generator": 9,
    "adversarial_discriminator": 10,
}


def _run(workdir: pathlib.Path, kill_after: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    kill = [] if kill_after is None else [str(kill_after)]
    return subprocess.run(
        [sys.executable, str(REPO / "tests" / "seqgan_kill_driver.py"), str(workdir), *kill],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _metrics_without_time(workdir: pathlib.Path) -> list[dict]:
    rows = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("wall_seconds")
    return rows


def _results_without_time(workdir: pathlib.Path) -> dict:
    results = json.loads((workdir / "results.json").read_text())
    results.pop("wall_seconds")
    results.pop("processes")  # checked by _assert_processes
    return results


def _cpuinfo_vector_extensions() -> list[str] | None:
    try:
        text = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    flags = re.search(r"^flags\s*:(.*)$", text, re.MULTILINE)
    if flags is None:
        return None
    simd = re.compile(r"(avx|amx|fma)\w*")
    return sorted({flag for flag in flags.group(1).split() if simd.fullmatch(flag)})


def _assert_processes(workdir: pathlib.Path) -> None:
    """One record per process that completed a unit, at the unit it started from: the
    first interrupted process died within unit 0 and so left none."""
    import keras
    import numpy as np
    import tensorflow as tf

    processes = json.loads((workdir / "results.json").read_text())["processes"]
    assert [p["from_unit"] for p in processes] == [0, *list(KILL_CHAIN.values())[1:]]
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True)
    for process in processes:
        assert (process["tensorflow"], process["keras"], process["numpy"]) == (
            tf.__version__,
            keras.__version__,
            np.__version__,
        )
        assert process["python"] == sys.version.split()[0]
        assert process["cpu_count"] == os.cpu_count()
        assert process["cpu_vector_extensions"] == _cpuinfo_vector_extensions()
        if head.returncode == 0:  # a git checkout, not an installed copy
            assert process["commit"].removesuffix("+changes") == head.stdout.decode().strip()
        else:
            assert process["commit"] is None


@pytest.mark.slow  # seven processes: ~2-4 minutes; the in-process variant below runs by default
def test_kill_in_each_phase_then_resume_matches_an_uninterrupted_run(tmp_path):
    reference = tmp_path / "reference"
    done = _run(reference)
    assert done.returncode == 0, done.stderr[-3000:]

    workdir = tmp_path / "killed"
    state_path = workdir / "state.json"
    next_unit = 0
    for phase, unit in KILL_CHAIN.items():
        killed = _run(workdir, kill_after=unit)
        assert killed.returncode == -signal.SIGKILL, (phase, killed.stderr[-3000:])
        if next_unit > 0:
            assert f"at unit {next_unit} of" in killed.stderr  # resumed, not restarted
        next_unit = json.loads(state_path.read_text())["next_unit"] if state_path.exists() else 0
        assert next_unit == unit  # the interrupted unit is the next one
    finished = _run(workdir)
    assert finished.returncode == 0, finished.stderr[-3000:]

    assert (workdir / "experiment-log.txt").read_bytes() == (
        reference / "experiment-log.txt"
    ).read_bytes()
    assert _metrics_without_time(workdir) == _metrics_without_time(reference)
    assert _results_without_time(workdir) == _results_without_time(reference)
    _assert_processes(workdir)
    assert (workdir / "real_data.txt").read_bytes() == (reference / "real_data.txt").read_bytes()


def test_interrupt_in_each_phase_then_resume_in_process(tmp_path, tiny_oracle_run):
    """The same check without new processes: each interruption leaves the workdir as a
    kill would (the unit's log lines written, no checkpoint), and fresh models resume."""
    from seqgan_tiny import TINY_SPEC

    from seqgan_tf.experiments.oracle import OracleExperiment

    reference = pathlib.Path(tiny_oracle_run[0])
    workdir = tmp_path / "interrupted"
    for unit in KILL_CHAIN.values():
        experiment = OracleExperiment(
            str(workdir),
            TINY_SPEC,
            progress_interval=1e9,
            print_fn=lambda _: None,
            after_unit=interrupt_after(unit),
        )
        with pytest.raises(Interrupted):
            experiment.run()
    OracleExperiment(str(workdir), TINY_SPEC, progress_interval=1e9, print_fn=lambda _: None).run()
    assert (workdir / "experiment-log.txt").read_bytes() == (
        reference / "experiment-log.txt"
    ).read_bytes()
    assert _metrics_without_time(workdir) == _metrics_without_time(reference)
    assert _results_without_time(workdir) == _results_without_time(reference)
    _assert_processes(workdir)


def test_resumed_progress_shows_the_last_logged_metric(tmp_path):
    """Until its next evaluation, a resumed run's progress lines show the last NLL_oracle
    of its log, not "n/a"."""
    from seqgan_tiny import TINY_SPEC

    from seqgan_tf.experiments.oracle import OracleExperiment

    workdir = tmp_path / "resumed"
    first_round = KILL_CHAIN["dis_pretrain"]
    printed: list[str] = []
    run = functools.partial(
        OracleExperiment, str(workdir), TINY_SPEC, progress_interval=0, print_fn=printed.append
    )
    with pytest.raises(Interrupted):
        run(after_unit=interrupt_after(first_round)).run()
    printed.clear()
    run().run()
    with open(workdir / "metrics.jsonl") as f:
        rows = [json.loads(line) for line in f]
    logged = [row["nll_oracle"] for row in rows[:first_round] if row.get("nll_oracle") is not None]
    first_line = next(line for line in printed if "ETA" in line)
    assert first_line.startswith("[dis_pretrain] round 1/2")
    assert first_line.endswith(f"NLL_oracle {logged[-1]:.4f}")
    # Printed plainly; time-stamped in the workdir's run.log.
    assert re.search(
        r"^\S+ \S+ INFO \[dis_pretrain\] round 1/2", (workdir / "run.log").read_text(), re.M
    )


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--preset=bogus"], "--preset"),
        (
            ["--oracle_params=/nonexistent/params.pkl"],
            "--oracle_params=/nonexistent/params.pkl: file not found",
        ),
        (["--mode=score"], "--mode=score needs --data=FILE"),
        (["--dis_filter_sizes=1,x"], "--dis_filter_sizes=1,x: expected a comma-separated list"),
        (["--mle_eval_every=0"], "--mle_eval_every must be at least 1, got 0"),
        (["--batch_size=-5"], "--batch_size must be at least 1, got -5"),
        (["--rollout_num=0"], "--rollout_num must be at least 1, got 0"),
        (
            ["--dis_num_filters=100,0,200,200,200,100,100,100,100,100,160,160"],
            "--dis_num_filters must be at least 1, got 0",
        ),
        (["--gen_learning_rate=-0.1"], "--gen_learning_rate must be positive, got -0.1"),
        (["--dis_dropout_keep_prob=0"], "--dis_dropout_keep_prob must lie in (0, 1], got 0.0"),
        (["--rollout_update_rate=1.5"], "--rollout_update_rate must lie in [0, 1], got 1.5"),
        (["--dis_epochs_per_round=0"], "--dis_epochs_per_round must be at least 1, got 0"),
        (["--dis_samples=0"], "--dis_samples must be at least 1, got 0"),
        (
            ["--mode=table1", "--mle_baseline_epochs=100"],
            "--pg_bleu_mle_epochs=200 exceeds --mle_baseline_epochs=100",
        ),
        (
            ["--mode=table1", "--mle_baseline_epochs=100", "--pg_bleu_mle_epochs=50"],
            "--mle_epochs=120 exceeds --mle_baseline_epochs=100",
        ),
    ],
)
def test_bad_flags_are_rejected_with_a_clear_message(tmp_path, flags, message):
    result = subprocess.run(
        [sys.executable, "-m", "seqgan_tf.main", f"--workdir={tmp_path}", *flags],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "experiment.json").exists()


def test_a_bad_flag_gives_one_line_and_the_corrected_command_runs_in_the_same_workdir(tmp_path):
    """Validate, then write: the mistake leaves nothing that blocks the corrected run."""
    short = ["--mle_epochs=1", "--dis_pretrain_rounds=0", "--adversarial_iterations=0"]
    command = [sys.executable, "-m", "seqgan_tf.main", f"--workdir={tmp_path}", *TINY_FLAGS]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    bad = subprocess.run(
        [*command, *short, "--batch_size=-5"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1] == "error: --batch_size must be at least 1, got -5"
    good = subprocess.run(
        [*command, *short], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert good.returncode == 0, good.stderr[-3000:]
    assert json.loads((tmp_path / "experiment.json").read_text())["config"]["batch_size"] == 8


def test_workdir_of_another_experiment_is_rejected_from_the_command_line(tmp_path):
    from seqgan_tiny import TINY_CONFIG, TINY_SCHEDULE

    from seqgan_tf.experiments.oracle import ExperimentSpec

    identity = ExperimentSpec(TINY_CONFIG, TINY_SCHEDULE, seed=5).identity()
    (tmp_path / "experiment.json").write_text(json.dumps(identity))
    other = subprocess.run(
        [
            sys.executable,
            "-m",
            "seqgan_tf.main",
            f"--workdir={tmp_path}",
            *TINY_FLAGS,
            "--mle_epochs=7",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert other.returncode == 1
    assert "holds another experiment (schedule.mle_epochs is 4 there, 7 here)" in other.stderr
    assert "Traceback" not in other.stderr
