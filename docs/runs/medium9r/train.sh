#!/bin/bash
# Session 13 (2026-12-04): do targets from noisy "clean" recordings teach the network to keep
# noise? DNSMOS rates 23 % of the training speech hours (fillets-cs:m/v, kde:ar/gl, ...) below
# BAK 3.0 (docs/reference-quality.md), and on the test clips whose references are clean we
# trail RNNoise on SI-SDR and OVRL. This run fine-tunes the shipped medium8 (its float moving
# average, runs/medium8/ckpt_latest.pt) with the rows whose target comes from such a group
# left out of the loss (train --drop-reference-bak 3.0; reference_mask.py), lr 2e-4 cosine over
# 2000 steps on one thread. Its control, runs/medium9c (docs/runs/medium9c/train.sh), is the
# same command without the filter, run at the same time on the other core.
# Rerunning resumes from runs/medium9r/ckpt_latest.pt; stop with
# pkill -INT -f "runs/medium9r --size" (once it has logged a step).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/medium8/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/medium8/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/medium9r --size medium \
  --init $INIT --drop-reference-bak 3.0 --lr 2e-4 --warmup 100 \
  --steps 2000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 --seed 13 "$@"
