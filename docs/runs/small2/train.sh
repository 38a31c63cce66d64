#!/bin/bash
# Session 6 (2026-12-03): the shipped small network (runs/main step 2250, best val 7.36),
# trained on from its weights with a fresh warm-up and cosine schedule, on the same cache.
# Started with --steps 4500, shortened to 3600 at step ~420 to fit the session; at step ~2680
# (train loss 6.7 under val 7.4-7.9: it began to overfit the 16 h) resumed with --steps 4000 and
# --refresh-minutes 5, to take in the shards docs/runs/main/gen2.sh was adding meanwhile.
# Rerunning this script resumes from runs/small2/ckpt_latest.pt (--init is then ignored).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/small2 --size small \
  --init runs/main/ckpt_best.pt --lr 5e-4 --warmup 200 \
  --steps 4000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 5 \
  --val-every 250 --val-frames 100000 --log-every 50
