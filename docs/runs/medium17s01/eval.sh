#!/bin/bash
# Session 18: runs/medium17s01 and runs/medium17s03 (the band-SDR term at weights 0.1 and 0.3)
# exported int8 and measured against the shipped model ("ours": medium15 mixed halfway back to
# medium14) on the holdout and test splits, paired. Reports beside this script.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
for N in medium17s01 medium17s03; do
  .venv/bin/python -m percepnet_train.export runs/$N/ckpt_latest.pt --out docs/runs/$N/weights.npz
  cp runs/$N/run.json runs/$N/log.jsonl docs/runs/$N/
done
D=docs/runs/medium17s01
for SPLIT in holdout test; do
  .venv/bin/python -m percepnet_eval.quality --split $SPLIT --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:$D/weights.npz,ours:docs/runs/medium17s03/weights.npz --out $D/quality-$SPLIT.md --figure ''
done
