#!/usr/bin/env bash
# Runs everything end to end: the tests (slow ones included), then each package's short
# default run. Output goes under ${RUN_DIR:-runs}/.
set -euo pipefail
cd "$(dirname "$0")"
RUN_DIR="${RUN_DIR:-runs}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

echo "== tests (default suite, then the slow ones)"
pytest -q
pytest -q -m slow

echo "== SeqGAN: the oracle experiment, quick preset (~15 min)"
python -m seqgan_tf.main --mode=oracle --preset=quick --workdir="$RUN_DIR/seqgan_quick"

echo "== SeqGAN: speed of each unit of the original schedule"
python -m bench.seqgan_speed --json="$RUN_DIR/seqgan_speed.json"

echo "== divergence: GAN theory (MLE = KL, D*, max_D V = 2 JSD - 2 log 2, 1-D GAN)"
python -m divergence.main --workdir="$RUN_DIR/divergence"
