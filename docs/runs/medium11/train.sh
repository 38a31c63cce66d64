#!/bin/bash
# Session 14 (2026-12-04): medium10w (medium8 + 2000 steps of the loudness-weighted loss, which
# beat its control medium9c on val96: SI-SDR +0.08 dB, BAK +0.03, OVRL +0.01) trained on with the
# same loss on the growing cache (docs/runs/medium11/gen.sh: shards from seed 54080 on, with the
# festival voices from 59328, beside the 279 of seeds 36224-54079), so that the run sees more
# distinct mixtures than the 1.4 passes after which medium9c's val loss turned up. 4000 steps
# (64 M frames), lr 2e-4 cosine, seed 14, one thread; new shards are loaded every 15 min.
# Rerunning resumes from runs/medium11/ckpt_latest.pt; stop with pkill -INT -f "runs/medium11 --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium10w/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium10w/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/medium11 --size medium \
  --init $INIT --lr 2e-4 --warmup 100 --band-weight-db 40 --refresh-minutes 15 \
  --steps 4000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 --seed 14 "$@"
