#!/bin/bash
# Session 15 (2026-12-04): medium11 (shipped in session 15: val96 against medium10w PESQ +0.015,
# BAK +0.034, OVRL +0.022) trained on with the same loss while medium12/gen.sh adds the first
# shards with the formant warp (seeds from 73280) beside medium11's 579 (~102 h); new shards are
# loaded every 15 min. 4000 steps (64 M frames), lr 2e-4 cosine, seed 15, one thread, nice 10
# (the evaluation and the data generation come first). Rerunning resumes from
# runs/medium12/ckpt_latest.pt; stop with pkill -INT -f "runs/medium12 --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium11/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium11/weights.npz
exec nice -n 10 .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/medium12 --size medium \
  --init $INIT --lr 2e-4 --warmup 100 --band-weight-db 40 --refresh-minutes 15 \
  --steps 4000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 --seed 15 "$@"
