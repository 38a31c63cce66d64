#!/bin/bash
# Session 16: runs/medium14 exported int8 and measured on the holdout beside medium10w (the
# package, "ours") and tts-ab's no-tts arm, paired; then on val96 against medium10w.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/medium14
.venv/bin/python -m percepnet_train.export runs/medium14/ckpt_latest.pt --out $D/weights.npz
cp runs/medium14/run.json runs/medium14/log.jsonl $D/
.venv/bin/python -m percepnet_eval.quality --split holdout --jobs 2 --score-cache runs/score-cache \
  --systems ours,ours:docs/runs/tts-ab/no-tts.npz,ours:$D/weights.npz --out $D/quality-holdout.md --figure ''
