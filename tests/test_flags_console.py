"""The drivers' console: grouped --help exiting 0, plain log lines, TensorFlow's CUDA
start-up lines dropped on a machine with no GPU driver (and nothing else dropped)."""

from __future__ import annotations

import logging
import os
import pathlib
import re
import subprocess
import sys

import pytest

from flags import console

REPO = pathlib.Path(__file__).resolve().parents[1]


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=300, **kwargs
    )


@pytest.mark.parametrize("driver", ["seqgan_tf.main", "divergence.main", "cyclegan_tf.main"])
@pytest.mark.parametrize("argument", ["--help", "-h"])
def test_help_exits_0_with_every_flag_in_a_named_group(driver, argument):
    result = _run("-m", driver, argument)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Other:" not in result.stdout  # every flag of the driver sits in a named group
    groups = re.findall(r"^(\S[^\n]*):$", result.stdout, flags=re.M)
    assert len(groups) >= 2, groups
    flags_listed = len(re.findall(r"^  --", result.stdout, flags=re.M))
    assert " ".join(result.stdout.split()).count("[default: ") == flags_listed


def test_help_of_an_enumeration_names_its_values_once():
    result = _run("-m", "seqgan_tf.main", "--help")
    block = result.stdout.split("  --mode\n", 1)[1].split("\n  --", 1)[0]
    modes = "oracle, table1, text, music, score, sample, temperature_sweep, smoke"
    assert f"one of: {modes}]" in " ".join(block.split())
    assert "<oracle|" not in block  # absl's own prefix, repeated information


def _write_to_fd2(lines: list[str], min_level: int = 2, no_gpu: bool = True) -> str:
    """What reaches the real stderr when ``lines`` are written to descriptor 2 inside the
    filter (run in a child, whose stderr we can read)."""
    script = (
        "import os, sys; from flags import console\n"
        f"with console._filtered_stderr(console._start_up_noise({min_level}, {no_gpu})):\n"
        f"    for line in {lines!r}: os.write(2, (line + '\\n').encode())\n"
    )
    result = _run("-c", script, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_the_filter_drops_cuda_start_up_lines_and_keeps_everything_else():
    noise = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1796597088.180074    2542 cudart_stub.cc:31] Could not find cuda drivers "
        "on your machine, GPU will not be used.",
        "E0000 00:00:1796597089.315661    2542 cuda_platform.cc:52] failed call to cuInit: "
        "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
    ]
    info = "I0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on."
    kept = ["E0000 00:00:1.0 1 some_kernel.cc:1] a real error", "plain text on stderr"]
    out = _write_to_fd2(noise[:2] + kept[:1] + [info] + noise[2:] + kept[1:])
    assert out.splitlines() == kept
    # TF_CPP_MIN_LOG_LEVEL=0 keeps INFO; with a GPU driver the CUDA lines are kept too.
    assert _write_to_fd2([info, *kept], min_level=0).splitlines() == [info, *kept]
    assert _write_to_fd2(noise[2:], min_level=0, no_gpu=False).splitlines() == noise[2:]


@pytest.mark.skipif(console.has_nvidia_driver(), reason="this machine has an NVIDIA driver")
def test_importing_tensorflow_on_a_machine_without_gpu_prints_no_cuda_lines():
    script = "from flags import console; tf = console.import_tensorflow(); print(tf.constant(2))"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = _run("-c", script, env={**env, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "tf.Tensor(2" in result.stdout
    assert result.stderr == ""


def test_console_lines_carry_no_logger_prefix():
    formatter = console._PlainFormatter()
    info = logging.LogRecord("absl", logging.INFO, "runner.py", 380, "epoch %d", (3,), None)
    warning = logging.LogRecord("absl", logging.WARNING, "x.py", 1, "careful", None, None)
    assert formatter.format(info) == "epoch 3"
    assert formatter.format(warning) == "warning: careful"


def test_sample_mode_on_a_missing_workdir_stops_without_creating_it(tmp_path):
    workdir = tmp_path / "no-such-run"
    result = _run(
        "-m", "seqgan_tf.main", "--mode=sample", f"--workdir={workdir}", f"--output={tmp_path}/o"
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: --workdir={workdir}: no such directory (--mode=sample reads a run)"
    )
    assert not workdir.exists()
