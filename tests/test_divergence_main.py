"""Smoke tests of ``python -m divergence.main``: tiny settings, a temporary workdir."""

from __future__ import annotations

import json
import logging
import os
import pathlib
import subprocess
import sys

import pytest
import tensorflow as tf
from absl import flags as absl_flags
from absl import logging as absl_logging
from absl.testing import flagsaver

from divergence import gan1d
from divergence import main as divergence_main

REPO = pathlib.Path(__file__).resolve().parents[1]
FIGURES = ("densities", "discriminator_vs_optimal", "generator_values", "gan_js", "mle_nll_kl")
SECTIONS = (
    "[divergences]",
    "[MLE = KL",
    "[optimal discriminator",
    "[three generators",
    "[1-D GAN, non_saturating loss, 60 steps]",
)
QUICK_ARGS = ["--quick", "--gan_loss=non_saturating", "--gan_steps=60", "--seed=3"]


def _cli(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "divergence.main", *args],
        cwd=REPO,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def run_main_in_process(monkeypatch):
    """Parses argv into the global absl FLAGS, runs main(), and restores everything after.

    In-process saves a second TensorFlow import (10+ s on a busy 2-core CPU). Op determinism
    is process-wide and cannot be switched off again, so it is stubbed here: other tests in
    this process (unseeded random ops in particular) must not inherit it. The flags' values
    and parsed state, and the root logger's handlers, are put back as they were.
    """
    monkeypatch.setattr(tf.config.experimental, "enable_op_determinism", lambda: None)
    root = logging.getLogger()
    handlers_before = list(root.handlers)
    was_parsed = absl_flags.FLAGS.is_parsed()
    verbosity = absl_logging.get_verbosity()

    def run(argv: list[str]) -> None:
        absl_flags.FLAGS(["divergence.main", *argv])
        divergence_main.main(["divergence.main"])

    with flagsaver.flagsaver():
        yield run
    if not was_parsed:
        absl_flags.FLAGS.unparse_flags()
    for handler in list(root.handlers):
        if handler not in handlers_before:  # the workdir's log file
            root.removeHandler(handler)
            handler.close()
    absl_logging.set_verbosity(verbosity)  # parsing flags set absl's logger level


def test_main_writes_the_table_and_the_figures(tmp_path, run_main_in_process, caplog):
    workdir = tmp_path / "run"
    with caplog.at_level(logging.INFO):
        run_main_in_process([f"--workdir={workdir}", *QUICK_ARGS])

    table = (workdir / "table.txt").read_text()
    for section in SECTIONS:
        assert section in table
    assert "argmin_G max_D V" in table
    assert "MLE step by step" in table
    assert "argmin_G max_D V" in caplog.text  # the table is printed too

    for name in FIGURES:
        data = (workdir / f"{name}.png").read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), name
        assert len(data) > 10_000, name

    results = json.loads((workdir / "results.json").read_text())
    assert results["seed"] == 3
    assert results["config"]["gan"]["loss"] == "non_saturating"
    assert results["config"]["gan"]["steps"] == 60
    identity = [r for r in results["rows"] if r["how"].startswith("V(G, D*) integrated")]
    assert len(identity) == 1 and identity[0]["difference"] < 1e-6
    assert "closed form vs trained discriminators" in table
    assert (workdir / "divergence.log").stat().st_size > 0


def test_main_flag_choices_match_the_library():
    assert divergence_main.GAN_LOSSES == gan1d.LOSSES


def test_cli_rejects_a_missing_workdir():
    completed = _cli("--quick", timeout=120)
    assert completed.returncode != 0
    assert "--workdir is required" in completed.stderr


@pytest.mark.slow
def test_cli_is_deterministic_given_the_seed(tmp_path):
    tables = []
    for name in ("a", "b"):
        completed = _cli(f"--workdir={tmp_path / name}", *QUICK_ARGS, timeout=600)
        assert completed.returncode == 0, completed.stderr[-3000:]
        tables.append((tmp_path / name / "table.txt").read_text())
    assert tables[0] == tables[1]
