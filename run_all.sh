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

echo "== CycleGAN: the quick start on synthetic facades, then test mode beside trivial baselines"
python -m cyclegan_tf.main --dataset=synthetic_facades --workdir="$RUN_DIR/cyclegan_quick" --synthetic_train=150 --synthetic_test=32 --load_size=72 --crop_size=64 --n_blocks=3 --ngf=32 --lambda_identity=0 --n_epochs=7 --n_epochs_decay=3 --sample_every=300 --checkpoint_every=300
python -m cyclegan_tf.main --mode=test --workdir="$RUN_DIR/cyclegan_quick"
ls "$RUN_DIR/cyclegan_quick/samples"
