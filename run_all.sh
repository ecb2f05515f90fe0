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

echo "== SeqGAN: Table 1 (Random, MLE, scheduled sampling, PG-BLEU, SeqGAN), quick preset (~30 min)"
python -m seqgan_tf.main --mode=table1 --preset=quick --workdir="$RUN_DIR/table1_quick"

echo "== SeqGAN: speed of each unit of the original schedule"
python -m bench.seqgan_speed --json="$RUN_DIR/seqgan_speed.json"

echo "== divergence: GAN theory (MLE = KL, D*, max_D V = 2 JSD - 2 log 2, 1-D GAN)"
python -m divergence.main --workdir="$RUN_DIR/divergence"

echo "== CycleGAN: short synthetic-facades run, sample grid and test metrics"
python -m cyclegan_tf.main --dataset=synthetic_facades --workdir="$RUN_DIR/cyclegan_synthetic" --synthetic_train=64 --synthetic_test=16 --load_size=72 --crop_size=64 --n_blocks=3 --n_epochs=2 --n_epochs_decay=1 --sample_every=64 --checkpoint_every=32
python -m cyclegan_tf.main --mode=test --workdir="$RUN_DIR/cyclegan_synthetic"
ls "$RUN_DIR/cyclegan_synthetic/samples"
