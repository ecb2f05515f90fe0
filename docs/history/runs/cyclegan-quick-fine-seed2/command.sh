#!/bin/bash
# The CycleGAN quick start, 3 seeds, one after the other (niced; beside other jobs).
cd /work/runs/cyclegan-quick-code  # git archive of the commit in cyclegan-quick-commit.txt
. /work/venv/bin/activate
export TF_CPP_MIN_LOG_LEVEL=2
for S in 1 2 3; do
  W=/work/runs/cyclegan-quick-seed$S
  T0=$(date +%s)
  nice -n 19 python -m cyclegan_tf.main --dataset=synthetic_facades --workdir=$W --seed=$S \
    --synthetic_train=150 --synthetic_test=32 --load_size=72 --crop_size=64 --n_blocks=3 \
    --ngf=32 --lambda_identity=0 --n_epochs=7 --n_epochs_decay=3 \
    --sample_every=300 --checkpoint_every=300 > $W.train.out 2>&1
  T1=$(date +%s)
  nice -n 19 python -m cyclegan_tf.main --mode=test --workdir=$W > $W.test.out 2>&1
  T2=$(date +%s)
  echo "{\"seed\": $S, \"train_seconds\": $((T1-T0)), \"test_seconds\": $((T2-T1)), \"start\": \"$(date -u -d @$T0 +%FT%TZ)\", \"load_average_at_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" > $W.timing.json
done
