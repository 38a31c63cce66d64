#!/bin/bash
# Session 17: runs/medium15 exported int8 and measured against medium14 (the package, "ours"),
# paired: the leave-source-out holdout first (the ship rule: not worse on the bar's metrics), then
# val96 and the test split. Two jobs: about 25 min on both cores with nothing else running
# (this machine was new, so the score cache starts empty).
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/medium15
.venv/bin/python -m percepnet_train.export runs/medium15/ckpt_latest.pt --out $D/weights.npz
cp runs/medium15/run.json runs/medium15/log.jsonl $D/
.venv/bin/python -m percepnet_eval.quality --split holdout --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:$D/weights.npz --out $D/quality-holdout.md --figure ''
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $D/weights.npz --out docs/gain-shape/medium15-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/medium15-val96.json docs/gain-shape/medium14-val96.json \
  --reference docs/gain-shape/clean-val96.json > $D/val96-vs-medium14.md
.venv/bin/python -m percepnet_eval.quality --split test --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:$D/weights.npz --out $D/quality-test.md --figure ''
