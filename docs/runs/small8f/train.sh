#!/bin/bash
# Session 12 (2026-12-04): does a target without the references' own background help?
# DNSMOS rates many "clean" training and evaluation recordings at BAK 2.0-3.5 (hiss, hum, room:
# bench/reference_quality.py), every gain target keeps that background, and on the test clips
# whose references are clean ours loses to RNNoise on STOI, SI-SDR and OVRL (docs/quality.md,
# "By reference quality"). This run fine-tunes the shipped small7 (its float moving average,
# runs/small7/ckpt_latest.pt) towards floor_gain_targets with the 10th percentile (the oracle
# with that target: neutral on val clips with clean references, PESQ -0.01; docs/gain-shape.md),
# on the same cache, lr 2e-4 cosine over 2000 steps (one thread; runs/medium8 has the other core).
# Rerunning resumes from runs/small8f/ckpt_latest.pt; stop with
# pkill -INT -f "runs/small8f --size" (once it has logged a step).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
INIT=runs/small7/ckpt_latest.pt
[ -f $INIT ] || INIT=docs/runs/small7/weights.npz
exec .venv/bin/python -m percepnet_train.train --cache /root/.cache/percepnet-wasm/features --run runs/small8f --size small \
  --init $INIT --target-floor 10 --lr 2e-4 --warmup 100 \
  --steps 2000 --batch 32 --seq-len 500 --threads 1 --level-aug-db 10 \
  --val-every 250 --val-frames 100000 --log-every 50 --ema 0.999 --seed 12 "$@"
