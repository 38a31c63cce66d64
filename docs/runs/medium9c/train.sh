#!/bin/bash
# Session 13 (2026-12-04): the control of runs/medium9r (docs/runs/medium9r/train.sh): the same
# fine-tune of medium8 (2000 steps, lr 2e-4 cosine, seed 13, one thread) with every row in the
# loss, so that what medium9r gains or loses over medium8 can be told from more steps.
# Rerunning resumes from runs/medium9c/ckpt_latest.pt; stop with
# pkill -INT -f "runs/medium9c --size" (once it has logged a step).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium8/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium8/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/medium9c --size medium \
  --init $INIT --lr 2e-4 --warmup 100 \
  --steps 2000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 --seed 13 "$@"
