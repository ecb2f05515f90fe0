#!/bin/bash
# The quick start with --upsample=resize (the seed's upsampling), one seed; niced, beside other jobs.
S=$1
cd /work/runs/cyclegan-resize-code  # git archive of the commit in cyclegan-resize-commit.txt
. /work/venv/bin/activate
export TF_CPP_MIN_LOG_LEVEL=2
W=/work/runs/cyclegan-resize-seed$S
T0=$(date +%s)
nice -n 19 python -m cyclegan_tf.main --dataset=synthetic_facades --workdir=$W --seed=$S \
  --synthetic_train=150 --synthetic_test=32 --load_size=72 --crop_size=64 --n_blocks=3 \
  --ngf=32 --lambda_identity=0 --n_epochs=7 --n_epochs_decay=3 --upsample=resize \
  --sample_every=300 --checkpoint_every=300 > $W.train.out 2>&1
T1=$(date +%s)
nice -n 19 python -m cyclegan_tf.main --mode=test --workdir=$W > $W.test.out 2>&1
T2=$(date +%s)
echo "{\"seed\": $S, \"train_seconds\": $((T1-T0)), \"test_seconds\": $((T2-T1)), \"start\": \"$(date -u -d @$T0 +%FT%TZ)\", \"load_average_at_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"parallel_runs\": 3}" > $W.timing.json
