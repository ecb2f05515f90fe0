"""Where the published oracle files are found when no flag names them."""

from __future__ import annotations

import os
import pathlib

ORACLE_PARAMS_FILENAME = "target_params_py3.pkl"
REAL_DATA_FILENAME = "real_data.txt"


def default_data_dir() -> pathlib.Path:
    """``$SEQGAN_DATA_DIR``, else ``../shared/data/seqgan`` beside the checkout."""
    env = os.environ.get("SEQGAN_DATA_DIR")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "seqgan"


def published_oracle_params() -> pathlib.Path | None:
    path = default_data_dir() / ORACLE_PARAMS_FILENAME
    return path if path.is_file() else None


def published_real_data() -> pathlib.Path | None:
    path = default_data_dir() / REAL_DATA_FILENAME
    return path if path.is_file() else None
