#!/bin/bash
# Session 19 (2026-12-05): as docs/runs/medium18/train.sh (the shipped medium17s01's int8 export
# trained on over the many-voices era, 1500 steps, lr 1e-4 cosine) with the band-SDR term at 0.2
# (between medium17s01's 0.1 and medium17s03's 0.3), seed 23. Runs beside medium18 on the other
# core, both on the same shards. Resumable: rerun. Stop: pkill -INT -f "runs/medium18b --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/voices --run runs/medium18b --size medium \
  --init docs/runs/medium17s01/weights.npz --lr 1e-4 --warmup 100 --band-weight-db 40 --sdr-weight 0.2 \
  --steps 1500 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 8 \
  --val-every 400 --val-frames 100000 --log-every 50 --ema 0.999 --seed 23 "$@"
