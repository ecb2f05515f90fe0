"""Shared test configuration: quiet TensorFlow, locate the published SeqGAN data."""

from __future__ import annotations

import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]


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

    from seqgan_tf.experiment import OracleExperiment

    workdir = str(tmp_path_factory.mktemp("tiny_oracle_run"))
    results = OracleExperiment(
        workdir, TINY_SPEC, progress_interval=0, print_fn=lambda _: None
    ).run()
    return workdir, results
