#!/usr/bin/env bash
# Runs everything end to end: the tests, then each package's short default run.
# Output goes under ${RUN_DIR:-runs}/.
set -euo pipefail
cd "$(dirname "$0")"
RUN_DIR="${RUN_DIR:-runs}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

echo "== tests"
pytest -q

echo "== SeqGAN: models smoke run on the published oracle"
python -m seqgan_tf.main --mode=smoke --workdir="$RUN_DIR/seqgan_smoke"
