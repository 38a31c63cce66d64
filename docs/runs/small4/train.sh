#!/bin/bash
# Started at the end of session 7 (2026-12-03): the shipped network (runs/small3 step 2750)
# trained on towards issue 12's >= 250 M frames, while docs/runs/main/gen2.sh grows the cache
# (--refresh-minutes picks the new shards up). First planned as 10000 steps; in session 8
# resumed at steps 44, 116 and 341 with --steps 5100, 4600 and finally 5200 (85 M frames) so
# that the cosine schedule anneals within the session; stopped at step 4304 (docs/training.md).
# Rerunning this script resumes from runs/small4/ckpt_latest.pt (--init is then ignored);
# stop it with: pkill -INT -f "runs/small4 --size" (once it has logged a step).
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/small4 --size small \
  --init runs/small3/ckpt_best.pt --lr 4e-4 --warmup 200 \
  --steps 5200 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 "$@"
