#!/bin/bash
# Session 19: runs/medium19 exported int8 and measured against the shipped model (medium17s01,
# "ours") on the holdout and test splits, paired. Reports beside this script.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/medium19
.venv/bin/python -m percepnet_train.export runs/medium19/ckpt_latest.pt --out $D/weights.npz
(cd $D && sha256sum weights.npz > weights.sha256)
cp runs/medium19/run.json runs/medium19/log.jsonl $D/
for SPLIT in holdout test; do
  .venv/bin/python -m percepnet_eval.quality --split $SPLIT --jobs ${JOBS:-2} --score-cache runs/score-cache \
    --systems ours,ours:$D/weights.npz --out $D/quality-$SPLIT.md --figure ''
done
