#!/bin/bash
# Session 18 (2026-12-05): medium16 trained on with the band-SDR term (train --sdr-weight 0.3;
# model.band_sdr_loss: minus each crop's SDR in dB that its band gains would give, weighted by the
# noisy band energies), beside a twin with the other weight, same seed and batches. On the
# natural-target era's 257 shards (no generator running), 2000 steps, lr 1e-4 cosine, one thread;
# the rest as medium16. Resumable: rerun. Stop: pkill -INT -f "runs/medium17s03 --size".
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium16/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium16/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/natural --run runs/medium17s03 --size medium \
  --init $INIT --lr 1e-4 --warmup 100 --band-weight-db 40 --sdr-weight 0.3 \
  --steps 2000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 400 --val-frames 100000 --log-every 50 --ema 0.999 --seed 21 "$@"
