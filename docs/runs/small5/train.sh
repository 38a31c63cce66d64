#!/bin/bash
# Session 9 (2026-12-03): runs/small4's best checkpoint (step 3750) trained on, on the 100 h
# cache (566 shards; docs/training.md) plus the device-rate shards gen_device_rate.sh adds
# meanwhile (--refresh-minutes), towards issue 12's >= 250 M frames in the lineage. Planned for
# 4000 steps; resumed at step 377 with --steps 3400, at step 453 with --steps 2600 and at step
# 874 with --steps 3000 (49 M frames) so that the cosine lr (3e-4 -> 5 %, EMA 0.999) anneals
# within the session.
# Rerunning this script resumes from runs/small5/ckpt_latest.pt (--init is then ignored);
# stop it with: pkill -INT -f "runs/small5 --size" (once it has logged a step); it was paused
# with kill -STOP / -CONT while browser tests and timing ran.
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/small5 --size small \
  --init runs/small4/ckpt_best.pt --lr 3e-4 --warmup 200 \
  --steps 3000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 --seed 9 "$@"
