#!/bin/bash
# Session 17: runs/medium16 exported int8 and measured against the shipped model (medium15 mixed
# halfway back to medium14, "ours") and medium15 itself on the holdout and test splits, paired.
set -e
cd /work/main
export PYTHONPATH=py OPENBLAS_NUM_THREADS=1
D=docs/runs/medium16
.venv/bin/python -m percepnet_train.export runs/medium16/ckpt_latest.pt --out $D/weights.npz
cp runs/medium16/run.json runs/medium16/log.jsonl $D/
for SPLIT in holdout test; do
  .venv/bin/python -m percepnet_eval.quality --split $SPLIT --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:docs/runs/medium15/weights.npz,ours:$D/weights.npz --out $D/quality-$SPLIT.md --figure ''
done
# Then its export halfway back to the shipped weights (session 17's last minutes), the same reports.
.venv/bin/python -m percepnet_train.export runs/medium16/ckpt_latest.pt --mix-with docs/runs/medium15/weights-mix50.npz \
  --mix 0.5 --out $D/weights-mix50.npz
for SPLIT in holdout test; do
  .venv/bin/python -m percepnet_eval.quality --split $SPLIT --jobs 2 --score-cache runs/score-cache \
    --systems ours,ours:$D/weights-mix50.npz --out $D/quality-$SPLIT-mix50.md --figure ''
done
