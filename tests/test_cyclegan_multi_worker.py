"""--strategy=multi_worker: two worker processes on 127.0.0.1 train one CycleGAN.

The two workers (one CPU device each) must end every step with the same weights, equal to
a single process running MirroredStrategy over two logical CPUs on the same global batches,
and a second launch must resume from the checkpoint the chief wrote.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO_ROOT

SCRIPT = """
import hashlib, json, sys
import numpy as np
import tensorflow as tf
mode, workdir, max_steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
preempt_at = int(sys.argv[4])  # > 0: worker 1 gets a SIGTERM after this step
if mode == "mirrored":
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
from flags.common import is_chief, make_strategy
strategy = make_strategy("multi_worker" if mode == "worker" else "mirrored")
from cyclegan_tf.config import ModelConfig, RunConfig
from cyclegan_tf.train import train
config = RunConfig(
    workdir=workdir, dataset="synthetic_facades", synthetic_train=4, synthetic_test=2,
    load_size=36, crop_size=32, sample_every=0, checkpoint_every=1,
    summary_every=1, progress_interval=0, max_steps=max_steps, seed=3,
    model=ModelConfig(n_blocks=0, n_epochs=1, n_epochs_decay=1, batch_size=1, pool_size=1))
def on_step(step, logs):
    if step == preempt_at and not is_chief(strategy):
        import os, signal
        os.kill(os.getpid(), signal.SIGTERM)
result = train(config, strategy, on_step=on_step)
model = result["model"]
weights = [w for net in (model.g_ab, model.g_ba, model.d_a, model.d_b) for w in net.get_weights()]
weights += [model.pool_a.images.numpy(), model.pool_b.images.numpy()]
digest = hashlib.sha256(b"".join(np.ascontiguousarray(w).tobytes() for w in weights))
print("RESULT" + json.dumps({
    "replicas": strategy.num_replicas_in_sync, "chief": is_chief(strategy),
    "step": result["step"], "start_step": result["start_step"], "traces": result["traces"],
    "digest": digest.hexdigest(), "sums": [float(np.abs(w).sum()) for w in weights]}))
"""


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def launch(mode: str, workdir, max_steps: int, tf_config: dict | None = None, preempt_at=0):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TF_CONFIG", None)
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, mode, str(workdir), str(max_steps), str(preempt_at)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def outputs_of(processes: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    """Waits for every process (killing it after 600 s: the machine may be shared and loaded):
    (return code, stdout, stderr)."""
    outputs = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            err += "\n[killed after 600 s]"
        outputs.append((process.returncode, out, err))
    return outputs


def results_of(processes: list[subprocess.Popen]) -> list[dict]:
    outputs = outputs_of(processes)
    # When one worker dies the other fails too; show every process's stderr, so the
    # report carries the first cause and not only its echo.
    failed = [(i, err) for i, (code, _, err) in enumerate(outputs) if code != 0]
    assert not failed, "\n".join(f"--- process {i}:\n{err[-4000:]}" for i, err in failed)
    results = []
    for _, out, _ in outputs:
        line = [x for x in out.splitlines() if x.startswith("RESULT")][-1]
        results.append(json.loads(line[len("RESULT") :]))
    return results


def workers(workdir, max_steps: int, preempt_at: int = 0) -> list[dict]:
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    processes = [
        launch(
            "worker",
            workdir,
            max_steps,
            {"cluster": cluster, "task": {"type": "worker", "index": i}},
            preempt_at,
        )
        for i in range(2)
    ]
    return results_of(processes)


def test_two_workers_match_one_mirrored_process_and_resume_from_the_chief(tmp_path):
    reference = launch("mirrored", tmp_path / "mirrored", 0)  # all 4 steps in one go
    first = workers(tmp_path / "multi", max_steps=3)  # epoch 1 and the first step of epoch 2
    assert [r["chief"] for r in first] == [True, False]
    assert all(r["replicas"] == 2 and r["step"] == 3 and r["start_step"] == 0 for r in first)
    assert first[0]["digest"] == first[1]["digest"]  # identical weights and pools
    # One trace of the step for the whole run, not one per epoch.
    assert [r["traces"] for r in first] == [1, 1]
    # Only the chief wrote the workdir.
    assert sorted(os.listdir(tmp_path / "multi" / "checkpoints"))[-1].startswith("ckpt-3")

    second = workers(tmp_path / "multi", max_steps=0)  # to the end: step 4
    assert all(r["start_step"] == 3 and r["step"] == 4 for r in second)
    assert second[0]["digest"] == second[1]["digest"]

    (mirrored,) = results_of([reference])
    assert mirrored["replicas"] == 2 and mirrored["step"] == 4 and mirrored["traces"] == 1
    np.testing.assert_allclose(second[0]["sums"], mirrored["sums"], rtol=1e-5)


# Slow (four TensorFlow processes): the default run keeps the two-worker resume test above.
@pytest.mark.slow
def test_sigterm_to_one_worker_stops_both_after_the_same_step(tmp_path):
    """A preemption signal reaches worker 1 only (after its step 1, while its callbacks
    run): the workers' stop requests travel with step 2's all-reduce, so both stop after
    step 2, make the same checkpoint save and exit; a relaunch resumes there."""
    first = workers(tmp_path / "run", max_steps=0, preempt_at=1)
    assert [(r["start_step"], r["step"]) for r in first] == [(0, 2), (0, 2)]
    assert first[0]["digest"] == first[1]["digest"]
    assert sorted(os.listdir(tmp_path / "run" / "checkpoints"))[-1].startswith("ckpt-2")
    second = workers(tmp_path / "run", max_steps=0)
    assert [(r["start_step"], r["step"]) for r in second] == [(2, 4), (2, 4)]
