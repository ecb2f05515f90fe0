"""The driver's score mode from the command line."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]


def _score(oracle_params, data) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "seqgan_tf.main",
            "--mode=score",
            f"--oracle_params={oracle_params}",
            f"--data={data}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_score_mode_on_the_published_files(oracle_pickle_path, real_data_path):
    result = _score(oracle_pickle_path, real_data_path)
    assert result.returncode == 0, result.stderr[-2000:]
    match = re.search(r"^NLL_oracle: (\d+\.\d+)$", result.stdout, flags=re.M)
    assert match, result.stdout
    assert abs(float(match.group(1)) - 5.761) < 0.002


def test_score_mode_rejects_a_bad_token_file(oracle_pickle_path, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(" ".join(["1"] * 20) + "\n" + " ".join(["7"] * 19) + "\n")
    result = _score(oracle_pickle_path, bad)
    assert result.returncode == 1
    assert f"{bad}:2: expected 20 token ids, found 19" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_temperature_is_refused_naming_its_flag(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "seqgan_tf.main",
            "--mode=sample",
            f"--workdir={tmp_path}",
            "--temperatures=0.5,warm",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "error: --temperatures=warm: must be a finite number above 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_every_hyper_parameter_and_the_shared_flags():
    import dataclasses

    from seqgan_tf.config import ModelConfig
    from seqgan_tf.schedule import BaselineSchedule, Schedule

    result = subprocess.run(
        [sys.executable, "-m", "seqgan_tf.main", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    listed = set(re.findall(r"^  --(?:\[no\])?(\w+)", result.stdout, flags=re.M))
    for cls in (ModelConfig, Schedule, BaselineSchedule):
        for field in dataclasses.fields(cls):
            assert field.name in listed, f"--{field.name} is missing from --help"
    assert {"workdir", "seed", "strategy", "progress_interval", "preset"} <= listed


def test_preset_fills_the_flags_not_given():
    from seqgan_tf.schedule import PRESETS, Schedule, apply_preset

    defaults = {"mle_epochs": 120, "adversarial_iterations": 200}
    schedule = apply_preset(Schedule, "quick", defaults, given={"adversarial_iterations"})
    assert schedule.mle_epochs == PRESETS["quick"]["mle_epochs"]
    assert schedule.adversarial_iterations == 200
