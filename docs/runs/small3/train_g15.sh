#!/bin/bash
# Session 7 (2026-12-03): the experiment docs/gain-shape.md proposed: the same warm start as
# train.sh (runs/small2 step 3250), trained towards band-gain targets raised to 1.5
# (--gain-target-power 1.5; validation against the same shaped targets). On the second core,
# with the cache as it stood at its start (no refresh: two runs' caches must fit in RAM).
# Started with --steps 2400, shortened to 1800 at its step ~150 to fit the session.
# Rerunning this script resumes from runs/small3-g15/ckpt_latest.pt.
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/small3-g15 --size small \
  --init runs/small2/ckpt_best.pt --lr 5e-4 --warmup 200 --gain-target-power 1.5 \
  --steps 1800 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 "$@"
