#!/bin/bash
# The main training run of session 5 (2026-12-03; started with --steps 5000, shortened to 4000 at step 519 and to 3500 at step ~1080 to fit the session).
# Rerunning this script resumes it from
# runs/main/ckpt_latest.pt (killed, or the machine restarted: same command).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/main --size small \
  --steps 3500 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 250 --val-frames 100000 --log-every 50
