"""Shared test configuration: quiet TensorFlow, locate the published SeqGAN data."""

from __future__ import annotations

import json
import logging
import os
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]

# Test modules that run whole drivers, experiments, benches or several processes. The
# default run keeps them; `pytest -m "not slow and not integration"` leaves them out, the
# developer's inner loop over the models, metrics, data and reporting.
INTEGRATION_MODULES = frozenset(
    {
        "test_bench_parity",
        "test_bench_seqgan_floor",
        "test_bench_seqgan_kernels",
        "test_cyclegan_cluster",
        "test_cyclegan_distributed",
        "test_cyclegan_driver",
        "test_cyclegan_gpu_check",
        "test_cyclegan_multi_worker",
        "test_cyclegan_resume",
        "test_cyclegan_translate",
        "test_flags_console",
        "test_seqgan_cli",
        "test_seqgan_download",
        "test_seqgan_experiment",
        "test_seqgan_music_experiment",
        "test_seqgan_resume",
        "test_seqgan_table1",
        "test_seqgan_text_experiment",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in INTEGRATION_MODULES:
            item.add_marker(pytest.mark.integration)


def run_script(script: str, *args: str, timeout: float = 600) -> dict:
    """Runs ``python -c script args`` from the repository (a fresh process, e.g. for
    logical devices configured before TensorFlow starts); returns the JSON the script
    printed after ``RESULT`` on its last such line."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    process = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert process.returncode == 0, process.stderr[-4000:]
    line = [x for x in process.stdout.splitlines() if x.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT") :])


def seqgan_data_dir() -> pathlib.Path:
    """``$SEQGAN_DATA_DIR``, else ``../shared/data/seqgan`` beside the checkout."""
    env = os.environ.get("SEQGAN_DATA_DIR")
    if env:
        return pathlib.Path(env)
    return REPO_ROOT.parent / "shared" / "data" / "seqgan"


@pytest.fixture(scope="session")
def oracle_pickle_path() -> pathlib.Path:
    path = seqgan_data_dir() / "target_params_py3.pkl"
    if not path.is_file():
        pytest.skip(f"published oracle parameters not found at {path} (set SEQGAN_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def real_data_path() -> pathlib.Path:
    path = seqgan_data_dir() / "real_data.txt"
    if not path.is_file():
        pytest.skip(f"published oracle samples not found at {path} (set SEQGAN_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def tiny_oracle_run(tmp_path_factory) -> tuple[str, dict]:
    """One finished tiny oracle experiment (seed 5), shared by the experiment tests and
    the resume tests as their uninterrupted reference; tests must not modify it."""
    from seqgan_tiny import TINY_SPEC

    from seqgan_tf.experiments.oracle import OracleExperiment

    workdir = str(tmp_path_factory.mktemp("tiny_oracle_run"))
    results = OracleExperiment(
        workdir, TINY_SPEC, progress_interval=0, print_fn=lambda _: None
    ).run()
    return workdir, results


@pytest.fixture
def info_logs(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """``caplog`` capturing INFO, absl's logger included: parsing absl flags (another test
    may have) sets that logger to its default verbosity, WARNING."""
    from absl import logging as absl_logging

    verbosity = absl_logging.get_verbosity()
    absl_logging.set_verbosity(absl_logging.INFO)
    caplog.set_level(logging.INFO)
    yield caplog
    absl_logging.set_verbosity(verbosity)
