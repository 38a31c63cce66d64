#!/bin/bash
# Session 9 (2026-12-03): runs/small4's best checkpoint (step 3750) trained on, on the same
# 100 h cache (566 shards; docs/training.md), towards and past issue 12's >= 250 M frames in the
# lineage: 4000 steps x 16384 frames = 66 M frames, cosine lr 3e-4 -> 5 %, EMA 0.999.
# Rerunning this script resumes from runs/small5/ckpt_latest.pt (--init is then ignored);
# stop it with: pkill -INT -f "runs/small5 --size" (once it has logged a step); it was paused
# with kill -STOP / -CONT while browser tests and timing ran.
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/small5 --size small \
  --init runs/small4/ckpt_best.pt --lr 3e-4 --warmup 200 \
  --steps 4000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 --seed 9 "$@"
