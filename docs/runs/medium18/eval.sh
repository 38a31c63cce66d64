#!/bin/bash
# Sessions 18-19: runs/medium18 and runs/medium18b exported int8 and measured against the shipped
# model (medium17s01, "ours") on the holdout and test splits, paired; no peers (their scores are
# the ship step's). Reports beside this script.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
SYSTEMS=ours
for RUN in medium18 medium18b; do
  D=docs/runs/$RUN
  [ -f runs/$RUN/ckpt_latest.pt ] || continue
  .venv/bin/python -m percepnet_train.export runs/$RUN/ckpt_latest.pt --out $D/weights.npz
  (cd $D && sha256sum weights.npz > weights.sha256)
  cp runs/$RUN/run.json runs/$RUN/log.jsonl $D/
  SYSTEMS=$SYSTEMS,ours:$D/weights.npz
done
for SPLIT in holdout test; do
  .venv/bin/python -m percepnet_eval.quality --split $SPLIT --jobs 2 --score-cache runs/score-cache \
    --systems $SYSTEMS --out docs/runs/medium18/quality-$SPLIT.md --figure ''
done
