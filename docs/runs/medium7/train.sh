#!/bin/bash
# Session 11 (2026-12-04): does capacity move it? runs/small7 trains with a training loss at or
# above its validation loss (7.3-7.6 against 7.25 in its first 1000 steps): not overfitting. This
# run is the "medium" size (hidden and gains GRUs 128 -> 160 units: 626k weights against 469k),
# warm-started from the same init as small7 (small6's float moving average) by widening it
# (model.widen: the old units keep their weights and read nothing from the new ones, the new
# units start random and unread, so step 0 computes exactly small6), on the same cache (the 272
# shards there when small7's gen.sh was stopped: small6's 194 and 78 with the flite voices),
# with small7's settings but 2400 steps (one thread, the other core runs small7).
# Rerunning resumes from runs/medium7/ckpt_latest.pt; stop with
# pkill -INT -f "runs/medium7 --size" (once it has logged a step).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/small6/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/small6/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/medium7 --size medium \
  --init $INIT --lr 2e-4 --warmup 200 \
  --steps 2400 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 300 --val-frames 100000 --log-every 50 --ema 0.999 --seed 11 "$@"
