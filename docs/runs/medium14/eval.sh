#!/bin/bash
# Session 16: runs/medium14 exported int8 and measured on the holdout beside medium10w (the
# package, "ours") and tts-ab's no-tts arm, paired; then on val96 and the test split against
# medium10w. (Session 16 ran the val96 and test lines by hand, beside the holdout run.)
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/medium14
.venv/bin/python -m percepnet_train.export runs/medium14/ckpt_latest.pt --out $D/weights.npz
cp runs/medium14/run.json runs/medium14/log.jsonl $D/
.venv/bin/python -m percepnet_eval.quality --split holdout --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:docs/runs/tts-ab/no-tts.npz,ours:$D/weights.npz --out $D/quality-holdout.md --figure ''
.venv/bin/python bench/gain_shape.py --clips 96 --variants ours --weights $D/weights.npz --out docs/gain-shape/medium14-val96.json
.venv/bin/python bench/compare_val.py docs/gain-shape/medium14-val96.json docs/gain-shape/medium10w-val96.json \
  --reference docs/gain-shape/clean-val96.json > $D/val96-vs-medium10w.md
.venv/bin/python -m percepnet_eval.quality --split test --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:$D/weights.npz --out $D/quality-test.md --figure ''
