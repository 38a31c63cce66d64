#!/bin/bash
# Issue 12 sanity check: overfit 20 training mixtures (train = val on purpose).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
.venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/sanity --run runs/sanity --size small \
  --steps 700 --batch 16 --seq-len 500 --lr 2e-3 --weight-decay 0 --warmup 50 --threads 1 \
  --val-every 100 --val-frames 0 --log-every 50
