#!/bin/bash
# Session 17 (2026-12-04): medium14 (shipped; its int8 export, the float checkpoint went with
# session 16's machine) trained on on mixtures never seen by the lineage, of the natural-target
# era (docs/runs/medium15/gen.sh: no synthetic voice in the target, session 15's formant warp),
# as gen.sh writes them on the other core (the trainer reloads the cache every 10 min).
# lr 1e-4 cosine (warm-up 100), the loss of medium10w/medium14 (--band-weight-db 40), EMA 0.999,
# seed 19, one thread. Resumable: rerun. Stop: pkill -INT -f "runs/medium15 --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/natural --run runs/medium15 --size medium \
  --init docs/runs/medium14/weights.npz --lr 1e-4 --warmup 100 --band-weight-db 40 \
  --steps 2400 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 400 --val-frames 100000 --log-every 50 --ema 0.999 --seed 19 "$@"
