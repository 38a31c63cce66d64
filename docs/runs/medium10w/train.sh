#!/bin/bash
# Session 14 (2026-12-04): medium9c's fine-tune of medium8 (2000 steps, lr 2e-4 cosine, seed 13,
# one thread) with a loudness-weighted loss (--band-weight-db 40: a band's terms count 1 at its
# frame's loudest band, falling linearly to 0.1 at 40 dB below it), so that quiet bands next to
# loud ones (inaudible, where session 11 found the val loss moving) take less of the network.
# runs/medium9c is its control (every band counts 1). Rerunning resumes from
# runs/medium10w/ckpt_latest.pt; stop with pkill -INT -f "runs/medium10w --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium8/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium8/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/medium10w --size medium \
  --init $INIT --lr 2e-4 --warmup 100 --band-weight-db 40 \
  --steps 2000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 --seed 13 "$@"
