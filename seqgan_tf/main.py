"""SeqGAN driver: ``python -m seqgan_tf.main --mode=smoke --workdir=DIR``."""

from __future__ import annotations

import json

from absl import app
from absl import flags as absl_flags

import flags as shared_flags
from seqgan_tf import data_paths

_MODE = absl_flags.DEFINE_enum(
    "mode", "smoke", ["smoke"], "smoke: one step of every model on the oracle (a few minutes)."
)
_ORACLE_PARAMS = absl_flags.DEFINE_string(
    "oracle_params",
    None,
    "The published oracle pickle (target_params_py3.pkl). Default: $SEQGAN_DATA_DIR's, else "
    "../shared/data/seqgan's; when none is found a random N(0,1) oracle is built from --seed.",
)
_REAL_DATA = absl_flags.DEFINE_string(
    "real_data", None, "Train on this token file instead of fresh oracle samples."
)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
    workdir = shared_flags.WORKDIR.value
    if not workdir:
        raise app.UsageError("--workdir is required")
    shared_flags.setup_logging(workdir)
    shared_flags.set_global_seed(shared_flags.SEED.value)
    oracle_params = _ORACLE_PARAMS.value or data_paths.published_oracle_params()
    from seqgan_tf.smoke import run_smoke

    report = run_smoke(
        workdir,
        oracle_params=str(oracle_params) if oracle_params else None,
        real_data=_REAL_DATA.value,
        seed=shared_flags.SEED.value,
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    app.run(main)
