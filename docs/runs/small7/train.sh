#!/bin/bash
# Session 11 (2026-12-04): runs/small6 trained on, on every train shard its gen.sh wrote
# (194 shards from seed 36224: 12.4 M frames, 34 h of mixtures in the current recipe; the same
# val set). small6 was stopped at step 1031 with its lr still at 5.6e-5 and validation rising
# while its cache grew from 20 to 90 shards; this run asks whether, on 2x the data and with a
# schedule that anneals (lr 2e-4, 200 warm-up steps, cosine to 5 % at step 3600, ~1.5 h on one
# thread), validation comes back down as it did in session 8's small4 (rise while new kinds of
# shards entered at high lr, then down in the decay).
# Init: runs/small6/ckpt_latest.pt (its float moving average; on a machine without runs/small6,
# use --init docs/runs/small6/weights.npz, the same weights through int8).
# Rerunning resumes from runs/small7/ckpt_latest.pt; stop with
# pkill -INT -f "runs/small7 --size" (once it has logged a step); pause with kill -STOP / -CONT.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/small6/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/small6/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/small7 --size small \
  --init $INIT --lr 2e-4 --warmup 200 \
  --steps 3600 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 --refresh-minutes 10 \
  --val-every 300 --val-frames 100000 --log-every 50 --ema 0.999 --seed 11 "$@"
