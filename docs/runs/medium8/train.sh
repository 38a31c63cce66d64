#!/bin/bash
# Session 12 (2026-12-04): the capacity lever, trained longer. runs/medium7 (the "medium" size,
# 626k weights, widened from small6) matched small7 on val96 after 2/3 of small7's steps; this
# run continues it (its float moving average, runs/medium7/ckpt_latest.pt) with a fresh cosine
# schedule on the cache as it grows: the 272 shards of session 11 plus those that
# `bash docs/runs/small7/gen.sh` writes on the other core during this session (same recipe,
# seeds from 53632; the trainer loads new shards every 10 min). gen.sh was stopped (TERM) after
# 7 shards (seeds 53632-54079) to give its core to the evaluation. Started with --steps 3600;
# stopped (INT) at step 1443 and resumed with --steps 3000, so that it ends inside the session
# (the cosine then continues on the shorter horizon: lr 1.47e-4 -> 1.2e-4 at the resume).
# Rerunning resumes from runs/medium8/ckpt_latest.pt; stop with
# pkill -INT -f "runs/medium8 --size" (once it has logged a step); pause with kill -STOP / -CONT.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium7/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium7/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/medium8 --size medium \
  --init $INIT --lr 2e-4 --warmup 200 \
  --steps 3000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 300 --val-frames 100000 --log-every 50 --ema 0.999 --seed 12 "$@"
