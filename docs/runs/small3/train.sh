#!/bin/bash
# Session 7 (2026-12-03): the shipped network (runs/small2 step 3250, best val 7.26) trained on
# from its weights with a fresh warm-up and cosine schedule, while docs/runs/main/gen2.sh grows
# the cache towards 100 h on the other core (--refresh-minutes picks the new shards up).
# --ema 0.999 (validate, choose and export the weights' moving average) was added at step 27.
# Started with --steps 6000; shortened to 3400 at step ~1370, then to 3000 at step 1363 to fit the session (the cosine then
# ends at 5 % by the time evaluation must start).
# At step ~1370 the OOM killer stopped it during a refresh (a second run held 7 GB; the set was
# built as two copies then): it resumed from its step-1250 checkpoint with this same script.
# Rerunning this script resumes from runs/small3/ckpt_latest.pt (--init is then ignored).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/small3 --size small \
  --init runs/small2/ckpt_best.pt --lr 5e-4 --warmup 200 \
  --steps 3000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 5 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 "$@"
