#!/bin/bash
# The next lever (docs/training.md): the base network, 10x longer, on the same cache.
# Started at the end of session 5 (2026-12-03); rerun to resume from runs/base2/ckpt_latest.pt.
# Session 6: not pursued. base takes 0.82 ms per step in Pyodide against issue 12's 0.35 ms budget;
# the shipped run is docs/runs/small2 (the small network on a growing cache).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/base2 --size base \
  --steps 30000 --batch 32 --seq-len 500 --threads 2 --level-aug-db 10 \
  --val-every 500 --val-frames 100000 --log-every 50 --ckpt-minutes 5
