#!/bin/bash
# Session 17 (2026-12-04), started at its end: medium15 trained on (its val loss was still falling:
# 7.005 -> 7.000 over its last 400 steps) on the natural-target era, as docs/runs/medium15/gen.sh
# keeps writing it on the other core. From medium15's float checkpoint where this machine still
# has it, else from its int8 export. 1000 steps (what the session's end left room for), lr 1e-4
# cosine, seed 20, one thread; the rest as medium15. Measured by eval.sh beside this script.
# Resumable: rerun. Stop: pkill -INT -f "runs/medium16 --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium15/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium15/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/natural --run runs/medium16 --size medium \
  --init $INIT --lr 1e-4 --warmup 100 --band-weight-db 40 \
  --steps 1000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 400 --val-frames 100000 --log-every 50 --ema 0.999 --seed 20 "$@"
