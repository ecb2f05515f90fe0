#!/bin/bash
# Invoked as: run2.sh v2 2 --n_epochs=7 --n_epochs_decay=3 (the quick start's command, seeds 1, 2, 3 one after the other)
# (/work/wt/cg2: a detached worktree at 3b79806 that nobody edited)
# CycleGAN quick-start candidate: run.sh NAME SEED [extra flags...]; train then test, timed.
N=$1; S=$2; shift 2
cd /work/wt/cg2; . /work/venv/bin/activate; export TF_CPP_MIN_LOG_LEVEL=2
W=/work/runs/cg/$N-seed$S
T0=$(date +%s)
nice -n 5 python -m cyclegan_tf.main --dataset=synthetic_facades --workdir=$W --seed=$S \
  --synthetic_train=150 --synthetic_test=32 --load_size=72 --crop_size=64 --n_blocks=3 \
  --ngf=32 --lambda_identity=0 --sample_every=300 --checkpoint_every=300 "$@" > $W.train.out 2>&1
T1=$(date +%s)
nice -n 5 python -m cyclegan_tf.main --mode=test --workdir=$W > $W.test.out 2>&1
T2=$(date +%s)
echo "{\"name\": \"$N\", \"seed\": $S, \"flags\": \"$*\", \"train_seconds\": $((T1-T0)), \"test_seconds\": $((T2-T1)), \"start\": \"$(date -u -d @$T0 +%FT%TZ)\", \"load_average_at_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" > $W.timing.json
