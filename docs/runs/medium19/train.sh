#!/bin/bash
# Session 19 (2026-12-05): the control for runs/medium18: its command exactly (medium17s01's int8
# export, --sdr-weight 0.1, seed 22, 1500 steps, lr 1e-4 cosine) on 3520 fresh mixtures of the
# natural-target era (gen.sh beside this script) instead of the many-voices era's (95 shards at
# its start, 106 by its end): was it the 48 voices (a quarter of the targets from 7.6 min of
# speech) or the small cache that raised medium18's val loss from the start?
# Resumable: rerun. Stop: pkill -INT -f "runs/medium19 --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/natural2 --run runs/medium19 --size medium \
  --init docs/runs/medium17s01/weights.npz --lr 1e-4 --warmup 100 --band-weight-db 40 --sdr-weight 0.1 \
  --steps 1500 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 8 \
  --val-every 400 --val-frames 100000 --log-every 50 --ema 0.999 --seed 22 "$@"
